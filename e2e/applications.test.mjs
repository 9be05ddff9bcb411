// Application list journey: the auditor narrows the 交付申請 list by status; the totals keep
// counting every status, the CSV link follows the filter, and an empty result says so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { login, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('application list', () => {
  const server = useServer();

  test('the auditor narrows the applications by status and the totals stay whole', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'auditor@demo.onshi.jp', server.password);
      await page.getByRole('link', { name: '交付申請', exact: true }).click();
      await page.waitForLoadState('load');
      const list = page.locator('table[data-testid="application-list"]');
      const totals = page.locator('table[data-testid="application-totals"]');
      // The demo manager's finished clinic submitted its application on first start.
      assert.equal(await list.locator('tbody tr[data-status="submitted"]').count(), 1);
      const before = await totals.innerText();
      assert.match(before, /福岡県/);

      await page.selectOption('form[data-testid="application-filter"] select[name="status"]', 'submitted');
      await submitForm(page, 'application-filter');
      assert.match(page.url(), /status=submitted/);
      assert.equal(await list.locator('tbody tr').count(), 1);
      assert.equal(await list.locator('tbody tr td:nth-child(4)').innerText(), '提出済み');
      const csv = await page.locator('[data-testid="csv-download"] a').first().getAttribute('href');
      assert.equal(csv, '/exports/applications.csv?status=submitted');
      const body = await (await page.request.get(new URL(csv, server.url).href)).text();
      assert.equal(body.trim().split('\n').length, 2, 'the header and the one application');

      await page.selectOption('form[data-testid="application-filter"] select[name="status"]', 'paid');
      await submitForm(page, 'application-filter');
      assert.match(await page.locator('main').innerText(), /条件に合う申請はありません/);
      assert.equal(await page.inputValue('form[data-testid="application-filter"] select[name="status"]'), 'paid',
        'the status stays chosen');
      assert.equal(await totals.innerText(), before, 'the totals count every status whatever the list shows');
    }));
});
