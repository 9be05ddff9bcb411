// First start: the demo activity (seed/demo_activity.json) is there for every role. The
// reviewer of 福岡県 finds the demo hospital's complaint, follows it to the padded quote's
// audit, and the auditor's dashboard counts the demo quotes' lines.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clickAndWaitForLoad, login, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('first start', () => {
  const server = useServer();

  test('the reviewer follows the demo complaint to the padded quote and its flags', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'reviewer@demo.onshi.jp', server.password);
      await clickAndWaitForLoad(page, page.getByRole('link', { name: '相談', exact: true }));
      const row = page.locator('tr', { hasText: 'オンシ記念病院' });
      assert.equal(await row.count(), 1, 'the demo hospital complaint is listed');
      await clickAndWaitForLoad(page, row.locator('a').first());
      assert.match(await page.locator('main').innerText(), /提出済み/);

      await clickAndWaitForLoad(page, page.getByRole('link', { name: /見積書 #\d+（監査結果）/ }));
      const audit = await page.locator('main').innerText();
      assert.match(audit, /hospital_padded\.xls/);
      for (const flag of ['無償品への請求', '内訳のない一式', '補助対象外の月額費用']) {
        assert.ok(audit.includes(flag), `the audit shows ${flag}`);
      }
    }));

  test('the auditor sees the demo quotes in the dashboard', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'auditor@demo.onshi.jp', server.password);
      await clickAndWaitForLoad(page, page.getByRole('link', { name: 'ダッシュボード' }));
      const quotes = page.locator('[data-testid="chart-quote_categories"] table');
      assert.match(await quotes.innerText(), /顔認証付きカードリーダー/, 'the padded quote charges for readers');
    }));
});
