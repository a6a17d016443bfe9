// The suite's client under test: `conformance client --command "node adapter.mjs"`
// appends the MCP server URL. This maps the suite's context to mcp-auth's
// documented flags and runs what a user would: `mcp-auth login`, then
// `mcp-auth call` to list the tools, then `mcp-auth call` for each one. It holds
// no protocol logic; every request is mcp-auth's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.MCP_AUTH_BIN ?? resolve(here, '../../target/debug/mcp-auth');
const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const ctx = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');

const home = mkdtempSync(join(tmpdir(), 'mcp-auth-conformance-'));
const env = {
  ...process.env,
  MCP_AUTH_HOME: home,
  BROWSER: `${process.execPath} ${join(here, 'follow-redirects.mjs')}`,
  NO_COLOR: '1',
  // The suite's client identity where CIMD is supported (the fixed URL of
  // src/scenarios/client/auth/basic-cimd.ts; its mock server never fetches it).
  MCP_AUTH_CLIENT_METADATA_URL: 'https://conformance-test.local/client-metadata.json',
};

// A file for a value the suite hands over (a secret never goes on the command line).
function file(name, contents) {
  const path = join(home, name);
  writeFileSync(path, contents, { mode: 0o600 });
  return path;
}

// The suite's context, as flags (and the environment for the client secret).
// Any free loopback port: the suite's document cannot be fetched to learn its redirect URIs.
const flags = ['--redirect-port', '0'];
if (ctx.client_id) flags.push('--client-id', ctx.client_id);
if (ctx.client_secret) env.MCP_AUTH_CLIENT_SECRET = ctx.client_secret;
if (ctx.private_key_pem) flags.push('--private-key', file('client-key.pem', ctx.private_key_pem));
if (ctx.signing_algorithm) flags.push('--signing-alg', ctx.signing_algorithm);
// Which grant each extension scenario exercises.
const grants = {
  'auth/client-credentials-basic': 'client-credentials',
  'auth/client-credentials-jwt': 'client-credentials',
  'auth/wif-jwt-bearer': 'jwt-bearer',
  'auth/enterprise-managed-authorization': 'token-exchange',
};
if (grants[scenario]) flags.push('--grant', grants[scenario]);
if (ctx.valid_jwt) flags.push('--assertion-file', file('assertion.jwt', ctx.valid_jwt));
if (ctx.idp_id_token) {
  flags.push('--subject-token-file', file('idp-id-token.jwt', ctx.idp_id_token));
  flags.push('--idp-issuer', ctx.idp_issuer, '--idp-token-endpoint', ctx.idp_token_endpoint);
  flags.push('--idp-client-id', ctx.idp_client_id);
}

function run(args) {
  console.error(`$ mcp-auth ${args.join(' ')}`);
  const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: 25000 });
  process.stderr.write(r.stderr ?? '');
  process.stderr.write(r.stdout ?? '');
  if (r.error) throw r.error;
  if (r.status !== 0) {
    console.error(`mcp-auth ${args[0]} exited with ${r.status}`);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
}

run(['login', url, ...flags, '--login-timeout', '20', '--timeout', '5']);
const listed = JSON.parse(run(['call', url, '--format', 'json']));
for (const tool of listed.result?.tools ?? []) {
  run(['call', url, tool.name, '--format', 'json']);
}
