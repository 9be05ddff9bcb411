// Subsidy calculator journeys: a clinic manager and a reviewer work out a subsidy in a real browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clickAndWaitForLoad, login, pathOf, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 90_000 };

describe('subsidy calculator', () => {
  const server = useServer();

  test('the manager reaches the calculator from the menu and sees the hospital amount with its what-if line', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      await clickAndWaitForLoad(page, page.locator('nav a[href="/subsidy"]'));
      assert.equal(pathOf(page), '/subsidy');

      await page.selectOption('select[name="facility_type"]', 'hospital');
      await page.fill('input[name="readers"]', '2');
      await page.fill('input[name="reader_applied_on"]', '令和3年4月1日');
      await page.fill('input[name="eligible_cost"]', '3,000,000');
      await page.fill('input[name="what_if_applied_on"]', '2021-03-31');
      await clickAndWaitForLoad(page, page.locator('form.calc-form button[type="submit"]'));

      const result = page.locator('[data-testid="subsidy-result"]');
      assert.equal(await result.locator('[data-testid="subsidy"]').innerText(), '1,001,000円（100.1万円）');
      assert.equal(await result.locator('[data-testid="self-burden"]').innerText(), '1,999,000円');
      assert.match(await result.locator('[data-testid="what-if"]').innerText(), /補助額 2,002,000円（差 \+1,001,000円）/);
      assert.match(await result.innerText(), /出典/);
      // The form keeps what was entered.
      assert.equal(await page.inputValue('input[name="eligible_cost"]'), '3,000,000');
    }));

  test('a reviewer who enters an impossible date is told what to fix next to the field', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'reviewer@demo.onshi.jp', server.password);
      await page.goto(new URL('/subsidy', server.url).href);
      await page.fill('input[name="reader_applied_on"]', '2021-02-30');
      await page.fill('input[name="eligible_cost"]', '400000');
      await clickAndWaitForLoad(page, page.locator('form.calc-form button[type="submit"]'));
      const error = page.locator('.field-error').first();
      assert.match(await error.innerText(), /存在しない日付/);
      assert.equal(await page.locator('[data-testid="subsidy-result"]').count(), 0);
    }));
});
