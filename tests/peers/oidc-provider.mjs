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
//                                           [--cimd DIR] [--ignore-pkce]
//                                           [--response-iss wrong|omit] [--response-state wrong]
//
// Opt-in misbehaviour and features (see README.md for each):
//   --cimd DIR                 Client ID Metadata Documents on (https:// client ids), fetched
//                              without any network: mcp-auth's own published document
//                              (docs/client-metadata.json) by its URL, and DIR/<name> for
//                              https://127.0.0.1:PORT/.../<name> (or localhost); else 404.
//   --ignore-pkce              PKCE not verified: code_challenge* stripped from authorization
//                              requests, code_verifier from token requests.
//   --response-iss wrong|omit  authorization responses carry another iss, or none (RFC 9207
//                              still advertised).
//   --response-state wrong     authorization responses carry another state.
//
// Contract: listens on 127.0.0.1 with an ephemeral port and, once listening,
// prints exactly one JSON line to stdout: {"issuer":"http://127.0.0.1:PORT[/path]","port":PORT}.
// Everything else goes to stderr. Exits when stdin closes, on SIGTERM/SIGINT/SIGHUP,
// and when its parent process goes away.

import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    'usage: node oidc-provider.mjs [--path /oidc] [--registration] [--resource URL] [--resource-any-loopback] [--client-credentials] [--dpop-nonce] [--delay-ms D]\n' +
      '         [--rotate-refresh on|off] [--omit-no-store] [--default-resource URL] [--token-log FILE]\n' +
      '         [--cimd DIR] [--ignore-pkce] [--response-iss wrong|omit] [--response-state wrong]\n',
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
      // Client ID Metadata Documents on, answered from DIR (never the network).
      cimd: { type: 'string' },
      // PKCE not verified (TOK-PKCE-VERIFIED fails).
      'ignore-pkce': { type: 'boolean', default: false },
      // Authorization responses with another iss, or none (ISS-RESPONSE fails).
      'response-iss': { type: 'string' },
      // Authorization responses with another state (STATE-ECHO fails).
      'response-state': { type: 'string' },
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
if (args['response-iss'] !== undefined && !['wrong', 'omit'].includes(args['response-iss'])) {
  usage('--response-iss must be wrong or omit');
}
if (args['response-state'] !== undefined && args['response-state'] !== 'wrong') {
  usage('--response-state must be wrong');
}
if (args.cimd !== undefined) {
  try {
    readdirSync(args.cimd);
  } catch (err) {
    usage(`--cimd ${args.cimd}: ${err.message}`);
  }
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

// --- --cimd: Client ID Metadata Documents from files ---------------------------
// mcp-auth's own published document, by the URL it names (its client_id).
const OWN_DOCUMENT = fileURLToPath(new URL('../../docs/client-metadata.json', import.meta.url));

// The provider's outgoing `fetch` (oidc-provider's `configuration.fetch`)
// with --cimd: no network at all. mcp-auth's own document by its URL; for an
// https://127.0.0.1:PORT/.../NAME (or localhost) URL, the file DIR/NAME; any
// other URL (or a missing file) is a 404.
function documentFetch(dir) {
  const own = readFileSync(OWN_DOCUMENT, 'utf8');
  const ownId = JSON.parse(own).client_id;
  return async (url) => {
    const href = String(url);
    let body;
    if (href === ownId) {
      body = own;
    } else {
      const u = URL.parse(href);
      const name = u?.pathname.split('/').pop() ?? '';
      if (
        u &&
        u.protocol === 'https:' &&
        ['127.0.0.1', 'localhost'].includes(u.hostname) &&
        /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)
      ) {
        try {
          body = readFileSync(join(dir, name), 'utf8');
        } catch {}
      }
    }
    log(`cimd: GET ${href} -> ${body === undefined ? 404 : 200}`);
    if (body === undefined) {
      return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' },
    });
  };
}

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

  // --cimd DIR: Client ID Metadata Documents (draft-02, acknowledged): an
  // https:// client_id is fetched through `fetch` below, which answers from
  // files and never touches the network.
  if (args.cimd !== undefined) {
    features.clientIdMetadataDocument = { enabled: true, ack: 'draft-02' };
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
    // token_endpoint_auth_method "none"; S256 is the only method), unless
    // --ignore-pkce (never required; the parameters are stripped below).
    ...(args['ignore-pkce'] ? { pkce: { required: () => false } } : {}),
    ...(args.cimd !== undefined ? { fetch: documentFetch(args.cimd) } : {}),
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
// --ignore-pkce: the authorization server does not verify PKCE. The
// challenge is stripped from authorization requests (so codes carry none)
// and the verifier from token requests (so that no verifier is checked).
if (args['ignore-pkce']) {
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' && ctx.method === 'GET') {
      const q = new URLSearchParams(ctx.querystring);
      if (q.has('code_challenge') || q.has('code_challenge_method')) {
        q.delete('code_challenge');
        q.delete('code_challenge_method');
        ctx.querystring = q.toString();
        log('ignore-pkce: stripped code_challenge from an authorization request');
      }
    }
    if (ctx.path === '/token' && ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
      const chunks = [];
      for await (const chunk of ctx.req) chunks.push(chunk);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.has('code_verifier')) log('ignore-pkce: stripped code_verifier from a token request');
      form.delete('code_verifier');
      // oidc-provider reads an already-read body from req.body.
      ctx.req.body = Object.fromEntries(form);
    }
    await next();
  });
}

// --response-iss wrong|omit, --response-state wrong: rewrite the redirects
// to a client (an authorization response: a Location off the provider's
// origin carrying code or error). Discovery is unchanged, so RFC 9207 stays
// advertised.
if (args['response-iss'] || args['response-state']) {
  const origin = new URL(issuer).origin;
  provider.use(async (ctx, next) => {
    await next();
    const location = ctx.status >= 300 && ctx.status < 400 ? ctx.response.get('Location') : '';
    const u = location ? URL.parse(location) : null;
    if (!u || u.origin === origin || !(u.searchParams.has('code') || u.searchParams.has('error'))) return;
    if (args['response-iss'] === 'wrong') u.searchParams.set('iss', `http://127.0.0.1:${port}/another-issuer`);
    if (args['response-iss'] === 'omit') u.searchParams.delete('iss');
    if (args['response-state'] === 'wrong') u.searchParams.set('state', 'not-the-state-sent');
    ctx.set('Location', u.href);
    log(`rewrote an authorization response (iss ${args['response-iss'] ?? 'kept'}, state ${args['response-state'] ?? 'kept'})`);
  });
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

log(`listening on 127.0.0.1:${port}, issuer ${issuer}, registration=${args.registration}, resource=${args.resource ?? '(default)'}, resource-any-loopback=${anyLoopback}, client-credentials=${args['client-credentials']}, dpop-nonce=${args['dpop-nonce']}, cimd=${args.cimd ?? '(off)'}, ignore-pkce=${args['ignore-pkce']}, response-iss=${args['response-iss'] ?? '(kept)'}, response-state=${args['response-state'] ?? '(kept)'}`);
process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
