#!/usr/bin/env bash
# One command for the whole benchmark: build, install, measure, write the report.
#
#   bash bench/run.sh [--update-doc] [--quick] [--runs N] [--warmup N] [--delays 50,200]
#
# Writes bench/results/latest.md (the tables), bench/results/latest.json and the raw
# data (hyperfine --export-json files, -v traces, peer logs) in bench/results/raw/<stamp>/.
# --update-doc also copies latest.md into BENCHMARKS.md (between its bench:results markers).
# Only loopback traffic: every peer listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[bench] %s\n' "$*" >&2; }

need_apt() {
  # need_apt <command-or-path> <debian package>
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then
    log "installing $2 (apt)"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2" >/dev/null
  fi
}

need_apt hyperfine hyperfine
need_apt /usr/bin/time time
need_apt node nodejs
need_apt npm npm

log "cargo build --release (mcp-auth and bench/replay-peer)"
cargo build --release
cargo build --release --manifest-path bench/replay-peer/Cargo.toml --target-dir target

log "npm ci --prefix tests/peers"
npm ci --prefix tests/peers --no-audit --no-fund --loglevel=error
log "npm ci --prefix bench"
npm ci --prefix bench --no-audit --no-fund --loglevel=error

log "measuring (a few minutes)"
exec node bench/harness.mjs "$@"
