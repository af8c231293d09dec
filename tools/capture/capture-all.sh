#!/bin/bash
# capture-all.sh - re-capture fixtures/ipp/ from real IPP peers, from scratch.
#
#   tools/capture/capture-all.sh            # writes fixtures/ipp/
#   OUT=/tmp/x KEEP_WORK=1 tools/capture/capture-all.sh
#
# What it does (every server binds 127.0.0.1 / ::1 only):
#   1. makes a temporary work folder with tiny generated documents
#      (a text line, a one-page PDF and a JPEG and a PWG raster page drawn by
#      Ghostscript from PostScript written here);
#   2. starts dbus (only if no system bus is running) and avahi-daemon
#      restricted to "lo" (only if none is running), three ippeveprinter
#      instances, a private cupsd, and ipp-record-proxy.py in front of two of
#      the printers and of cupsd;
#   3. runs ipptool (tests/*.test), lpadmin, lp, lpstat, cancel, cupsenable,
#      cupsdisable, cupsaccept, cupsreject, lpmove, lpoptions and lpinfo
#      through the proxy, and lets cupsd and its ipp backend talk to the
#      printer through the proxy too;
#   4. stops everything it started (by PID) and runs collect-fixtures.py,
#      which picks and numbers the messages and writes OUT/README.md.
#
# Needs: cups, cups-client, cups-ipp-utils, avahi-daemon, ghostscript,
# python3, and root (cupsd runs filters and backends as user lp).
# Re-running gives slightly different bytes (times, ids, request-ids).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$REPO/fixtures/ipp}
BASE_PORT=${BASE_PORT:-18600}
KEEP_WORK=${KEEP_WORK:-0}
TESTS=$HERE/tests

P_EVE1=$((BASE_PORT + 1))   # ippeveprinter "Fixture Printer" (ipptool target)
P_PX1=$((BASE_PORT + 2))    # proxy -> P_EVE1
P_EVE2=$((BASE_PORT + 3))   # ippeveprinter "Fixture Duplex" (behind CUPS)
P_PX2=$((BASE_PORT + 4))    # proxy -> P_EVE2
P_EVE3=$((BASE_PORT + 5))   # ippeveprinter "Fixture Fast" (bulk CUPS queue)
P_CUPSD=$((BASE_PORT + 10)) # private cupsd
P_PXC=$((BASE_PORT + 11))   # proxy -> P_CUPSD

W=$(mktemp -d /tmp/ippcapture.XXXXXX)
chmod 755 "$W"              # cupsd's filters run as lp and must reach it
mkdir -p "$W/docs" "$W/logs" "$W/raw"
PIDS=()
DBUS_PID=""

log() { printf '[capture] %s\n' "$*" >&2; }

# stop_all: stop what this script started, newest first, by PID only.
stop_all() {
    local i pid
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid=${PIDS[$i]}
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.3
        done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    PIDS=()
    if [ -n "$DBUS_PID" ]; then
        # our bus is gone; remove its pid file and socket if still there
        if [ "$(cat /run/dbus/pid 2>/dev/null)" = "$DBUS_PID" ]; then
            rm -f /run/dbus/pid /run/dbus/system_bus_socket
        fi
        DBUS_PID=""
    fi
}

cleanup() {
    stop_all
    if [ "$KEEP_WORK" = 1 ]; then
        log "work folder kept: $W"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() {
    python3 -c 'import socket,sys
s=socket.socket()
try: s.bind(("127.0.0.1",int(sys.argv[1])))
except OSError: sys.exit(1)' "$1"
}

wait_port() {
    local i
    for i in $(seq 1 100); do
        python3 -c 'import socket,sys
s=socket.socket(); s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1",int(sys.argv[1])))==0 else 1)' "$1" && return 0
        sleep 0.1
    done
    log "port $1 did not open"
    exit 1
}

# start NAME CMD... : run CMD in the background, remember its PID.
start() {
    local name=$1
    shift
    "$@" >"$W/logs/$name.log" 2>&1 &
    PIDS+=($!)
}

# label ROUTE LABEL : who the proxy says produced the next requests on ROUTE
# (eve1, eve2 or cupsd).  "-" means: forward without recording.
label() { echo "$2" >"$W/label-$1.tmp" && mv -f "$W/label-$1.tmp" "$W/label-$1"; }

# run CMD... : note the command for the fixture table, run it, log it.
run() {
    local a note=""
    for a in "$@"; do
        case $a in
            *[[:space:]]* | "") note+=" \"$a\"" ;;
            *) note+=" $a" ;;
        esac
    done
    note=${note# }
    note=${note//$TESTS\//tests\/}        # tools/capture/tests/X.test -> tests/X.test
    note=${note//$W/\$WORK}                # the temporary work folder
    echo "$note" >"$W/note.tmp" && mv -f "$W/note.tmp" "$W/note"
    echo "\$ $*" >>"$W/logs/commands.log"
    "$@" >>"$W/logs/commands.log" 2>&1
    echo "rc=$?" >>"$W/logs/commands.log"
}

# quiet CMD... : run a helper command that is not recorded.
quiet() { "$@" >>"$W/logs/helpers.log" 2>&1; }

# direct CUPS client calls (not through the proxy) for waiting/inspection
cupsd_direct() { CUPS_SERVER=127.0.0.1:$P_CUPSD "$@"; }

# wait_queue DEST : wait until DEST has printed what it can (held jobs stay):
# its state must read "idle" twice in a row (max ~60 s)
wait_queue() {
    local i idle=0
    for i in $(seq 1 120); do
        if cupsd_direct lpstat -p "$1" 2>/dev/null | grep -q "is idle"; then
            idle=$((idle + 1))
            [ $idle -ge 2 ] && return 0
        else
            idle=0
        fi
        sleep 0.5
    done
    log "queue $1 still busy"
}

for p in $P_EVE1 $P_PX1 $P_EVE2 $P_PX2 $P_EVE3 $P_CUPSD $P_PXC; do
    port_free "$p" || { log "port $p is in use (set BASE_PORT)"; exit 1; }
done

# ---------------------------------------------------------------------------
# Documents: tiny, generated here.
# ---------------------------------------------------------------------------
D=$W/docs
printf 'Hello fixture\n' >"$D/hello.txt"
cat >"$D/page.ps" <<'EOF'
%!PS
<< /PageSize [612 792] >> setpagedevice
newpath 72 72 moveto 540 72 lineto 540 720 lineto 72 720 lineto closepath
4 setlinewidth stroke
0.5 setgray newpath 306 396 100 0 360 arc fill
showpage
EOF
GS="gs -q -dNOPAUSE -dBATCH -dSAFER"
$GS -sDEVICE=pdfwrite -o "$D/page.pdf" "$D/page.ps" >>"$W/logs/gs.log" 2>&1
$GS -sDEVICE=jpeg -r10 -g40x40 -o "$D/tiny.jpg" \
    -c '0.2 0.6 0.9 setrgbcolor 0 0 100 100 rectfill showpage' >>"$W/logs/gs.log" 2>&1
$GS -sDEVICE=pwgraster -r72 -g144x144 -dcupsColorSpace=19 -dcupsBitsPerColor=8 \
    -o "$D/page.pwg" -c '0 0 1 setrgbcolor 20 20 100 100 rectfill showpage' \
    >>"$W/logs/gs.log" 2>&1
for f in hello.txt page.pdf tiny.jpg page.pwg; do
    [ -s "$D/$f" ] || { log "could not make $f"; exit 1; }
done

# ---------------------------------------------------------------------------
# D-Bus and Avahi (loopback only), only if not already running.
# ---------------------------------------------------------------------------
if ! python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect("/run/dbus/system_bus_socket")' 2>/dev/null; then
    mkdir -p /run/dbus
    # A pid file left by a dead bus would stop dbus-daemon from starting.
    if [ -f /run/dbus/pid ] && ! kill -0 "$(cat /run/dbus/pid)" 2>/dev/null; then
        rm -f /run/dbus/pid /run/dbus/system_bus_socket
    fi
    start dbus dbus-daemon --system --nofork
    DBUS_PID=${PIDS[-1]}
    for _ in $(seq 1 50); do
        [ -S /run/dbus/system_bus_socket ] && break
        sleep 0.1
    done
    log "started dbus-daemon ($DBUS_PID)"
fi
if ! avahi-daemon --check 2>/dev/null; then
    cat >"$W/avahi-lo.conf" <<'EOF'
[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
EOF
    start avahi avahi-daemon --no-drop-root -f "$W/avahi-lo.conf"
    for _ in $(seq 1 50); do avahi-daemon --check 2>/dev/null && break; sleep 0.1; done
    log "started avahi-daemon (${PIDS[-1]})"
fi

# ---------------------------------------------------------------------------
# Printers, scheduler, proxy.
# ---------------------------------------------------------------------------
FORMATS=application/pdf,image/pwg-raster,image/jpeg,text/plain
mkdir -p "$W/eve1" "$W/eve2" "$W/eve3"
# -n localhost makes ippeveprinter bind to the loopback addresses only.
start eve1 ippeveprinter -n localhost -p $P_EVE1 -d "$W/eve1" -k -c /bin/true \
    -f $FORMATS "Fixture Printer"
start eve2 ippeveprinter -n localhost -p $P_EVE2 -d "$W/eve2" -k -2 \
    -f application/pdf,image/pwg-raster,image/jpeg "Fixture Duplex"
start eve3 ippeveprinter -n localhost -p $P_EVE3 -d "$W/eve3" -k -c /bin/true \
    -f $FORMATS "Fixture Fast"

C=$W/cupsd
mkdir -p "$C"/{spool,cache,state,log,tmp,ppd}
chmod 755 "$C"
chmod 1777 "$C/tmp"
chgrp lp "$C/spool" && chmod 0710 "$C/spool"
cat >"$C/cupsd.conf" <<EOF
LogLevel debug
Listen 127.0.0.1:$P_CUPSD
Browsing No
WebInterface No
DefaultAuthType None
PreserveJobHistory Yes
PreserveJobFiles Yes
MaxJobs 500
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
cat >"$C/cups-files.conf" <<EOF
ServerRoot $C
RequestRoot $C/spool
CacheDir $C/cache
StateDir $C/state
TempDir $C/tmp
ErrorLog $C/log/error_log
AccessLog $C/log/access_log
PageLog $C/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
EOF
start cupsd cupsd -f -c "$C/cupsd.conf" -s "$C/cups-files.conf"

for r in eve1 eve2 cupsd; do label $r -; done
: >"$W/note"
start proxy python3 "$HERE/ipp-record-proxy.py" -q -o "$W/raw" \
    --note-file "$W/note" \
    --route "$P_PX1:$P_EVE1:ippeveprinter:$W/label-eve1" \
    --route "$P_PX2:$P_EVE2:ippeveprinter:$W/label-eve2" \
    --route "$P_PXC:$P_CUPSD:cupsd:$W/label-cupsd"

for p in $P_EVE1 $P_EVE2 $P_EVE3 $P_CUPSD $P_PX1 $P_PX2 $P_PXC; do wait_port "$p"; done
sleep 1

URI1=ipp://127.0.0.1:$P_PX1/ipp/print
URIC=ipp://127.0.0.1:$P_PXC
export CUPS_SERVER=127.0.0.1:$P_PXC

# ---------------------------------------------------------------------------
# 1. ipptool <-> ippeveprinter
# ---------------------------------------------------------------------------
log "phase 1: ipptool against ippeveprinter"
label eve1 ipptool
run ipptool -I -t "$URI1" "$TESTS/eve-printer.test"
run ipptool -I -t -d docdir="$D" "$URI1" "$TESTS/eve-jobs.test"
label eve1 -
for i in 1 2 3 4 5; do
    quiet ipptool -d docdir="$D" "$URI1" "$TESTS/bulk-print.test"
done
label eve1 ipptool
run ipptool -I -t "$URI1" "$TESTS/eve-get-jobs.test"
label eve1 -

# ---------------------------------------------------------------------------
# 2. CUPS as a client of ippeveprinter (driverless queue through the proxy)
# ---------------------------------------------------------------------------
log "phase 2: cupsd and its ipp backend against ippeveprinter"
label cupsd lpadmin
label eve2 cupsd        # cupsd itself queries the printer to make the PPD
run lpadmin -p eve -E -v "ipp://127.0.0.1:$P_PX2/ipp/print" -m everywhere \
    -D "Fixture Duplex via proxy" -L "loopback"
label eve2 -
run lpadmin -p fast -E -v "ipp://127.0.0.1:$P_EVE3/ipp/print" -m everywhere \
    -D "Fast fixture printer" -L "loopback"
run lpadmin -d fast
run lpadmin -p rawq -E -v "ipp://127.0.0.1:$P_EVE3/ipp/print" -D "Raw queue (no PPD)"
run lpadmin -p fast -c fixclass
run lpadmin -p fast -o printer-error-policy=retry-current-job -o job-quota-period=0 \
    -u allow:all
run lpadmin -p fast -o media-default=iso_a4_210x297mm
run lpadmin -p fast -R media-default     # sends a delete-attribute value
label cupsd cupsenable
run cupsenable fixclass
label cupsd cupsaccept
run cupsaccept fixclass

label cupsd lp
label eve2 cups-ipp-backend
run lp -d eve -t "fixture via cups" "$D/page.pdf"
wait_queue eve
run lp -d eve -t "duplex jpeg" -o sides=two-sided-long-edge -o media=iso_a4_210x297mm \
    -o print-quality=5 "$D/tiny.jpg"
wait_queue eve
run lp -d eve -t "to be canceled while printing" "$D/page.pwg"
sleep 3
label cupsd cancel
run cancel -a eve
wait_queue eve
sleep 2
label eve2 -

# A batch of jobs for the Get-Jobs answers, made before any subscription
# exists so the Get-Notifications answers stay small.  Not recorded.
label cupsd -
for i in 1 2 3 4 5 6 7 8; do
    quiet lp -d fast -t "batch job $i" "$D/hello.txt"
done
for i in 1 2 3; do
    quiet lp -d fast -H indefinite -t "batch held $i" "$D/tiny.jpg"
done
quiet lp -d rawq -t "raw batch" "$D/hello.txt"
wait_queue fast
wait_queue rawq

# ---------------------------------------------------------------------------
# 3. ipptool <-> cupsd: scheduler queries, then subscriptions
# ---------------------------------------------------------------------------
log "phase 3: ipptool against cupsd"
label cupsd ipptool
run ipptool -I -t "$URIC/" "$TESTS/cupsd-server.test"
echo "ipptool -I -t -d docdir=\$WORK/docs $URIC/printers/fast tests/cupsd-subscribe.test" >"$W/note.tmp"
mv -f "$W/note.tmp" "$W/note"
ipptool -I -t -d docdir="$D" "$URIC/printers/fast" "$TESTS/cupsd-subscribe.test" \
    >"$W/logs/subscribe.log" 2>&1
cat "$W/logs/subscribe.log" >>"$W/logs/commands.log"
ids=($(sed -n 's/.*\(notify-subscription-id\|job-id\) (integer) = \([0-9]*\).*/\2/p' \
    "$W/logs/subscribe.log"))
PSUB=${ids[0]:-1}; SSUB=${ids[1]:-2}; HJOB=${ids[2]:-1}; JSUB=${ids[3]:-3}
log "subscriptions: printer $PSUB, server $SSUB, job $JSUB (job $HJOB)"

# ---------------------------------------------------------------------------
# 4. CUPS command-line clients <-> cupsd (these also make the events)
# ---------------------------------------------------------------------------
log "phase 4: CUPS clients against cupsd"
label cupsd lp
run lp -i "$HJOB" -H resume
run lp -d fast -t "printed with lp" "$D/hello.txt"
run lp -d fast -n 2 -o number-up=2 -o job-priority=90 -o page-ranges=1 \
    -t "lp with options" "$D/page.pdf"
run lp -d fast -H hold -t "held by lp" "$D/hello.txt"
run lp -d fast -H hold -t "moved by lpmove" "$D/hello.txt"
label cupsd lpmove
moved=$(cupsd_direct lpstat -o fast | awk '{print $1}' | sort -t- -k2 -n | tail -1)
run lpmove "$moved" rawq
label cupsd cancel
run cancel "${moved##*-}"
label cupsd cupsdisable
run cupsdisable -r "paused for fixtures" fast
label cupsd cupsenable
run cupsenable fast
label cupsd cupsreject
run cupsreject -r "closed for fixtures" rawq
label cupsd lpadmin
run lpadmin -p tempq -E -v "ipp://127.0.0.1:$P_EVE3/ipp/print" -D "Temporary queue"
run lpadmin -x tempq
label cupsd lpstat
run lpstat -r
run lpstat -d
run lpstat -p -o
run lpstat -v
run lpstat -a
run lpstat -c
run lpstat -l -p fast
run lpstat -W completed -o
run lpstat -W all -u root -o fast
label cupsd lpoptions
run lpoptions -p fast -l
label cupsd lpinfo
run lpinfo --make-and-model "Generic PostScript" -m
label cupsd -
sleep 2

# ---------------------------------------------------------------------------
# 5. ipptool <-> cupsd: notifications, then jobs
# ---------------------------------------------------------------------------
log "phase 5: notifications and jobs on cupsd"
label cupsd ipptool
run ipptool -I -t -d psub="$PSUB" -d ssub="$SSUB" -d jsub="$JSUB" \
    "$URIC/printers/fast" "$TESTS/cupsd-notify.test"
run ipptool -I -t -d docdir="$D" "$URIC/printers/fast" "$TESTS/cupsd-jobs.test"
wait_queue fast
label cupsd cancel
run cancel -a fast
label cupsd cupsaccept
run cupsaccept rawq
label cupsd -
sleep 1

# ---------------------------------------------------------------------------
# Stop everything, then select and number the messages.
# ---------------------------------------------------------------------------
log "stopping peers"
stop_all
{
    echo "- ippeveprinter \`--version\`: $(ippeveprinter --version 2>&1 | head -1)"
    echo "- ipptool \`--version\`: $(ipptool --version 2>&1 | head -1)"
    echo "- cupsd \`Server:\` header: $(awk -F'\t' '$4 == "cupsd" && $16 != "" {print $16; exit}' "$W/raw/index.tsv")"
    echo "- ippeveprinter \`Server:\` header: $(awk -F'\t' '$4 == "ippeveprinter" && $16 != "" {print $16; exit}' "$W/raw/index.tsv")"
    echo "- CUPS clients \`User-Agent:\`: $(awk -F'\t' '$3 == "request" {print $16; exit}' "$W/raw/index.tsv")"
    echo "- Debian packages:"
    for pkg in cups-daemon cups-client cups-ipp-utils libcups2 cups-filters avahi-daemon ghostscript; do
        echo "  $pkg $(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null || echo '?');"
    done
    echo "- $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -m)"
} >"$W/versions.md"
python3 "$HERE/collect-fixtures.py" "$W/raw" "$OUT" "$HERE/fixtures-README.md.in" \
    "$W/versions.md" || exit 1
log "fixtures written to $OUT"
