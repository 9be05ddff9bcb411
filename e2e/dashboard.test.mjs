// Dashboard journey: the reviewer opens the dashboards, narrows them to clinics and a period,
// sees the SVG charts with their tables, and takes a table to Excel as CSV.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { login, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('dashboards', () => {
  const server = useServer();

  test('the reviewer filters the dashboards and downloads a chart table', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'reviewer@demo.onshi.jp', server.password);
      await page.getByRole('link', { name: 'ダッシュボード' }).click();
      await page.waitForLoadState('load');
      const funnel = page.locator('[data-testid="chart-funnel_by_type"]');
      assert.equal(await funnel.locator('svg rect').count() > 0, true, 'bars are drawn');
      assert.match(await funnel.locator('table').innerText(), /公表 2023-01-01/);

      await page.selectOption('form[data-testid="dashboard-filter"] select[name="type"]', 'medical_clinic');
      await page.fill('form[data-testid="dashboard-filter"] input[name="to"]', '令和5年3月31日');
      await submitForm(page, 'dashboard-filter');
      assert.match(page.url(), /type=medical_clinic/);
      assert.equal(await page.inputValue('form[data-testid="dashboard-filter"] input[name="to"]'), '2023-03',
        'a whole month reads back as the month');
      const rows = await funnel.locator('tbody th').allInnerTexts();
      assert.ok(rows.every((r) => r.startsWith('医科診療所')), `clinics only: ${rows.join(' / ')}`);
      const prefectures = await page.locator('form[data-testid="dashboard-filter"] select[name="prefecture"] option').allInnerTexts();
      assert.deepEqual(prefectures, ['すべて', '福岡県'], 'a reviewer filters within the prefecture');

      const href = await funnel.locator('[data-testid="chart-csv"]').getAttribute('href');
      const csv = await page.request.get(new URL(href, server.url).href);
      assert.equal(csv.status(), 200);
      const text = await csv.text();
      assert.match(text, /^\uFEFF施設区分,施設数/);
      assert.match(text, /医科診療所,\d+,/);
    }));
});
