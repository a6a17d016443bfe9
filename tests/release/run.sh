#!/usr/bin/env bash
# Release smoke test (issue 16), run by .ci/run: what of the release workflow
# can run on this machine (one Rust toolchain, the host target only).
#
# 1. The release workflow YAML and the dist config parse, and the config
#    agrees with Cargo.toml (targets, installers, checksums, binstall
#    metadata); with dist installed (DIST, default target/tools/bin/dist),
#    `dist plan` must accept the config and the generated release.yml.
# 2. The host target's release archive, in the layout the workflow
#    publishes: mcp-auth-<target>.tar.xz holding mcp-auth-<target>/ with the
#    binary, README.md, CHANGELOG.md, LICENSE-MIT, LICENSE-APACHE, the man
#    page (when `mcp-auth man` exists) and completions/, and
#    mcp-auth-<target>.tar.xz.sha256 ("<hex> *<name>", as dist writes it).
#    With dist, the archive and the shell installer are dist's own
#    (`dist build --target <host>`); without it, assembled here the same way.
# 3. Served from a loopback HTTP server, installed into an empty HOME by the
#    shell installer (MCP_AUTH_DOWNLOAD_URL points it at the server) and by
#    the GitHub Action's installer (.github/action/install.sh,
#    MCP_AUTH_RELEASE_URL); the installed binary runs a first
#    `check --from-evidence` on a committed fixture. A corrupted archive must
#    be refused by both.
# Prints the seconds from the installer's start to the end of that first check.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

fail() { echo "release test: $*" >&2; exit 1; }
host=$(rustc -vV | sed -n 's/^host: //p')
version=$(cargo metadata --no-deps --format-version 1 --locked \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "mcp-auth"))')
name="mcp-auth-$host"
out="$root/target/release-test"
rm -rf "$out"
mkdir -p "$out/serve" "$out/stage/$name"
DIST=${DIST:-$root/target/tools/bin/dist}
[ -x "$DIST" ] || DIST=""

echo "== release config (version $version, host $host)"
python3 tests/release/check_config.py
if [ -n "$DIST" ]; then
  "$DIST" --version
  # Fails when release.yml is not what this dist generates from the config.
  "$DIST" plan --output-format=json > "$out/plan.json"
  python3 tests/release/check_config.py --plan "$out/plan.json"
else
  echo "dist not installed ($root/target/tools/bin/dist): dist plan skipped"
fi

echo "== the man page and completions (the workflow's build setup steps)"
cargo build --locked --quiet --bin mcp-auth
extra="$root/target/distrib-extra"
rm -rf "$extra" && mkdir -p "$extra/completions"
if target/debug/mcp-auth man > "$extra/mcp-auth.1" 2>/dev/null; then
  echo "man page: $(wc -l < "$extra/mcp-auth.1") lines"
else
  rm -f "$extra/mcp-auth.1"
  echo "no man page: \`mcp-auth man\` does not exist yet (the workflow's build setup needs it)"
fi
target/debug/mcp-auth completions bash > "$extra/completions/mcp-auth.bash"
target/debug/mcp-auth completions zsh > "$extra/completions/_mcp-auth"
target/debug/mcp-auth completions fish > "$extra/completions/mcp-auth.fish"
target/debug/mcp-auth completions powershell > "$extra/completions/_mcp-auth.ps1"
target/debug/mcp-auth completions elvish > "$extra/completions/mcp-auth.elv"

echo "== the $host archive"
build_start=$(date +%s)
installer=""
if [ -n "$DIST" ]; then
  # dist builds only the configured targets, and the host's (glibc) is not one
  # of them: build from a copy of the committed tree whose config adds it, so
  # the checkout is never changed (the build directory is shared).
  src="$out/src"
  mkdir -p "$src"
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$src"
  git -C "$src" init -q && git -C "$src" add -A && git -C "$src" -c user.name=t -c user.email=t@t commit -qm copy
  sed -i "s/^targets = \[/targets = [\"$host\", /" "$src/dist-workspace.toml"
  # Without `mcp-auth man` (yet), the archive goes without the man page.
  [ -f "$extra/mcp-auth.1" ] || sed -i 's|"target/distrib-extra/mcp-auth.1", ||' "$src/dist-workspace.toml"
  rm -rf "$src/target" && ln -s "$root/target" "$src/target"
  (cd "$src" && CARGO_TARGET_DIR="$root/target" "$DIST" build --artifacts=all --allow-dirty \
    --target "$host" --output-format=json > "$out/build.json")
  cp "target/distrib/$name.tar.xz" "target/distrib/$name.tar.xz.sha256" "$out/serve/"
  installer="target/distrib/mcp-auth-installer.sh"
  [ -f "$installer" ] || fail "dist build made no shell installer"
  cp "$installer" "$out/serve/"
  installer="$out/serve/mcp-auth-installer.sh"
else
  cargo build --locked --quiet --profile dist --bin mcp-auth
  stage="$out/stage/$name"
  cp target/dist/mcp-auth README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$stage/"
  [ -f "$extra/mcp-auth.1" ] && cp "$extra/mcp-auth.1" "$stage/"
  cp -r "$extra/completions" "$stage/"
  tar -C "$out/stage" -cJf "$out/serve/$name.tar.xz" "$name"
  (cd "$out/serve" && sha256sum -b "$name.tar.xz" > "$name.tar.xz.sha256")
fi
echo "built in $(( $(date +%s) - build_start )) s"

echo "== archive layout"
tar -tJf "$out/serve/$name.tar.xz" | sort > "$out/listing"
cat "$out/listing"
for f in mcp-auth README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE \
  completions/mcp-auth.bash completions/_mcp-auth completions/mcp-auth.fish; do
  grep -qx "$name/$f" "$out/listing" || fail "the archive has no $name/$f"
done
if [ -f "$extra/mcp-auth.1" ]; then
  grep -qx "$name/mcp-auth.1" "$out/listing" || fail "the archive has no man page"
fi
grep -Eq "^[0-9a-f]{64} \*$name.tar.xz$" "$out/serve/$name.tar.xz.sha256" \
  || fail "$name.tar.xz.sha256 is not '<hex> *<name>': $(cat "$out/serve/$name.tar.xz.sha256")"
(cd "$out/serve" && sha256sum -c "$name.tar.xz.sha256")

# A loopback server for the release directory (python's http.server, port 0).
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$out/serve" > "$out/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$out/http.log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the loopback server did not start: $(cat "$out/http.log")"
base="http://127.0.0.1:$port"
fixture="$root/tests/fixtures/evidence/ts-sdk-mcp.json"

first_check() { # BIN: the first check a new user runs, from a committed recording
  "$1" check --from-evidence "$fixture" > "$2/first-check.txt"
  [ -s "$2/first-check.txt" ] || fail "the first check printed nothing"
}

if [ -n "$installer" ]; then
  echo "== dist's shell installer from $base, into an empty HOME"
  home="$out/home-installer"
  mkdir -p "$home"
  start=$(date +%s.%N)
  env -i PATH=/usr/bin:/bin HOME="$home" MCP_AUTH_DOWNLOAD_URL="$base" \
    MCP_AUTH_INSTALL_DIR="$home/.local" MCP_AUTH_NO_MODIFY_PATH=1 \
    sh "$installer" > "$out/installer.log" 2>&1 || { cat "$out/installer.log"; fail "the shell installer failed"; }
  bin="$home/.local/bin/mcp-auth"
  [ -x "$bin" ] || { cat "$out/installer.log"; fail "the installer put no $bin"; }
  "$bin" --version | grep -Fx "mcp-auth $version" || fail "the installed binary is not $version"
  first_check "$bin" "$home"
  end=$(date +%s.%N)
  cat "$out/installer.log"
  tail -n 3 "$home/first-check.txt"
  awk -v s="$start" -v e="$end" 'BEGIN { printf "release installer: %.2f s from its start to the end of the first check\n", e - s }'
fi

echo "== the GitHub Action's installer (.github/action/install.sh) from $base"
home="$out/home-action"
mkdir -p "$home"
start=$(date +%s.%N)
env -i PATH=/usr/bin:/bin HOME="$home" ACTION_PATH="$root" DEST="$home/mcp-auth" \
  MCP_AUTH_RELEASE_URL="$base" MCP_AUTH_TARGET="$host" RUNNER_OS=Linux RUNNER_ARCH=X64 \
  bash .github/action/install.sh
first_check "$home/mcp-auth/bin/mcp-auth" "$home"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "action installer: %.2f s from its start to the end of the first check\n", e - s }'

echo "== a corrupted archive is refused"
cp "$out/serve/$name.tar.xz" "$out/good.tar.xz"
printf 'x' >> "$out/serve/$name.tar.xz"
home="$out/home-corrupt"
mkdir -p "$home"
if env -i PATH=/usr/bin:/bin HOME="$home" ACTION_PATH="$root" DEST="$home/mcp-auth" \
  MCP_AUTH_RELEASE_URL="$base" MCP_AUTH_TARGET="$host" bash .github/action/install.sh > "$out/corrupt.log" 2>&1; then
  fail "the action installed a corrupted archive"
fi
grep -q "checksum mismatch" "$out/corrupt.log" || { cat "$out/corrupt.log"; fail "the action did not name the checksum"; }
[ ! -e "$home/mcp-auth/bin/mcp-auth" ] || fail "a binary was installed from a corrupted archive"
echo "action: refused ($(grep -o 'checksum mismatch[^(]*' "$out/corrupt.log"))"
if [ -n "$installer" ]; then
  if env -i PATH=/usr/bin:/bin HOME="$home" MCP_AUTH_DOWNLOAD_URL="$base" \
    MCP_AUTH_INSTALL_DIR="$home/.local" MCP_AUTH_NO_MODIFY_PATH=1 sh "$installer" > "$out/corrupt-installer.log" 2>&1; then
    fail "the shell installer installed a corrupted archive"
  fi
  grep -q "checksum mismatch" "$out/corrupt-installer.log" || { cat "$out/corrupt-installer.log"; fail "the shell installer did not name the checksum"; }
  echo "shell installer: refused"
fi
mv "$out/good.tar.xz" "$out/serve/$name.tar.xz"
echo "release test: ok"
