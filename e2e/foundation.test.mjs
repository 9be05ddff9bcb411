// Foundation journeys: signing in and out of Onshi in a real browser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEMO_MANAGER_EMAIL,
  clickAndWaitForLoad,
  login,
  pathOf,
  useServer,
  withPage,
} from './harness.mjs';

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/; // hiragana, katakana, kanji
const ROLE_CLINIC_MANAGER = '医療機関担当者';
const TIMEOUT = { timeout: 90_000 };

describe('foundation', () => {
  const server = useServer();

  test('anonymous visitor is sent to the login page', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await page.goto(new URL('/', server.url).href);

      assert.equal(pathOf(page), '/login');
      assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
      assert.match(await page.locator('body').innerText(), /ログイン/);
      await page.locator('input[name="email"]').waitFor();
      await page.locator('input[name="password"]').waitFor();
      await page.locator('button[type="submit"]').first().waitFor();
      assert.equal(await page.locator('[data-testid="current-user"]').count(), 0);
    }));

  test('the demo manager logs in and sees the home page with their email and role in the header', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, DEMO_MANAGER_EMAIL, server.password);

      assert.equal(pathOf(page), '/');
      const currentUser = page.locator('[data-testid="current-user"]');
      const text = await currentUser.innerText();
      assert.ok(text.includes(DEMO_MANAGER_EMAIL), `header shows the email, got ${JSON.stringify(text)}`);
      assert.ok(text.includes(ROLE_CLINIC_MANAGER), `header shows the role label, got ${JSON.stringify(text)}`);
    }));

  test('a wrong password shows a Japanese error and stays on the login page', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, DEMO_MANAGER_EMAIL, `${server.password}-wrong`);

      assert.equal(pathOf(page), '/login');
      const alert = page.locator('[role="alert"]');
      const message = await alert.first().innerText();
      assert.match(message, JAPANESE, `error message is Japanese, got ${JSON.stringify(message)}`);
      assert.equal(await page.locator('[data-testid="current-user"]').count(), 0);

      // Still signed out.
      await page.goto(new URL('/', server.url).href);
      assert.equal(pathOf(page), '/login');
    }));

  test('logging out returns to the login page and the home page again redirects to it', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, DEMO_MANAGER_EMAIL, server.password);
      assert.equal(pathOf(page), '/');

      await clickAndWaitForLoad(page, page.locator('form[data-testid="logout"] button'));
      assert.equal(pathOf(page), '/login');
      assert.equal(await page.locator('[data-testid="current-user"]').count(), 0);

      await page.goto(new URL('/', server.url).href);
      assert.equal(pathOf(page), '/login');
    }));

  test('the server shuts down cleanly on SIGTERM', TIMEOUT, async () => {
    const { code, signal, killedAfterTimeout } = await server.stop();
    assert.equal(killedAfterTimeout, false, 'onshi did not exit within 10 s of SIGTERM');
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
  });
});
