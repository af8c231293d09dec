#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine with Swift:
# installs the Debian packages it needs, builds, and runs every test.
# Peers that tests need are started and stopped by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - start ))s)"; }

step "setup"
scripts/setup.sh

step "registry is up to date with ../shared/iana"
tools/check-registry.sh

# One optimised build serves the tests and the binary: the fixture-wide tests (every
# prefix, every chunk size) are quadratic and want optimised code. -enable-testing lets
# tests use @testable imports; benchmarks use a plain `swift build -c release`.
step "build (release, with tests)"
swift build -c release -Xswiftc -enable-testing --build-tests 2>&1 | grep -E "error|warning: |Build complete" || true

step "swift test"
log=$(mktemp)
set +e
swift test -c release -Xswiftc -enable-testing --skip-build 2>&1 | tee "$log" | grep -E "✘|Test run with|Executed .* tests"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -ne 0 ] || grep -q "✘" "$log"; then
    echo "FAILED (exit $rc): full log in $log" >&2
    exit 1
fi

step "libFuzzer target builds and runs (15 s smoke run)"
Fuzz/run.sh -max_total_time=15 2>&1 | tail -1

step "passed in $(( $(date +%s) - start ))s"
