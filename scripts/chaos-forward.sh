#!/usr/bin/env bash
# Delivery under failure: JOBS Print-Jobs (4 clients, half with Content-Length, half
# chunked) of distinct SIZE-byte text documents go to an ippgate printer whose device is an
# ippeveprinter that "prints" each job for 0.25 s, while the printer is SIGKILLed and
# restarted every 1.3 s (12 times) and ippgate is SIGKILLed and restarted twice.
# Each printer start gets its own spool folder, and its log says which jobs it finished,
# so the count is of prints *completed at the printer*, per document.
# Usage: scripts/chaos-forward.sh [JOBS] [SIZE]      (defaults 40 and 3000000)
# Prints, per document, how many times it was printed; exit 1 if one was never printed.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-40}
size=${2:-3000000}
swift build -c release 2>&1 | grep -E "error|Build complete" >&2
B=$PWD/.build/release/ippgate
W=$(mktemp -d /tmp/ippgate-chaos.XXXXXX)
eve_pid=""; gw_pid=""
cleanup() {
    for p in $eve_pid $gw_pid; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${KEEP:-}" ] && echo "kept $W" >&2 || rm -rf "$W"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
. scripts/lib/avahi.sh
ensure_avahi "$W"
EP=$(port); GP=$(port)
printf '#!/bin/sh\nsleep 0.25\n' > "$W/print.sh"; chmod +x "$W/print.sh"
start_eve() {
    local d="$W/eve/$(date +%s%N)"; mkdir -p "$d"
    ippeveprinter -n localhost -p "$EP" -d "$d" -k -c "$W/print.sh" -f application/pdf,text/plain Chaos \
        >>"$W/eve.log" 2>&1 </dev/null & eve_pid=$!
}
start_gw() { "$B" serve --state "$W/gw" --listen 127.0.0.1:"$GP" >>"$W/gw.log" 2>&1 </dev/null & gw_pid=$!; }
start_eve
for _ in $(seq 100); do ipptool -q ipp://127.0.0.1:$EP/ipp/print get-printer-attributes.test 2>/dev/null && break; sleep 0.1; done
"$B" printers add c --target ipp://127.0.0.1:$EP/ipp/print --state "$W/gw" >/dev/null
start_gw
for _ in $(seq 100); do ipptool -q ipp://127.0.0.1:$GP/ipp/print/c get-printer-attributes.test 2>/dev/null && break; sleep 0.1; done

mkdir -p "$W/docs"
for i in $(seq "$jobs"); do { printf 'chaos document %05d\n' "$i"; head -c "$size" /dev/zero | tr '\0' x; } > "$W/docs/$i.txt"; done
cat > "$W/print-job.test" <<'EOF'
{ NAME "Print-Job" OPERATION Print-Job
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name chaos
  ATTR mimeMediaType document-format text/plain
  FILE $filename
  STATUS successful-ok }
EOF
# A client whose Print-Job does not get successful-ok (ippgate was down) sends it again.
submit() {
    local length=""; [ $(( $1 % 2 )) = 0 ] && length="-L"
    for i in $(seq "$1" 4 "$jobs"); do
        for _ in $(seq 20); do
            ipptool $length -T 10 -f "$W/docs/$i.txt" ipp://127.0.0.1:$GP/ipp/print/c "$W/print-job.test" >/dev/null 2>&1 \
                && { echo "$i" >> "$W/accepted"; break; }
            sleep 0.3
        done
    done
}
clients=()
for c in 1 2 3 4; do submit "$c" & clients+=($!); done
for round in $(seq 12); do
    sleep 1.3
    kill -9 "$eve_pid"; wait "$eve_pid" 2>/dev/null; sleep 0.4; start_eve
    if [ "$round" = 3 ] || [ "$round" = 6 ]; then kill -9 "$gw_pid"; wait "$gw_pid" 2>/dev/null; sleep 0.3; start_gw; fi
done
wait "${clients[@]}"
for _ in $(seq 120); do
    open=$(ipptool -t ipp://127.0.0.1:$GP/ipp/print/c get-jobs.test 2>/dev/null | grep -c "job-id")
    [ "$open" = 0 ] && break
    sleep 1
done
echo "accepted $(sort -u "$W/accepted" | wc -l) of $jobs; jobs still open at ippgate: $open"
echo "printer restarts 12, ippgate restarts 2; the device lost a job $(grep -c 'the printer lost job' "$W/gw.log") times"
python3 - "$W" "$jobs" <<'EOF'
import collections, os, re, sys
w, n = sys.argv[1], int(sys.argv[2])
document = {open(f"{w}/docs/{i}.txt", "rb").read(): i for i in range(1, n + 1)}
running, printed = {}, collections.Counter()
# One printer runs at a time, so its log lines come in order: a job's "Running command"
# names its file; "completed successfully" means it printed.
for line in open(f"{w}/eve.log", errors="replace"):
    if m := re.match(r'\[Job (\d+)\] Running command "\S+ (\S+)"', line):
        running[m[1]] = m[2]
    elif (m := re.match(r"\[Job (\d+)\] Command .* completed successfully", line)) and m[1] in running:
        with open(running.pop(m[1]), "rb") as f:
            printed[document.get(f.read(), 0)] += 1  # 0: not one of the documents, whole
never = sorted(set(range(1, n + 1)) - set(printed))
twice = sorted(d for d, c in printed.items() if c > 1 and d)
print(f"printed once: {sum(1 for d, c in printed.items() if c == 1 and d)}, twice: {twice or 'none'}, "
      f"never: {never or 'none'}, cut short: {printed[0]}")
sys.exit(1 if never else 0)
EOF
