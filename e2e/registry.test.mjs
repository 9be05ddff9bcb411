// Registry journey: the admin loads a 地方厚生局 list (関東信越厚生局, 東京都・医科) in the browser,
// watches it finish and sees what it did; then a manager registers 聖路加国際病院 from its real code
// with its name and address filled in from the list.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT, login, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 180_000 };
const LIST = join(REPO_ROOT, 'registry_reader/tests/fixtures/kanto_tokyo_ika.xlsx');

describe('facility registry', () => {
  const server = useServer();

  test('the admin imports a published list and a Tokyo hospital registers from its code', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'admin@demo.onshi.jp', server.password);
      await page.getByRole('link', { name: '医療機関の登録簿', exact: true }).click();
      await page.waitForLoadState('load');
      await page.setInputFiles('form[data-testid="registry-upload"] input[name="files"]', LIST);
      await page.click('form[data-testid="registry-upload"] button[type="submit"]');
      // The progress page reloads itself until the import is done.
      await page.waitForSelector('[data-testid="registry-done"]', { timeout: 60_000 });
      const summary = await page.locator('[data-testid="registry-summary"]').innerText();
      assert.match(summary, /新しく登録した施設\s+40/, summary);
      await page.getByRole('link', { name: '医療機関の登録簿へ戻る' }).click();
      await page.waitForLoadState('load');
      assert.match(await page.locator('main').innerText(), /令和7年8月1日/);

      const context = page.context();
      await context.clearCookies();
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      await page.goto(new URL('/facilities/new', server.url).href);
      await page.fill('form[data-testid="registry-code-step"] input[name="code"]', '1310270751');
      await page.click('form[data-testid="registry-code-step"] button[type="submit"]');
      await page.waitForSelector('form[data-testid="facility-form"]');
      assert.equal(await page.inputValue('input[name="name"]'), '聖路加国際病院');
      assert.equal(await page.inputValue('input[name="address"]'), '中央区明石町９－１');
      assert.equal(await page.inputValue('select[name="facility_type"]'), 'hospital');
      assert.equal(await page.inputValue('select[name="prefecture"]'), '13');
      assert.match(await page.locator('[data-testid="registry-notice"]').innerText(), /関東信越厚生局/);
      await page.fill('input[name="kana"]', 'セイルカコクサイビョウイン');
      await submitForm(page, 'facility-form');
      // The 確認画面: what was typed shown back, then stored.
      await submitForm(page, 'facility-confirm');
      assert.match(new URL(page.url()).pathname, /^\/facilities\/\d+$/);
      assert.match(await page.locator('main').innerText(), /聖路加国際病院/);
    }));
});
