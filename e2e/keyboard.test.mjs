// The manager's main task with the keyboard only — sign in, open a hospital, upload a vendor's
// quote, store it, read its audit, open and save the letter to the vendor — pressing Tab, Shift+Tab,
// Enter and Space, never the mouse; each element reached shows a visible focus ring.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { assertAccessible, pathOf, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 180_000 };
const QUOTE = fileURLToPath(new URL('../seed/demo_quotes/hospital_padded.xls', import.meta.url));
/** Tab presses allowed to reach one element (a quote of many lines has two fields a line). */
const MOST_TABS = 400;

/** Presses Tab until the focused element matches `selector`; fails if it never does. */
async function tabTo(page, selector) {
  for (let i = 0; i < MOST_TABS; i += 1) {
    await page.keyboard.press('Tab');
    const found = await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
    if (found) {
      // The focus is visible: an outline (the DADS focus ring) or a box shadow on the element.
      const ring = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      });
      assert.ok(ring, `${selector}: no visible focus ring`);
      return;
    }
  }
  throw new Error(`${selector} was not reached with ${MOST_TABS} Tab presses on ${page.url()}`);
}

/** Presses `key` on the focused element and waits for the page it leads to. */
async function pressAndLoad(page, key = 'Enter') {
  const loaded = page.waitForEvent('load', { timeout: 30_000 });
  await page.keyboard.press(key);
  await loaded;
}

describe('keyboard only', () => {
  const server = useServer();

  test('the manager uploads a quote, reads its audit and saves the letter without a mouse', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await page.goto(new URL('/login', server.url).href);
      await tabTo(page, 'input[name="email"]');
      await page.keyboard.type('manager@demo.onshi.jp');
      await tabTo(page, 'input[name="password"]');
      await page.keyboard.type(server.password);
      await pressAndLoad(page);
      assert.equal(pathOf(page), '/');

      await tabTo(page, 'nav a[href="/facilities"]');
      await pressAndLoad(page);
      await tabTo(page, '[data-testid="facilities"] a[href^="/facilities/"]');
      await pressAndLoad(page);
      assert.match(pathOf(page), /^\/facilities\/\d+$/);

      // The file input opens the file chooser from the keyboard (Space), as a browser's does.
      await tabTo(page, 'form[data-testid="upload-quote"] input[type="file"]');
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
      await chooser.setFiles(QUOTE);
      await tabTo(page, 'form[data-testid="upload-quote"] button[type="submit"]');
      await pressAndLoad(page);
      assert.match(pathOf(page), /^\/quotes\/drafts\//, 'the preview');

      await tabTo(page, 'form[data-testid="confirm-quote"] button[type="submit"]');
      await pressAndLoad(page);
      assert.match(pathOf(page), /^\/quotes\/\d+$/, 'stored');
      assert.match(await page.locator('[data-testid="done"]').innerText(), /見積書を登録しました/);
      // The audit is read: the padded quote's flags are on the page.
      assert.ok((await page.locator('[data-flag]').count()) > 0, 'the audit flags the padded quote');
      await assertAccessible(page, 'the audit');

      await tabTo(page, 'a[data-testid="letter-link"]');
      await pressAndLoad(page);
      assert.match(pathOf(page), /^\/quotes\/\d+\/letter$/);
      await tabTo(page, 'form[data-testid="letter-form"] button[type="submit"]');
      await pressAndLoad(page);
      assert.match(await page.locator('[data-testid="done"]').innerText(), /文書を保存しました/);
      assert.match(await page.locator('[data-testid="letter"]').innerText(), /見積/);
      await assertAccessible(page, 'the saved letter');
    }));
});
