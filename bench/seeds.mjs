#!/usr/bin/env node
// The seed: Logto's `mcp-auth` npm library (0.2.0), doing what its users do at
// server start-up: fetchServerConfig(issuer, { type: 'oidc' }) and then
// validateServerConfig(config) (exported separately; MCPAuth's constructor runs
// the same validation through validateResolvedAuthServer).
//
//   node bench/seeds.mjs <issuer> [--type oidc|oauth]
//
// Prints one JSON line: {"tool":"seeds","elapsed_ms":…,"requests":N,"ok":…,…}.
// With BENCH_RECORD=<file> the line is also appended to that file.
// elapsed_ms is measured in-process with performance.now() around the calls
// (module loading and Node start-up are not included). `requests` counts calls
// to the global fetch (the library uses it directly).
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const argv = process.argv.slice(2);
const issuer = argv.find((a) => !a.startsWith('--'));
const typeIdx = argv.indexOf('--type');
const type = typeIdx >= 0 ? argv[typeIdx + 1] : 'oidc';
if (!issuer) {
  process.stderr.write('usage: node bench/seeds.mjs <issuer> [--type oidc|oauth]\n');
  process.exit(2);
}

// Count requests without changing behaviour: the library calls the global fetch.
let requests = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  requests += 1;
  return realFetch(...args);
};

const { fetchServerConfig, validateServerConfig } = await import('mcp-auth');

const t0 = performance.now();
let ok = false;
let error;
let result;
try {
  const config = await fetchServerConfig(issuer, { type });
  result = validateServerConfig(config);
  ok = result.isValid === true;
} catch (e) {
  error = String(e?.message ?? e);
}
const elapsed = performance.now() - t0;

const line = `${JSON.stringify({
    tool: 'seeds',
    elapsed_ms: Number(elapsed.toFixed(3)),
    requests,
    ok,
    warnings: result?.warnings?.map((w) => w.code),
    errors: result?.errors?.map((e) => e.code),
    error,
  })}\n`;
process.stdout.write(line);
// The benchmark harness collects the in-process times of every run here.
if (process.env.BENCH_RECORD) appendFileSync(process.env.BENCH_RECORD, line);
process.exit(ok ? 0 : 1);
