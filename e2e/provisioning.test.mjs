// Provisioning journey: the demo manager registers a facility, applies for a reader as 機種未定,
// chooses the model, moves through the stages to 運用開始, and the deadline banner follows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertRefusedBeside, clickAndWaitForLoad, login, pathOf, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };

/** A 医療機関コード (福岡, 医科) whose last digit satisfies the Luhn check. */
function facilityCode(serial) {
  const body = `401${String(serial).padStart(6, '0')}`;
  for (let d = 0; d <= 9; d += 1) {
    const digits = `${body}${d}`.split('').reverse().map(Number);
    const sum = digits.reduce((s, n, i) => s + (i % 2 === 1 ? ((n * 2) % 10) + Math.floor((n * 2) / 10) : n), 0);
    if (sum % 10 === 0) return `${body}${d}`;
  }
  throw new Error('no check digit');
}

async function banner(page) {
  const b = page.locator('[data-testid="deadline-banner"]');
  return { kind: await b.getAttribute('data-kind'), status: await b.getAttribute('data-status'), text: await b.innerText() };
}

describe('reader provisioning', () => {
  // Look at the rollout as of mid-April 2021, when the 機種未定 deadline was still ahead.
  const server = useServer({ env: { ONSHI_TODAY: '2021-04-15' } });

  test('the manager registers a facility and takes it from 機種未定 to 運用開始 while the banner follows', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      // Registration starts from the code (looked up in the registry, which holds no list here).
      await page.goto(new URL('/facilities/new', server.url).href);
      await page.fill('form[data-testid="registry-code-step"] input[name="code"]', facilityCode(Date.now() % 1_000_000));
      await page.click('form[data-testid="registry-code-step"] button[type="submit"]');
      await page.waitForSelector('form[data-testid="facility-form"]');
      await page.fill('input[name="name"]', 'オンシ博多駅前クリニック');
      // First with the フリガナ in hiragana: refused beside the field, the rest kept.
      await page.fill('input[name="kana"]', 'おんしはかたえきまえくりにっく');
      await page.selectOption('select[name="facility_type"]', 'medical_clinic');
      await page.selectOption('select[name="prefecture"]', '40');
      await page.fill('input[name="address"]', '福岡市博多区博多駅前1-1');
      await clickAndWaitForLoad(page, page.locator('form[data-testid="facility-form"] button[type="submit"]'));
      await assertRefusedBeside(page, 'form[data-testid="facility-form"]', 'kana', /カタカナ/);
      assert.equal(await page.inputValue('input[name="name"]'), 'オンシ博多駅前クリニック');
      assert.equal(await page.inputValue('input[name="address"]'), '福岡市博多区博多駅前1-1');
      await page.fill('input[name="kana"]', 'オンシハカタエキマエクリニック');
      await submitForm(page, 'facility-form');
      // The 確認画面: what was typed shown back, then stored.
      await submitForm(page, 'facility-confirm');
      assert.match(pathOf(page), /^\/facilities\/\d+$/);
      assert.equal(await page.locator('[data-testid="stage"]').innerText(), 'ポータルサイト未登録');

      const seen = [];
      // A date that does not exist: refused beside it, the choice of 機種未定 kept.
      await page.fill('form[data-testid="apply-reader"] input[name="applied_on"]', '令和3年3月32日');
      await page.selectOption('form[data-testid="apply-reader"] select[name="maker"]', '');
      await clickAndWaitForLoad(page, page.locator('form[data-testid="apply-reader"] button[type="submit"]'));
      await assertRefusedBeside(page, 'form[data-testid="apply-reader"]', 'applied_on', /./);
      assert.equal(await page.inputValue('form[data-testid="apply-reader"] input[name="applied_on"]'), '令和3年3月32日');
      assert.equal(await page.inputValue('form[data-testid="apply-reader"] select[name="maker"]'), '');
      await page.fill('form[data-testid="apply-reader"] input[name="applied_on"]', '令和3年3月15日');
      await submitForm(page, 'apply-reader');
      let b = await banner(page);
      assert.equal(b.kind, 'model_choice');
      assert.equal(b.status, 'upcoming');
      assert.match(b.text, /令和3年6月30日/);
      seen.push(b);

      await page.selectOption('form[data-testid="choose-model"] select[name="maker"]', { index: 1 });
      const maker = await page.inputValue('form[data-testid="choose-model"] select[name="maker"]');
      await page.fill('form[data-testid="choose-model"] input[name="chosen_on"]', '2021-04-31');
      await clickAndWaitForLoad(page, page.locator('form[data-testid="choose-model"] button[type="submit"]'));
      await assertRefusedBeside(page, 'form[data-testid="choose-model"]', 'chosen_on', /./);
      assert.equal(await page.inputValue('form[data-testid="choose-model"] select[name="maker"]'), maker, 'the maker chosen is kept');
      await page.fill('form[data-testid="choose-model"] input[name="chosen_on"]', '2021-04-10');
      await submitForm(page, 'choose-model');
      b = await banner(page);
      assert.notEqual(b.kind, 'model_choice', 'the model choice is done');
      seen.push(b);

      for (const [stage, day] of [['vendor_ordered', '2021-07-01'], ['installing', '2021-08-02'], ['installed', '2021-09-01'], ['operating', '2021-10-20']]) {
        await page.selectOption('form[data-testid="record-stage"] select[name="stage"]', stage);
        await page.fill('form[data-testid="record-stage"] input[name="reached_on"]', day);
        await submitForm(page, 'record-stage');
        seen.push(await banner(page));
      }
      assert.equal(await page.locator('[data-testid="stage"]').innerText(), '運用開始');
      const last = seen.at(-1);
      assert.equal(last.kind, 'subsidy_application', 'only the subsidy application is left');
      const kinds = seen.map((s) => s.kind);
      assert.ok(new Set(kinds).size >= 3, `the banner changed along the way: ${kinds.join(' → ')}`);
      const timeline = await page.locator('[data-testid="timeline"]').innerText();
      assert.match(timeline, /運用開始/);
      assert.match(timeline, /カードリーダー申込済/);
    }));
});
