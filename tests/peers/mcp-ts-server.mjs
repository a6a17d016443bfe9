#!/usr/bin/env node
// Test peer: an MCP server (Streamable HTTP) built with the official MCP
// TypeScript SDK (@modelcontextprotocol/sdk, pinned in package.json), protected
// by the SDK's own bearer-auth middleware and serving RFC 9728 Protected
// Resource Metadata through the SDK's own router. See README.md in this folder.
//
// Usage: node tests/peers/mcp-ts-server.mjs --issuer <AS issuer URL>
//          [--path /mcp] [--scopes "mcp:tools"] [--required-scopes "..."]
//          [--no-header-url] [--prm-at path|root|header|all] [--stateless]
//          [--dpop] [--dpop-nonce NONCE] [--accept-any-token] [--no-enforcement]
//          [--ignore-audience]
//
// Contract: listens on 127.0.0.1 with an ephemeral port and, once listening,
// prints exactly one JSON line to stdout:
//   {"url":"http://127.0.0.1:PORT/mcp","resource":"http://127.0.0.1:PORT/mcp","port":PORT}
// Everything else goes to stderr. Exits when stdin closes, on SIGTERM/SIGINT/SIGHUP,
// and when its parent process goes away.

import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { stopWhenReleased } from './lifecycle.mjs';

// stdout is reserved for the single JSON line: route every console writer
// (the SDK and its helpers use console.log/warn) to stderr before loading them.
for (const m of ['log', 'info', 'debug', 'warn']) {
  console[m] = (...args) => console.error(...args);
}

// The SDK's auth routers refuse a non-https issuer unless it is localhost /
// 127.0.0.1 or this variable is set. The peer is loopback-only; set it so that
// an http issuer on any loopback spelling works (read at SDK module load).
process.env.MCP_DANGEROUSLY_ALLOW_INSECURE_ISSUER_URL = '1';

const log = (...args) => console.error('[mcp-ts-server peer]', ...args);

const USAGE =
  'usage: node mcp-ts-server.mjs --issuer URL [--path /mcp] [--scopes "mcp:tools"] ' +
  '[--required-scopes "..."] [--no-header-url] [--prm-at path|root|header|all] [--stateless] ' +
  '[--dpop] [--dpop-nonce NONCE] [--accept-any-token] [--no-enforcement] ' +
  '[--ignore-audience]\n';

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
      'required-scopes': { type: 'string', default: '' },
      'no-header-url': { type: 'boolean', default: false },
      'prm-at': { type: 'string', default: 'path' },
      stateless: { type: 'boolean', default: false },
      dpop: { type: 'boolean', default: false },
      'dpop-nonce': { type: 'string' },
      'accept-any-token': { type: 'boolean', default: false },
      'no-enforcement': { type: 'boolean', default: false },
      'delay-ms': { type: 'string' },
      // Validate signature and issuer but not `aud` (RS-AUDIENCE-ENFORCED fails).
      'ignore-audience': { type: 'boolean', default: false },
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
let issuerUrl;
try {
  issuerUrl = new URL(args.issuer);
} catch {
  usage(`--issuer is not a valid URL: ${args.issuer}`);
}
const issuer = args.issuer; // exact spelling, used for the `iss` check and in the PRM
const PRM_MODES = ['path', 'root', 'header', 'all'];
if (!PRM_MODES.includes(args['prm-at'])) usage(`--prm-at must be one of ${PRM_MODES.join('|')}`);
let mcpPath = args.path;
if (!mcpPath.startsWith('/')) mcpPath = `/${mcpPath}`;
const splitScopes = (s) => s.split(/[\s,]+/).filter(Boolean);
const scopesSupported = splitScopes(args.scopes);
const requiredScopes = splitScopes(args['required-scopes']);

// --- lifecycle: stop when stdin closes, on signals, or when orphaned --------
let httpServer;
stopWhenReleased(log, () => httpServer);

// --- load the SDK (after the env var and console redirection) ----------------
const { z } = await import('zod');
const { createRemoteJWKSet, jwtVerify, EmbeddedJWK, calculateJwkThumbprint, decodeJwt } = await import('jose');
const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
const { StreamableHTTPServerTransport } = await import('@modelcontextprotocol/sdk/server/streamableHttp.js');
const { createMcpExpressApp } = await import('@modelcontextprotocol/sdk/server/express.js');
const { isInitializeRequest } = await import('@modelcontextprotocol/sdk/types.js');
const { mcpAuthMetadataRouter, getOAuthProtectedResourceMetadataUrl } = await import(
  '@modelcontextprotocol/sdk/server/auth/router.js'
);
const { metadataHandler } = await import('@modelcontextprotocol/sdk/server/auth/handlers/metadata.js');
const { requireBearerAuth } = await import('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js');
const { InvalidTokenError } = await import('@modelcontextprotocol/sdk/server/auth/errors.js');

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

// --- listen first (ephemeral port), then build the app around the real URL ---
httpServer = createServer();
await new Promise((resolve, reject) => {
  httpServer.once('error', reject);
  httpServer.listen(0, '127.0.0.1', resolve);
});
const { port } = httpServer.address();
const resourceUrl = new URL(`http://127.0.0.1:${port}${mcpPath}`);
const resource = resourceUrl.href;

// --- token verifier: JWT access tokens signed by the AS (jwks_uri) ------------
// --accept-any-token: a lax resource server that takes any bearer token
// without verifying it (no signature, issuer, audience or expiry check);
// still 401 without a token (requireBearerAuth).
const acceptAnyToken = {
  async verifyAccessToken(token) {
    log('--accept-any-token: accepting a token unverified');
    return {
      token,
      clientId: '',
      scopes: requiredScopes,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
      resource: resourceUrl,
      extra: { claims: {} },
    };
  },
};

const tokenVerifier = args['accept-any-token'] ? acceptAnyToken : {
  async verifyAccessToken(token) {
    let payload;
    try {
      ({ payload } = await jwtVerify(
        token,
        jwks,
        args['ignore-audience'] ? { issuer } : { issuer, audience: resource },
      ));
    } catch (err) {
      // InvalidTokenError => 401 + WWW-Authenticate from requireBearerAuth; any
      // other error would become a 500 there.
      // requireBearerAuth puts the message verbatim (unescaped) into the
      // error_description quoted-string: keep it free of double quotes and backslashes.
      log(`token rejected: ${err.code ?? ''} ${err.message}`);
      const what = [err.code, err.claim].filter(Boolean).join(' ');
      throw new InvalidTokenError(what ? `Invalid token (${what})` : 'Invalid token');
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

// --- MCP server: one tool, whoami -------------------------------------------------
function buildMcpServer() {
  const server = new McpServer({ name: 'mcp-auth-test-peer-ts', version: '0.0.0' });
  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: "Returns the claims of the access token used for this request",
      inputSchema: {},
      outputSchema: { claims: z.record(z.string(), z.any()) },
    },
    async (_input, extra) => {
      const claims = extra.authInfo?.extra?.claims ?? {};
      return {
        content: [{ type: 'text', text: JSON.stringify(claims) }],
        structuredContent: { claims },
      };
    },
  );
  return server;
}

// --- express app, the SDK way ----------------------------------------------------
// createMcpExpressApp: express + Host-header (DNS rebinding) validation for
// 127.0.0.1/localhost/[::1] + express.json().
const app = createMcpExpressApp();

// --dpop / --dpop-nonce: only DPoP-bound tokens (RFC 9449), said in the PRM (RFC 9728 §2).
const dpopNonce = args['dpop-nonce'];
const requireDpop = args.dpop || dpopNonce !== undefined;
const prmDocument = {
  resource,
  authorization_servers: [issuer],
  scopes_supported: scopesSupported,
  resource_name: 'mcp-auth test peer (MCP TypeScript SDK)',
  ...(requireDpop && { dpop_signing_alg_values_supported: ['ES256'], dpop_bound_access_tokens_required: true }),
};
const pathPrmUrl = getOAuthProtectedResourceMetadataUrl(resourceUrl); // /.well-known/oauth-protected-resource/mcp
const rootPrmPath = '/.well-known/oauth-protected-resource';
const headerOnlyPrmPath = `/prm${mcpPath}`; // not a well-known location
const oauthMetadata = { ...asMetadata, issuer };

const mode = args['prm-at'];
// The SDK's router cannot add the DPoP members: serve the document first.
if (requireDpop) app.use(new URL(pathPrmUrl).pathname, metadataHandler(prmDocument));
if (mode === 'path' || mode === 'all') {
  // SDK default: PRM at the path-inserted URL + a copy of the AS metadata at
  // /.well-known/oauth-authorization-server (both with cors() and GET/OPTIONS only).
  app.use(
    mcpAuthMetadataRouter({
      oauthMetadata,
      resourceServerUrl: resourceUrl,
      scopesSupported,
      resourceName: prmDocument.resource_name,
    }),
  );
} else {
  // Same document and handler as mcpAuthMetadataRouter, at other locations.
  app.use('/.well-known/oauth-authorization-server', metadataHandler(oauthMetadata));
}
if (mode === 'root' || mode === 'all') app.use(rootPrmPath, metadataHandler(prmDocument));
if (mode === 'header' || mode === 'all') app.use(headerOnlyPrmPath, metadataHandler(prmDocument));

const headerPrmUrl =
  mode === 'root'
    ? new URL(rootPrmPath, resourceUrl).href
    : mode === 'header'
      ? new URL(headerOnlyPrmPath, resourceUrl).href
      : pathPrmUrl;

const authMiddleware = requireBearerAuth({
  verifier: tokenVerifier,
  requiredScopes,
  resourceMetadataUrl: args['no-header-url'] ? undefined : headerPrmUrl,
  expectedResource: resourceUrl,
});

// --- DPoP (--dpop): the proof checked as RFC 9449 §4.3 and §7.1 say, then the
// token handed to requireBearerAuth. No Authorization at all is left to it (the 401
// with resource_metadata). -------------------------------------------------------
const seenJtis = new Set();
async function dpopProblem(req, token) {
  const proof = req.headers.dpop;
  if (typeof proof !== 'string' || proof.includes(',')) return 'exactly one DPoP proof is required';
  let payload, protectedHeader;
  try {
    ({ payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] }));
  } catch (err) {
    return `the DPoP proof does not verify (${err.code ?? 'error'})`;
  }
  if (protectedHeader.jwk.d !== undefined) return 'the proof carries a private key';
  if (payload.htm !== req.method) return 'htm mismatch';
  if (payload.htu !== resource) return 'htu mismatch';
  if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 300) return 'iat not recent';
  if (typeof payload.jti !== 'string' || seenJtis.has(payload.jti)) return 'jti missing or replayed';
  seenJtis.add(payload.jti);
  if (payload.ath !== createHash('sha256').update(token).digest('base64url')) return 'ath mismatch';
  let jkt;
  try {
    jkt = decodeJwt(token).cnf?.jkt;
  } catch {
    return 'the token is not a JWT';
  }
  if (jkt !== (await calculateJwkThumbprint(protectedHeader.jwk))) return 'the token is not bound to the proof key';
  if (dpopNonce !== undefined && payload.nonce !== dpopNonce) return 'nonce';
  return undefined;
}
async function dpopAuth(req, res, next) {
  const authorization = req.headers.authorization;
  if (!requireDpop || !authorization) return next();
  const refuse = (error, description, headers = {}) =>
    res
      .status(401)
      .set({ 'WWW-Authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256"`, ...headers })
      .json({ error, error_description: description });
  const [scheme, ...rest] = authorization.split(' ');
  if (scheme.toLowerCase() !== 'dpop') return refuse('invalid_token', 'a DPoP-bound token is required');
  const token = rest.join(' ').trim();
  const problem = await dpopProblem(req, token);
  if (problem === 'nonce') return refuse('use_dpop_nonce', 'a nonce is required', { 'DPoP-Nonce': dpopNonce });
  if (problem) return refuse('invalid_dpop_proof', problem);
  req.headers.authorization = `Bearer ${token}`;
  next();
}

// --- Streamable HTTP endpoint (as in the SDK's simpleStreamableHttp /
// simpleStatelessStreamableHttp examples) ---------------------------------------
const jsonRpcError = (res, status, code, message) =>
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });

const sessions = new Map(); // sessionId -> transport

async function postHandler(req, res) {
  try {
    if (args.stateless) {
      const server = buildMcpServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        transport.close();
        server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId) {
      const transport = sessions.get(sessionId);
      if (!transport) return jsonRpcError(res, 404, -32001, 'Session not found');
      await transport.handleRequest(req, res, req.body);
      return;
    }
    if (!isInitializeRequest(req.body)) {
      return jsonRpcError(res, 400, -32000, 'Bad Request: No valid session ID provided');
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => sessions.set(sid, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await buildMcpServer().connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (err) {
    log('error handling MCP request:', err);
    if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
  }
}

async function sessionHandler(req, res) {
  if (args.stateless) return jsonRpcError(res, 405, -32000, 'Method not allowed.');
  const sessionId = req.headers['mcp-session-id'];
  if (!sessionId) return res.status(400).send('Missing session ID');
  const transport = sessions.get(sessionId);
  if (!transport) return jsonRpcError(res, 404, -32001, 'Session not found');
  try {
    await transport.handleRequest(req, res);
  } catch (err) {
    log('error handling MCP request:', err);
    if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error');
  }
}

// --no-enforcement: OAuth advertised (PRM, metadata) but the endpoint takes
// every request, with or without a token.
const enforce = args['no-enforcement'] ? (_req, _res, next) => next() : authMiddleware;
app.post(mcpPath, dpopAuth, enforce, postHandler);
app.get(mcpPath, dpopAuth, enforce, sessionHandler);
app.delete(mcpPath, dpopAuth, enforce, sessionHandler);

// --delay-ms D: answer every request D ms late (benchmarks: a slow network).
const delayMs = Number(args['delay-ms'] ?? 0);
httpServer.on('request', delayMs > 0 ? (req, res) => setTimeout(() => app(req, res), delayMs) : app);

log(
  `listening on 127.0.0.1:${port}, resource ${resource}, issuer ${issuer}, jwks ${asMetadata.jwks_uri}, ` +
    `prm-at=${mode}, header-url=${args['no-header-url'] ? '(none)' : headerPrmUrl}, ` +
    `required-scopes=${requiredScopes.join(' ') || '(none)'}, stateless=${args.stateless}, ` +
    `dpop=${requireDpop ? `required${dpopNonce !== undefined ? ', nonce' : ''}` : 'no'}, ` +
    `accept-any-token=${args['accept-any-token']}, no-enforcement=${args['no-enforcement']}`,
);
process.stdout.write(`${JSON.stringify({ url: resource, resource, port })}\n`);
