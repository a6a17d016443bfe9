#!/usr/bin/env python3
"""Test peer: an MCP server built with the official MCP Python SDK (PyPI `mcp`),
acting as an OAuth 2.0 protected resource (RFC 9728) that trusts one issuer.

Usage: python fastmcp_server.py --issuer URL [--scopes "mcp:tools"]

The SDK's own resource-server wiring is used unchanged:
`MCPServer(token_verifier=..., auth=AuthSettings(issuer_url=..., resource_server_url=...,
required_scopes=[...]))` (mcp 2.x renamed v1's `FastMCP` to `MCPServer`; with mcp 1.x
installed the same code falls back to `FastMCP`). Streamable HTTP at /mcp, one tool
`whoami`. The token verifier (modelled on the SDK's examples/servers/simple-auth
TokenVerifier, but checking JWTs locally instead of introspecting) validates RS/PS/ES
signed JWT access tokens against the issuer's JWKS (discovered at startup from
<issuer>/.well-known/openid-configuration), with `iss` == issuer and `aud` == the MCP
server URL.

Stdout: exactly one line once listening,
{"url":"http://127.0.0.1:PORT/mcp","resource":"http://127.0.0.1:PORT/mcp","port":PORT}.
Logs go to stderr. Exits on stdin EOF, SIGTERM/SIGINT/SIGHUP, or parent death.
"""

from __future__ import annotations

import _peer_common as common  # first: redirects fd 1 to stderr

import argparse
import json
import logging
import sys
import urllib.request
from typing import Any

import anyio.to_thread
import jwt

from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings

try:  # mcp >= 2
    from mcp.server.mcpserver import Context, MCPServer as _Server

    SDK_CLASS = "mcp.server.mcpserver.MCPServer"
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import Context, FastMCP as _Server  # type: ignore[no-redef]

    SDK_CLASS = "mcp.server.fastmcp.FastMCP"

log = logging.getLogger("fastmcp-peer")

JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


def discover(issuer: str) -> dict[str, Any]:
    """OpenID Connect Discovery: <issuer>/.well-known/openid-configuration."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"accept": "application/json"}), timeout=10) as r:
        meta = json.load(r)
    if meta.get("issuer") != issuer:
        raise SystemExit(f"discovery: issuer mismatch: metadata says {meta.get('issuer')!r}, expected {issuer!r}")
    if not meta.get("jwks_uri"):
        raise SystemExit(f"discovery: {url} has no jwks_uri")
    return meta


class JwtTokenVerifier(TokenVerifier):
    """Validate JWT access tokens locally against the issuer's JWKS."""

    def __init__(self, issuer: str, jwks_uri: str, audience: str):
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwt.PyJWKClient(jwks_uri, cache_keys=True, lifespan=300, timeout=10)

    def _verify(self, token: str) -> AccessToken:
        key = self.jwks.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=JWT_ALGORITHMS,
            audience=self.audience,
            issuer=self.issuer,
            leeway=30,
            options={"require": ["exp", "iss", "aud"]},
        )
        scope = claims.get("scope") or claims.get("scp") or ""
        scopes = scope.split() if isinstance(scope, str) else list(scope)
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or "unknown"),
            scopes=scopes,
            expires_at=claims.get("exp"),
            resource=self.audience,  # jwt.decode checked aud contains it
            subject=claims.get("sub"),
            claims=claims,
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            # PyJWKClient does blocking I/O (urllib); keep it off the event loop.
            return await anyio.to_thread.run_sync(self._verify, token)
        except Exception as e:  # noqa: BLE001 - any failure means "not a valid token"
            log.info("token rejected: %s: %s", type(e).__name__, e)
            return None


def build_app(issuer: str, resource: str, scopes: list[str]):
    meta = discover(issuer)
    log.info("issuer %s, jwks_uri %s", issuer, meta["jwks_uri"])

    # AuthSettings.issuer_url is a pydantic AnyHttpUrl, which accepts http://. The SDK's
    # only HTTPS check (routes.validate_issuer_url: https, or http on localhost/127.0.0.1/
    # [::1]) guards its built-in authorization *server* routes, not a resource server.
    # URLs are passed as *strings*: AuthSettings then keeps a path-less issuer as is
    # (url_preserve_empty_path), whereas a pre-built AnyHttpUrl("http://h:p") has already
    # become "http://h:p/" and the PRM would advertise that trailing slash.
    server = _Server(
        name="mcp-auth python SDK peer",
        instructions="Test peer: an OAuth-protected MCP server (official MCP Python SDK).",
        token_verifier=JwtTokenVerifier(issuer, meta["jwks_uri"], audience=resource),
        auth=AuthSettings(
            issuer_url=issuer,
            resource_server_url=resource,
            required_scopes=scopes or None,
            # The verifier checks `aud` itself; this also keeps mcp 2.x from warning.
            **({"validate_token_resource": False} if "validate_token_resource" in AuthSettings.model_fields else {}),
        ),
    )

    @server.tool()
    async def whoami(ctx: Context) -> dict[str, Any]:
        """Return the identity carried by the access token of this request."""
        from mcp.server.auth.middleware.auth_context import get_access_token

        tok = get_access_token()
        if tok is None:  # e.g. tool runs in a session task without the request's contextvars
            req = getattr(ctx.request_context, "request", None)
            user = req.scope.get("user") if req is not None else None
            tok = getattr(user, "access_token", None)
        if tok is None:
            return {"authenticated": False}
        claims = tok.claims or {}
        return {
            "authenticated": True,
            "sub": tok.subject or claims.get("sub"),
            "client_id": tok.client_id,
            "scopes": tok.scopes,
            "iss": claims.get("iss"),
            "aud": claims.get("aud"),
            "exp": tok.expires_at,
        }

    kwargs: dict[str, Any] = {}
    if SDK_CLASS.endswith("MCPServer"):
        kwargs = {"streamable_http_path": "/mcp", "host": "127.0.0.1"}
    else:  # v1: path/host live in server.settings
        server.settings.streamable_http_path = "/mcp"
        server.settings.host = "127.0.0.1"
    return server.streamable_http_app(**kwargs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--issuer", required=True, help="authorization server issuer URL")
    p.add_argument("--scopes", default="mcp:tools", help='space/comma separated required scopes ("" for none)')
    args = p.parse_args(argv)
    common.setup_logging("fastmcp-peer")

    scopes = [s for s in args.scopes.replace(",", " ").split() if s]
    sock, port = common.bind_loopback()
    resource = f"http://127.0.0.1:{port}/mcp"
    log.info("%s on %s (issuer %s, required scopes %s)", SDK_CLASS, resource, args.issuer, scopes)
    app = build_app(args.issuer, resource, scopes)
    return common.serve(app, sock, {"url": resource, "resource": resource, "port": port})


if __name__ == "__main__":
    sys.exit(main())
