// The `matrix --registry` benchmark: bench/replay-peer's registry-peer lists N synthetic
// MCP servers (each on its own 127.A.B.C address), `mcp-auth matrix --registry` checks them.
//
//   node bench/registry.mjs [--servers 10000] [--server-timeout 60] [--delays 50,0] [--shards 4]
//                           [--extra "ARGS"]                  # measure, write bench/results/registry-latest.*
//   node bench/registry.mjs --check [--servers 1000] [--delay-ms 20]   # CI: invariants only
//
// Measured (full mode): an unsharded run at each delay, and at the first delay 4 shards run
// concurrently against the same peer, merged with `matrix merge --format jsonl` and compared
// with the unsharded run's merge (checked_at and elapsed_ms dropped). Each client runs under
// /usr/bin/time -v (wall, peak RSS, user+sys); the peer's CPU is read from /proc.
// --check asserts, with no timing assertion: every listed non-duplicate remote has exactly
// one row (and no other row exists), the shards' merge equals the unsharded merge row for
// row, every hanging server's row ends within its budget + 1 s. Any violation: one line, exit 1.
// Expects target/release/mcp-auth and target/release/registry-peer (bench/registry.sh builds
// them). Only loopback traffic. Needs node only (no jq).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const CHECK = argv.includes('--check');
const N = Number(opt('--servers', CHECK ? 1000 : 10000));
const BUDGET = Number(opt('--server-timeout', CHECK ? 8 : 60));
const TIMEOUT = opt('--timeout', CHECK ? '3' : undefined);
const DELAYS = CHECK ? [Number(opt('--delay-ms', 20))] : opt('--delays', '50,0').split(',').map(Number);
const SHARDS = Number(opt('--shards', 4));
const EXTRA = (opt('--extra', '') || '').split(' ').filter(Boolean);
const BIN = opt('--bin', path.join(ROOT, 'target/release/mcp-auth'));
const PEER = opt('--peer', path.join(ROOT, 'target/release/registry-peer'));
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-bench-'));
const log = (s) => process.stderr.write(`[registry-bench] ${s}\n`);
const fail = (s) => {
  process.stdout.write(`registry-bench: FAIL: ${s}\n`);
  process.exit(1);
};

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux.
function procCpuMs(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICK; // utime + stime
  } catch {
    return NaN;
  }
}

/** Start the peer; resolves once it prints its registry line. */
function startPeer(D) {
  return new Promise((resolve, reject) => {
    const child = spawn(PEER, ['--servers', String(N), '--delay-ms', String(D)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`registry-peer exited ${code}: ${err.trim()}`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      const info = JSON.parse(line);
      resolve({ child, registry: info.registry, mix: () => err.trim(), stop: () => child.stdin.end() });
    });
  });
}

/** Follow a growing JSON Lines file: when (ms after t0) each row's URL appeared. */
function follow(file, t0) {
  const seen = new Map();
  let offset = 0;
  let rest = '';
  const poll = () => {
    let fd;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      rest += buf.subarray(0, n).toString('utf8');
    }
    fs.closeSync(fd);
    const lines = rest.split('\n');
    rest = lines.pop();
    const now = performance.now() - t0;
    for (const l of lines) {
      const m = l.match(/"url":"([^"]*)"/);
      if (m && !seen.has(m[1])) seen.set(m[1], now);
    }
  };
  const timer = setInterval(poll, 100);
  return { stop: () => (clearInterval(timer), poll(), seen) };
}

/** Run a command (under /usr/bin/time -v when present); resolves with its measurements. */
function run(cmd, args, watch) {
  return new Promise((resolve) => {
    const full = TIME ? [TIME, ['-v', cmd, ...args]] : [cmd, args];
    const t0 = performance.now();
    const follower = watch ? follow(watch, t0) : null;
    const child = spawn(full[0], full[1], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const wallMs = performance.now() - t0;
      const arrivals = follower ? follower.stop() : new Map();
      const field = (re) => {
        const m = err.match(re);
        return m ? Number(m[1]) : NaN;
      };
      resolve({
        code,
        out,
        err,
        wallMs,
        rssKb: field(/Maximum resident set size \(kbytes\): (\d+)/),
        cpuMs: (field(/User time \(seconds\): ([\d.]+)/) + field(/System time \(seconds\): ([\d.]+)/)) * 1000,
        arrivals,
        closing: (err.split('\n').find((l) => l.startsWith('registry: ')) || '').trim(),
      });
    });
  });
}

/** The registry's listing, as the client pages it: every remote, with its class. */
async function listing(registry) {
  const remotes = [];
  let cursor = '';
  for (;;) {
    const u = `${registry}/v0.1/servers?version=latest&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await (await fetch(u)).json();
    for (const e of page.servers) {
      const cls = (e.server.description.match(/\(([a-z0-9-]+)\)$/) || [])[1];
      for (const r of e.server.remotes) remotes.push({ url: r.url, cls, name: e.server.name });
    }
    cursor = page.metadata.nextCursor;
    if (!cursor) break;
  }
  const byUrl = new Map();
  for (const r of remotes) if (!byUrl.has(r.url)) byUrl.set(r.url, r);
  return { listed: remotes.length, duplicates: remotes.length - byUrl.size, byUrl };
}

const readRows = (file) =>
  fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : [];
const stable = (row) => {
  const { checked_at: _c, elapsed_ms: _e, ...rest } = row;
  return JSON.stringify(rest);
};
const matrixArgs = (registry, out, more = []) => [
  'matrix', '--registry', registry, '--output', out, '--server-timeout', String(BUDGET),
  ...(TIMEOUT ? ['--timeout', TIMEOUT] : []), ...EXTRA, ...more,
];

/** Rows against the listing: lost, extra, repeated; hanging rows against the budget. */
function audit(rows, list, wallMs, arrivals = new Map()) {
  const seen = new Map();
  for (const r of rows) seen.set(r.url, (seen.get(r.url) || 0) + 1);
  const lost = [...list.byUrl.keys()].filter((u) => !seen.has(u));
  const extra = [...seen.keys()].filter((u) => !list.byUrl.has(u));
  const repeated = [...seen.entries()].filter(([, n]) => n > 1).map(([u]) => u);
  const cls = (r) => list.byUrl.get(r.url)?.cls ?? '?';
  const hanging = rows.filter((r) => cls(r) === 'hanging');
  const hangMax = Math.max(0, ...hanging.map((r) => r.elapsed_ms));
  const slowest = [...rows].sort((a, b) => b.elapsed_ms - a.elapsed_ms).slice(0, 5)
    .map((r) => ({ url: r.url, class: cls(r), access: r.access, elapsed_ms: r.elapsed_ms, headline: r.headline }));
  // When the last row of a non-hanging server, and the last row, appeared in the output
  // (the file polled every 100 ms), in s after the client started.
  const ends = (keep) => Math.max(0, ...rows.filter(keep).map((r) => arrivals.get(r.url) ?? 0)) / 1000;
  const access = {};
  for (const r of rows) access[r.access] = (access[r.access] || 0) + 1;
  const byClass = {};
  for (const r of rows) {
    const k = `${cls(r)} → ${r.access}`;
    byClass[k] = (byClass[k] || 0) + 1;
  }
  return {
    rows: rows.length, expected: list.byUrl.size, lost: lost.length, extra: extra.length, repeated: repeated.length,
    firstLost: lost[0], firstExtra: extra[0], firstRepeated: repeated[0],
    rowsPerS: rows.length / (wallMs / 1000), hanging: hanging.length, hangMaxMs: hangMax,
    hangWithin: hangMax <= BUDGET * 1000 + 1000, slowest, access, byClass,
    lastOtherEndS: ends((r) => cls(r) !== 'hanging'),
    lastEndS: ends(() => true),
  };
}

async function merged(files, out) {
  const m = await run(BIN, ['matrix', 'merge', ...files, '--format', 'jsonl', '--output', out]);
  if (m.code !== 0) fail(`matrix merge ${files.map((f) => path.basename(f)).join(' ')} exited ${m.code}: ${m.err.trim().split('\n').pop()}`);
  return readRows(out).map(stable);
}

function compare(a, b) {
  if (a.length !== b.length) return `${b.length} merged shard rows, ${a.length} unsharded`;
  const i = a.findIndex((x, k) => x !== b[k]);
  return i < 0 ? null : `row ${i + 1} differs: ${JSON.parse(a[i]).url}`;
}

async function series(D, withShards) {
  log(`D = ${D} ms: registry-peer --servers ${N}`);
  const peer = await startPeer(D);
  const list = await listing(peer.registry);
  log(`${peer.mix()}`);
  log(`listed ${list.listed} remotes, ${list.duplicates} duplicates → ${list.byUrl.size} rows expected`);
  const out = path.join(WORK, `d${D}-all.jsonl`);
  let cpu0 = procCpuMs(peer.child.pid);
  log(`mcp-auth ${matrixArgs(peer.registry, out).join(' ')}`);
  const whole = await run(BIN, matrixArgs(peer.registry, out), out);
  const peerCpuMs = procCpuMs(peer.child.pid) - cpu0;
  if (whole.code !== 0) fail(`matrix --registry (D = ${D}) exited ${whole.code}: ${whole.err.trim().split('\n').pop()}`);
  const res = { D, mix: peer.mix().replace(/^registry-peer: /, ''), whole: { ...pick(whole), peerCpuMs, ...audit(readRows(out), list, whole.wallMs, whole.arrivals) }, listed: list.listed, duplicates: list.duplicates };
  log(`  ${whole.closing}; wall ${(whole.wallMs / 1000).toFixed(1)} s, RSS ${(whole.rssKb / 1024).toFixed(0)} MB`);
  if (withShards) {
    const files = Array.from({ length: SHARDS }, (_, k) => path.join(WORK, `d${D}-shard${k + 1}.jsonl`));
    cpu0 = procCpuMs(peer.child.pid);
    const t0 = performance.now();
    log(`${SHARDS} shards at once (--shard I/${SHARDS})`);
    const runs = await Promise.all(files.map((f, k) => run(BIN, matrixArgs(peer.registry, f, ['--shard', `${k + 1}/${SHARDS}`]))));
    const wallMs = performance.now() - t0;
    const shardPeerCpuMs = procCpuMs(peer.child.pid) - cpu0;
    runs.forEach((r, k) => r.code !== 0 && fail(`--shard ${k + 1}/${SHARDS} exited ${r.code}: ${r.err.trim().split('\n').pop()}`));
    const a = await merged([out], path.join(WORK, `d${D}-all-merged.jsonl`));
    const b = await merged(files, path.join(WORK, `d${D}-shards-merged.jsonl`));
    const shardRows = files.flatMap(readRows);
    res.shards = {
      wallMs, peerCpuMs: shardPeerCpuMs, each: runs.map(pick), mergeDiff: compare(a, b), mergedRows: b.length,
      ...audit(shardRows, list, wallMs),
    };
    log(`  shards: wall ${(wallMs / 1000).toFixed(1)} s; merge vs unsharded: ${res.shards.mergeDiff ?? 'equal'}`);
  }
  peer.stop();
  return res;
}

function pick(r) {
  return { code: r.code, wallMs: r.wallMs, rssKb: r.rssKb, cpuMs: r.cpuMs, closing: r.closing };
}

function verify(res) {
  const v = [];
  for (const [what, a] of [['unsharded', res.whole], ['shards', res.shards]]) {
    if (!a) continue;
    if (a.lost) v.push(`D = ${res.D} ${what}: ${a.lost} listed remotes have no row (first ${a.firstLost})`);
    if (a.extra) v.push(`D = ${res.D} ${what}: ${a.extra} rows for URLs not listed (first ${a.firstExtra})`);
    if (a.repeated) v.push(`D = ${res.D} ${what}: ${a.repeated} URLs with more than one row (first ${a.firstRepeated})`);
    if (!a.hangWithin) v.push(`D = ${res.D} ${what}: a hanging server's row took ${a.hangMaxMs} ms, over the ${BUDGET} s budget + 1 s`);
  }
  if (res.shards?.mergeDiff) v.push(`D = ${res.D}: ${SHARDS} shards merged differ from the unsharded run: ${res.shards.mergeDiff}`);
  return v;
}

const sec = (ms) => (ms / 1000).toFixed(1);
const mb = (kb) => (kb / 1024).toFixed(0);

function report(all, meta) {
  const L = [];
  L.push('<!-- generated by bench/registry.sh (bench/registry.mjs); do not edit by hand -->');
  L.push(`Run ${meta.when} · ${meta.version} · ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}) · ${N} servers · \`--server-timeout ${BUDGET}\`${TIMEOUT ? ` --timeout ${TIMEOUT}` : ''}${EXTRA.length ? ` ${EXTRA.join(' ')}` : ''}, other options at their defaults`);
  L.push('');
  L.push(`Peer mix: ${all[0].mix}`);
  L.push('');
  L.push('| Run | D (ms) | Rows (expected) | Lost | Wall (s) | Rows/s | Peak RSS (MB) | mcp-auth CPU user+sys (s) | peer CPU (s) | Hanging rows max elapsed (s) | Last non-hanging row written (s) | Last row written (s) |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of all) {
    const w = r.whole;
    L.push(`| unsharded | ${r.D} | ${w.rows} (${w.expected}) | ${w.lost} | ${sec(w.wallMs)} | ${w.rowsPerS.toFixed(0)} | ${mb(w.rssKb)} | ${sec(w.cpuMs)} | ${sec(w.peerCpuMs)} | ${sec(w.hangMaxMs)} | ${w.lastOtherEndS.toFixed(1)} | ${w.lastEndS.toFixed(1)} |`);
    if (r.shards) {
      const s = r.shards;
      const rss = Math.max(...s.each.map((e) => e.rssKb));
      const cpu = s.each.reduce((t, e) => t + e.cpuMs, 0);
      L.push(`| ${SHARDS} shards at once | ${r.D} | ${s.rows} (${s.expected}) | ${s.lost} | ${sec(s.wallMs)} | ${s.rowsPerS.toFixed(0)} | ${mb(rss)} each at most | ${sec(cpu)} (sum) | ${sec(s.peerCpuMs)} | ${sec(s.hangMaxMs)} | – | – |`);
    }
  }
  L.push('');
  const [a, b] = [all.find((r) => r.D === 50) ?? all[0], all.find((r) => r.D === 0)];
  if (a && b && a !== b) {
    L.push(`Throughput D = ${a.D} vs D = 0: ${a.whole.rowsPerS.toFixed(0)} vs ${b.whole.rowsPerS.toFixed(0)} rows/s, D = 0 is ${(b.whole.rowsPerS / a.whole.rowsPerS).toFixed(2)}× faster.`);
  }
  for (const r of all) {
    if (r.shards) L.push(`Shards (D = ${r.D}): \`matrix merge --format jsonl\` of the ${SHARDS} outputs ${r.shards.mergeDiff ? `DIFFERS from the unsharded run's merge: ${r.shards.mergeDiff}` : `equals the unsharded run's merge row for row (${r.shards.mergedRows} rows, checked_at and elapsed_ms dropped)`}.`);
  }
  L.push('');
  for (const r of all) {
    L.push(`Slowest rows, D = ${r.D} (unsharded):`);
    L.push('');
    L.push('| elapsed (ms) | class | access | url | headline |');
    L.push('|---:|---|---|---|---|');
    for (const s of r.whole.slowest) L.push(`| ${s.elapsed_ms} | ${s.class} | ${s.access} | ${s.url} | ${s.headline.replace(/\|/g, '\\|')} |`);
    L.push('');
    L.push(`Rows by class → access, D = ${r.D}: ${Object.entries(r.whole.byClass).sort().map(([k, n]) => `${k}: ${n}`).join('; ')}.`);
    L.push('');
    L.push(`mcp-auth's closing line: \`${r.whole.closing}\``);
    L.push('');
  }
  return L.join('\n');
}

async function main() {
  for (const f of [BIN, PEER]) if (!fs.existsSync(f)) fail(`${f} is missing (bash bench/registry.sh builds it)`);
  const all = [];
  for (const [k, D] of DELAYS.entries()) {
    all.push(await series(D, k === 0));
  }
  const violations = all.flatMap(verify);
  if (CHECK) {
    if (violations.length) fail(violations.join('; '));
    const r = all[0];
    process.stdout.write(`registry-bench: OK: ${r.whole.rows} rows for ${r.listed} listed remotes (${r.duplicates} duplicates), ${SHARDS} shards merged = unsharded, hanging rows ≤ ${sec(r.whole.hangMaxMs)} s (budget ${BUDGET} s)\n`);
    fs.rmSync(WORK, { recursive: true, force: true });
    return;
  }
  const version = (await run(BIN, ['--version'])).out.trim();
  const meta = { when: new Date().toISOString(), version };
  const md = report(all, meta);
  const dir = path.join(ROOT, 'bench/results');
  fs.writeFileSync(path.join(dir, 'registry-latest.md'), `${md}\n`);
  fs.writeFileSync(path.join(dir, 'registry-latest.json'), `${JSON.stringify({ meta, servers: N, budget: BUDGET, runs: all, violations }, null, 2)}\n`);
  process.stdout.write(`${md}\n`);
  if (violations.length) {
    process.stdout.write(`registry-bench: violations: ${violations.join('; ')}\n`);
    process.exit(1);
  }
}

main().catch((e) => fail(e.stack || String(e)));
