// Every page of every role, at 1280 px and at 390 px (a phone), passes axe-core's WCAG 2.1 A and
// AA rules (JIS X 8341-3:2016 level AA takes over WCAG 2.0 AA) and does not scroll sideways as a
// whole: a wide table scrolls inside its own labelled frame instead. The pages are found by
// following the links of each role's pages from the home page, one page per kind of address.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAccessible, login, useServer } from './harness.mjs';
import { getBrowser } from './harness.mjs';

const TIMEOUT = { timeout: 600_000 };
const WIDTHS = [1280, 390];
/** Pages each role's crawl visits at most (one per kind of address). */
const MOST = 40;

/** `/facilities/12/edit` → `/facilities/N/edit`: one visit per kind of page. */
function kindOf(path) {
  return path.split('?')[0].replace(/\/\d+/g, '/N').replace(/\/drafts\/[^/]+/, '/drafts/T');
}

/** Links worth visiting: pages, not downloads, files or signing out. */
function isPage(href) {
  return href.startsWith('/') && !/\.(csv|pdf|zip|xlsx|json)(\?|$)|\/file$|\/files?\/|\/rows\/|logout|\/api\//.test(href);
}

for (const email of ['manager@demo.onshi.jp', 'reviewer@demo.onshi.jp', 'auditor@demo.onshi.jp', 'admin@demo.onshi.jp']) {
  describe(`accessibility: ${email}`, () => {
    const server = useServer();

    test(`every page passes axe-core at ${WIDTHS.join(' and ')} px without sideways scrolling`, TIMEOUT, async () => {
      const browser = await getBrowser();
      for (const width of WIDTHS) {
        const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width, height: 900 } });
        const page = await context.newPage();
        try {
          await login(page, server.url, email, server.password);
          const seen = new Set();
          const queue = ['/'];
          const wide = [];
          while (queue.length > 0 && seen.size < MOST) {
            const path = queue.shift();
            if (seen.has(kindOf(path))) continue;
            seen.add(kindOf(path));
            const res = await page.goto(new URL(path, server.url).href);
            assert.ok(res && res.status() < 500, `${path}: ${res?.status()}`);
            await assertAccessible(page, `${path} at ${width} px (${email})`);
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            if (overflow > 1) wide.push(`${path}: ${overflow} px wider than the screen`);
            const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')));
            for (const href of links) {
              if (isPage(href) && !seen.has(kindOf(href))) queue.push(href.split('#')[0]);
            }
          }
          assert.ok(seen.size >= 5, `${email} reached ${seen.size} kinds of pages`);
          assert.deepEqual(wide, [], `pages wider than ${width} px`);
        } finally {
          await context.close();
        }
      }
    });
  });
}
