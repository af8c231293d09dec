#!/bin/sh
# Fails if Sources/IPP/Registry/*.generated.swift is not what tools/gen-registry.py
# produces from the IANA XML (i.e. someone edited the output or forgot to regenerate).
# Usage: tools/check-registry.sh [--xml PATH]      (run from anywhere)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-registry.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 "$repo/tools/gen-registry.py" --quiet --out "$tmp" "$@"

status=0
for f in "$tmp"/*.generated.swift; do
    name=$(basename "$f")
    if ! diff -u "$repo/Sources/IPP/Registry/$name" "$f" >"$tmp/diff" 2>&1; then
        echo "check-registry: Sources/IPP/Registry/$name is stale or edited by hand:" >&2
        head -40 "$tmp/diff" >&2
        status=1
    fi
done
for f in "$repo"/Sources/IPP/Registry/*.generated.swift; do
    [ -e "$tmp/$(basename "$f")" ] || { echo "check-registry: $f is not produced by the generator" >&2; status=1; }
done
if [ "$status" -ne 0 ]; then
    echo "check-registry: run 'python3 tools/gen-registry.py' and commit the result" >&2
else
    echo "check-registry: generated registry is up to date"
fi
exit "$status"
