#!/usr/bin/env node
// Test helper: open the `matrix merge --format html` page in a real browser
// (Debian's /usr/bin/chromium through playwright-core) from a file:// URL and
// use it as a person would: count the table's rows, type in the filter, pick
// an answer class, sort by name both ways, open a row's detail, reload its
// link, and take a screenshot. See README.md in this folder.
//
// Usage: node tests/peers/report-page.mjs <page.html> <screenshot.png>
//            [--filter TEXT] [--timeout-ms 30000]
//
// Contract: on success prints exactly one JSON line to stdout (what it saw,
// checked against the page's own data as it goes) and exits 0; on failure a
// one-line error on stderr and exit 1 (2 for usage errors). Every request
// that is not file: (or data:) is aborted and counted in "blocked", which
// must stay 0: the page loads nothing.

import { statSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { launchChromium, oneLine, privateTmp, within } from './headless.mjs';

const log = (...args) => console.error('[report-page]', ...args);

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write('usage: node report-page.mjs <page.html> <screenshot.png> [--filter TEXT] [--timeout-ms 30000]\n');
  process.exit(2);
}

let args;
let positionals;
try {
  ({ values: args, positionals } = parseArgs({
    options: {
      filter: { type: 'string', default: 'shared' },
      'timeout-ms': { type: 'string', default: '30000' },
    },
    strict: true,
    allowPositionals: true,
  }));
} catch (err) {
  usage(err.message);
}
if (positionals.length !== 2) usage('a page and a screenshot path are required');
const timeoutMs = Number(args['timeout-ms']);
if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) usage(`--timeout-ms must be a positive integer: ${args['timeout-ms']}`);
const pagePath = resolve(positionals[0]);
const shotPath = resolve(positionals[1]);

const removeTmp = privateTmp('mcp-auth-report-page-'); // before playwright-core is loaded
let browser;
let finishing = false;

async function cleanup() {
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
  process.stderr.write(`report-page: error: ${oneLine(msg)}\n`);
  await cleanup();
  process.exit(1);
}
setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs).unref();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => fail(`got ${sig}`));
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function main() {
  browser = await launchChromium(timeoutMs);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  let blocked = 0;
  await context.route('**/*', (route) => {
    const href = route.request().url();
    if (href.startsWith('file:') || href.startsWith('data:')) return route.continue();
    blocked += 1;
    log(`blocked ${href}`);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });

  const url = pathToFileURL(pagePath).href;
  await page.goto(url, { waitUntil: 'load' });
  const data = JSON.parse(readFileSync(pagePath, 'utf8').match(/<script type="application\/json" id="data">([^]*?)<\/script>/)[1]);
  const names = () => page.$$eval('#rows tbody tr td.name', (tds) => tds.map((td) => td.textContent));
  const seen = {};

  // Every row, in the data's order, at most 500 at a time.
  seen.rows = (await names()).length;
  expect(same(await names(), data.rows.slice(0, 500).map((r) => r.name)), 'the table lists the rows in order');
  seen.more = await page.isVisible('#more');
  expect(seen.more === data.rows.length > 500, 'show more is offered only when rows are left');
  if (seen.more) {
    const t = Date.now();
    await page.click('#more');
    seen.after_more = (await names()).length;
    seen.more_ms = Date.now() - t;
    expect(seen.after_more === Math.min(1000, data.rows.length), 'show more adds 500 rows');
  }

  // The text filter: name, URL or authorization server.
  const needle = args.filter.toLowerCase();
  let t = Date.now();
  await page.fill('#q', args.filter);
  seen.filtered = await names();
  seen.filter_ms = Date.now() - t;
  const want = data.rows
    .filter((r) => [r.name, r.url, r.authorization_server || ''].join('\n').toLowerCase().includes(needle))
    .map((r) => r.name)
    .slice(0, 500);
  expect(same(seen.filtered, want), `filter ${args.filter}: ${JSON.stringify(seen.filtered)} != ${JSON.stringify(want)}`);
  await page.fill('#q', '');

  // The answer select.
  await page.selectOption('#access', 'sign-in');
  seen.sign_in = (await names()).length;
  expect(seen.sign_in === Math.min(500, data.rows.filter((r) => r.access === 'sign-in').length), 'the access select filters');
  await page.selectOption('#client', 'spec-2025-11-25:works');
  seen.spec_works = await names();
  await page.selectOption('#client', '');
  await page.selectOption('#access', '');
  expect((await names()).length === seen.rows, 'clearing the filters shows every row');

  // Sorting by name, both ways.
  const byName = data.rows.map((r) => r.name).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  seen.first_before = (await names())[0];
  t = Date.now();
  await page.click('th[data-key="name"] button');
  seen.first_asc = (await names())[0];
  seen.sort_ms = Date.now() - t;
  await page.click('th[data-key="name"] button');
  seen.first_desc = (await names())[0];
  expect(seen.first_asc === byName[0], `ascending first ${seen.first_asc}, want ${byName[0]}`);
  expect(seen.first_desc === byName[byName.length - 1], `descending first ${seen.first_desc}`);
  seen.sort_header = await page.getAttribute('th[data-key="name"]', 'aria-sort');

  // A row with a failing check: its detail.
  // Found by its URL (the view keeps the sort), then opened.
  const target = data.rows.find((r) => (r.findings || []).some((f) => f.status === 'fail'));
  await page.fill('#q', target.url);
  await page.click(`#rows tbody tr[data-url="${target.url}"]`);
  await page.waitForSelector('#detail:not([hidden])');
  const detail = async () => ({
    name: await page.textContent('#detail h3'),
    headline: await page.textContent('#detail .headline'),
    story: await page.$$eval('#detail ol.story li', (lis) => lis.map((li) => li.textContent)),
    hints: await page.$$eval('#detail .fix .hint', (ps) => ps.map((p) => p.textContent)),
    specs: await page.$$eval('#detail .fix .spec', (ps) => ps.map((p) => p.textContent)),
  });
  seen.detail = await detail();
  const fix = target.findings.find((f) => f.status === 'fail');
  const hint = data.catalogue[fix.id]?.hint;
  expect(hint && seen.detail.hints.some((h) => h.includes(hint)), `the detail shows the fix of ${fix.id}`);
  expect(seen.detail.story.length === target.story.length, 'the detail shows the story');

  // The view is in the link: a fresh load of it shows the same.
  seen.hash = new URL(page.url()).hash;
  const again = await context.newPage();
  await again.goto(page.url(), { waitUntil: 'load' });
  seen.reloaded_detail = await again.textContent('#detail h3');
  seen.reloaded_first = await again.$eval('#rows tbody tr td.name', (td) => td.textContent);
  await again.close();

  await page.screenshot({ path: shotPath, fullPage: true });
  const png = readFileSync(shotPath);
  expect(statSync(shotPath).size > 0 && png.subarray(1, 4).toString() === 'PNG', 'the screenshot is a PNG');
  seen.screenshot_bytes = png.length;
  seen.blocked = blocked;
  seen.errors = errors;
  expect(blocked === 0, `the page tried ${blocked} requests`);
  expect(errors.length === 0, `page errors: ${errors.join('; ')}`);
  return seen;
}

main()
  .then(async (seen) => {
    finishing = true;
    await cleanup();
    process.stdout.write(`${JSON.stringify(seen)}\n`);
    process.exit(0);
  })
  .catch((err) => fail(err.message));
