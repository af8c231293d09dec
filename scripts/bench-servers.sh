#!/usr/bin/env bash
# Get-Printer-Attributes throughput of ippgate, ippeveprinter and cupsd, side by side,
# with `ippgate bench load` (8 clients, 4 requested attributes). Starts every peer on
# 127.0.0.1 itself and stops what it started. Needs root for cupsd's layout (as in CI).
# Usage: scripts/bench-servers.sh [RUNS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; seconds=${2:-5}
swift build -c release 2>&1 | grep -E "error|Build complete" >&2
B=$PWD/.build/release/ippgate
W=$(mktemp -d /tmp/ippgate-bench.XXXXXX); chmod 755 "$W"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ipp() { for _ in $(seq 100); do ipptool -q "$1" get-printer-attributes.test 2>/dev/null && return 0; sleep 0.1; done; echo "bench: $1 did not come up" >&2; exit 1; }

. scripts/lib/avahi.sh
ensure_avahi "$W"

GP=$(port); "$B" serve --listen 127.0.0.1:$GP --state "$W/gw" --log-level warning 2>"$W/gw.log" & pids+=($!)
EP=$(port); mkdir -p "$W/eve"; ippeveprinter -n localhost -p $EP -d "$W/eve" -c /bin/true -f application/pdf,image/pwg-raster,image/jpeg "Bench" >"$W/eve.log" 2>&1 & pids+=($!)
CP=$(port); D="$W/cups"; mkdir -p $D/{spool,cache,state,log,tmp}; chmod 1777 $D/tmp; chgrp lp $D/spool; chmod 0710 $D/spool
cat > $D/cupsd.conf <<CONF
Listen 127.0.0.1:$CP
Browsing No
WebInterface No
LogLevel warn
MaxClients 300
<Location />
Order allow,deny
Allow all
</Location>
<Policy default>
<Limit All>
Order deny,allow
</Limit>
</Policy>
CONF
cat > $D/cups-files.conf <<CONF
ServerRoot $D
RequestRoot $D/spool
CacheDir $D/cache
StateDir $D/state
TempDir $D/tmp
ErrorLog $D/log/error_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
CONF
cupsd -f -c $D/cupsd.conf -s $D/cups-files.conf & pids+=($!)
wait_ipp ipp://127.0.0.1:$GP/ipp/print/default
wait_ipp ipp://127.0.0.1:$EP/ipp/print
for _ in $(seq 100); do lpstat -h 127.0.0.1:$CP -r 2>/dev/null | grep -q "is running" && break; sleep 0.1; done
CUPS_SERVER=127.0.0.1:$CP lpadmin -p bench -E -v ipp://127.0.0.1:$EP/ipp/print -m everywhere

measure() { # name uri
    for i in $(seq "$runs"); do
        r=$("$B" bench load "$2" --clients 8 --seconds "$seconds" --json 2>/dev/null)
        echo "$1 $r"
    done
}
{
    measure ippgate ipp://127.0.0.1:$GP/ipp/print/default
    measure ippeveprinter ipp://127.0.0.1:$EP/ipp/print
    measure cupsd ipp://127.0.0.1:$CP/printers/bench
} | tee "$W/results.txt"
python3 - "$W/results.txt" <<'PY'
import json, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    name, js = line.split(" ", 1)
    rows.setdefault(name, []).append(json.loads(js))
med = {n: statistics.median(r["requests_per_s"] for r in v) for n, v in rows.items()}
print()
print(f"{'server':15} {'median req/s':>12} {'runs':>30} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
for n, v in rows.items():
    runs = ", ".join(f"{r['requests_per_s']:.0f}" for r in v)
    print(f"{n:15} {med[n]:12.0f} {runs:>30} {statistics.median(r['p50_ms'] for r in v):8.3f} {statistics.median(r['p99_ms'] for r in v):8.3f} {sum(r['errors'] for r in v):6d}")
print()
print(f"ippgate / ippeveprinter = {med['ippgate']/med['ippeveprinter']:.2f}x   (goal >= 1.25x)")
print(f"ippgate / cupsd         = {med['ippgate']/med['cupsd']:.2f}x   (goal >= 4x)")
PY
