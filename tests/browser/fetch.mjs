#!/usr/bin/env node
// Runs fetch() calls from a page of one origin in headless Chromium, as a browser-based
// application (a single-page app) calls grantd from its own origin: the browser applies the
// CORS protocol (preflights, Access-Control-Allow-Origin), which no HTTP library does.
//
// Usage: node tests/browser/fetch.mjs '<json>' with
//   page_url    a page of the application's origin (required), e.g. http://127.0.0.1:PORT/
//   calls       [{url, method, headers, body}] run one after the other (required)
//   timeout_ms  budget for the whole run, default 20000
//
// Prints {ok: true, origin, results: [...]} and exits 0, where each result is either
// {status, body, headers} (the script could read the answer; headers as the script sees
// them, lowercased) or {blocked: "the TypeError's message"} (the browser hid the answer).
// Exits 2 for bad arguments or a missing playwright-core/Chromium.
//
// Chromium and playwright-core as for every driver (driver.mjs).
import { launch, loadChromium, out, readArg, usageOf } from './driver.mjs';

const usage = usageOf('fetch.mjs');
const opts = readArg(usage, '{page_url, calls}');
if (!opts || typeof opts.page_url !== 'string' || !Array.isArray(opts.calls)) {
  usage('page_url (string) and calls (array) are required');
}
const budget = Number(opts.timeout_ms ?? 20000);

const chromium = await loadChromium(usage);
let browser;
const timer = setTimeout(() => {
  process.stderr.write(`fetch.mjs: the time budget of ${budget} ms ran out\n`);
  process.exit(3);
}, budget);
try {
  browser = await launch(chromium, usage);
  const page = await browser.newPage();
  await page.goto(opts.page_url);
  const results = await page.evaluate(async (calls) => {
    const done = [];
    for (const c of calls) {
      try {
        const r = await fetch(c.url, { method: c.method || 'GET', headers: c.headers || {},
                                       body: c.body ?? undefined });
        const headers = {};
        r.headers.forEach((v, k) => { headers[k] = v; });
        done.push({ status: r.status, body: await r.text(), headers });
      } catch (e) {
        done.push({ blocked: String(e && e.message) });
      }
    }
    return done;
  }, opts.calls);
  out({ ok: true, origin: await page.evaluate(() => location.origin), results });
} finally {
  clearTimeout(timer);
  if (browser) await browser.close();
}
