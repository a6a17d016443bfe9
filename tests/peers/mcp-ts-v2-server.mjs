#!/usr/bin/env node
// Test peer: an MCP 2026-07-28 server built with v2 of the official MCP
// TypeScript SDK (@modelcontextprotocol/server, pinned in package.json):
// `createMcpHandler` (the stateless per-request transport: `server/discover`,
// `Mcp-Method`/`Mcp-Name` headers, `_meta` on every request; 2025-era
// `initialize` traffic served by the SDK's stateless legacy fallback unless
// `--legacy reject`), gated by the SDK's framework-free `requireBearerAuth`, and
// the RFC 9728 Protected Resource Metadata from the SDK's `oauthMetadataResponse`.
// See README.md in this folder.
//
// Usage: node tests/peers/mcp-ts-v2-server.mjs --issuer <AS issuer URL>
//          [--path /mcp] [--scopes "mcp:tools"] [--legacy stateless|reject]
//          [--cors full|legacy|none]
//
// Contract: listens on 127.0.0.1 with an ephemeral port and, once listening,
// prints exactly one JSON line to stdout:
//   {"url":"http://127.0.0.1:PORT/mcp","resource":"http://127.0.0.1:PORT/mcp","port":PORT}
// Everything else goes to stderr. Exits when stdin closes, on SIGTERM/SIGINT/SIGHUP,
// and when its parent process goes away.

import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { stopWhenReleased } from './lifecycle.mjs';

// stdout is reserved for the single JSON line.
for (const m of ['log', 'info', 'debug', 'warn']) {
  console[m] = (...args) => console.error(...args);
}

const log = (...args) => console.error('[mcp-ts-v2-server peer]', ...args);

const USAGE =
  'usage: node mcp-ts-v2-server.mjs --issuer URL [--path /mcp] [--scopes "mcp:tools"] ' +
  '[--legacy stateless|reject] [--cors full|legacy|none]\n';

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write(USAGE);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      issuer: { type: 'string' },
      path: { type: 'string', default: '/mcp' },
      scopes: { type: 'string', default: 'mcp:tools' },
      legacy: { type: 'string', default: 'stateless' },
      cors: { type: 'string', default: 'full' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  usage(err.message);
}
if (args.help) usage();
if (!args.issuer) usage('--issuer is required');
try {
  new URL(args.issuer);
} catch {
  usage(`--issuer is not a valid URL: ${args.issuer}`);
}
if (!['stateless', 'reject'].includes(args.legacy)) usage('--legacy must be stateless or reject');
if (!['full', 'legacy', 'none'].includes(args.cors)) usage('--cors must be full, legacy or none');
const issuer = args.issuer; // exact spelling, used for the `iss` check and in the PRM
let mcpPath = args.path;
if (!mcpPath.startsWith('/')) mcpPath = `/${mcpPath}`;
const scopesSupported = args.scopes.split(/[\s,]+/).filter(Boolean);

let httpServer;
stopWhenReleased(log, () => httpServer);

const { z } = await import('zod');
const { createRemoteJWKSet, jwtVerify } = await import('jose');
const sdk = await import('@modelcontextprotocol/server');
const {
  McpServer,
  OAuthError,
  OAuthErrorCode,
  createMcpHandler,
  getOAuthProtectedResourceMetadataUrl,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  oauthMetadataResponse,
  requireBearerAuth,
} = sdk;

// --- discover the authorization server ----------------------------------------
async function discover() {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let lastErr;
  for (let i = 0; i < 20; i++) {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      const meta = await res.json();
      if (typeof meta.jwks_uri !== 'string') throw new Error(`${url}: no jwks_uri`);
      return meta;
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw lastErr;
}
let asMetadata;
try {
  asMetadata = await discover();
} catch (err) {
  log(`cannot discover the authorization server: ${err.message ?? err}`);
  process.exit(1);
}
const jwks = createRemoteJWKSet(new URL(asMetadata.jwks_uri));

httpServer = createServer();
await new Promise((resolve, reject) => {
  httpServer.once('error', reject);
  httpServer.listen(0, '127.0.0.1', resolve);
});
const { port } = httpServer.address();
const resourceUrl = new URL(`http://127.0.0.1:${port}${mcpPath}`);
const resource = resourceUrl.href;

// --- token verifier: JWT access tokens signed by the AS (jwks_uri) ------------
const verifier = {
  async verifyAccessToken(token) {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer, audience: resource }));
    } catch (err) {
      log(`token rejected: ${err.code ?? ''} ${err.message}`);
      const what = [err.code, err.claim].filter(Boolean).join(' ');
      throw new OAuthError(OAuthErrorCode.InvalidToken, what ? `Invalid token (${what})` : 'Invalid token');
    }
    return {
      token,
      clientId: payload.client_id ?? payload.azp ?? '',
      scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
      expiresAt: payload.exp,
      resource: resourceUrl, // jwtVerify checked aud contains it
      extra: { claims: payload },
    };
  },
};

const prmUrl = getOAuthProtectedResourceMetadataUrl(resourceUrl); // /.well-known/oauth-protected-resource/mcp
const gate = requireBearerAuth({ verifier, resourceMetadataUrl: prmUrl, expectedResource: resourceUrl });
const metadataOptions = {
  oauthMetadata: { ...asMetadata, issuer },
  resourceServerUrl: resourceUrl,
  scopesSupported,
  resourceName: 'mcp-auth test peer (MCP TypeScript SDK v2, 2026-07-28)',
  dangerouslyAllowInsecureIssuerUrl: true, // loopback http issuer
};

// --- the MCP server: one tool, whoami, served per request -----------------------
function buildMcpServer() {
  const server = new McpServer({ name: 'mcp-auth-test-peer-ts-v2', version: '0.0.0' });
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Returns the claims of the access token used for this request',
      inputSchema: z.object({}),
      outputSchema: z.object({ claims: z.record(z.string(), z.any()) }),
    },
    async (_input, ctx) => {
      const claims = ctx.http?.authInfo?.extra?.claims ?? {};
      return {
        content: [{ type: 'text', text: JSON.stringify(claims) }],
        structuredContent: { claims },
      };
    },
  );
  return server;
}
const handler = createMcpHandler(() => buildMcpServer(), {
  legacy: args.legacy,
  onerror: (err) => log(`handler: ${err.message ?? err}`),
});

// --- CORS on the MCP endpoint (the SDK's entry has none; a browser-reachable
// deployment adds it): `full` allows the 2026-07-28 headers, `legacy` only the
// 2025 ones, `none` answers no preflight. ---------------------------------------
const CORS_HEADERS = {
  full: 'authorization, content-type, mcp-protocol-version, mcp-method, mcp-name',
  legacy: 'authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id',
};
function withCors(response) {
  if (args.cors === 'none') return response;
  const headers = new Headers(response.headers);
  headers.set('access-control-allow-origin', '*');
  headers.set('access-control-expose-headers', 'www-authenticate, mcp-protocol-version');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
function preflight() {
  if (args.cors === 'none') return new Response(null, { status: 405, headers: { allow: 'GET, POST, DELETE' } });
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': CORS_HEADERS[args.cors],
      'access-control-max-age': '600',
    },
  });
}

// --- routing: Host check, metadata, then the gated MCP endpoint ---------------
async function route(request) {
  const rejected = hostHeaderValidationResponse(request, localhostAllowedHostnames());
  if (rejected) return rejected;
  const metadata = oauthMetadataResponse(request, metadataOptions);
  if (metadata) return metadata;
  if (new URL(request.url).pathname !== mcpPath) {
    return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  }
  if (request.method === 'OPTIONS') return preflight();
  const auth = await gate(request);
  if (auth instanceof Response) return withCors(auth);
  return withCors(await handler.fetch(request, { authInfo: auth }));
}

// --- node:http <-> web Request/Response ------------------------------------------
const MAX_BODY = 1 << 20;
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
httpServer.on('request', async (req, res) => {
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
      else if (value !== undefined) headers.set(name, value);
    }
    const hasBody = !['GET', 'HEAD'].includes(req.method);
    const body = hasBody ? await readBody(req) : undefined;
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const request = new Request(`http://${req.headers.host ?? `127.0.0.1:${port}`}${req.url}`, {
      method: req.method,
      headers,
      body: body && body.length ? body : undefined,
      signal: abort.signal,
    });
    const response = await route(request);
    res.writeHead(response.status, [...response.headers.entries()].flat());
    if (response.body) Readable.fromWeb(response.body).pipe(res);
    else res.end();
  } catch (err) {
    log('error handling request:', err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal error');
  }
});

log(
  `listening on 127.0.0.1:${port}, resource ${resource}, issuer ${issuer}, jwks ${asMetadata.jwks_uri}, ` +
    `prm ${prmUrl}, legacy=${args.legacy}, cors=${args.cors}`,
);
process.stdout.write(`${JSON.stringify({ url: resource, resource, port })}\n`);
