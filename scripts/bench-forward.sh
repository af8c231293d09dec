#!/usr/bin/env bash
# Burst through the gateway: N Print-Jobs (8 clients in parallel) to an ippgate printer
# backed by one fast ippeveprinter (-c /bin/true); reports how long until every document
# is at the printer, counted from the first submission.
# Usage: scripts/bench-forward.sh [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-100}
swift build -c release 2>&1 | grep -E "error|Build complete" >&2
B=$PWD/.build/release/ippgate
W=$(mktemp -d /tmp/ippgate-fwd.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
. scripts/lib/avahi.sh
ensure_avahi "$W"
EP=$(port); mkdir -p "$W/eve"
ippeveprinter -n localhost -p $EP -d "$W/eve" -k -c /bin/true -f application/pdf,image/pwg-raster,image/jpeg "Fast" >"$W/eve.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do ipptool -q ipp://127.0.0.1:$EP/ipp/print get-printer-attributes.test 2>/dev/null && break; sleep 0.1; done
GP=$(port)
"$B" printers add fast --target ipp://127.0.0.1:$EP/ipp/print --state "$W/gw" >/dev/null
"$B" serve --listen 127.0.0.1:$GP --state "$W/gw" --log-level warning 2>"$W/gw.log" & pids+=($!)
for _ in $(seq 100); do ipptool -q ipp://127.0.0.1:$GP/ipp/print/fast get-printer-attributes.test 2>/dev/null && break; sleep 0.1; done
gs -q -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -sOutputFile="$W/doc.pdf" -c "/Helvetica findfont 20 scalefont setfont 72 700 moveto (burst) show showpage"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
per=$(( (jobs + 7) / 8 ))
clients=()
start=$(ms)
for c in $(seq 8); do
    n=$(( c * per <= jobs ? per : jobs - (c - 1) * per )); [ "$n" -gt 0 ] || continue
    (cd "$W" && for _ in $(seq "$n"); do ipptool -q -f doc.pdf ipp://127.0.0.1:$GP/ipp/print/fast print-job.test; done) & clients+=($!)
done
wait "${clients[@]}"
submitted=$(ms)
arrived() { ls "$W/eve" | grep -c '\.pdf$' || true; }
while [ "$(arrived)" -lt "$jobs" ]; do
    sleep 0.05
    [ $(( $(ms) - start )) -lt 120000 ] || { echo "timeout: $(arrived) of $jobs at the printer" >&2; exit 1; }
done
done_at=$(ms)
echo "jobs $jobs: all accepted by ippgate after $(( submitted - start )) ms, all at the printer after $(( done_at - start )) ms"
