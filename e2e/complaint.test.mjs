// Complaint journey across three roles: the manager uploads a padded quote, sees its flags, makes the
// counter-offer letter and files a complaint; the reviewer forwards it; the auditor contacts the vendor
// and resolves it; the manager sees the outcome and the history.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { clickAndWaitForLoad, getBrowser, login, pathOf, submitForm, useServer, withPage } from './harness.mjs';

const TIMEOUT = { timeout: 180_000 };
const PADDED = fileURLToPath(new URL('../quote_reader/tests/fixtures/hospital_padded.xls', import.meta.url));

async function asUser(server, email, fn) {
  const browser = await getBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await login(page, server.url, email, server.password);
    await fn(page);
  } finally {
    await context.close();
  }
}

async function move(page, url, to, comment) {
  await page.goto(url);
  await page.selectOption('form[data-testid="move-complaint"] select[name="to"]', to);
  await page.fill('form[data-testid="move-complaint"] textarea[name="comment"]', comment);
  // A move that cannot be undone (to the ministry, withdrawn, not upheld) is confirmed first.
  if (['forwarded', 'withdrawn', 'not_upheld'].includes(to)) await page.check('form[data-testid="move-complaint"] input[name="confirm"]');
  await submitForm(page, 'move-complaint');
}

describe('complaint workflow', () => {
  const server = useServer();

  test('a padded quote travels from the clinic to the association and the ministry and back', TIMEOUT, (t) =>
    withPage(t, async (page) => {
      await login(page, server.url, 'manager@demo.onshi.jp', server.password);
      await page.goto(new URL('/facilities', server.url).href);
      await clickAndWaitForLoad(page, page.locator('[data-testid="facilities"] a', { hasText: '病院' }).first());
      await page.setInputFiles('form[data-testid="upload-quote"] input[name="file"]', PADDED);
      await clickAndWaitForLoad(page, page.locator('form[data-testid="upload-quote"] button[type="submit"]'));
      assert.match(pathOf(page), /^\/quotes\/drafts\//);
      assert.ok(await page.locator('[data-flag="free_item_charged"]').count() >= 2, 'flags in the preview');
      await submitForm(page, 'confirm-quote');
      assert.match(pathOf(page), /^\/quotes\/\d+$/);
      assert.ok(await page.locator('[data-testid="quote-audit"] [data-flag="tax_mismatch"]').count() >= 1);

      await clickAndWaitForLoad(page, page.locator('[data-testid="letter-link"]'));
      const letter = await page.locator('[data-testid="letter"]').innerText();
      assert.match(letter, /お見積り内容についてのご確認とお願い/);
      assert.match(letter, /拝啓[\s\S]*敬具[\s\S]*記[\s\S]*以上/);
      assert.match(letter, /顔認証付きカードリーダー/);
      // The PDF link answers a PDF with the browser's own session.
      const pdfHref = await page.locator('[data-testid="letter-pdf"]').getAttribute('href');
      const pdf = await page.request.get(new URL(pdfHref, server.url).href);
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
      await page.goBack();

      await clickAndWaitForLoad(page, page.locator('[data-testid="complaint-link"]'));
      await page.selectOption('form[data-testid="file-complaint"] select[name="kind"]', 'high_quote');
      await page.fill('form[data-testid="file-complaint"] textarea[name="description"]', '無償のカードリーダーとアプリに請求されました。');
      await submitForm(page, 'file-complaint');
      const caseUrl = page.url();
      assert.match(await page.locator('[data-testid="complaint-status"]').innerText(), /提出済み/);

      await asUser(server, 'reviewer@demo.onshi.jp', async (p) => {
        await move(p, caseUrl, 'under_review', '内容を確認します。');
        await move(p, caseUrl, 'forwarded', '厚生労働省へ送付します。');
      });
      await asUser(server, 'auditor@demo.onshi.jp', async (p) => {
        await move(p, caseUrl, 'vendor_contacted', 'ベンダーに価格の根拠を確認しました。');
        await move(p, caseUrl, 'resolved', 'ベンダーが請求を取り消しました。');
      });

      await page.goto(caseUrl);
      assert.equal(await page.locator('[data-testid="complaint-status"]').innerText(), '解決');
      const history = await page.locator('[data-testid="complaint-history"]').innerText();
      for (const step of ['内容を確認します', '厚生労働省へ送付します', 'ベンダーに価格の根拠を確認しました', 'ベンダーが請求を取り消しました']) {
        assert.ok(history.includes(step), `history has ${step}`);
      }
    }));
});
