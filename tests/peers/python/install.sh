#!/usr/bin/env bash
# Create tests/peers/python/.venv (if missing) and install the pinned requirements.
# Idempotent and quiet; fails loudly. Needs python3 (3.10+; tested with 3.11) and PyPI.
# Override the interpreter with PYTHON=/path/to/python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

die() { echo "install.sh: error: $*" >&2; exit 1; }

command -v "$python" >/dev/null 2>&1 || die "$python not found"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "$python is $("$python" -V 2>&1); need Python >= 3.10"

if [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "could not create venv at $venv"
fi

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r "$here/requirements.txt" || die "pip install -r $here/requirements.txt failed"
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null \
  || { "$venv/bin/python" -m pip check >&2; die "pip check failed"; }
"$venv/bin/python" -c 'import mcp.server.mcpserver, mcpauth, uvicorn, jwt' \
  || die "venv at $venv cannot import the peer dependencies"
