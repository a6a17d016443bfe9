#!/usr/bin/env node
// The MCP TypeScript SDK client's discovery (@modelcontextprotocol/sdk 1.32.2, the
// version tests/peers pins): what a client does before it opens the browser.
//
//   node bench/ts-sdk-discovery.mjs <mcp-url>
//
// discoverOAuthProtectedResourceMetadata(serverUrl) then
// discoverAuthorizationServerMetadata(authorization_servers[0]). The SDK's
// discoverOAuthServerInfo() does exactly this pair; neither sends the
// unauthenticated MCP request whose 401 carries `resource_metadata` (the
// transport does that before calling auth()), so no 401 probe is measured here:
// the PRM is found at the path-inserted well-known URL, as the SDK does without
// a header URL.
//
// Prints one JSON line: {"tool":"ts-sdk","elapsed_ms":…,"requests":N,"ok":…}.
// With BENCH_RECORD=<file> the line is also appended to that file.
// elapsed_ms is in-process (performance.now() around the two calls); `requests`
// counts calls to the global fetch (the SDK's default fetchFn).
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const serverUrl = process.argv[2];
if (!serverUrl) {
  process.stderr.write('usage: node bench/ts-sdk-discovery.mjs <mcp-url>\n');
  process.exit(2);
}

let requests = 0;
const urls = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  requests += 1;
  urls.push(String(input instanceof Request ? input.url : input));
  return realFetch(input, init);
};

const { discoverOAuthProtectedResourceMetadata, discoverAuthorizationServerMetadata } = await import(
  '@modelcontextprotocol/sdk/client/auth.js'
);

const t0 = performance.now();
let ok = false;
let error;
let authorizationServer;
try {
  const prm = await discoverOAuthProtectedResourceMetadata(serverUrl);
  authorizationServer = prm.authorization_servers?.[0];
  if (!authorizationServer) throw new Error('PRM lists no authorization_servers');
  const asm = await discoverAuthorizationServerMetadata(authorizationServer);
  ok = Boolean(asm?.issuer);
} catch (e) {
  error = String(e?.message ?? e);
}
const elapsed = performance.now() - t0;

const line = `${JSON.stringify({
    tool: 'ts-sdk',
    elapsed_ms: Number(elapsed.toFixed(3)),
    requests,
    ok,
    authorization_server: authorizationServer,
    urls: process.env.BENCH_LIST_URLS ? urls : undefined,
    error,
  })}\n`;
process.stdout.write(line);
// The benchmark harness collects the in-process times of every run here.
if (process.env.BENCH_RECORD) appendFileSync(process.env.BENCH_RECORD, line);
process.exit(ok ? 0 : 1);
