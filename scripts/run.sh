#!/usr/bin/env bash
# One command from a fresh Debian 12 machine with Swift: installs what is missing,
# builds ippgate in release mode and runs it with the given arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release 2>&1 | grep -E "error|warning: |Compiling|Build complete" >&2 || true
test -x .build/release/ippgate || { echo "run: build failed" >&2; exit 1; }
if [ $# -eq 0 ]; then
    # No arguments: the gateway on 127.0.0.1:8631, with a printer named "default"
    # whose target is a folder in the state directory.
    set -- serve
fi
exec .build/release/ippgate "$@"
