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
// Chromium is Debian's /usr/bin/chromium (GRANTD_CHROMIUM overrides); playwright-core comes
// from the repository's node_modules, as for flow.mjs.
const CHROMIUM = process.env.GRANTD_CHROMIUM || '/usr/bin/chromium';

function out(obj) {
  process.stdout.write(JSON.stringify(obj, null, 2) + '\n');
}

function usage(msg) {
  process.stderr.write(`fetch.mjs: ${msg}\n`);
  out({ ok: false, error: msg });
  process.exit(2);
}

let opts;
try {
  opts = JSON.parse(process.argv[2] ?? '');
} catch (e) {
  usage(`expected one JSON argument {page_url, calls}: ${e.message}`);
}
if (!opts || typeof opts.page_url !== 'string' || !Array.isArray(opts.calls)) {
  usage('page_url (string) and calls (array) are required');
}
const budget = Number(opts.timeout_ms ?? 20000);

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  usage(`cannot load playwright-core (run scripts/deps --test, which runs npm ci): ${e.message}`);
}

let browser;
const timer = setTimeout(() => {
  process.stderr.write(`fetch.mjs: the time budget of ${budget} ms ran out\n`);
  process.exit(3);
}, budget);
try {
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  } catch (e) {
    usage(`cannot start Chromium at ${CHROMIUM}: ${e.message.split('\n')[0]}`);
  }
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
