#!/usr/bin/env bash
# Builds the libFuzzer target for the IPP codec and runs it on a copy of the fixtures.
# Usage: Fuzz/run.sh [libFuzzer options…]   e.g. Fuzz/run.sh -max_total_time=600 -jobs=2
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/fuzz
mkdir -p "$out/corpus"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name IPPFuzz \
    $(find Sources/IPP -name '*.swift' | sort) Fuzz/FuzzDecode.swift -o "$out/fuzz-ipp"
cp -n fixtures/ipp/*.ipp "$out/corpus/" 2>/dev/null || true
exec "$out/fuzz-ipp" "$out/corpus" -max_len=65536 -artifact_prefix="$out/" "$@"
