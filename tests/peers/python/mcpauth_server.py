#!/usr/bin/env python3
"""Test peer: an MCP server protected by Logto's MCP Auth (PyPI `mcpauth`),
acting as an OAuth 2.0 protected resource (RFC 9728) that trusts one issuer.

Usage: python mcpauth_server.py --issuer URL [--scopes "mcp:tools"]

mcpauth's documented resource-server pattern (mcpauth >= 0.2; its
samples/current/todo-manager): `fetch_server_config(issuer, AuthServerType.OIDC)` at
startup (GET <issuer>/.well-known/openid-configuration), `MCPAuth(protected_resources=
ResourceServerConfig(metadata=ResourceServerMetadata(resource=..., authorization_servers=
[...], scopes_supported=[...])))`, `resource_metadata_router()` for the PRM and
`bearer_auth_middleware("jwt", resource=..., audience=..., required_scopes=...)` on a
Starlette `Mount("/")` around the official SDK's MCP app (no SDK auth; Streamable HTTP at
/mcp, stateless as in mcpauth's sample, one tool `whoami`).

Stdout: exactly one line once listening,
{"url":"http://127.0.0.1:PORT/mcp","resource":"http://127.0.0.1:PORT/mcp","port":PORT}.
Logs go to stderr. Exits on stdin EOF, SIGTERM/SIGINT/SIGHUP, or parent death.
"""

from __future__ import annotations

import _peer_common as common  # first: redirects fd 1 to stderr

import argparse
import contextlib
import logging
import sys
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from mcpauth import MCPAuth
from mcpauth.config import AuthServerType
from mcpauth.types import ResourceServerConfig, ResourceServerMetadata
from mcpauth.utils import fetch_server_config

try:  # mcp >= 2
    from mcp.server.mcpserver import MCPServer as _Server

    SDK_CLASS = "mcp.server.mcpserver.MCPServer"
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _Server  # type: ignore[no-redef]

    SDK_CLASS = "mcp.server.fastmcp.FastMCP"

log = logging.getLogger("mcpauth-peer")


def build_app(issuer: str, resource: str, scopes: list[str]) -> Starlette:
    # OIDC discovery: <issuer>/.well-known/openid-configuration (path-appended), which
    # is what node-oidc-provider serves under --path /oidc.
    auth_server_config = fetch_server_config(issuer, AuthServerType.OIDC)
    log.info("issuer %s, jwks_uri %s", auth_server_config.metadata.issuer, auth_server_config.metadata.jwks_uri)

    mcp_auth = MCPAuth(
        protected_resources=ResourceServerConfig(
            metadata=ResourceServerMetadata(
                resource=resource,
                authorization_servers=[auth_server_config],
                scopes_supported=scopes or None,
            )
        )
    )

    server = _Server(
        name="mcp-auth python mcpauth peer",
        instructions="Test peer: an OAuth-protected MCP server (MCP Python SDK + Logto mcpauth).",
    )

    @server.tool()
    def whoami() -> dict[str, Any]:
        """Return the identity carried by the access token of this request."""
        info = mcp_auth.auth_info
        if info is None:
            return {"authenticated": False}
        return {
            "authenticated": True,
            "sub": info.subject,
            "client_id": info.client_id,
            "scopes": info.scopes,
            "iss": info.issuer,
            "aud": info.audience,
            "exp": (info.claims or {}).get("exp"),
        }

    if SDK_CLASS.endswith("MCPServer"):
        mcp_app = server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, host="127.0.0.1")
    else:
        server.settings.streamable_http_path = "/mcp"
        server.settings.stateless_http = True
        mcp_app = server.streamable_http_app()

    bearer_auth = Middleware(
        mcp_auth.bearer_auth_middleware(
            "jwt",
            resource=resource,
            audience=resource,
            required_scopes=scopes or None,
        )
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        # A mounted sub-app's lifespan is not run by Starlette: start the SDK's
        # session manager here (as mcpauth's sample does).
        async with server.session_manager.run():
            yield

    return Starlette(
        routes=[
            *mcp_auth.resource_metadata_router().routes,
            Mount("/", app=mcp_app, middleware=[bearer_auth]),
        ],
        lifespan=lifespan,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--issuer", required=True, help="authorization server issuer URL")
    p.add_argument("--scopes", default="mcp:tools", help='space/comma separated required scopes ("" for none)')
    args = p.parse_args(argv)
    common.setup_logging("mcpauth-peer")

    scopes = [s for s in args.scopes.replace(",", " ").split() if s]
    sock, port = common.bind_loopback()
    resource = f"http://127.0.0.1:{port}/mcp"
    log.info("mcpauth + %s on %s (issuer %s, required scopes %s)", SDK_CLASS, resource, args.issuer, scopes)
    app = build_app(args.issuer, resource, scopes)
    return common.serve(app, sock, {"url": resource, "resource": resource, "port": port})


if __name__ == "__main__":
    sys.exit(main())
