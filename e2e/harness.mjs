// Test harness for Onshi's browser journeys.
//
// - startServer(): runs the real `onshi` binary on a random loopback port with
//   a fresh SQLite database and a random demo password.
// - launchBrowser(): Debian's Chromium driven by playwright-core (no browser
//   download; see e2e/README.md).
// - withPage(t, fn): a fresh browser context + page per test; on failure a
//   full-page screenshot (and the page's HTML) go to test-output/screenshots/.
// - login(page, url, email, password): fills and submits the login form, then the code form
//   when the account has a second factor (the server's demo TOTP secret).
// - useServer(options): one server per suite, stopped (with the browser) after it.
// - submitForm(page, testid): submits a form and asserts the next page shows no error.
// - assertAccessible(page): axe-core on the page; any WCAG 2.1 A/AA violation fails.
// - assertRefusedBeside(page, form, name, pattern): a refused field, its message beside it and in the summary.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT_DIR = join(REPO_ROOT, 'test-output');
export const SCREENSHOT_DIR = join(OUTPUT_DIR, 'screenshots');
export const LOG_DIR = join(OUTPUT_DIR, 'logs');

/** The demo account every fresh database is seeded with. */
export const DEMO_MANAGER_EMAIL = 'manager@demo.onshi.jp';

/** Seconds per TOTP time-step (RFC 6238 §4.1, what the server uses). */
export const TOTP_STEP_SECONDS = 30;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Bytes in base32 (RFC 4648, no padding). */
export function base32Encode(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function base32Decode(text) {
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = BASE32.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The 6-digit TOTP code of a base32 secret for a time-step (RFC 6238 with HMAC-SHA-1, RFC 4226 §5.3). */
export function totpCode(secretBase32, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The time-step now. */
export function currentStep() {
  return Math.floor(Date.now() / 1000 / TOTP_STEP_SECONDS);
}

// The demo TOTP secret of each running server (by URL), and the last step each account
// signed in with: the server refuses a code whose step is not later (replay).
const totpSecrets = new Map();
const usedSteps = new Map();

/**
 * A code for `email` on the server at `url` that the server has not seen yet: the step now,
 * else the next one (one step of skew is accepted), else after waiting for the next step.
 */
export async function nextCode(url, email) {
  const secret = totpSecrets.get(url);
  if (!secret) throw new Error(`no demo TOTP secret known for ${url}`);
  const key = `${url} ${email}`;
  for (let tries = 0; tries < 3; tries += 1) {
    const now = currentStep();
    const step = Math.max(now, (usedSteps.get(key) ?? -1) + 1);
    if (step <= now + 1) {
      usedSteps.set(key, step);
      return totpCode(secret, step);
    }
    const wait = TOTP_STEP_SECONDS * 1000 - (Date.now() % (TOTP_STEP_SECONDS * 1000)) + 50;
    await new Promise((r) => { setTimeout(r, wait); });
  }
  throw new Error(`no unused TOTP step for ${email}`);
}

const START_TIMEOUT_MS = Number(process.env.ONSHI_START_TIMEOUT_MS ?? 60_000);
const STOP_TIMEOUT_MS = 10_000;
const LISTENING_RE = /^Onshi listening on (http:\/\/\S+?)\/?\s*$/;
const STDERR_TAIL_BYTES = 16_000;

/** Path of the server binary: $ONSHI_BIN, else <target dir>/debug/onshi. */
export function serverBinary() {
  if (process.env.ONSHI_BIN) return resolve(process.env.ONSHI_BIN);
  const targetDir = process.env.CARGO_TARGET_DIR
    ? resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
    : join(REPO_ROOT, 'target');
  return join(targetDir, 'debug', 'onshi');
}

// Servers still running when this process exits are killed, so a crashed or
// interrupted test run never leaves an `onshi` behind.
const liveServers = new Set();
process.on('exit', () => {
  for (const child of liveServers) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

let serverCount = 0;

/**
 * Start `onshi serve` on 127.0.0.1 with a fresh database.
 * Resolves once the server printed `Onshi listening on http://...`.
 * @param {{ env?: Record<string,string> }} [options] extra environment variables
 * @returns {Promise<{ url: string, password: string, totpSecret: string, dbPath: string, logPath: string,
 *   stop: () => Promise<{ code: number|null, signal: string|null, killedAfterTimeout: boolean, stderr: string }> }>}
 */
export async function startServer(options = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(
      `onshi binary not found at ${bin}. Build it with \`cargo build -p server\` ` +
        'or point ONSHI_BIN at it.',
    );
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'onshi-e2e-'));
  const dbPath = join(dataDir, 'onshi.db');
  const password = randomBytes(12).toString('base64url');
  // The demo reviewer's, auditor's and admin's second factor (160 bits, RFC 4226 §4).
  const totpSecret = base32Encode(randomBytes(20));

  mkdirSync(LOG_DIR, { recursive: true });
  serverCount += 1;
  const logPath = join(LOG_DIR, `server-${process.pid}-${serverCount}.log`);
  const log = createWriteStream(logPath);

  const args = ['serve', '--addr', '127.0.0.1:0', '--db', dbPath];
  log.write(`$ ${bin} ${args.join(' ')}\n`);
  const child = spawn(bin, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? '1',
      ...options.env,
      ONSHI_DEMO_PASSWORD: password,
      ONSHI_DEMO_TOTP_SECRET: totpSecret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(child);

  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    log.write(chunk);
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });

  // Settles when the process is gone and its output is read ('close'), or
  // when it could not be started at all ('error').
  const exited = new Promise((resolveExit) => {
    child.on('close', (code, signal) => {
      liveServers.delete(child);
      resolveExit({ code, signal });
    });
    child.on('error', (error) => {
      liveServers.delete(child);
      resolveExit({ code: null, signal: null, error });
    });
  });

  let url;
  try {
    url = await new Promise((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "Onshi listening on" line within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      exited.then(({ code, signal, error }) => {
        clearTimeout(timer);
        reject(error ?? new Error(`onshi exited before listening (code ${code}, signal ${signal})`));
      });
      // Keep reading stdout for the server's whole life so its pipe never fills.
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
        log.write(`[stdout] ${line}\n`);
        const m = LISTENING_RE.exec(line);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    let graceTimer;
    await Promise.race([exited, new Promise((r) => { graceTimer = setTimeout(r, 5_000); })]);
    clearTimeout(graceTimer);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `${err.message}\n  binary: ${bin} ${args.join(' ')}\n  log: ${logPath}\n` +
        `--- onshi stderr (last ${STDERR_TAIL_BYTES} bytes) ---\n${stderrTail || '(empty)'}\n--- end ---`,
    );
  }

  let stopping;
  /** SIGTERM, wait for a graceful exit (SIGKILL after 10 s), delete the database. */
  function stop() {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let killed = false;
      const killer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(killer);
      await new Promise((done) => log.end(done));
      rmSync(dataDir, { recursive: true, force: true });
      return { ...result, killedAfterTimeout: killed, stderr: stderrTail };
    })();
    return stopping;
  }

  totpSecrets.set(url, totpSecret);
  return { url, password, totpSecret, dbPath, logPath, stop };
}

/** Chromium from Debian ($CHROMIUM or /usr/bin/chromium), headless. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}; install Debian's chromium ` +
        '(scripts/test does) or set CHROMIUM.',
    );
  }
  // playwright-core passes a fresh temporary --user-data-dir itself.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

let sharedBrowser;

/** One browser per test file, launched on first use. Close it with closeBrowser(). */
export function getBrowser() {
  sharedBrowser ??= launchBrowser();
  return sharedBrowser;
}

export async function closeBrowser() {
  if (!sharedBrowser) return;
  const pending = sharedBrowser;
  sharedBrowser = undefined;
  try {
    await (await pending).close();
  } catch { /* launch failed: nothing to close */ }
}

/** A file name made from a test name (keeps Japanese letters, drops path characters). */
export function fileNameFor(name) {
  const cleaned = String(name)
    .replace(/[\/\\:*?"<>|\u0000-\u001f]+/g, '_')
    .replace(/\s+/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  return (cleaned || 'unnamed-test').slice(0, 150);
}

/**
 * Run fn(page, context) in a fresh browser context (own cookies).
 * If fn throws, a full-page screenshot and the page's HTML are saved to
 * test-output/screenshots/<test name>.png/.html before the error is rethrown.
 * @param {import('node:test').TestContext} t
 * @param {(page: import('playwright-core').Page, context: import('playwright-core').BrowserContext) => Promise<any>} fn
 */
export async function withPage(t, fn) {
  const browser = await getBrowser();
  const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  // Every page must run under its Content-Security-Policy without a violation.
  const violations = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) violations.push(`${page.url()}: ${msg.text()}`);
  });
  try {
    const result = await fn(page, context);
    if (violations.length > 0) throw new Error(`CSP violations:\n${violations.join('\n')}`);
    return result;
  } catch (err) {
    await saveFailureArtifacts(t, page);
    throw err;
  } finally {
    await context.close().catch(() => {});
  }
}

async function saveFailureArtifacts(t, page) {
  const base = join(SCREENSHOT_DIR, fileNameFor(t?.name ?? 'unnamed-test'));
  try {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 10_000 });
    t?.diagnostic?.(`screenshot: ${base}.png (page ${page.url()})`);
  } catch (shotErr) {
    t?.diagnostic?.(`screenshot failed: ${shotErr.message}`);
  }
  try {
    writeFileSync(`${base}.html`, await page.content());
  } catch { /* page gone */ }
}

/**
 * Click `target` (selector or locator) and wait until the page it leads to has
 * loaded. Works for plain HTML form posts that answer with a redirect.
 */
export async function clickAndWaitForLoad(page, target) {
  const locator = typeof target === 'string' ? page.locator(target) : target;
  const loaded = page.waitForEvent('load', { timeout: 30_000 });
  await locator.click();
  await loaded;
}

/**
 * Open /login, fill email and password, submit, and wait for the next page; when the server
 * asks for the second factor (a form with a field `code`), enter the account's TOTP code.
 */
export async function login(page, url, email, password) {
  await page.goto(new URL('/login', url).href);
  const form = page.locator('form').filter({ has: page.locator('input[name="password"]') });
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(password);
  await clickAndWaitForLoad(page, form.locator('button[type="submit"]'));
  const codeForm = page.locator('form').filter({ has: page.locator('input[name="code"]') });
  if (pathOf(page) === '/login' && (await codeForm.count()) > 0) {
    await codeForm.locator('input[name="code"]').fill(await nextCode(url, email));
    await clickAndWaitForLoad(page, codeForm.locator('button[type="submit"]'));
  }
}

/** Path of the page's current URL, e.g. "/login". */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/**
 * Start one server for the enclosing `describe` and stop it, with the browser,
 * after the suite. The returned handle reads through to the running server.
 */
export function useServer(options = {}) {
  let server;
  before(async () => {
    server = await startServer(options);
  });
  after(async () => {
    await closeBrowser();
    await server?.stop();
  });
  return {
    get url() {
      return server.url;
    },
    get password() {
      return server.password;
    },
    get totpSecret() {
      return server.totpSecret;
    },
    stop: () => server.stop(),
  };
}

/** Submit the form with `data-testid` `form` and assert the page it leads to shows no error. */
export async function submitForm(page, form) {
  await clickAndWaitForLoad(page, page.locator(`form[data-testid="${form}"] button[type="submit"]`));
  assert.deepEqual(await page.locator('[role="alert"]').allInnerTexts(), [], `no error after ${form}`);
}

const AXE_SOURCE = readFileSync(join(REPO_ROOT, 'e2e', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Run axe-core on the page as it is and fail on any violation of WCAG 2.1 A and AA — the
 * success criteria JIS X 8341-3:2016 level AA takes over. The script is evaluated through the
 * DevTools protocol, which the page's Content-Security-Policy does not govern, so the page is
 * checked with its own policy in force.
 */
export async function assertAccessible(page, where = page.url()) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  const found = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  assert.deepEqual(found, [], `accessibility violations on ${where}`);
}

/** The field named `name` in `form`: refused, described by a message that says `pattern`. */
export async function assertRefusedBeside(page, form, name, pattern) {
  const field = page.locator(`${form} [name="${name}"]`).first();
  assert.equal(await field.getAttribute('aria-invalid'), 'true', `${name} is marked invalid`);
  const describedBy = await field.getAttribute('aria-describedby');
  assert.ok(describedBy, `${name} names its message`);
  const message = page.locator(`[id="${describedBy}"]`);
  assert.equal(await message.count(), 1, `${name}: one message with the id ${describedBy}`);
  assert.match(await message.innerText(), pattern, `${name}'s message`);
  // The message stands beside the field: in the same label or table cell.
  const together = await field.evaluate((el, id) => {
    const box = el.closest('label, td');
    // In the same label or table cell, or right after the field (a form laid out as label,
    // field, message).
    return Boolean(box && box.querySelector(`[id="${id}"]`)) || el.nextElementSibling?.id === id;
  }, describedBy);
  assert.ok(together, `${name}'s message is beside it`);
  // The summary at the top links to the field.
  const id = await field.getAttribute('id');
  assert.ok(id, `${name} has an id for the summary's link`);
  assert.equal(await page.locator(`[data-testid="error-summary"] a[href="#${id}"]`).count(), 1, `${name} in the summary`);
}

