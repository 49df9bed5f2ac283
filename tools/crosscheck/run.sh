#!/usr/bin/env bash
# Cross-check the emulator with the official SDKs (cos-python-sdk-v5 and cloudflare).
#
#   tools/crosscheck/run.sh              # from anywhere; CI calls it from .ci/run
#
# Creates (or reuses) a venv at ${CROSSCHECK_VENV:-/tmp/bucket-admin-crosscheck-venv},
# installs the pinned SDKs from PyPI, builds the emulator and runs crosscheck.py against it.
# Needs Python 3 (3.8+, CI uses 3.11) with the venv module, pip access to PyPI, and Rust.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
venv="${CROSSCHECK_VENV:-/tmp/bucket-admin-crosscheck-venv}"

if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "== crosscheck: creating venv $venv"
    rm -rf "$venv"
    if ! "$python" -m venv "$venv"; then
        echo "error: '$python -m venv' failed; install the Python venv module (e.g. python3-venv)" >&2
        exit 1
    fi
else
    echo "== crosscheck: reusing venv $venv"
fi

echo "== crosscheck: installing the pinned SDKs"
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r tools/sdk/requirements.txt \
    -r tools/sdk/r2/requirements.txt

echo "== crosscheck: building the emulator"
cargo build -q -p bucket-admin-emulator

# Where cargo put it (honours CARGO_TARGET_DIR and .cargo/config target-dir).
target_dir="$(cargo metadata --format-version 1 --no-deps \
    | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/debug/bucket-admin-emulator"

echo "== crosscheck: running the official SDKs against $bin"
exec "$venv/bin/python" "$here/crosscheck.py" "$bin"
