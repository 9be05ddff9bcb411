// Facility list journey: the auditor narrows the national list by type and by a search, and an
// empty result says so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { login, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };

describe('facility list', () => {
  const server = useServer();

  test('the auditor narrows the facility list by type and by name', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'auditor@demo.onshi.jp', server.password);
      await page.getByRole('link', { name: '施設', exact: true }).click();
      await page.waitForLoadState('load');
      const table = page.locator('table[data-testid="facilities"]');
      const everyone = await table.locator('tbody tr').count();
      assert.ok(everyone > 1, 'the demo facilities');

      await page.selectOption('form[data-testid="facility-filter"] select[name="type"]', 'hospital');
      await submitForm(page, 'facility-filter');
      assert.match(page.url(), /type=hospital/);
      const types = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
      assert.ok(types.length > 0 && types.length < everyone, `hospitals only: ${types.length} of ${everyone}`);
      assert.ok(types.every((x) => x === '病院'), types.join(' / '));

      const name = (await table.locator('tbody tr td:nth-child(2)').first().innerText()).trim();
      await page.fill('form[data-testid="facility-filter"] input[name="q"]', name.slice(1, 4));
      await submitForm(page, 'facility-filter');
      const names = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
      assert.ok(names.includes(name), `${name} found by part of its name: ${names.join(' / ')}`);
      assert.equal(await page.inputValue('form[data-testid="facility-filter"] select[name="type"]'), 'hospital',
        'the type stays chosen');

      await page.fill('form[data-testid="facility-filter"] input[name="q"]', '該当しない名前');
      await submitForm(page, 'facility-filter');
      assert.match(await page.locator('main').innerText(), /条件に合う施設はありません/);
    }));
});
