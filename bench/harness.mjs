#!/usr/bin/env node
// The benchmark harness behind bench/run.sh (run that: it builds and installs first).
//
//   node bench/harness.mjs [--runs 15] [--warmup 2] [--delays 50,200] [--quick] [--update-doc]
//
// Starts the loopback peers (tests/peers/oidc-provider.mjs, tests/peers/mcp-ts-server.mjs,
// bench/synthetic-mcp.mjs) with --delay-ms D, times the tools with hyperfine
// (--export-json, medians), and writes:
//   bench/results/latest.md    the tables (copied into BENCHMARKS.md with --update-doc)
//   bench/results/latest.json  the same numbers, machine-readable
//   bench/results/raw/<stamp>/ hyperfine exports, -v logs, in-process records, peer logs
// All traffic goes to 127.0.0.1. Peers stop when this process ends (their stdin closes).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const BIN = path.join(ROOT, 'target', 'release', 'mcp-auth');

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '2' },
    delays: { type: 'string', default: '50,200' },
    'matrix-runs': { type: 'string' },
    quick: { type: 'boolean', default: false },
    'update-doc': { type: 'boolean', default: false },
  },
});
const RUNS = opt.quick ? 3 : Number(opt.runs);
const WARMUP = opt.quick ? 1 : Number(opt.warmup);
const MATRIX_RUNS = opt.quick ? 2 : Number(opt['matrix-runs'] ?? Math.max(3, Math.min(RUNS, 10)));
const DELAYS = opt.delays.split(',').map(Number);
const TARGET_FACTOR = 4.5;
const SCALING_DELAY = 50;
const SCALING_SERVERS = [1, 2, 4, 8];
const MATRIX_SIZES = [1, 10, 100];
const MATRIX_TARGET = 1.5;
const DEFAULT_CONCURRENCY = 128; // src/cli.rs DEFAULT_CONCURRENCY
const REPLAY_PEER = path.join(ROOT, 'target', 'release', 'replay-peer');
const RSS_RUNS = 5;

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const RESULTS = path.join(BENCH, 'results');
const RAW = path.join(RESULTS, 'raw', stamp);
fs.mkdirSync(RAW, { recursive: true });

const log = (...a) => process.stderr.write(`[bench] ${a.join(' ')}\n`);
const rel = (p) => path.relative(ROOT, p);

// ---------------------------------------------------------------- processes

/** Run a command to completion (async, so peer pipes keep draining). */
function run(cmd, args, { env, stdoutFile, stderrFile, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (stdoutFile) fs.writeFileSync(stdoutFile, stdout);
      if (stderrFile) fs.writeFileSync(stderrFile, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const peers = [];

/** Start a peer that prints one JSON line when listening and exits on stdin EOF. */
function startPeer(name, script, args, { node = true } = {}) {
  return new Promise((resolve, reject) => {
    const errFd = fs.openSync(path.join(RAW, `peer-${name}.stderr.log`), 'a');
    const [cmd, argv] = node ? [process.execPath, [script, ...args]] : [script, args];
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', errFd],
    });
    fs.closeSync(errFd);
    peers.push(child);
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no ready line within 30 s`)), 30_000);
    child.stdout.on('data', (d) => {
      if (buf === null) return; // drain anything after the ready line
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        const info = JSON.parse(buf.slice(0, nl));
        buf = null;
        log(`peer ${name} ready:`, info.origins ? `${info.origins.length} origins, ${info.origins[0]} …` : JSON.stringify(info));
        resolve({ ...info, child, name });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (buf !== null) reject(new Error(`${name} exited (${code}) before its ready line`));
    });
  });
}

/** Stop a peer: close its stdin, then SIGTERM (by its own pid) if it lingers. */
async function stopPeer(p) {
  const child = p.child ?? p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.stdin.end();
  const t = setTimeout(() => child.kill('SIGTERM'), 3000);
  await done;
  clearTimeout(t);
}

async function stopAll() {
  await Promise.all(peers.map((p) => stopPeer(p)));
}
process.on('SIGINT', () => {
  for (const p of peers) p.kill('SIGTERM');
  process.exit(130);
});

async function startRealPeers(delay) {
  const asPeer = await startPeer(`oidc-provider-d${delay}`, 'tests/peers/oidc-provider.mjs', [
    '--path',
    '/oidc',
    '--registration',
    '--resource-any-loopback',
    ...(delay > 0 ? ['--delay-ms', String(delay)] : []),
  ]);
  const mcpPeer = await startPeer(`mcp-ts-server-d${delay}`, 'tests/peers/mcp-ts-server.mjs', [
    '--issuer',
    asPeer.issuer,
    ...(delay > 0 ? ['--delay-ms', String(delay)] : []),
  ]);
  return { issuer: asPeer.issuer, mcp: mcpPeer.url, as: asPeer, mcpPeer };
}

// ---------------------------------------------------------------- statistics

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : 'n/a');
const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}` : 'n/a');

// ---------------------------------------------------------------- hyperfine

/**
 * Time commands with hyperfine. Each entry: {name, cmd: [argv...], record?: bool}.
 * Returns entries with wall medians (ms) and, for `record` entries, the in-process
 * medians from BENCH_RECORD (warm-up lines dropped).
 */
async function hyperfine(label, entries, { runs = RUNS, warmup = WARMUP, peerPid } = {}) {
  const out = [];
  for (const e of entries) {
    const slug = `${label}--${e.name}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    const jsonFile = path.join(RAW, `hyperfine-${slug}.json`);
    const recordFile = path.join(RAW, `inprocess-${slug}.jsonl`);
    if (fs.existsSync(recordFile)) fs.rmSync(recordFile);
    const command = e.cmd.map(shellQuote).join(' ');
    log(`hyperfine ${label} :: ${e.name} (${warmup}+${runs} runs)`);
    const peerCpu0 = peerPid ? procCpuMs(peerPid) : null;
    const r = await run(
      'hyperfine',
      ['-N', '-i', '--style', 'basic', '--warmup', String(warmup), '--runs', String(runs),
        '--export-json', jsonFile, '-n', e.name, command],
      { env: e.record ? { BENCH_RECORD: recordFile } : {}, stdoutFile: path.join(RAW, `hyperfine-${slug}.txt`) },
    );
    if (r.code !== 0) throw new Error(`hyperfine failed for ${e.name}: ${r.stderr}`);
    const peerCpu1 = peerPid ? procCpuMs(peerPid) : null;
    const res = JSON.parse(fs.readFileSync(jsonFile, 'utf8')).results[0];
    const times = res.times.map((t) => t * 1000);
    const row = {
      name: e.name,
      command,
      wall_median_ms: res.median * 1000,
      wall_mean_ms: res.mean * 1000,
      wall_min_ms: res.min * 1000,
      wall_max_ms: res.max * 1000,
      wall_stddev_ms: (res.stddev ?? 0) * 1000,
      cpu_mean_ms: ((res.user ?? 0) + (res.system ?? 0)) * 1000,
      runs: times.length,
      exit_codes: [...new Set(res.exit_codes ?? [])],
      raw: rel(jsonFile),
    };
    if (peerPid) row.peer_cpu_per_run_ms = (peerCpu1 - peerCpu0) / (runs + warmup);
    if (e.record && fs.existsSync(recordFile)) {
      const lines = fs.readFileSync(recordFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const measured = lines.slice(warmup); // hyperfine runs the warm-ups first
      row.inprocess_median_ms = median(measured.map((l) => l.elapsed_ms));
      row.inprocess_runs = measured.length;
      row.requests = median(measured.map((l) => l.requests));
      row.ok = measured.every((l) => l.ok);
      row.raw_inprocess = rel(recordFile);
    }
    out.push({ ...e, ...row });
  }
  return out;
}

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. */
function procCpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
let CLK_TCK = 100;

function shellQuote(s) {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------- -v analysis

/**
 * Run mcp-auth once with -v and read its `exchange` debug lines: request count,
 * and each exchange's start (end timestamp − elapsed_ms) bucketed into rounds of D.
 */
async function traceExchanges(slug, args, delay) {
  const stderrFile = path.join(RAW, `trace-${slug}.stderr.log`);
  const r = await run(BIN, ['-v', ...args], { stderrFile, stdoutFile: path.join(RAW, `trace-${slug}.stdout`) });
  const ex = [];
  for (const line of r.stderr.split('\n')) {
    if (!/\bexchange\b/.test(line)) continue;
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z/.exec(line);
    if (!m) continue;
    const end = Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000;
    const elapsed = Number(/elapsed_ms=(\d+)/.exec(line)?.[1] ?? 0);
    ex.push({
      method: /method=(\S+)/.exec(line)?.[1],
      url: /url=(\S+)/.exec(line)?.[1],
      status: /status=(\d+)/.exec(line)?.[1] ?? null,
      error: /error="([^"]*)"/.exec(line)?.[1],
      elapsed_ms: elapsed,
      start: end - elapsed,
      end,
    });
  }
  const t0 = Math.min(...ex.map((e) => e.start));
  const tEnd = Math.max(...ex.map((e) => e.end));
  ex.sort((a, b) => a.start - b.start);
  // Rounds: with every response D ms late, a request that waited for an earlier
  // answer starts at least D after it. A new round starts when a request starts
  // more than D/2 after the first request of the current round.
  let round = -1;
  let roundStart = -Infinity;
  for (const e of ex) {
    e.start_offset_ms = Number((e.start - t0).toFixed(1));
    if (delay > 0) {
      if (e.start - roundStart > delay / 2) {
        round += 1;
        roundStart = e.start;
      }
      e.round = round;
    } else {
      e.round = null;
    }
  }
  const rounds = {};
  for (const e of ex) if (e.round !== null) rounds[e.round] = (rounds[e.round] ?? 0) + 1;
  const out = {
    exit_code: r.code,
    requests: ex.length,
    errors: ex.filter((e) => e.error).length,
    network_span_ms: ex.length ? Number((tEnd - t0).toFixed(1)) : null,
    rounds,
    depth: Object.keys(rounds).length,
    exchanges: ex.map(({ start, end, ...rest }) => rest),
  };
  fs.writeFileSync(path.join(RAW, `trace-${slug}.json`), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

/** What a table row keeps of one `-v` run. */
const traced = (t) => ({ requests: t.requests, rounds: t.rounds, network_span_ms: t.network_span_ms, once_exit_code: t.exit_code });

const roundsText = (t) =>
  Object.entries(t.rounds)
    .map(([k, n]) => `${k}:${n}`)
    .join(' ');

// ---------------------------------------------------------------- machine

async function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const osRelease = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : '';
  const pretty = /PRETTY_NAME="?([^"\n]*)"?/.exec(osRelease)?.[1] ?? os.type();
  const ver = async (cmd, args) => {
    try {
      const r = await run(cmd, args);
      return (r.stdout || r.stderr).trim().split('\n')[0];
    } catch {
      return 'n/a';
    }
  };
  const commit = await ver('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'])).stdout.trim() ? ' (+ uncommitted changes)' : '';
  return {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    cpu: model,
    memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${pretty}, Linux ${os.release()}`,
    rustc: await ver('rustc', ['--version']),
    node: process.version,
    hyperfine: await ver('hyperfine', ['--version']),
    mcp_auth: `${await ver(BIN, ['--version'])} @ ${commit}${dirty}`,
  };
}

// ---------------------------------------------------------------- benchmarks

const results = { params: { runs: RUNS, warmup: WARMUP, matrix_runs: MATRIX_RUNS, delays: DELAYS, target_factor: TARGET_FACTOR }, delays: [], matrix: [], matrix_work: null, scaling: null, cold: null };

async function benchDelay(D) {
  log(`=== D = ${D} ms`);
  const p = await startRealPeers(D);
  // Sanity: each command once, to record exit codes and outputs.
  const checks = {
    mcp: ['check', p.mcp, '--format', 'json'],
    issuer: ['check', p.issuer, '--as', 'issuer', '--format', 'json'],
    issuerAuto: ['check', p.issuer, '--format', 'json'],
  };
  const traceMcp = await traceExchanges(`d${D}-ours-mcp`, checks.mcp, D);
  const traceIssuer = await traceExchanges(`d${D}-ours-issuer`, checks.issuer, D);
  const traceIssuerAuto = await traceExchanges(`d${D}-ours-issuer-auto`, checks.issuerAuto, D);
  const seedsOnce = await run(process.execPath, ['bench/seeds.mjs', p.issuer]);
  const tsOnce = await run(process.execPath, ['bench/ts-sdk-discovery.mjs', p.mcp], { env: { BENCH_LIST_URLS: '1' } });
  fs.writeFileSync(path.join(RAW, `once-d${D}-seeds.json`), seedsOnce.stdout);
  fs.writeFileSync(path.join(RAW, `once-d${D}-ts-sdk.json`), tsOnce.stdout);

  const rows = await hyperfine(`d${D}`, [
    { name: 'mcp-auth check <mcp-url>', key: 'ours_mcp', cmd: [BIN, ...checks.mcp] },
    { name: 'mcp-auth check <issuer> --as issuer', key: 'ours_issuer', cmd: [BIN, ...checks.issuer] },
    { name: 'mcp-auth check <issuer> (auto-detected)', key: 'ours_issuer_auto', cmd: [BIN, ...checks.issuerAuto] },
    { name: 'seeds: fetchServerConfig(issuer, oidc)', key: 'seeds', cmd: [process.execPath, 'bench/seeds.mjs', p.issuer], record: true },
    { name: 'TS SDK: PRM + AS discovery', key: 'ts_sdk', cmd: [process.execPath, 'bench/ts-sdk-discovery.mjs', p.mcp], record: true },
    { name: 'node -e 0 (start-up, reference)', key: 'node_startup', cmd: [process.execPath, '-e', '0'] },
  ]);
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
  Object.assign(byKey.ours_mcp, traced(traceMcp));
  Object.assign(byKey.ours_issuer, traced(traceIssuer));
  Object.assign(byKey.ours_issuer_auto, traced(traceIssuerAuto));
  for (const r of rows) {
    r.wall_over_d = r.wall_median_ms / D;
    if (r.inprocess_median_ms !== undefined) r.inprocess_over_d = r.inprocess_median_ms / D;
  }
  const target = TARGET_FACTOR * D;
  const entry = {
    delay_ms: D,
    peers: { issuer: p.issuer, mcp: p.mcp },
    rows,
    target: { limit_ms: target, measured_ms: byKey.ours_mcp.wall_median_ms, pass: byKey.ours_mcp.wall_median_ms <= target },
    seeds_once: safeJson(seedsOnce.stdout),
    ts_sdk_once: safeJson(tsOnce.stdout),
  };
  results.delays.push(entry);

  results.matrix.push(await benchMatrix(p.issuer, D, p.as.child.pid));
  await stopPeer(p.mcpPeer);
  await stopPeer(p.as);
}

function safeJson(s) {
  try {
    return JSON.parse(s.trim().split('\n').pop());
  } catch {
    return null;
  }
}

/** Recorded exchanges of one real check, as routes for bench/replay-peer (origin → `{origin}`). */
function routesFromEvidence(evidence, origin) {
  const routes = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (v.request && v.response) {
        const u = new URL(v.request.url);
        const sub = (t) => t.split(origin).join('{origin}');
        routes.push({
          method: v.request.method,
          path: u.pathname,
          origin_header: v.request.headers.some((h) => h.name.toLowerCase() === 'origin'),
          status: v.response.status,
          headers: v.response.headers.map((h) => [h.name, sub(h.value)]),
          body: sub(v.response.body ?? ''),
        });
      }
      Object.values(v).forEach(walk);
    }
  };
  walk(evidence);
  return routes;
}

function writeProviders(dir, urls) {
  fs.mkdirSync(dir);
  urls.forEach((url, k) => {
    const id = `p${String(k + 1).padStart(3, '0')}`;
    fs.writeFileSync(
      path.join(dir, `${id}.toml`),
      [
        `name = "Bench provider ${k + 1}"`,
        `homepage = "https://example.com/${id}"`,
        `docs = "https://example.com/${id}/docs"`,
        'kind = "issuer"',
        `url = "${url}"`,
        'updated = "2026-11-23"',
        'sources = ["bench"]',
        `verified = { date = "2026-11-23", source = "https://example.com/${id}/docs" }`,
        '',
      ].join('\n'),
    );
  });
}

/** Rows whose issuer metadata was found in a matrix JSON report. */
function foundRows(stdout) {
  try {
    return JSON.parse(stdout).rows.filter((r) => r.cells?.metadata_url?.startsWith('http')).length;
  } catch {
    return null;
  }
}

/**
 * One series of matrix runs: N = MATRIX_SIZES providers, each a port of one
 * bench/replay-peer answering D ms late (over https with `tls`). `c16` adds the
 * `--concurrency 16` column.
 */
async function matrixSeries({ label, routesFile, issuerPath, D, tls = false, c16 = false, base }) {
  const max = Math.max(...MATRIX_SIZES);
  const certFile = path.join(RAW, `${label}-cert.pem`);
  const peerArgs = ['--routes', routesFile, '--listeners', String(max), '--delay-ms', String(D), ...(tls ? ['--tls', certFile] : [])];
  const peer = await startPeer(label, REPLAY_PEER, peerArgs, { node: false });
  const rows = [];
  try {
    for (const n of MATRIX_SIZES) {
      const dir = path.join(base, `${label}-n${n}`);
      writeProviders(dir, peer.origins.slice(0, n).map((o) => `${o}${issuerPath}`));
      const args = ['matrix', '--providers', dir, '--format', 'json', ...(tls ? ['--cacert', certFile] : [])];
      const once = await run(BIN, args, { stdoutFile: path.join(RAW, `${label}-n${n}.json`), stderrFile: path.join(RAW, `${label}-n${n}.stderr.log`) });
      if (once.code !== 0) log(`warning: ${label} n=${n} exited ${once.code}: ${once.stderr.slice(0, 400)}`);
      const trace = await traceExchanges(`${label}-n${n}`, args, D);
      const entries = [{ name: `${label}: ${n} providers (default --concurrency ${DEFAULT_CONCURRENCY})`, cmd: [BIN, ...args] }];
      if (c16) entries.push({ name: `${label}: ${n} providers, --concurrency 16`, cmd: [BIN, ...args, '--concurrency', '16'] });
      const [all, sixteen] = await hyperfine(`${label}-n${n}`, entries, { runs: MATRIX_RUNS, peerPid: peer.child.pid });
      rows.push({ providers: n, once_exit_code: once.code, found: foundRows(once.stdout), requests: trace.requests, rounds: trace.rounds, all, c16: sixteen ?? null });
    }
  } finally {
    await stopPeer(peer);
  }
  const one = rows.find((r) => r.providers === 1);
  for (const r of rows) {
    r.all_over_1 = r.all.wall_median_ms / one.all.wall_median_ms;
    r.all_overhead_ms = r.all.wall_median_ms - one.all.wall_median_ms;
    if (r.c16) r.c16_over_1 = r.c16.wall_median_ms / one.c16.wall_median_ms;
  }
  const big = rows.find((r) => r.providers === max);
  return {
    delay_ms: D,
    transport: tls ? 'https (h2)' : 'http/1.1',
    rows,
    target: { limit_ratio: MATRIX_TARGET, measured_ratio: big.all_over_1, pass: big.all_over_1 <= MATRIX_TARGET },
  };
}

/** Record one real issuer check and turn its exchanges into replay-peer routes. */
async function recordRoutes(issuer, label) {
  const evidenceFile = path.join(RAW, `${label}-recorded-evidence.json`);
  const rec = await run(BIN, ['check', issuer, '--as', 'issuer', '--format', 'json', '--save-evidence', evidenceFile]);
  if (rec.code !== 0) throw new Error(`recording ${issuer} failed (${rec.code}): ${rec.stderr}`);
  const routes = routesFromEvidence(JSON.parse(fs.readFileSync(evidenceFile, 'utf8')), new URL(issuer).origin);
  const routesFile = path.join(RAW, `${label}-routes.json`);
  fs.writeFileSync(routesFile, `${JSON.stringify(routes, null, 2)}\n`);
  return { routesFile, count: routes.length, issuerPath: new URL(issuer).pathname };
}

/**
 * The matrix at delay D: 100 separate providers over http/1.1 (the target) and over
 * https with HTTP/2 (what real providers speak), plus, for contrast, the same
 * providers all pointing at the one real oidc-provider process.
 */
async function benchMatrix(issuer, D, oidcPid) {
  log(`=== matrix at D = ${D} ms`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-bench-providers-'));
  const max = Math.max(...MATRIX_SIZES);
  try {
    const rec = await recordRoutes(issuer, `matrix-d${D}`);
    const plain = await matrixSeries({ label: `matrix-d${D}-http`, routesFile: rec.routesFile, issuerPath: rec.issuerPath, D, c16: true, base });
    const https = await matrixSeries({ label: `matrix-d${D}-https`, routesFile: rec.routesFile, issuerPath: rec.issuerPath, D, tls: true, base });
    const dir = path.join(base, `d${D}-oidc`);
    writeProviders(dir, Array.from({ length: max }, () => issuer));
    const args = ['matrix', '--providers', dir, '--format', 'json'];
    const once = await run(BIN, args);
    const [shared] = await hyperfine(`matrix-d${D}-oidc-n${max}`, [{ name: `matrix ${max} providers on one oidc-provider`, cmd: [BIN, ...args] }], { runs: MATRIX_RUNS, peerPid: oidcPid });
    const one = plain.rows.find((r) => r.providers === 1);
    return {
      delay_ms: D,
      routes: rec.count,
      series: [plain, https],
      target: plain.target,
      shared_peer: { providers: max, found: foundRows(once.stdout), ...shared, over_1: shared.wall_median_ms / one.all.wall_median_ms },
    };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/**
 * The work itself: the same matrix with no delay at all, so nothing is waited for
 * and the wall time of 100 providers is what their checks cost this machine.
 */
async function benchMatrixWork(issuer) {
  log('=== matrix work, zero delay');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-auth-bench-providers-'));
  try {
    const rec = await recordRoutes(issuer, 'matrix-d0');
    return await matrixSeries({ label: 'matrix-d0-http', routesFile: rec.routesFile, issuerPath: rec.issuerPath, D: 0, base });
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

async function benchScaling(D) {
  log(`=== AS scaling at D = ${D} ms`);
  const rows = [];
  for (const n of SCALING_SERVERS) {
    const peer = await startPeer(`synthetic-n${n}`, 'bench/synthetic-mcp.mjs', ['--servers', String(n), '--delay-ms', String(D)]);
    const args = ['check', peer.url, '--format', 'json'];
    const trace = await traceExchanges(`scaling-n${n}`, args, D);
    const [row] = await hyperfine(`scaling-d${D}-n${n}`, [{ name: `mcp-auth check (N = ${n})`, cmd: [BIN, ...args] }]);
    rows.push({ servers: n, ...row, wall_over_d: row.wall_median_ms / D, ...traced(trace) });
    await stopPeer(peer);
  }
  // A 2025-03-26 server: no protected resource metadata, the authorization server at the origin.
  const peer = await startPeer('synthetic-no-prm', 'bench/synthetic-mcp.mjs', ['--no-prm', '--delay-ms', String(D)]);
  const args = ['check', peer.url, '--format', 'json'];
  const trace = await traceExchanges('scaling-no-prm', args, D);
  const [row] = await hyperfine(`scaling-d${D}-no-prm`, [{ name: 'mcp-auth check (2025-03-26 server, no PRM)', cmd: [BIN, ...args] }]);
  const legacy = { ...row, wall_over_d: row.wall_median_ms / D, ...traced(trace) };
  await stopPeer(peer);
  return { delay_ms: D, rows, legacy };
}

async function benchCold() {
  log('=== cold, zero delay');
  const p = await startRealPeers(0);
  const args = ['check', p.mcp, '--format', 'json'];
  const trace = await traceExchanges('cold-mcp', args, 0);
  results.matrix_work = await benchMatrixWork(p.issuer);
  const [check, help] = await hyperfine('cold', [
    { name: 'mcp-auth check <mcp-url> (no delay)', cmd: [BIN, ...args] },
    { name: 'mcp-auth --help', cmd: [BIN, '--help'] },
  ]);
  const rss = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    const r = await run('/usr/bin/time', ['-f', '%M', BIN, ...args]);
    const kib = Number(r.stderr.trim().split('\n').pop());
    rss.push(kib);
  }
  fs.writeFileSync(path.join(RAW, 'cold-rss.json'), `${JSON.stringify(rss)}\n`);
  await stopPeer(p.mcpPeer);
  await stopPeer(p.as);
  return { check: { ...check, requests: trace.requests }, help, rss_kib: rss, rss_median_kib: median(rss), rss_max_kib: Math.max(...rss) };
}

// ---------------------------------------------------------------- report

function report(m) {
  const L = [];
  L.push('<!-- generated by bench/run.sh (bench/harness.mjs); do not edit by hand -->');
  L.push(`Run ${m.date} · ${RUNS} runs after ${WARMUP} warm-ups per command (matrix: ${MATRIX_RUNS} runs) · medians · raw data in \`${rel(RAW)}/\``);
  L.push('');
  L.push('| Machine | |');
  L.push('|---|---|');
  L.push(`| CPU | ${m.cpu}, ${m.nproc} cores (nproc) |`);
  L.push(`| Memory | ${m.memory_gib} GiB |`);
  L.push(`| OS | ${m.os} |`);
  L.push(`| rustc | ${m.rustc} |`);
  L.push(`| node | ${m.node} |`);
  L.push(`| hyperfine | ${m.hyperfine} |`);
  L.push(`| mcp-auth | ${m.mcp_auth} (\`cargo build --release\`) |`);
  L.push('');

  L.push('### Discovery against delayed peers (every response D ms late)');
  L.push('');
  L.push('Peers: `tests/peers/oidc-provider.mjs --path /oidc --registration --resource-any-loopback --delay-ms D` and `tests/peers/mcp-ts-server.mjs --issuer <issuer> --delay-ms D`. Wall = hyperfine median of the whole process (Node start-up and module loading included for the Node scripts); in-process = `performance.now()` around the library calls. Requests: mcp-auth = `exchange` lines of one `-v` run; Node scripts = calls to the global `fetch`. Rounds (`round:requests`): the exchanges of that `-v` run grouped by start time; a new round starts when a request starts more than D/2 after the first request of the current round, i.e. it waited for an earlier answer. The number of rounds is the depth of the dependency chain as run.');
  L.push('');
  for (const d of results.delays) {
    L.push(`**D = ${d.delay_ms} ms**`);
    L.push('');
    L.push('| Command | Wall median (ms) | Wall / D | In-process median (ms) | In-process / D | HTTP requests | Rounds (mcp-auth) | CPU user+sys (ms, mean) |');
    L.push('|---|---:|---:|---:|---:|---:|---|---:|');
    for (const r of d.rows) {
      L.push(
        `| ${r.name} | ${fmtMs(r.wall_median_ms)} | ${fmtRatio(r.wall_over_d)} | ${r.inprocess_median_ms !== undefined ? fmtMs(r.inprocess_median_ms) : '–'} | ${r.inprocess_over_d !== undefined ? fmtRatio(r.inprocess_over_d) : '–'} | ${r.requests ?? '–'} | ${r.rounds ? roundsText({ rounds: r.rounds }) : '–'} | ${fmtMs(r.cpu_mean_ms)} |`,
      );
    }
    L.push('');
  }
  L.push(`### Target: \`mcp-auth check <mcp-url>\` ≤ ${TARGET_FACTOR}·D`);
  L.push('');
  L.push('| D (ms) | Limit (ms) | Measured median (ms) | Wall / D | Result |');
  L.push('|---:|---:|---:|---:|---|');
  for (const d of results.delays) {
    L.push(`| ${d.delay_ms} | ${fmtMs(d.target.limit_ms)} | ${fmtMs(d.target.measured_ms)} | ${fmtRatio(d.target.measured_ms / d.delay_ms)} | ${d.target.pass ? 'PASS' : 'FAIL'} |`);
  }
  L.push('');
  if (results.matrix.length) {
    const max = Math.max(...MATRIX_SIZES);
    L.push('### `mcp-auth matrix`: N issuer providers, each a separate delayed server');
    L.push('');
    L.push(`\`bench/replay-peer\` (Rust, one thread) listens on ${max} loopback ports; each port is one provider and answers D ms late with the ${results.matrix[0].routes} responses recorded, in this run, from \`mcp-auth check <issuer>\` against the real oidc-provider peer (origin rewritten per port). \`mcp-auth matrix --providers DIR --format json\` over N generated \`kind = "issuer"\` providers, default concurrency (${DEFAULT_CONCURRENCY}). http/1.1 is the target's setting; the https rows serve the same responses over TLS with ALPN h2, as real providers do (\`--cacert\` trusts the peer's self-signed certificate).`);
    L.push('');
    L.push('| D (ms) | Transport | Providers | HTTP requests | Wall (ms) | ratio to 1 provider | over 1 provider (ms) | mcp-auth CPU (ms) | peer CPU (ms) | `--concurrency 16` wall (ms) | ratio to 1 provider |');
    L.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    const seriesRows = (sr) => {
      for (const r of sr.rows) {
        L.push(
          `| ${sr.delay_ms} | ${sr.transport} | ${r.providers} | ${r.requests} | ${fmtMs(r.all.wall_median_ms)} | ${fmtRatio(r.all_over_1)} | ${fmtMs(r.all_overhead_ms)} | ${fmtMs(r.all.cpu_mean_ms)} | ${fmtMs(r.all.peer_cpu_per_run_ms)} | ${r.c16 ? fmtMs(r.c16.wall_median_ms) : '–'} | ${r.c16 ? fmtRatio(r.c16_over_1) : '–'} |`,
        );
      }
    };
    for (const mx of results.matrix) for (const sr of mx.series) seriesRows(sr);
    if (results.matrix_work) seriesRows(results.matrix_work);
    L.push('');
    L.push(`| D (ms) | Target: ${max} providers ≤ ${MATRIX_TARGET}× one (http/1.1) | Measured | Result |`);
    L.push('|---:|---:|---:|---|');
    for (const mx of results.matrix) {
      L.push(`| ${mx.delay_ms} | ${MATRIX_TARGET} | ${fmtRatio(mx.target.measured_ratio)} | ${mx.target.pass ? 'PASS' : 'FAIL'} |`);
    }
    L.push('');
    const all = [...results.matrix.flatMap((mx) => mx.series), ...(results.matrix_work ? [results.matrix_work] : [])];
    L.push(`Every provider found its metadata in the checked run: ${all.map((sr) => `D = ${sr.delay_ms} ${sr.transport}: ${sr.rows.map((r) => `${r.found}/${r.providers}`).join(', ')}`).join('; ')}. CPU = user + system per run (mcp-auth: hyperfine mean; peer: the replay-peer process, from /proc, warm-ups included). \`ratio to 1 provider\` is the wall time over the 1-provider wall time in the same series; \`over 1 provider\` is the difference, what the other providers add. The D = 0 rows wait for nothing: their wall time is the work of the checks on this machine (both ends of every loopback connection on the same cores).`);
    L.push('');
    L.push(`For contrast, the same ${max} providers all pointing at the one real oidc-provider process (Node, single-threaded), http/1.1: ${results.matrix.map((mx) => `D = ${mx.delay_ms}: ${fmtMs(mx.shared_peer.wall_median_ms)} ms (${fmtRatio(mx.shared_peer.over_1)}×, peer CPU ${fmtMs(mx.shared_peer.peer_cpu_per_run_ms)} ms per run, ${mx.shared_peer.found}/${mx.shared_peer.providers} found)`).join('; ')}. There the peer's own time for ${max} checks is on the critical path.`);
    L.push('');
  }
  if (results.scaling) {
    L.push(`### Scaling with the number of authorization servers in the PRM (bench/synthetic-mcp.mjs, D = ${results.scaling.delay_ms} ms)`);
    L.push('');
    L.push('| Authorization servers | Wall median (ms) | Wall / D | HTTP requests | Rounds | CPU user+sys (ms, mean) |');
    L.push('|---:|---:|---:|---:|---|---:|');
    for (const r of results.scaling.rows) {
      L.push(`| ${r.servers} | ${fmtMs(r.wall_median_ms)} | ${fmtRatio(r.wall_over_d)} | ${r.requests} | ${roundsText(r)} | ${fmtMs(r.cpu_mean_ms)} |`);
    }
    const lg = results.scaling.legacy;
    if (lg) L.push(`| none: a 2025-03-26 server (\`--no-prm\`; the authorization server at the origin) | ${fmtMs(lg.wall_median_ms)} | ${fmtRatio(lg.wall_over_d)} | ${lg.requests} | ${roundsText(lg)} | ${fmtMs(lg.cpu_mean_ms)} |`);
    L.push('');
  }
  if (results.cold) {
    const c = results.cold;
    L.push('### Cold process, zero-delay real peers');
    L.push('');
    L.push('| Measurement | Value |');
    L.push('|---|---:|');
    L.push(`| \`mcp-auth check <mcp-url> --format json\` wall median | ${fmtMs(c.check.wall_median_ms)} ms (${c.check.requests} requests) |`);
    L.push(`| peak RSS (\`/usr/bin/time -f %M\`, median / max of ${c.rss_kib.length}) | ${c.rss_median_kib} / ${c.rss_max_kib} KiB |`);
    L.push(`| \`mcp-auth --help\` wall median | ${fmtMs(c.help.wall_median_ms)} ms |`);
    L.push('');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} missing: run cargo build --release (bench/run.sh does)`);
  CLK_TCK = Number((await run('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  const m = await machine();
  results.machine = m;
  for (const D of DELAYS) await benchDelay(D);
  results.scaling = await benchScaling(SCALING_DELAY);
  results.cold = await benchCold();
  results.raw_dir = rel(RAW);

  const md = report(m);
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), `${md}\n`);
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(RAW, 'summary.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${rel(path.join(RESULTS, 'latest.md'))} and latest.json; raw in ${rel(RAW)}`);

  if (opt['update-doc']) {
    const doc = path.join(ROOT, 'BENCHMARKS.md');
    const begin = '<!-- bench:results:begin -->';
    const end = '<!-- bench:results:end -->';
    const text = fs.readFileSync(doc, 'utf8');
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error('BENCHMARKS.md has no bench:results markers');
    fs.writeFileSync(doc, `${text.slice(0, i + begin.length)}\n${md}\n${text.slice(j)}`);
    log('updated BENCHMARKS.md');
  }
  process.stdout.write(`${md}\n`);
}

try {
  await main();
} finally {
  await stopAll();
}
