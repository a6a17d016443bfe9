#!/usr/bin/env node
// A small, delayed loopback MCP "server" for scaling benchmarks: a protected
// resource whose PRM lists N authorization servers, each with a complete RFC 8414
// document. No MCP protocol beyond the 401.
//
//   node bench/synthetic-mcp.mjs [--servers N] [--delay-ms D] [--no-prm] [--log]
//
//   POST /mcp -> 401, WWW-Authenticate: Bearer resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp"
//   GET  /.well-known/oauth-protected-resource/mcp -> PRM, authorization_servers <origin>/as1 … <origin>/asN
//   GET  /.well-known/oauth-authorization-server/as{i} -> RFC 8414 metadata for issuer <origin>/as{i}
//   GET  /as{i}/jwks -> {"keys":[]}
//   anything else -> 404 text/plain
// --no-prm: a 2025-03-26 server instead: the 401 names no metadata, there is no PRM, and
//   GET /.well-known/oauth-authorization-server is the RFC 8414 document of the issuer <origin>.
// Every response is sent D ms late. Listens on 127.0.0.1, ephemeral port.
// Stdout contract: one line {"url":"<origin>/mcp","port":P} once listening.
// Exits when stdin reaches EOF (keep it open as a pipe), or on SIGTERM/SIGINT.
// --log: one stderr line per request ("METHOD PATH STATUS").
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: '1' },
    'delay-ms': { type: 'string', default: '0' },
    log: { type: 'boolean', default: false },
    'no-prm': { type: 'boolean', default: false },
  },
});
const servers = Number(args.servers);
const delayMs = Number(args['delay-ms']);
if (!Number.isInteger(servers) || servers < 1 || !Number.isFinite(delayMs) || delayMs < 0) {
  process.stderr.write('usage: node synthetic-mcp.mjs [--servers N>=1] [--delay-ms D>=0] [--log]\n');
  process.exit(2);
}

let origin = '';

function asMetadata(i) {
  const issuer = i === 0 ? origin : `${origin}/as${i}`;
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['mcp:tools'],
  };
}

function route(req, res) {
  const path = new URL(req.url, origin).pathname;
  const json = (status, body, headers = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
    return status;
  };
  const notFound = () => {
    res.writeHead(404, { 'content-type': 'text/plain', 'content-length': 9 });
    res.end('not found');
    return 404;
  };
  if (args['no-prm']) {
    if (path === '/mcp' && req.method === 'POST') {
      return json(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer' });
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/.well-known/oauth-authorization-server') {
      return json(200, asMetadata(0));
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/jwks') {
      return json(200, { keys: [] });
    }
    return notFound();
  }
  if (path === '/mcp' && req.method === 'POST') {
    return json(
      401,
      { error: 'invalid_token', error_description: 'Missing bearer token' },
      { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"` },
    );
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (path === '/.well-known/oauth-protected-resource/mcp') {
      return json(200, {
        resource: `${origin}/mcp`,
        authorization_servers: Array.from({ length: servers }, (_, k) => `${origin}/as${k + 1}`),
        scopes_supported: ['mcp:tools'],
        bearer_methods_supported: ['header'],
      });
    }
    let m = /^\/\.well-known\/oauth-authorization-server\/as(\d+)$/.exec(path);
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= servers && String(Number(m[1])) === m[1]) {
      return json(200, asMetadata(Number(m[1])));
    }
    m = /^\/as(\d+)\/jwks$/.exec(path);
    if (m && Number(m[1]) >= 1 && Number(m[1]) <= servers && String(Number(m[1])) === m[1]) {
      return json(200, { keys: [] });
    }
  }
  return notFound();
}

const server = http.createServer((req, res) => {
  // Drain the body, then answer D ms later.
  req.resume();
  req.on('end', () => {
    const answer = () => {
      const status = route(req, res);
      if (args.log) process.stderr.write(`${req.method} ${req.url} ${status}\n`);
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  origin = `http://127.0.0.1:${port}`;
  process.stdout.write(`${JSON.stringify({ url: `${origin}/mcp`, port })}\n`);
});

const stop = () => {
  server.closeAllConnections?.();
  server.close();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, stop);
