// What the Chromium drivers (flow.mjs, pages.mjs, fetch.mjs) share: their one JSON argument,
// their JSON output, and Debian's Chromium (/usr/bin/chromium; GRANTD_CHROMIUM overrides)
// driven through the repository's playwright-core (scripts/deps --test runs `npm ci`), found
// relative to this file, so the working directory does not matter.
export const CHROMIUM = process.env.GRANTD_CHROMIUM || '/usr/bin/chromium';

// Prints obj as the driver's one JSON answer on stdout.
export function out(obj) {
  process.stdout.write(JSON.stringify(obj, null, 2) + '\n');
}

// The driver's usage error: its words on stderr, {ok: false, error} on stdout, exit 2.
export function usageOf(name) {
  return (msg) => {
    process.stderr.write(`${name}: ${msg}\n`);
    out({ ok: false, error: msg });
    process.exit(2);
  };
}

// The driver's JSON argument (what names the members it expects, for the error).
export function readArg(usage, what) {
  try {
    return JSON.parse(process.argv[2] ?? '');
  } catch (e) {
    return usage(`expected one JSON argument ${what}: ${e.message}`);
  }
}

// playwright-core's chromium.
export async function loadChromium(usage) {
  try {
    return (await import('playwright-core')).chromium;
  } catch (e) {
    return usage(`cannot load playwright-core (run scripts/deps --test, which runs npm ci): ${e.message}`);
  }
}

// A started headless Chromium; extra: more launch options (a timeout).
export async function launch(chromium, usage, extra = {}) {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], ...extra });
  } catch (e) {
    return usage(`cannot start Chromium at ${CHROMIUM} (Debian package chromium; scripts/deps --test): ${e.message.split('\n')[0]}`);
  }
}
