// Shared by the browser helpers (browser-login.mjs, report-page.mjs): Debian's
// Chromium started headless through playwright-core, never a downloaded
// browser, loopback only, with everything temporary under one private TMPDIR.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

// The flags the brief asks for, plus what keeps the browser quiet and local:
// a proxy on a closed loopback port catches everything non-loopback (Chromium
// always bypasses proxies for loopback), and no name but the loopback ones
// resolves.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--proxy-server=http://127.0.0.1:9',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];

// A private TMPDIR for Playwright's fresh profile and Chromium's own files.
// Call before playwright-core is loaded (it reads TMPDIR once); the returned
// function removes it.
export function privateTmp(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.TMPDIR = dir;
  return (log) => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (err) {
      log?.(`could not remove ${dir}: ${err.message}`);
    }
  };
}

// Start Chromium; launch() gives it a fresh --user-data-dir of its own. The
// caller's own timer bounds the run: a launch that Playwright times out can
// take a while to tear down, so Playwright's limit is a little later.
export async function launchChromium(timeoutMs) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: timeoutMs + 10000,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: CHROMIUM_ARGS,
  });
}

// A promise's outcome, or undefined after `ms`; never rejects.
export const within = (promise, ms) =>
  Promise.race([promise.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);

// One line, no ANSI colours, without Playwright's multi-line "Call log".
export function oneLine(msg) {
  return String(msg)
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split(/\n\s*Call log:/)[0]
    .replace(/\s+/g, ' ')
    .trim();
}
