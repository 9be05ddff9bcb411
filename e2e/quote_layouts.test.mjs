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
const scanned = (name) => fileURLToPath(new URL(`../quote_reader/tests/fixtures/scan/${name}`, import.meta.url));

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

  test('a scanned quote is checked line by line against its pictures, corrected and stored', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(new URL('/facilities', server.url).href);
      await clickAndWaitForLoad(page, page.locator('[data-testid="facilities"] a', { hasText: '病院' }).first());
      await page.setInputFiles('form[data-testid="upload-quote"] input[name="file"]', scanned('discount_foot_chromium_scan200.png'));
      await clickAndWaitForLoad(page, page.locator('form[data-testid="upload-quote"] button[type="submit"]'));
      assert.match(pathOf(page), /^\/quotes\/drafts\//);
      assert.ok((await page.locator('[data-testid="scan-reading"]').innerText()).includes('文字認識'), 'the preview says the quote was read by OCR');
      // Every line's picture is shown and loaded.
      const pictures = page.locator('tr.scan-picture img');
      assert.ok((await pictures.count()) >= 6, 'a picture above each line');
      // (They load as they come near the screen; here each is asked for at once.)
      const loaded = await pictures.evaluateAll(async (imgs) => {
        for (const i of imgs) {
          i.loading = 'eager';
          await i.decode();
        }
        return imgs.every((i) => i.complete && i.naturalWidth > 100);
      });
      assert.ok(loaded, 'the pictures load');
      // The misread amount is marked, and the finding it would cause is held back.
      const marked = page.locator('[data-testid="amount-to-check"]');
      assert.ok((await marked.count()) >= 1, 'an amount to check is marked');
      assert.ok(await page.locator('[data-testid="reading-checks"]').isVisible(), 'the findings held back are shown');
      // On a phone the pictures stay inside the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      const widest = await pictures.evaluateAll((imgs) => Math.max(...imgs.map((i) => i.getBoundingClientRect().right)));
      assert.ok(widest <= 390 + 1, `the pictures fit a 390px screen (right edge ${widest}px)`);
      if (process.env.ONSHI_SCREENSHOTS) {
        await page.screenshot({ path: `${process.env.ONSHI_SCREENSHOTS}/scan-preview.png`, fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      // The manager corrects the card reader's amount read as 6 to the 0 of the picture.
      // (By the 品名 cell: every row's category list names the card reader too; by its first
      // words, which OCR reads the same however it reads the rest.)
      const readerRow = page
        .locator('form[data-testid="confirm-quote"] tbody tr')
        .filter({ has: page.locator('td:nth-child(2)', { hasText: '顔認証付きカード' }) })
        .first();
      await readerRow.locator('input[name^="amount["]').fill('0');
      await submitForm(page, 'confirm-quote');
      assert.match(pathOf(page), /^\/quotes\/\d+$/);
      const stillFlagged = await page.locator('[data-testid="quote-audit"] [data-flag="free_item_charged"]').allInnerTexts();
      assert.deepEqual(stillFlagged, [], 'stored as corrected');
    }),
  );
});
