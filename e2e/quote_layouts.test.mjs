// A quote laid out as vendors lay them out, in the browser: the manager uploads a sectioned quote
// with a hidden row and sees, before anything is stored, how the file was read — the header, what
// each column was taken for, the rows that are not lines and why, and what was left out — on a
// desktop and on a phone-sized screen, then stores it without any flag.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { clickAndWaitForLoad, login, pathOf, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 180_000 };
const layout = (name) => fileURLToPath(new URL(`../quote_reader/tests/fixtures/layouts/${name}`, import.meta.url));
const printed = (name) => fileURLToPath(new URL(`../quote_reader/tests/fixtures/pdf/${name}`, import.meta.url));

describe('quotes as vendors lay them out', () => {
  const server = useServer();

  test('the preview tells how a sectioned quote and one with hidden rows were read, and a clean one stores without flags', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      for (const [file, said] of [
        ['sections_libreoffice.xls', '区分の小計（照合には使いません）'],
        ['hidden_rows_libreoffice.ods', '非表示の行（10・12行目）は読んでいません'],
      ]) {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(new URL('/facilities', server.url).href);
        await clickAndWaitForLoad(page, page.locator('[data-testid="facilities"] a', { hasText: '病院' }).first());
        await page.setInputFiles('form[data-testid="upload-quote"] input[name="file"]', layout(file));
        await clickAndWaitForLoad(page, page.locator('form[data-testid="upload-quote"] button[type="submit"]'));
        assert.match(pathOf(page), /^\/quotes\/drafts\//, file);
        const reading = page.locator('[data-testid="reading"]');
        await reading.locator('summary').click();
        const text = `${await reading.innerText()}\n${await page.locator('[data-testid="quote-draft"]').innerText()}`;
        assert.ok(text.includes(said), `${file}: ${said}`);
        assert.ok(text.includes('単価（請求される価格）'), `${file}: the unit price column is named`);
        assert.equal(await page.locator('[data-testid="quote-draft"] [data-flag]').count(), 0, `${file}: a clean quote has no flag`);
        // On a phone the reading stays inside the screen: no line of it wider than the page.
        await page.setViewportSize({ width: 390, height: 844 });
        const overflow = await reading.evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(overflow <= 1, `${file}: the reading scrolls sideways by ${overflow}px at 390px`);
        if (process.env.ONSHI_SCREENSHOTS) {
          await page.screenshot({ path: `${process.env.ONSHI_SCREENSHOTS}/${file}.png`, fullPage: true });
        }
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      await submitForm(page, 'confirm-quote');
      assert.match(pathOf(page), /^\/quotes\/\d+$/);
      assert.equal(await page.locator('[data-testid="quote-audit"] [data-flag]').count(), 0, 'stored without any flag');
    }),
  );

  test('a quote received as a PDF is read and audited like the workbook it was printed from', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      await page.goto(new URL('/facilities', server.url).href);
      await clickAndWaitForLoad(page, page.locator('[data-testid="facilities"] a', { hasText: '病院' }).first());
      await page.setInputFiles('form[data-testid="upload-quote"] input[name="file"]', printed('padded_sections_libreoffice.pdf'));
      await clickAndWaitForLoad(page, page.locator('form[data-testid="upload-quote"] button[type="submit"]'));
      assert.match(pathOf(page), /^\/quotes\/drafts\//);
      const draft = await page.locator('[data-testid="quote-draft"]').innerText();
      for (const item of ['資格確認端末', '顔認証付きカードリーダー', 'システム改修一式', '操作説明']) {
        assert.ok(draft.includes(item), `the line ${item} is read from the PDF`);
      }
      const flags = await page.locator('[data-testid="quote-draft"] [data-flag]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flag')));
      for (const code of ['free_item_charged', 'lump_sum_opaque', 'duplicate_line', 'above_benchmark']) {
        assert.ok(flags.includes(code), `the planted ${code} is found in the PDF`);
      }
      await page.locator('[data-testid="reading"] summary').click();
      assert.ok((await page.locator('[data-testid="reading"]').innerText()).includes('PDFの行は'), 'the preview says how a PDF is read');
    }),
  );
});
