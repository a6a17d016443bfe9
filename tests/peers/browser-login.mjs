#!/usr/bin/env node
// Test helper: drive a real browser (Debian's /usr/bin/chromium through
// playwright-core) through the oidc-provider peer's dev login + consent pages,
// until the browser lands on the loopback redirect target (the CLI's callback).
// See README.md in this folder.
//
// Usage: node tests/peers/browser-login.mjs <authorization-url>
//            [--login alice] [--password secret] [--deny] [--expect-error]
//            [--timeout-ms 30000]
//
// Contract: on success prints exactly one JSON line to stdout,
//   {"final_url":"...","status":200|null,"text":"<body innerText, trimmed, <=500 chars>"}
// and exits 0. With --expect-error, success is the provider showing a page that
// is neither its login nor its consent form (its error page, e.g. for a client
// it refuses): the same JSON line with "error_page":true, exit 0; reaching the
// loopback redirect is then a failure. On failure prints a one-line error to stderr and exits 1 (2 for
// usage errors). Progress logs go to stderr. The whole run, browser start included,
// is bounded by --timeout-ms.
//
// Only loopback traffic: the authorization URL must be loopback, page requests to
// non-loopback hosts are aborted (the dev pages @import Google Fonts), and the
// browser gets a dead loopback proxy so that anything else it tries fails locally.

import { parseArgs } from 'node:util';

import { launchChromium, oneLine, privateTmp, within } from './headless.mjs';

const started = Date.now();
const log = (...args) => console.error('[browser-login]', ...args);

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write(
    'usage: node browser-login.mjs <authorization-url> [--login alice] [--password secret] [--deny] [--expect-error] [--timeout-ms 30000]\n',
  );
  process.exit(2);
}

let args;
let positionals;
try {
  ({ values: args, positionals } = parseArgs({
    options: {
      login: { type: 'string', default: 'alice' },
      password: { type: 'string', default: 'secret' },
      deny: { type: 'boolean', default: false },
      'expect-error': { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '30000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  }));
} catch (err) {
  usage(err.message);
}
if (args.help) usage();
if (positionals.length !== 1) usage('exactly one authorization URL is required');
const timeoutMs = Number(args['timeout-ms']);
if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) usage(`--timeout-ms must be a positive integer: ${args['timeout-ms']}`);
if (!args.login) usage('--login must not be empty');
if (!args.password) usage('--password must not be empty');

function isLoopbackUrl(u) {
  return (
    (u.protocol === 'http:' || u.protocol === 'https:') &&
    (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]')
  );
}

let authUrl;
try {
  authUrl = new URL(positionals[0]);
} catch {
  usage(`not a valid URL: ${positionals[0]}`);
}
if (!isLoopbackUrl(authUrl)) usage(`refusing a non-loopback authorization URL: ${authUrl.href}`);
const providerOrigin = authUrl.origin;

// The loopback redirect target: loopback, but not the provider's origin.
function isCallbackUrl(href) {
  let u;
  try {
    u = new URL(href);
  } catch {
    return false;
  }
  return isLoopbackUrl(u) && u.origin !== providerOrigin;
}

// --- cleanup / failure --------------------------------------------------------
// Everything temporary (Playwright's fresh profile and artifacts dirs, Chromium's
// own temp files) goes under one private TMPDIR, removed at exit after the
// browser is closed.
const removeTmp = privateTmp('mcp-auth-browser-login-'); // before playwright-core is loaded

let launching; // pending chromium.launch(), so that a timeout during launch still closes it
let browser;
let finishing = false;

async function cleanup() {
  if (!browser && launching) browser = await within(launching, 5000);
  launching = undefined;
  if (browser) {
    const b = browser;
    browser = undefined;
    await within(b.close(), 5000);
  }
  removeTmp(log);
}

async function fail(msg) {
  if (finishing) return;
  finishing = true;
  process.stderr.write(`browser-login: error: ${oneLine(msg)}\n`);
  await cleanup();
  process.exit(1);
}

const deadline = started + timeoutMs;
const remaining = () => Math.max(1, deadline - Date.now());
setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs).unref();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => fail(`got ${sig}`));
}

// --- browser ------------------------------------------------------------------
async function main() {
  const t0 = Date.now();
  launching = launchChromium(timeoutMs);
  browser = await launching;
  launching = undefined;
  if (finishing) return; // timed out (or signalled) while launching: fail() closes it
  log(`chromium ${browser.version()} started in ${Date.now() - t0} ms`);
  const context = await browser.newContext(); // fresh, empty profile (no cookies, no storage)

  // Abort every page request that is not loopback (e.g. the Google Fonts @import
  // of the dev interaction pages). Redirect hops are not routed, but the proxy
  // and resolver rules above cover those.
  await context.route('**/*', (route) => {
    const href = route.request().url();
    let ok = false;
    try {
      const u = new URL(href);
      ok = isLoopbackUrl(u) || u.protocol === 'data:' || u.protocol === 'blob:';
    } catch {}
    if (ok) return route.continue();
    log(`blocked non-loopback request ${href}`);
    return route.abort('blockedbyclient');
  });

  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.setDefaultNavigationTimeout(timeoutMs);

  // Status of the last main-frame navigation response (redirect hops included,
  // so the last one is the committed document's).
  let lastNav = null;
  let navFailure = null;
  page.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      lastNav = { url: res.url(), status: res.status() };
    }
  });
  page.on('requestfailed', (req) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      navFailure = `${req.url()}: ${req.failure()?.errorText ?? 'failed'}`;
    }
  });

  // Click and wait for the main frame to commit a new document.
  async function clickAndWait(locator, what) {
    const nav = page.waitForEvent('framenavigated', {
      predicate: (f) => f === page.mainFrame(),
      timeout: remaining(),
    });
    nav.catch(() => {});
    await locator.click({ timeout: remaining() });
    try {
      await nav;
    } catch (err) {
      throw new Error(`no navigation after ${what}${navFailure ? ` (${navFailure})` : ''}: ${err.message}`);
    }
    await page.waitForLoadState('domcontentloaded', { timeout: remaining() });
  }

  const tNav = Date.now();
  log(`navigating to ${authUrl.href}`);
  try {
    await page.goto(authUrl.href, { waitUntil: 'domcontentloaded', timeout: remaining() });
  } catch (err) {
    throw new Error(`navigation failed${navFailure ? ` (${navFailure})` : ''}: ${err.message}`);
  }

  let loggedIn = false;
  let errorPage = false;
  for (let step = 0; ; step++) {
    const url = page.url();
    if (isCallbackUrl(url)) {
      if (navFailure?.startsWith(`${url}: `)) throw new Error(`navigation failed: ${navFailure}`);
      if (args['expect-error']) throw new Error(`expected an error page, but reached the loopback redirect ${new URL(url).origin}`);
      break;
    }
    if (url.startsWith('chrome-error:')) throw new Error(`navigation failed: ${navFailure ?? url}`);
    if (step >= 8) throw new Error(`too many pages without reaching the loopback redirect; at ${url}`);

    // oidc-provider devInteractions: both forms carry <input type=hidden name=prompt value=login|consent>.
    const prompt = await page.evaluate(
      () => document.querySelector('form input[name="prompt"]')?.getAttribute('value') ?? null,
    );
    if (prompt === 'login') {
      if (loggedIn) throw new Error(`login form shown again at ${url}`);
      log(`login page (${url}): login=${args.login}`);
      const form = page.locator('form:has(input[name="prompt"][value="login"])');
      await form.locator('input[name="login"]').fill(args.login, { timeout: remaining() });
      await form.locator('input[name="password"]').fill(args.password, { timeout: remaining() });
      await clickAndWait(form.locator('button[type="submit"]'), 'login submit');
      loggedIn = true;
    } else if (prompt === 'consent') {
      if (args.deny) {
        log(`consent page (${url}): denying via [ Cancel ]`);
        await clickAndWait(page.locator('a[href$="/abort"]').first(), 'consent abort');
      } else {
        log(`consent page (${url}): continuing`);
        await clickAndWait(
          page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]'),
          'consent submit',
        );
      }
    } else if (args['expect-error'] && new URL(url).origin === providerOrigin) {
      log(`error page (${url}, status ${lastNav?.status ?? '?'})`);
      errorPage = true;
      break;
    } else {
      const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      throw new Error(
        `unexpected page at ${url} (status ${lastNav?.status ?? '?'}): ${text.replace(/\s+/g, ' ').trim().slice(0, 300)}`,
      );
    }
  }

  await page.waitForLoadState('load', { timeout: remaining() });
  const finalUrl = page.url();
  const text = (await page.evaluate(() => document.body?.innerText ?? '')).trim().slice(0, 500);
  const status = lastNav && lastNav.url === finalUrl ? lastNav.status : null;
  const result = { final_url: finalUrl, status, text, ...(errorPage ? { error_page: true } : {}) };
  log(`reached ${finalUrl} (status ${status}) in ${Date.now() - tNav} ms after navigation, ${Date.now() - started} ms total`);

  if (finishing) return; // the overall timeout (or a signal) won the race
  finishing = true;
  await new Promise((resolve) =>
    process.stdout.write(`${JSON.stringify(result)}\n`, resolve),
  );
  await cleanup();
  process.exit(0);
}

main().catch((err) => fail(err?.message ?? err));
