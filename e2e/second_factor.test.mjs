// The second factor in the browser: reviewers, auditors and admins sign in with their password
// and then a TOTP code on a second form; wrong and replayed codes are refused (and lock the
// sign-in like wrong passwords); an admin's reset sends the user to set up a new one with a QR
// code drawn on the server. Codes are computed here with node's crypto (RFC 6238).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  clickAndWaitForLoad,
  currentStep,
  nextCode,
  pathOf,
  totpCode,
  useServer,
  withPage,
} from './harness.mjs';

const TIMEOUT = { timeout: 120_000 };
const ACCOUNTS = [
  ['reviewer@demo.onshi.jp', '審査担当'],
  ['auditor@demo.onshi.jp', '監査担当'],
  ['admin@demo.onshi.jp', '運用管理者'],
];

/** Fills e-mail and password on /login and submits. */
async function submitPassword(page, url, email, password) {
  await page.goto(new URL('/login', url).href);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await clickAndWaitForLoad(page, page.locator('form button[type="submit"]'));
}

/** Types `code` into the second form and submits. */
async function submitCode(page, code) {
  const form = page.locator('form[data-testid="second-factor"]');
  await form.locator('input[name="code"]').fill(code);
  await clickAndWaitForLoad(page, form.locator('button[type="submit"]'));
}

/** Six digits that are no code of `secret` near now. */
function wrongCode(secret) {
  const now = currentStep();
  const near = [-2, -1, 0, 1, 2].map((d) => totpCode(secret, now + d));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c));
}

test('the code computed here matches RFC 6238 Appendix B', () => {
  // The SHA-1 seed "12345678901234567890" in base32; T = 59 s is step 1: 94287082.
  assert.equal(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1), '287082');
  assert.equal(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', Math.floor(1111111109 / 30)), '081804');
});

describe('second factor', () => {
  const server = useServer({ env: { ONSHI_NO_DEMO_ACTIVITY: '1' } });

  for (const [email, role] of ACCOUNTS) {
    test(`the ${role} signs in with the password and then the code on the second form`, TIMEOUT, (t) =>
      withPage(t, async (page) => {
        await submitPassword(page, server.url, email, server.password);
        assert.equal(pathOf(page), '/login');
        assert.match(await page.locator('label[for="code"]').innerText(), /確認コード（6桁）/);
        assert.equal(await page.locator('input[name="password"]').count(), 0, 'the code alone is asked');

        // Nothing opens with the password alone.
        await page.goto(new URL('/facilities', server.url).href);
        assert.equal(pathOf(page), '/login');

        await submitCode(page, await nextCode(server.url, email));
        assert.equal(pathOf(page), '/');
        const header = await page.locator('[data-testid="current-user"]').innerText();
        assert.ok(header.includes(email) && header.includes(role), header);
      }));
  }

  test('a wrong code is refused in Japanese and the right one then signs in', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      const email = 'auditor@demo.onshi.jp';
      await submitPassword(page, server.url, email, server.password);
      await submitCode(page, wrongCode(server.totpSecret));
      assert.equal(pathOf(page), '/login');
      assert.match(await page.locator('[role="alert"]').innerText(), /確認コードが正しくありません/);
      await submitCode(page, await nextCode(server.url, email));
      assert.equal(pathOf(page), '/');
    }));

  test('a code already used is refused when replayed from another browser', TIMEOUT, (t) =>
    withPage(t, async (page, context) => {
      const email = 'reviewer@demo.onshi.jp';
      const code = await nextCode(server.url, email);
      await submitPassword(page, server.url, email, server.password);
      await submitCode(page, code);
      assert.equal(pathOf(page), '/');

      const other = await context.browser().newContext({ locale: 'ja-JP' });
      try {
        const thief = await other.newPage();
        await submitPassword(thief, server.url, email, server.password);
        await submitCode(thief, code);
        assert.equal(pathOf(thief), '/login');
        assert.match(await thief.locator('[role="alert"]').innerText(), /既に使われています/);
      } finally {
        await other.close();
      }
    }));

  test('the admin resets the reviewer, who sets up a new second factor from a QR code', TIMEOUT, (t) =>
    withPage(t, async (page, context) => {
      const admin = 'admin@demo.onshi.jp';
      const reviewer = 'reviewer@demo.onshi.jp';
      await submitPassword(page, server.url, admin, server.password);
      await submitCode(page, await nextCode(server.url, admin));
      await page.goto(new URL('/admin/users', server.url).href);
      const row = page.locator('tr', { hasText: reviewer });
      await row.locator('summary', { hasText: '二要素認証をリセット' }).click();
      const form = row.locator('form[data-testid="reset-second-factor"]');
      await form.locator('input[name="confirm"]').check();
      await clickAndWaitForLoad(page, form.locator('button[type="submit"]'));
      assert.equal(pathOf(page), '/admin/users');
      assert.match(await page.locator('tr', { hasText: reviewer }).innerText(), /未設定/);

      const other = await context.browser().newContext({ locale: 'ja-JP' });
      try {
        const p = await other.newPage();
        await submitPassword(p, server.url, reviewer, server.password);
        assert.equal(pathOf(p), '/account/second-factor', 'sent to set up before any page');
        assert.equal(await p.locator('[data-testid="qr-code"] svg').count(), 1, 'a QR code drawn on the server');
        const secret = (await p.locator('[data-testid="totp-secret"]').innerText()).trim();
        assert.notEqual(secret, server.totpSecret);
        const confirm = p.locator('form[data-testid="confirm-second-factor"]');
        await confirm.locator('input[name="code"]').fill(totpCode(secret, currentStep()));
        await clickAndWaitForLoad(p, confirm.locator('button[type="submit"]'));
        assert.equal(await p.locator('[data-testid="recovery-codes"] li').count(), 10, 'recovery codes shown once');
        await clickAndWaitForLoad(p, p.getByRole('link', { name: '施設', exact: true }));
        assert.equal(pathOf(p), '/facilities', 'set up: the pages open');
      } finally {
        await other.close();
      }
    }));
});

describe('second factor lock', () => {
  const server = useServer({ env: { ONSHI_NO_DEMO_ACTIVITY: '1' } });

  test('wrong codes lock the sign-in like wrong passwords, and then the right code fails too', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      const email = 'admin@demo.onshi.jp';
      await submitPassword(page, server.url, email, server.password);
      let locked = false;
      for (let attempt = 0; attempt < 20 && !locked; attempt += 1) {
        await submitCode(page, wrongCode(server.totpSecret));
        const text = await page.locator('body').innerText();
        assert.notEqual(pathOf(page), '/');
        locked = /制限/.test(text);
        if (!locked) assert.match(text, /確認コードが正しくありません/);
      }
      assert.ok(locked, 'wrong codes lock the sign-in');
      await page.goto(new URL('/login', server.url).href);
      if ((await page.locator('form[data-testid="second-factor"]').count()) > 0) {
        await submitCode(page, await nextCode(server.url, email));
      }
      assert.notEqual(pathOf(page), '/', 'locked: not even the right code signs in');
    }));
});
