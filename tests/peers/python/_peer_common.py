"""Shared plumbing for the Python MCP test peers (fastmcp_server.py, mcpauth_server.py).

- stdout hygiene: fd 1 is redirected to stderr at import time; only `announce()`
  writes (exactly one JSON line) to the original stdout.
- race-free ephemeral port: `bind_loopback()` binds + listens on 127.0.0.1:0 and
  the very same socket is handed to uvicorn (`serve(..., sock)`).
- lifetime: exit when stdin reaches EOF, on SIGTERM/SIGINT/SIGHUP, and when the
  parent process goes away (getppid() changes; polled every 0.5 s).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

# --- stdout hygiene -----------------------------------------------------------
# Keep a private handle on the real stdout, then point fd 1 (and sys.stdout) at
# stderr so that no library print / log handler can corrupt the contract line.
_real_stdout = os.fdopen(os.dup(1), "w", encoding="utf-8", closefd=True)
os.dup2(2, 1)
sys.stdout = sys.stderr

# Everything we talk to is on loopback: never route it through a proxy.
for _var in ("NO_PROXY", "no_proxy"):
    _cur = os.environ.get(_var, "")
    os.environ[_var] = ",".join(x for x in (_cur, "127.0.0.1,localhost,::1") if x)

log = logging.getLogger("mcp-peer")


def setup_logging(name: str) -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"[{name}] %(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def bind_loopback() -> tuple[socket.socket, int]:
    """Bind and listen on 127.0.0.1:0; the socket itself is given to uvicorn."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock, sock.getsockname()[1]


def announce(payload: dict[str, Any]) -> None:
    _real_stdout.write(json.dumps(payload, separators=(",", ":")) + "\n")
    _real_stdout.flush()


def _uvicorn_log_config() -> dict[str, Any]:
    import uvicorn.config

    cfg = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    for handler in cfg["handlers"].values():
        handler["stream"] = "ext://sys.stderr"  # access log defaults to stdout
    return cfg


def serve(app: Any, sock: socket.socket, ready_line: dict[str, Any]) -> int:
    """Run `app` on the pre-bound `sock`; print `ready_line` once listening."""
    import uvicorn

    config = uvicorn.Config(
        app,
        log_config=_uvicorn_log_config(),
        log_level="info",
        lifespan="on",
        timeout_graceful_shutdown=2,
        proxy_headers=False,
        server_header=True,
        date_header=True,
    )
    server = uvicorn.Server(config)
    loop_holder: dict[str, asyncio.AbstractEventLoop] = {}
    stop_reason: list[str] = []

    def request_exit(reason: str) -> None:
        if stop_reason:
            return
        stop_reason.append(reason)
        log.info("shutting down (%s)", reason)
        server.should_exit = True
        # Hard stop if graceful shutdown hangs (open SSE streams etc.).
        t = threading.Timer(5.0, lambda: os._exit(0))
        t.daemon = True
        t.start()

    def from_thread(reason: str) -> None:
        loop = loop_holder.get("loop")
        if loop is None:
            os._exit(0)
        loop.call_soon_threadsafe(request_exit, reason)

    def stdin_watch() -> None:
        try:
            while os.read(0, 65536):
                pass  # discard anything written to us
        except OSError:  # any error == stdin gone
            pass
        from_thread("stdin EOF")

    def parent_watch() -> None:
        ppid = os.getppid()
        ev = threading.Event()
        while not ev.wait(0.5):
            if os.getppid() != ppid:
                from_thread("parent exited")
                return

    # SIGHUP: treat like SIGTERM (uvicorn itself handles SIGINT/SIGTERM).
    signal.signal(signal.SIGHUP, lambda *_: from_thread("SIGHUP"))

    async def main() -> None:
        loop_holder["loop"] = asyncio.get_running_loop()
        threading.Thread(target=stdin_watch, name="stdin-watch", daemon=True).start()
        threading.Thread(target=parent_watch, name="parent-watch", daemon=True).start()

        async def announce_when_started() -> None:
            while not server.started:
                if server.should_exit:
                    return
                await asyncio.sleep(0.01)
            announce(ready_line)

        waiter = asyncio.create_task(announce_when_started())
        try:
            await server.serve(sockets=[sock])
        finally:
            waiter.cancel()

    asyncio.run(main())
    if not server.started:
        log.error("server failed to start")
        return 1
    return 0
