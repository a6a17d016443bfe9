#!/usr/bin/env bash
# Install mcp-auth for the GitHub Action (action.yml): the release archive for
# this runner's OS and architecture, verified against its published SHA-256,
# else (no such release, e.g. the action pinned to a branch or a commit)
# built from the action's own source. A checksum that does not match stops
# the job: that is never retried from source.
#
# Inputs (environment):
#   VERSION      the release to download, e.g. 0.1.0; empty: the version in
#                the action's Cargo.toml (the release its tag names);
#                "source": always build from source
#   ACTION_PATH  the action's checkout (github.action_path)
#   DEST         where to install; the binary ends up in $DEST/bin
#   RUNNER_OS, RUNNER_ARCH  set by GitHub (Linux|macOS|Windows, X64|ARM64)
#   MCP_AUTH_RELEASE_URL  the directory holding the archives; default
#                https://github.com/<repository>/releases/download/v<version>
#                (a loopback URL in tests/release/run.sh)
#   MCP_AUTH_TARGET       the target triple to download (default: from the runner)
#   REPOSITORY   owner/name of the releases (default mcp-auth/mcp-auth)
set -euo pipefail

: "${ACTION_PATH:?}" "${DEST:?}"
repository=${REPOSITORY:-mcp-auth/mcp-auth}
version=${VERSION:-}
if [ -z "$version" ]; then
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ACTION_PATH/Cargo.toml" | head -n 1)
fi
bin_dir="$DEST/bin"
mkdir -p "$bin_dir"

from_source() {
  echo "mcp-auth: building from source ($1)"
  cargo install --locked --path "$ACTION_PATH" --root "$DEST"
}

if [ "$version" = "source" ]; then
  from_source "version: source"
  exit 0
fi

target=${MCP_AUTH_TARGET:-}
if [ -z "$target" ]; then
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
    *) from_source "no release archive for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"; exit 0 ;;
  esac
fi
case "$target" in
  *windows*) archive="mcp-auth-$target.zip" exe=mcp-auth.exe ;;
  *) archive="mcp-auth-$target.tar.xz" exe=mcp-auth ;;
esac
base=${MCP_AUTH_RELEASE_URL:-https://github.com/$repository/releases/download/v$version}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { curl --fail --silent --show-error --location --retry 3 --max-time 120 -o "$2" "$1"; }
if ! fetch "$base/$archive" "$work/$archive" || ! fetch "$base/$archive.sha256" "$work/$archive.sha256"; then
  from_source "no release archive at $base/$archive"
  exit 0
fi

# The .sha256 file is `<hex> *<name>` (sha256sum's binary mode), as dist writes it.
want=$(awk '{ print $1; exit }' "$work/$archive.sha256")
if command -v sha256sum >/dev/null 2>&1; then
  got=$(sha256sum "$work/$archive" | awk '{ print $1 }')
else
  got=$(shasum -a 256 "$work/$archive" | awk '{ print $1 }')
fi
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  echo "::error::mcp-auth: checksum mismatch for $archive (published ${want:-none}, downloaded $got)" >&2
  exit 1
fi
echo "mcp-auth: $archive verified (sha256 $got)"

case "$archive" in
  *.zip) unzip -q -o "$work/$archive" -d "$work/x" && src="$work/x/$exe" ;;
  *) mkdir -p "$work/x" && tar -xJf "$work/$archive" -C "$work/x" && src="$work/x/mcp-auth-$target/$exe" ;;
esac
install -m 0755 "$src" "$bin_dir/$exe"
"$bin_dir/$exe" --version
