#!/usr/bin/env node
// Drives grantd's authorization-code pages in headless Chromium, as a person would:
//   authorize_url -> login page (username, password, "Sign in") -> consent page
//   ("Authorize" / "Cancel") -> the client's redirect URI, or the out-of-band code page.
//
// Usage: node tests/browser/flow.mjs '<json>' with
//   authorize_url    the full /authorize URL (required)
//   username, password
//   action           "authorize" | "cancel"
//   expect_oob       true: after Authorize expect a grantd page with the code in #code (no redirect)
//   screenshots_dir  where login.png, consent.png, oob.png (and error.png) go; optional
//   timeout_ms       budget for the whole run, default 20000
//
// Prints one JSON object on stdout and exits 0 on success:
//   {ok: true, final_url, final_query, code, page_text, pages: {login, consent[, oob]},
//    navigations, keyboard, cookies, console_errors, screenshots, elapsed_ms}
// where pages.X = {url, status, headers} (headers lowercased, as the browser received them).
// On an unexpected page it prints {ok: false, error, url, status, text} on stdout, the same
// in words on stderr, and exits 1; 2 for bad arguments or a missing playwright-core/Chromium,
// 3 when the time budget runs out.
//
// Chromium is Debian's /usr/bin/chromium (GRANTD_CHROMIUM overrides); playwright-core comes
// from the repository's node_modules (scripts/deps --test runs `npm ci`), found relative to
// this file, so the working directory does not matter.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { launch, loadChromium, out, readArg, usageOf } from './driver.mjs';

const started = Date.now();
const usage = usageOf('flow.mjs');
const opts = readArg(usage,
  '{authorize_url, username, password, action, expect_oob, screenshots_dir}');
if (typeof opts !== 'object' || opts === null || typeof opts.authorize_url !== 'string') {
  usage('authorize_url (string) is required');
}
const action = opts.action ?? 'authorize';
if (action !== 'authorize' && action !== 'cancel') usage(`action must be "authorize" or "cancel", not ${JSON.stringify(action)}`);
const expectOob = Boolean(opts.expect_oob);
const budget = Number(opts.timeout_ms ?? 20000);
if (!Number.isFinite(budget) || budget < 1000) usage(`timeout_ms must be a number of milliseconds >= 1000`);
const shotsDir = opts.screenshots_dir ? path.resolve(opts.screenshots_dir) : null;
let grantdOrigin;
try {
  grantdOrigin = new URL(opts.authorize_url).origin;
} catch (e) {
  usage(`authorize_url is not a URL: ${e.message}`);
}

const chromium = await loadChromium(usage);

let browser;
let page;
const result = {
  ok: false, pages: {}, navigations: [], console_errors: [], screenshots: [], keyboard: null,
  timings_ms: {},
};
const mark = (name) => { result.timings_ms[name] = Date.now() - started; };

class Unexpected extends Error {}

// Stops everything once the budget is spent, whatever is hanging.
let finished = false;
const watchdog = setTimeout(async () => {
  if (finished) return;
  finished = true;
  const where = page ? page.url() : '(no page yet)';
  const msg = `timed out after ${budget} ms (at ${where})`;
  process.stderr.write(`flow.mjs: ${msg}\n`);
  out({ ...result, ok: false, error: msg, url: where });
  // Closing lets playwright remove its temporary profile; exiting kills Chromium regardless.
  if (browser) await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
  process.exit(3);
}, budget);

function remaining() {
  return Math.max(1000, budget - (Date.now() - started) - 500);
}

async function pageText() {
  try {
    return (await page.evaluate(() => document.body ? document.body.innerText : '')).slice(0, 500);
  } catch (e) {
    return `(no text: ${e.message})`;
  }
}

async function fail(step, expected) {
  const doc = lastDocument;
  const url = page.url();
  const text = await pageText();
  if (shotsDir) {
    const file = path.join(shotsDir, 'error.png');
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 3000 });
      result.screenshots.push(file);
    } catch { /* the page may be gone */ }
  }
  const msg = `${step}: expected ${expected}, got ${url} (HTTP ${doc ? doc.status : '?'})`;
  throw Object.assign(new Unexpected(msg), { url, status: doc ? doc.status : null, text });
}

async function screenshot(name) {
  if (!shotsDir) return;
  const file = path.join(shotsDir, name);
  await page.screenshot({ path: file, fullPage: true });
  result.screenshots.push(file);
}

// The response that produced the current main-frame document (redirects skipped).
let lastDocument = null;
// The first main-frame navigation that left grantd's origin: the client's redirect URI.
let offOrigin = null;
let offOriginRequest = null;
let offOriginWaiters = [];

function isGrantd(url) {
  try { return new URL(url).origin === grantdOrigin; } catch { return false; }
}

// Resolves once the main frame has committed a new document, or a navigation left grantd.
function nextDocument(fn) {
  return new Promise((resolve, reject) => {
    const onNav = (frame) => {
      if (frame !== page.mainFrame()) return;
      done();
    };
    const onOff = () => done();
    // A blocked form submission (CSP form-action, which Chromium applies to the redirect
    // after the POST too) navigates nowhere: fail at once rather than at the time limit.
    const onConsole = (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
        cleanup();
        reject(new Error(`the browser blocked it: ${m.text().trim()}`));
      }
    };
    const timer = setTimeout(() => { cleanup(); reject(new Error('no new page within the time budget')); }, remaining());
    function cleanup() {
      clearTimeout(timer);
      page.off('framenavigated', onNav);
      page.off('console', onConsole);
      offOriginWaiters = offOriginWaiters.filter((w) => w !== onOff);
    }
    function done() { cleanup(); resolve(); }
    page.on('framenavigated', onNav);
    page.on('console', onConsole);
    offOriginWaiters.push(onOff);
    Promise.resolve().then(fn).catch((e) => { cleanup(); reject(e); });
  });
}

async function settle() {
  if (offOrigin) return;
  await page.waitForLoadState('load', { timeout: remaining() });
}

async function describeFocus() {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return 'body';
    const name = el.getAttribute('name');
    const label = (el.innerText || el.value || '').trim().slice(0, 40);
    return el.tagName.toLowerCase() + (name ? `[name=${name}]` : '') +
      (el.id ? `#${el.id}` : '') + (label && el.tagName !== 'INPUT' ? ` "${label}"` : '');
  });
}

// How the login form does with the keyboard alone (reported, not judged here).
async function keyboardCheck() {
  const initial = await describeFocus();
  // Tab from the top of the page: Chromium starts sequential focus navigation where focus
  // last was, so park focus on a throwaway element placed first in <body>.
  await page.evaluate(() => {
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = '__flow_start';
    document.body.prepend(start);
    start.focus();
  });
  const sequence = [];
  let tabsToUsername = null;
  for (let i = 1; i <= 8; i++) {
    await page.keyboard.press('Tab');
    const d = await describeFocus();
    sequence.push(d);
    if (tabsToUsername === null && d.startsWith('input[name=username]')) tabsToUsername = i;
    if (d.startsWith('button') && d.includes('Sign in')) break;
  }
  await page.evaluate(() => document.getElementById('__flow_start')?.remove());
  return {
    initial_focus: initial,
    tab_sequence: sequence,
    tabs_to_username: tabsToUsername,
    username_by_tab: tabsToUsername !== null,
    sign_in_by_tab: sequence.some((d) => d.includes('Sign in')),
  };
}

async function pageRecord() {
  const doc = lastDocument;
  return { url: page.url(), status: doc ? doc.status : null, headers: doc ? doc.headers : {} };
}

let exitCode = 0;
try {
  if (shotsDir) mkdirSync(shotsDir, { recursive: true });
  browser = await launch(chromium, usage, { timeout: remaining() });
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  mark('browser');
  page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.setDefaultNavigationTimeout(10000);

  const pending = new Set();
  page.on('response', (resp) => {
    const req = resp.request();
    if (!req.isNavigationRequest() || req.frame() !== page.mainFrame()) return;
    const entry = { method: req.method(), url: resp.url(), status: resp.status() };
    result.navigations.push(entry);
    if (entry.status >= 300 && entry.status < 400) return;
    const p = resp.allHeaders().then((headers) => {
      lastDocument = { url: entry.url, status: entry.status, headers };
    }).catch(() => {}).finally(() => pending.delete(p));
    pending.add(p);
  });
  page.on('request', (req) => {
    if (!req.isNavigationRequest() || req.frame() !== page.mainFrame()) return;
    if (!offOrigin && !isGrantd(req.url())) {
      offOrigin = req.url();
      offOriginRequest = req;
      for (const w of offOriginWaiters) w();
    }
  });
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.console_errors.push(String(e)));
  const headersIn = () => Promise.all([...pending]);

  // 1. /authorize shows the login page.
  await page.goto(opts.authorize_url, { waitUntil: 'load', timeout: remaining() });
  await headersIn();
  if (offOrigin) await fail('authorize', 'the login page (grantd redirected away at once)');
  if (await page.locator('input[name="username"]').count() !== 1 ||
      await page.locator('input[name="password"]').count() !== 1) {
    await fail('authorize', 'the login page (inputs name="username" and name="password")');
  }
  const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
  if (await signIn.count() !== 1) await fail('login page', 'one "Sign in" button');
  mark('login_page');
  result.pages.login = await pageRecord();
  await screenshot('login.png');
  try {
    result.keyboard = await keyboardCheck();
  } catch (e) {
    result.keyboard = { error: e.message };
  }

  // 2. Sign in: POST /login, 303 back to /authorize, which shows the consent page.
  await page.locator('input[name="username"]').fill(String(opts.username ?? ''));
  await page.locator('input[name="password"]').fill(String(opts.password ?? ''));
  await nextDocument(() => signIn.click());
  await settle();
  await headersIn();
  if (offOrigin) await fail('sign in', 'the consent page (grantd redirected away instead)');
  const authorize = page.getByRole('button', { name: 'Authorize', exact: true });
  const cancel = page.getByRole('button', { name: 'Cancel', exact: true });
  if (await authorize.count() !== 1 || await cancel.count() !== 1) {
    await fail('sign in', 'the consent page (buttons "Authorize" and "Cancel")');
  }
  mark('consent_page');
  result.pages.consent = await pageRecord();
  await screenshot('consent.png');

  // 3. Decide: POST /consent, 303 to the redirect URI, or the out-of-band code page.
  await nextDocument(() => (action === 'authorize' ? authorize : cancel).click());
  if (expectOob) {
    if (offOrigin) await fail('consent', `the out-of-band code page, not a redirect to ${offOrigin}`);
    await settle();
    await headersIn();
    if (await page.locator('#code').count() !== 1) {
      await fail('consent', 'the out-of-band code page (#code)');
    }
    result.pages.oob = await pageRecord();
    result.code = (await page.locator('#code').textContent()).trim();
    result.page_text = await pageText();
    result.final_url = page.url();
    await screenshot('oob.png');
  } else {
    if (!offOrigin) await fail('consent', "a redirect to the client's redirect URI");
    result.final_url = offOrigin;
    result.final_query = Object.fromEntries(new URL(offOrigin).searchParams);
    // The client's page may answer or not; what it was sent is what counts. Wait a little.
    const answer = await Promise.race([
      offOriginRequest.response().catch(() => null),
      new Promise((r) => setTimeout(r, Math.min(3000, remaining()), null)),
    ]);
    if (answer) result.final_status = answer.status();
  }
  mark('final');
  result.cookies = (await context.cookies()).map((c) => ({
    name: c.name, domain: c.domain, path: c.path, httpOnly: c.httpOnly, secure: c.secure,
    sameSite: c.sameSite, session: c.expires === -1,
  }));
  result.ok = true;
} catch (e) {
  if (finished) await new Promise(() => {}); // the watchdog reports and exits
  exitCode = 1;
  result.ok = false;
  result.error = e.message.split('\n')[0];
  if (e instanceof Unexpected) {
    result.url = e.url;
    result.status = e.status;
    result.text = e.text;
  } else if (page) {
    result.url = page.url();
    result.text = await pageText();
  }
  if (finished) await new Promise(() => {});
  const consoleErrors = result.console_errors.length
    ? `--- browser console errors ---\n${result.console_errors.join('\n')}\n` : '';
  process.stderr.write(`flow.mjs: ${result.error}\n--- ${result.url ?? ''} (first 500 characters) ---\n` +
                       `${result.text ?? ''}\n${consoleErrors}`);
}
if (finished) await new Promise(() => {});
finished = true;
clearTimeout(watchdog);
result.elapsed_ms = Date.now() - started;
out(result);
if (browser) await browser.close().catch(() => {});
process.exit(exitCode);
