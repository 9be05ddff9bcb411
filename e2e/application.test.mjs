// Subsidy application journey: the demo manager records a clinic's milestones, enters the paid
// costs by hand, marks them paid, prepares the 交付申請 package, downloads its PDF and CSV and
// submits it; the auditor then finds it in the totals by prefecture and type.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { login, pathOf, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('subsidy application', () => {
  // As of May 2023: the work is done and the application deadline (2023-09-30) is ahead.
  // The clinic starts blank (no demo activity): the journey applies for its readers itself.
  const server = useServer({ env: { ONSHI_TODAY: '2023-05-01', ONSHI_NO_DEMO_ACTIVITY: '1' } });

  test('a clinic applies once paid, gets its package and the auditor sees the totals', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      await page.goto(new URL('/facilities', server.url).href);
      await page.getByRole('link', { name: 'オンシ内科クリニック' }).click();
      await page.waitForLoadState('load');
      const facilityPath = pathOf(page);
      assert.match(facilityPath, /^\/facilities\/\d+$/);

      await page.fill('form[data-testid="apply-reader"] input[name="applied_on"]', '令和3年3月15日');
      await page.selectOption('form[data-testid="apply-reader"] select[name="maker"]', { index: 1 });
      await submitForm(page, 'apply-reader');
      for (const [stage, day] of [['vendor_ordered', '2022-10-01'], ['installed', '2023-01-20'], ['operating', '2023-02-01']]) {
        await page.selectOption('form[data-testid="record-stage"] select[name="stage"]', stage);
        await page.fill('form[data-testid="record-stage"] input[name="reached_on"]', day);
        await submitForm(page, 'record-stage');
      }

      await page.goto(new URL(`${facilityPath}/quotes/new`, server.url).href);
      await page.fill('input[name="new_vendor"]', '株式会社オンシ医療システム');
      await page.fill('input[name="quote_date"]', '令和4年9月20日');
      const rows = [['資格確認端末（PC一式）', 'terminal', '200,000'], ['ネットワーク設定', 'network_setup', '80,000'], ['保守（年額）', 'maintenance', '12,000']];
      for (const [i, [description, category, amount]] of rows.entries()) {
        await page.fill(`input[name="lines[${i}][description]"]`, description);
        await page.selectOption(`select[name="lines[${i}][category]"]`, category);
        await page.fill(`input[name="lines[${i}][amount]"]`, amount);
      }
      await submitForm(page, 'enter-quote');
      const quoteId = pathOf(page).split('/').at(-1);

      await page.goto(new URL(facilityPath, server.url).href);
      assert.equal(await page.locator('form[data-testid="prepare-application"]').count(), 0, 'nothing paid: nothing to apply for yet');
      await page.fill(`form[data-testid="mark-paid-${quoteId}"] input[name="paid_on"]`, '令和5年2月10日');
      await submitForm(page, `mark-paid-${quoteId}`);
      assert.match(await page.locator(`tr[data-quote="${quoteId}"]`).innerText(), /令和5年2月10日/);

      await page.fill('form[data-testid="prepare-application"] input[name="applied_on"]', '2023-05-01');
      // Who applies: the 開設者 and 所在地 come prefilled from the facility; the rest is typed.
      for (const [name, value] of [
        ['representative_title', '理事長'],
        ['representative_name', '山田 太郎'],
        ['phone', '092-000-0000'],
        ['contact_person', '事務長 佐藤 花子'],
      ]) {
        await page.fill(`form[data-testid="prepare-application"] input[name="${name}"]`, value);
      }
      await submitForm(page, 'prepare-application');
      assert.match(pathOf(page), /^\/applications\/\d+$/);
      assert.equal(await page.locator('[data-testid="application-status"]').innerText(), '下書き');
      const summary = await page.locator('[data-testid="application-summary"]').innerText();
      assert.match(summary, /308,000円/, '補助金申請額: (200,000 + 80,000) × 1.1, rate 1');
      assert.match(summary, /321,200円/, '総事業費: 292,000 × 1.1');

      const pdf = await page.request.get(new URL(await page.locator('[data-testid="package-pdf"]').getAttribute('href'), server.url).href);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
      const csv = await page.request.get(new URL(await page.locator('[data-testid="package-csv"]').getAttribute('href'), server.url).href);
      assert.match(await csv.text(), /補助金申請額,308000/);

      await page.check('form[data-testid="submit-application"] input[name="confirm"]');
      await submitForm(page, 'submit-application');
      assert.equal(await page.locator('[data-testid="application-status"]').innerText(), '提出済み');

      await page.context().clearCookies();
      await login(page, server.url, 'auditor@demo.onshi.jp', server.password);
      await page.goto(new URL('/applications', server.url).href);
      const totals = await page.locator('[data-testid="application-totals"]').innerText();
      assert.match(totals, /福岡県/);
      assert.match(totals, /308,000円/);
    }));
});
