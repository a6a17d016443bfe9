#!/usr/bin/env node
// Test peer: a real node-oidc-provider (oidc-provider@9.13.3) authorization
// server for mcp-auth integration tests. See README.md in this folder.
//
// Usage: node tests/peers/oidc-provider.mjs [--path /oidc] [--registration]
//                                           [--resource http://127.0.0.1:1/mcp]
//                                           [--resource-any-loopback] [--dpop-nonce]
//                                           [--client-credentials]
//                                           [--rotate-refresh on|off] [--omit-no-store]
//                                           [--default-resource URL] [--token-log FILE]
//
// Contract: listens on 127.0.0.1 with an ephemeral port and, once listening,
// prints exactly one JSON line to stdout: {"issuer":"http://127.0.0.1:PORT[/path]","port":PORT}.
// Everything else goes to stderr. Exits when stdin closes, on SIGTERM/SIGINT/SIGHUP,
// and when its parent process goes away.

import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { stopWhenReleased } from './lifecycle.mjs';

// oidc-provider prints NOTICEs with console.info (stdout). stdout is reserved
// for the single JSON line, so route every console writer to stderr before
// the provider is loaded.
for (const m of ['log', 'info', 'debug']) {
  console[m] = (...args) => console.error(...args);
}

const log = (...args) => console.error('[oidc-provider peer]', ...args);

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write(
    'usage: node oidc-provider.mjs [--path /oidc] [--registration] [--resource URL] [--resource-any-loopback] [--client-credentials] [--dpop-nonce] [--delay-ms D]\n',
  );
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      path: { type: 'string' },
      registration: { type: 'boolean', default: false },
      resource: { type: 'string' },
      'resource-any-loopback': { type: 'boolean', default: false },
      'client-credentials': { type: 'boolean', default: false },
      'dpop-nonce': { type: 'boolean', default: false },
      'delay-ms': { type: 'string' },
      // Refresh token rotation forced on or off (default: oidc-provider's rule).
      'rotate-refresh': { type: 'string' },
      // Token responses without `Cache-Control: no-store` (TOK-RESPONSE fails).
      'omit-no-store': { type: 'boolean', default: false },
      // The audience of tokens requested without `resource` (a JWT for another resource).
      'default-resource': { type: 'string' },
      // Append the values of issued opaque tokens (refresh, access) to FILE, for
      // tests that check no evidence file holds them.
      'token-log': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  usage(err.message);
}
if (args.help) usage();

// Normalise the mount path: "" (root) or "/seg[/seg...]" without trailing slash.
let mountPath = args.path ?? '';
if (mountPath) {
  if (!mountPath.startsWith('/')) mountPath = `/${mountPath}`;
  mountPath = mountPath.replace(/\/+$/, '');
}

let resource;
if (args.resource !== undefined) {
  try {
    resource = new URL(args.resource).href;
  } catch {
    usage(`--resource is not a valid URL: ${args.resource}`);
  }
  // Keep the exact spelling given on the command line; compare both forms.
}
const anyLoopback = args['resource-any-loopback'];
if (args['rotate-refresh'] !== undefined && !['on', 'off'].includes(args['rotate-refresh'])) {
  usage('--rotate-refresh must be on or off');
}

// --resource-any-loopback: any absolute http://127.0.0.1:PORT/... URL (no
// fragment, no userinfo) is an acceptable resource indicator; its audience is
// the indicator exactly as sent. Solves the port chicken-and-egg with a
// resource server started after this provider.
function isLoopbackResource(indicator) {
  let u;
  try {
    u = new URL(indicator);
  } catch {
    return false;
  }
  return (
    u.protocol === 'http:' &&
    u.hostname === '127.0.0.1' &&
    u.port !== '' &&
    !u.hash &&
    !indicator.includes('#') &&
    !u.username &&
    !u.password
  );
}

// --- lifecycle: stop when stdin closes, on signals, or when orphaned --------
let server;
stopWhenReleased(log, () => server);

// --- provider configuration ---------------------------------------------------
const { default: Provider, errors } = await import('oidc-provider');

// Asynchronously: Node 20's generateKeyPairSync can deadlock when a garbage
// collection runs during it (seen as a peer that never starts, its main
// thread waiting in ~KeyGenJob on a mutex it holds).
const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'peer-rs256', alg: 'RS256', use: 'sig' };

function buildConfiguration() {
  const features = {
    devInteractions: { enabled: true },
    userinfo: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    registration: { enabled: args.registration, initialAccessToken: false },
    clientCredentials: { enabled: args['client-credentials'] },
  };
  // --dpop-nonce: every DPoP proof (token endpoint, userinfo) must carry a
  // server-provided nonce (RFC 9449 §8, §9); DPoP itself is on by default.
  if (args['dpop-nonce']) {
    features.dPoP = { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true };
  }

  if (resource !== undefined || anyLoopback) {
    const accepted = new Set(resource !== undefined ? [args.resource, resource] : []);
    features.resourceIndicators = {
      enabled: true,
      defaultResource: async () => args['default-resource'],
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        if (accepted.has(resourceIndicator)) {
          return {
            scope: 'openid profile email mcp:tools',
            audience: args.resource,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        }
        if (anyLoopback && isLoopbackResource(resourceIndicator)) {
          return {
            scope: 'openid profile email mcp:tools',
            audience: resourceIndicator,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        }
        throw new errors.InvalidTarget();
      },
    };
  }

  const clients = [
    {
      client_id: 'mcp-auth-test',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['http://127.0.0.1/callback'],
      response_types: ['code'],
    },
  ];
  // A confidential client that only introspects (a resource server):
  // `token inspect --client-id mcp-auth-rs --client-secret-file …`.
  clients.push({
    client_id: 'mcp-auth-rs',
    client_secret: 'rs-secret-for-tests-only',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    redirect_uris: [],
    response_types: [],
  });
  if (args['client-credentials']) {
    // A confidential client for the client credentials grant (a test secret).
    clients.push({
      client_id: 'mcp-auth-service',
      client_secret: 'mcp-auth-service-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    });
  }

  return {
    clients,
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['mcp-auth-test-peer-cookie-key-do-not-use-in-prod'] },
    scopes: ['openid', 'profile', 'email', 'offline_access', 'mcp:tools'],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email'],
    },
    // pkce: left at the v9 default (required for public clients, i.e.
    // token_endpoint_auth_method "none"; S256 is the only method).
    features,
    ...(args['rotate-refresh'] !== undefined
      ? { rotateRefreshToken: () => args['rotate-refresh'] === 'on' }
      : {}),
    async findAccount(_ctx, accountId) {
      return {
        accountId,
        async claims() {
          return {
            sub: accountId,
            name: `Test User ${accountId}`,
            email: `${accountId}@example.test`,
          };
        },
      };
    },
  };
}

// --- HTTP server ----------------------------------------------------------------
function notFound(res) {
  const body = 'not found';
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

server = createServer();

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}${mountPath}`;

const provider = new Provider(issuer, buildConfiguration());
provider.on('server_error', (_ctx, err) => log('server_error', err));
if (args['omit-no-store']) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path.endsWith('/token')) ctx.remove('Cache-Control');
  });
}
if (args['token-log']) {
  const { appendFileSync } = await import('node:fs');
  for (const kind of ['refresh_token', 'access_token', 'client_credentials']) {
    provider.on(`${kind}.saved`, (t) => appendFileSync(args['token-log'], `${kind} ${t.jti}\n`));
  }
}
const callback = provider.callback();

// --delay-ms D: answer every request D ms late (benchmarks: a slow network).
const delayMs = Number(args['delay-ms'] ?? 0);
server.on('request', (req, res) => {
  if (delayMs > 0) {
    setTimeout(() => route(req, res), delayMs);
  } else {
    route(req, res);
  }
});

function route(req, res) {
  if (!mountPath) {
    callback(req, res);
    return;
  }
  // Mounting (oidc-provider docs, "Mounting oidc-provider"): strip the prefix
  // and keep the original URL so that generated URLs carry the mount path.
  const url = req.url ?? '/';
  if (url === mountPath || url.startsWith(`${mountPath}/`) || url.startsWith(`${mountPath}?`)) {
    req.originalUrl = url;
    req.baseUrl = mountPath;
    const rest = url.slice(mountPath.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    callback(req, res);
    return;
  }
  notFound(res);
}

log(`listening on 127.0.0.1:${port}, issuer ${issuer}, registration=${args.registration}, resource=${args.resource ?? '(default)'}, resource-any-loopback=${anyLoopback}, client-credentials=${args['client-credentials']}, dpop-nonce=${args['dpop-nonce']}`);
process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
