// Forms that keep what was typed: each form is sent once with mistakes and comes back with
// everything typed, every mistake beside its field (aria-invalid, aria-describedby) and listed
// at the top with a link to the field; sent again, it is carried out and the page says so.
// Every page the journeys pass is checked with axe-core.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccessible, assertRefusedBeside, clickAndWaitForLoad, login, pathOf, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 180_000 };

/** Signs in as the demo manager and opens the clinic's page; its path. */
async function openClinic(page, server) {
  await login(page, server.url, 'manager@demo.onshi.jp', server.password);
  await page.goto(new URL('/facilities', server.url).href);
  await page.getByRole('link', { name: 'オンシ内科クリニック' }).click();
  await page.waitForLoadState('load');
  return pathOf(page);
}

/** Submit and wait; without the "no error" check of submitForm (the mistakes are on purpose). */
async function send(page, form) {
  await clickAndWaitForLoad(page, page.locator(`form[data-testid="${form}"] button[type="submit"]`));
}

describe('forms keep what was typed', () => {
  const server = useServer({ env: { ONSHI_TODAY: '2023-05-01', ONSHI_NO_DEMO_ACTIVITY: '1' } });

  test('manual quote entry: every line comes back, each mistake beside its cell; 12万5千円 is an amount', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      const facilityPath = await openClinic(page, server);
      await page.goto(new URL(`${facilityPath}/quotes/new`, server.url).href);
      await assertAccessible(page, 'manual entry');
      await page.fill('input[name="new_vendor"]', '株式会社テスト医療システム');
      await page.fill('input[name="quote_date"]', '令和4年9月20日');
      const typed = [
        ['資格確認端末（PC一式）', 'terminal', '1', '台', '', '12万5千円'],
        ['ネットワーク設定', 'network_setup', '', '', '', '八万円'],
        ['', 'other', '', '', '', '5,000'],
      ];
      const fields = ['description', 'category', 'quantity', 'unit', 'unit_price', 'amount'];
      for (const [i, row] of typed.entries()) {
        for (const [f, value] of row.entries()) {
          const name = `lines[${i}][${fields[f]}]`;
          if (fields[f] === 'category') await page.selectOption(`select[name="${name}"]`, value);
          else await page.fill(`input[name="${name}"]`, value);
        }
      }
      await send(page, 'enter-quote');
      assert.match(pathOf(page), /\/quotes\/new$/, 'refused: still the entry page');
      // Both mistakes at once, each beside its cell and in the summary.
      const form = 'form[data-testid="enter-quote"]';
      await assertRefusedBeside(page, form, 'lines[1][amount]', /2行目.*金額として読めません/);
      await assertRefusedBeside(page, form, 'lines[2][description]', /3行目: 品名を入力してください/);
      assert.equal(await page.locator('[data-testid="error-summary"] li').count(), 2, 'two things to fix');
      // Nothing typed is lost; 12万5千円 was accepted.
      assert.equal(await page.inputValue('input[name="new_vendor"]'), '株式会社テスト医療システム');
      assert.equal(await page.inputValue('input[name="quote_date"]'), '令和4年9月20日');
      for (const [i, row] of typed.entries()) {
        for (const [f, value] of row.entries()) {
          assert.equal(await page.inputValue(`[name="lines[${i}][${fields[f]}]"]`), value, `lines[${i}][${fields[f]}]`);
        }
      }
      assert.equal(await page.getAttribute('input[name="lines[0][amount]"]', 'aria-invalid'), null, '12万5千円 is fine');
      // No browser bubble stands in the way of Onshi's own messages.
      assert.equal(await page.locator(`${form}[novalidate]`).count(), 1);
      await assertAccessible(page, 'refused manual entry');

      await page.fill('input[name="lines[1][amount]"]', '8万円');
      await page.fill('input[name="lines[2][description]"]', 'LAN配線');
      await send(page, 'enter-quote');
      assert.match(pathOf(page), /^\/quotes\/\d+$/, 'stored');
      assert.match(await page.locator('[data-testid="done"]').innerText(), /見積書を登録しました/);
      const amounts = await page.locator('main').innerText();
      assert.match(amounts, /125,000/, '12万5千円 stored as 125,000');
      assert.match(amounts, /80,000/);
      await assertAccessible(page, 'stored quote');
    }));

  test('the stage form keeps its choices, then says the stage was recorded', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      const facilityPath = await openClinic(page, server);
      const form = 'form[data-testid="record-stage"]';
      await page.selectOption(`${form} select[name="stage"]`, 'vendor_ordered');
      await page.fill(`${form} input[name="reached_on"]`, '2022年13月1日');
      await page.fill(`${form} input[name="blocker_text"]`, 'ベンダーの訪問待ち');
      await send(page, 'record-stage');
      await assertRefusedBeside(page, form, 'reached_on', /./);
      assert.equal(await page.inputValue(`${form} select[name="stage"]`), 'vendor_ordered');
      assert.equal(await page.inputValue(`${form} input[name="reached_on"]`), '2022年13月1日');
      assert.equal(await page.inputValue(`${form} input[name="blocker_text"]`), 'ベンダーの訪問待ち');
      await assertAccessible(page, 'refused stage form');

      await page.fill(`${form} input[name="reached_on"]`, '2022年10月1日');
      await send(page, 'record-stage');
      assert.equal(pathOf(page), facilityPath);
      assert.match(await page.locator('[data-testid="done"]').innerText(), /導入の段階を記録しました/);
      assert.equal(await page.locator('[role="alert"]').count(), 0, 'the earlier refusal is gone');
      assert.match(await page.locator('[data-testid="timeline"]').innerText(), /2022/);
    }));

  test('adding a user answers every mistake at once; disabling asks to confirm', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'admin@demo.onshi.jp', server.password);
      await page.goto(new URL('/admin/users', server.url).href);
      const form = 'form[data-testid="create-user"]';
      await page.fill(`${form} input[name="email"]`, 'sato@example');
      await page.fill(`${form} input[name="display_name"]`, '佐藤 花子');
      await page.selectOption(`${form} select[name="role"]`, 'reviewer');
      await page.fill(`${form} input[name="password"]`, 'short');
      await send(page, 'create-user');
      await assertRefusedBeside(page, form, 'email', /形式が正しくありません/);
      await assertRefusedBeside(page, form, 'password', /./);
      await assertRefusedBeside(page, form, 'association', /所属団体/);
      await assertRefusedBeside(page, form, 'prefecture', /都道府県/);
      assert.equal(await page.inputValue(`${form} input[name="email"]`), 'sato@example');
      assert.equal(await page.inputValue(`${form} input[name="display_name"]`), '佐藤 花子');
      assert.equal(await page.inputValue(`${form} select[name="role"]`), 'reviewer');
      assert.equal(await page.inputValue(`${form} input[name="password"]`), '', 'a password is never sent back');
      await assertAccessible(page, 'refused add-user form');

      await page.fill(`${form} input[name="email"]`, 'sato@example.jp');
      await page.fill(`${form} input[name="password"]`, 'kumamoto-reviewer-2023');
      await page.selectOption(`${form} select[name="association"]`, 'medical');
      await page.selectOption(`${form} select[name="prefecture"]`, '43');
      await send(page, 'create-user');
      assert.match(await page.locator('[data-testid="done"]').innerText(), /利用者を追加しました/);
      const row = page.locator('table[data-testid="users"] tr', { hasText: 'sato@example.jp' });
      assert.match(await row.innerText(), /熊本県/);
      // The row's scope form shows the user's role and scope, not a blank manager's.
      assert.equal(await row.locator('select[name="role"]').inputValue(), 'reviewer');
      assert.equal(await row.locator('select[name="prefecture"]').inputValue(), '43');

      // Disabling without ticking the confirmation is refused beside the box.
      await row.locator('summary', { hasText: '無効にする' }).click();
      await clickAndWaitForLoad(page, row.locator('form[data-testid="disable-user"] button[type="submit"]'));
      const again = page.locator('table[data-testid="users"] tr', { hasText: 'sato@example.jp' });
      const box = again.locator('input[name="confirm"]');
      assert.equal(await box.getAttribute('aria-invalid'), 'true');
      assert.match(await page.locator(`[id="${await box.getAttribute('aria-describedby')}"]`).innerText(), /確認のチェック/);
      assert.match(await again.innerText(), /有効/, 'still enabled');
      await box.check();
      await clickAndWaitForLoad(page, again.locator('form[data-testid="disable-user"] button[type="submit"]'));
      assert.match(await page.locator('[data-testid="done"]').innerText(), /利用者の状態を変更しました/);
      assert.match(await page.locator('table[data-testid="users"] tr', { hasText: 'sato@example.jp' }).innerText(), /無効/);
      await assertAccessible(page, 'users after disabling');
    }));
});
