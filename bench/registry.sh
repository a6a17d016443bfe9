#!/usr/bin/env bash
# The matrix --registry benchmark: 10,000 synthetic MCP servers on loopback.
#
#   bash bench/registry.sh                      # measure: D = 50 and 0 ms, 4 shards; writes
#                                               # bench/results/registry-latest.md and .json
#   bash bench/registry.sh --check              # CI: 1000 servers, D = 20 ms, invariants only
#   bash bench/registry.sh --servers N [--server-timeout S] [--timeout S] [--delays 50,0]
#                          [--shards 4] [--extra "--max-requests 256"]
#
# Builds target/release/mcp-auth (unless MCP_AUTH_BIN names one) and
# target/release/registry-peer (bench/replay-peer), then
# runs bench/registry.mjs (node only). Every peer listens on 127.0.0.0/8; nothing else is
# contacted.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"

# MCP_AUTH_BIN: an mcp-auth already built with optimisations (.ci/run passes the one its
# release step built with the dist profile), so that only the peer is built here.
bin="${MCP_AUTH_BIN:-}"
if [ -z "$bin" ]; then
  printf '[registry-bench] cargo build --release (mcp-auth)\n' >&2
  cargo build --release --locked --quiet
  bin="$target/release/mcp-auth"
fi
[ -x "$bin" ] || { echo "registry-bench: no mcp-auth binary at $bin" >&2; exit 1; }
printf '[registry-bench] cargo build --release (registry-peer)\n' >&2
cargo build --release --locked --quiet --manifest-path bench/replay-peer/Cargo.toml --target-dir "$target"

# 10,000 listeners in the peer, as many connections in the client: both raise their own
# soft limit, the shell's is raised too for anything they start.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec node bench/registry.mjs --bin "$bin" --peer "$target/release/registry-peer" "$@"
