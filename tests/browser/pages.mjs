#!/usr/bin/env node
// Walks grantd's pages in headless Chromium through a list of steps, as a person would, and
// looks at chosen pages at two widths (1280 px desktop, 390 px phone): a full-page screenshot
// of each, what the page says, and whether anything is wider than the screen.
//
// Usage: node tests/browser/pages.mjs '<json>' with
//   steps            [{goto: URL} | {fill: SELECTOR, value: TEXT} |
//                     {click: SELECTOR, navigates: true|false} | {look: NAME} |
//                     {copy: SELECTOR, name: NAME, says: TEXT}]
//   screenshots_dir  where NAME-1280.png and NAME-390.png go; optional
//   timeout_ms       budget for the whole run, default 30000
//   locale           the browser's language (its Accept-Language), e.g. "de-DE"; optional
//
// A click with navigates (the default) waits for the next main-frame document (a form POST
// and its 303 included). A look sets each width in turn and records, for NAME:
//   {url, status, headers (lowercased, of the document's response), text (innerText),
//    code (the text of #code, if the page has one), lang (<html lang>), colors (computed
//    background of the body and of the first submit button not drawn as a link, "rgb(r, g, b)"; null without
//    one), widths: {1280: W, 390: W}}
// with W = {overflow: the page scrolls sideways, code_fits: #code lies inside its card and
//    shows all its text (no clipping, no ellipsis; null without #code), code_lines}.
// A copy clicks a Copy button (no navigation), waits until the page says `says` (default
// "Copied.") in the element ID-status of the button's data-copy="ID", and records the clipboard's text as
// copied[NAME] (the context may read and write the clipboard).
// Prints {ok: true, looks, copied, console_errors, screenshots} and exits 0; on a failed step prints
// {ok: false, error, step, url, text} and exits 1; 2 for bad arguments or a missing
// playwright-core/Chromium. Chromium is Debian's /usr/bin/chromium (GRANTD_CHROMIUM
// overrides); playwright-core comes from the repository's node_modules.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { launch, loadChromium, out, readArg, usageOf } from './driver.mjs';

const WIDTHS = [1280, 390];
const usage = usageOf('pages.mjs');
const opts = readArg(usage, '{steps, screenshots_dir}');
if (!opts || !Array.isArray(opts.steps)) usage('steps (an array) is required');
const budget = Number(opts.timeout_ms ?? 30000);
const shotsDir = opts.screenshots_dir ? path.resolve(opts.screenshots_dir) : null;

const chromium = await loadChromium(usage);

const result = { ok: false, looks: {}, copied: {}, console_errors: [], screenshots: [] };
let browser;
let page;
let lastDocument = null;
let seqNow = () => 0; // the number of the newest document response (set below)

const watchdog = setTimeout(() => {
  out({ ...result, ok: false, error: `timed out after ${budget} ms` });
  process.exit(3);
}, budget);

// What the page shows at the current width: sideways scrolling, and whether #code is whole.
function measure() {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const code = document.getElementById('code');
    const w = { overflow: doc.scrollWidth > doc.clientWidth, code_fits: null, code_lines: 0 };
    if (code) {
      const box = code.getBoundingClientRect();
      const card = (code.closest('main') || document.body).getBoundingClientRect();
      const style = getComputedStyle(code);
      w.code_fits = box.left >= card.left && box.right <= card.right + 0.5 &&
        code.scrollWidth <= code.clientWidth && style.textOverflow !== 'ellipsis' &&
        box.right <= window.innerWidth;
      const inner = code.clientHeight - parseFloat(style.paddingTop) -
        parseFloat(style.paddingBottom);
      w.code_lines = Math.round(inner / parseFloat(style.lineHeight));
    }
    return w;
  });
}

async function look(name) {
  await page.waitForLoadState('load');
  for (let i = 0; i < 50 && (!lastDocument || lastDocument.seq !== seqNow()); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const doc = lastDocument;
  const rec = {
    url: page.url(), status: doc ? doc.status : null, headers: doc ? doc.headers : {},
    text: await page.evaluate(() => document.body.innerText),
    code: await page.evaluate(() => document.getElementById('code')?.textContent ?? null),
    lang: await page.evaluate(() => document.documentElement.lang),
    colors: await page.evaluate(() => {
      const b = document.querySelector('button[type=submit]:not(.link)');
      return { body: getComputedStyle(document.body).backgroundColor,
               button: b ? getComputedStyle(b).backgroundColor : null };
    }),
    widths: {},
  };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width > 600 ? 800 : 844 });
    rec.widths[width] = await measure();
    if (shotsDir) {
      const file = path.join(shotsDir, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      result.screenshots.push(file);
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  result.looks[name] = rec;
}

async function step(s) {
  if (s.goto) {
    await page.goto(s.goto, { waitUntil: 'load' });
  } else if (s.fill) {
    await page.fill(s.fill, s.value ?? '');
  } else if (s.click) {
    if (s.navigates === false) {
      await page.click(s.click);
    } else {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(s.click)]);
    }
  } else if (s.look) {
    await look(s.look);
  } else if (s.copy) {
    const target = await page.getAttribute(s.copy, 'data-copy');
    await page.click(s.copy);
    await page.waitForFunction(([id, says]) => document.getElementById(`${id}-status`)?.textContent === says,
      [target, s.says || 'Copied.']);
    result.copied[s.name] = await page.evaluate(() => navigator.clipboard.readText());
  } else {
    throw new Error(`unknown step ${JSON.stringify(s)}`);
  }
}

let code = 0;
let current = null;
try {
  if (shotsDir) mkdirSync(shotsDir, { recursive: true });
  browser = await launch(chromium, usage);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
    ...(opts.locale ? { locale: opts.locale } : {}) });
  page = await context.newPage();
  page.setDefaultTimeout(10000);
  // Headers arrive asynchronously: a later document's must not be overwritten by an
  // earlier one's that resolved late, so each response takes a number when it arrives.
  let seq = 0;
  page.on('response', async (resp) => {
    const req = resp.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame() &&
        !(resp.status() >= 300 && resp.status() < 400)) {
      const mine = ++seq;
      seqNow = () => seq;
      const doc = { seq: mine, status: resp.status(), headers: await resp.allHeaders() };
      if (!lastDocument || lastDocument.seq < mine) lastDocument = doc;
    }
  });
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  for (const s of opts.steps) {
    current = s;
    await step(s);
  }
  result.ok = true;
  out(result);
} catch (e) {
  let text = '';
  try { text = (await page.evaluate(() => document.body.innerText)).slice(0, 800); } catch { /* gone */ }
  const msg = `${JSON.stringify(current)}: ${e.message.split('\n')[0]}`;
  process.stderr.write(`pages.mjs: ${msg}\n`);
  out({ ...result, ok: false, error: msg, step: current, url: page ? page.url() : null, text });
  code = 1;
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => {});
}
process.exit(code);
