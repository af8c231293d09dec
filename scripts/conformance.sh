#!/usr/bin/env bash
# Runs CUPS ipptool's IPP conformance suites *fully* against one printer URI.
#
#   scripts/conformance.sh URI [SUITE...]
#
#   URI     e.g. ipp://127.0.0.1:8631/ipp/print
#   SUITE   ipp-1.1 ipp-2.0 ipp-2.1 ipp-2.2 ipp-everywhere
#           (default: ipp-1.1 ipp-2.0 ipp-everywhere)
#
# Out of the box the suites of CUPS 2.4 stop early: ipptool gives up on a test
# file at the first FILE it cannot read, and ipp-everywhere.test names 144 PWG
# raster samples that CUPS does not ship. This script therefore runs them from
# a private copy, in a work folder that also holds every document they name.
# All documents are made here with Ghostscript or printf (never copied from
# anywhere), and cached, so reruns skip that step.
#
# Environment:
#   CONFORMANCE_OUT      folder for the SUITE.txt outputs (default: a new temp folder)
#   CONFORMANCE_FILE     document for the suites' $filename tests (default document-a4.pdf)
#   CONFORMANCE_ARGS     extra ipptool arguments, e.g. "-d NOPRINT=1"
#   CONFORMANCE_IPP_VERSION  "" (default): ipptool's default request version, 1.1,
#                        as in TESTBED.md's reference run; "suite": the version each
#                        suite's usage line names (-V 1.1/2.0/2.1/2.2, everywhere 2.0);
#                        or an explicit 1.1, 2.0, 2.1, 2.2 passed as -V
#   CONFORMANCE_TIMEOUT  wall-clock limit per suite in seconds (default 1200)
#   CONFORMANCE_KEEP     1 = keep the work folder (its path is printed)
#   XDG_CACHE_HOME       the documents are cached in $XDG_CACHE_HOME/ippgate-conformance-docs
#
# Exit status: 0 if no suite has a FAIL and every suite ran to its end,
# 1 if any test failed or a suite stopped early, 2 on a usage/setup error.

# The whole script is one brace group, so bash reads all of it before running
# any: editing this file while a (long) run is in progress cannot break that run.
{
set -euo pipefail

# Bump when the generated documents change, so caches are rebuilt.
DOCS_VERSION="ippgate-conformance-docs-v1"

SUITE_DIR=${IPPTOOL_SUITE_DIR:-/usr/share/cups/ipptool}
ALL_SUITES="ipp-1.1 ipp-2.0 ipp-2.1 ipp-2.2 ipp-everywhere"
DEFAULT_SUITES="ipp-1.1 ipp-2.0 ipp-everywhere"

die() { echo "conformance: $*" >&2; exit 2; }
log() { echo "conformance: $*" >&2; }

usage() {
    sed -n '2,/^# 1 if any test failed/p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
URI=$1; shift
case "$URI" in ipp://*|ipps://*|http://*|https://*) ;; *) die "not a printer URI: $URI" ;; esac
SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || read -r -a SUITES <<<"$DEFAULT_SUITES"
for s in "${SUITES[@]}"; do
    case " $ALL_SUITES " in *" ${s%.test} "*) ;; *) die "unknown suite '$s' (one of: $ALL_SUITES)" ;; esac
done

for tool in ipptool gs; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install cups-ipp-utils ghostscript)"
done
[ -r "$SUITE_DIR/ipp-1.1.test" ] || die "no conformance suites in $SUITE_DIR (apt-get install cups-ipp-utils)"

DEFAULT_FILE=${CONFORMANCE_FILE:-document-a4.pdf}
SUITE_TIMEOUT=${CONFORMANCE_TIMEOUT:-1200}
read -r -a EXTRA_ARGS <<<"${CONFORMANCE_ARGS:-}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ippgate-conformance.XXXXXX")
cleanup() { if [ "${CONFORMANCE_KEEP:-0}" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

if [ -n "${CONFORMANCE_OUT:-}" ]; then
    OUT=$CONFORMANCE_OUT; mkdir -p "$OUT"
else
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/ippgate-conformance-out.XXXXXX")
fi
OUT=$(cd "$OUT" && pwd)

# ---------------------------------------------------------------------------
# 1. Copy the suites, and every file they INCLUDE (recursively).
# ---------------------------------------------------------------------------
copy_test() {   # $1 = file name relative to SUITE_DIR
    local name=$1 inc
    [ -e "$WORK/$name" ] && return 0
    [ -r "$SUITE_DIR/$name" ] || die "suite file $SUITE_DIR/$name not readable"
    mkdir -p "$WORK/$(dirname "$name")"
    cp "$SUITE_DIR/$name" "$WORK/$name"
    # INCLUDE "file" (beside the including file) or INCLUDE <file> (the data folder).
    while IFS= read -r inc; do
        [ -n "$inc" ] || continue
        copy_test "$inc"
    done < <(sed -n -E 's/^[[:space:]]*INCLUDE[[:space:]]+["<]([^">]+)[">].*/\1/p' "$SUITE_DIR/$name")
}
for f in "$SUITE_DIR"/ipp-*.test; do copy_test "$(basename "$f")"; done
for s in "${SUITES[@]}"; do copy_test "${s%.test}.test"; done

# ipp-everywhere.test checks overrides-supported for "document-number", a typo
# for the registered keyword "document-numbers". Correct that one word only.
if [ -f "$WORK/ipp-everywhere.test" ]; then
    sed -i -E '/EXPECT[[:space:]]+overrides-supported/ s/"document-number"/"document-numbers"/' "$WORK/ipp-everywhere.test"
    if grep -q '"document-number"' "$WORK/ipp-everywhere.test"; then
        die "could not correct the document-number typo in ipp-everywhere.test"
    fi
fi

# Every FILE the copied suites name (variables such as $filename excluded).
referenced_files() {
    cat "$WORK"/*.test | sed -n -E 's/^[[:space:]]*FILE[[:space:]]+"?([^"[:space:]]+)"?.*/\1/p' \
        | grep -v '^\$' | sort -u
}

# ---------------------------------------------------------------------------
# 2./3. Generate the documents (cached).
# ---------------------------------------------------------------------------
GS=(gs -q -dSAFER -dBATCH -dNOPAUSE)

# A DSC-conforming PostScript document: ps_doc OUT TITLE MEDIA W H PAGES
ps_doc() {
    local out=$1 title=$2 media=$3 w=$4 h=$5 pages=$6 p
    {
        printf '%%!PS-Adobe-3.0\n'
        printf '%%%%Title: %s\n' "$title"
        printf '%%%%Creator: ippgate scripts/conformance.sh\n'
        printf '%%%%BoundingBox: 0 0 %d %d\n' "$w" "$h"
        printf '%%%%DocumentMedia: %s %d %d 0 () ()\n' "$media" "$w" "$h"
        printf '%%%%DocumentNeededResources: font Helvetica Helvetica-Bold\n'
        printf '%%%%LanguageLevel: 2\n'
        printf '%%%%Pages: %d\n' "$pages"
        printf '%%%%PageOrder: Ascend\n'
        printf '%%%%EndComments\n'
        cat <<'EOF'
%%BeginProlog
/F { exch findfont exch scalefont setfont } bind def
/box { % x y w h r g b -> -
  setrgbcolor 4 2 roll moveto dup 0 exch rlineto exch 0 rlineto neg 0 exch rlineto closepath fill
} bind def
%%EndProlog
EOF
        printf '%%%%BeginSetup\n'
        printf '%%%%BeginFeature: *PageSize %s\n' "$media"
        printf '<< /PageSize [%d %d] >> setpagedevice\n' "$w" "$h"
        printf '%%%%EndFeature\n'
        printf '%%%%EndSetup\n'
        for ((p = 1; p <= pages; p++)); do
            printf '%%%%Page: %d %d\n' "$p" "$p"
            printf '%%%%PageMedia: %s\n' "$media"
            printf 'save\n'
            printf '0 setgray 2 setlinewidth 36 36 %d %d rectstroke\n' $((w - 72)) $((h - 72))
            printf '/Helvetica-Bold 28 F 72 %d moveto (%s) show\n' $((h - 108)) "$title"
            printf '/Helvetica 14 F 72 %d moveto (Page %d of %d, %s %dx%d pt) show\n' $((h - 136)) "$p" "$pages" "$media" "$w" "$h"
            printf '72 %d moveto (ippgate conformance test document. The quick brown fox jumps over the lazy dog.) show\n' $((h - 160))
            printf '72 %d 120 120 1 0 0 box\n' $((h - 320))
            printf '212 %d 120 120 0 0.6 0 box\n' $((h - 320))
            printf '352 %d 120 120 0 0 1 box\n' $((h - 320))
            printf '72 %d 400 40 0 0 0 box\n' $((h - 400))
            printf '/Helvetica 72 F 0.5 setgray 72 144 moveto (%d) show\n' "$p"
            printf 'restore\n'
            printf 'showpage\n'
        done
        printf '%%%%Trailer\n%%%%EOF\n'
    } >"$out"
}

# A picture (no page size of its own) for the raster/JPEG outputs.
picture_ps() {
    cat >"$1" <<'EOF'
%!PS-Adobe-3.0
%%Title: ippgate conformance picture
%%Pages: 1
%%EndComments
%%Page: 1 1
clippath pathbbox /ury exch def /urx exch def pop pop
1 1 0.85 setrgbcolor clippath fill
1 0 0 setrgbcolor 0 0 urx 3 div ury 2 div rectfill
0 0.6 0 setrgbcolor urx 3 div 0 urx 3 div ury 2 div rectfill
0 0 1 setrgbcolor urx 3 div 2 mul 0 urx 3 div ury 2 div rectfill
0 setgray /Helvetica-Bold findfont ury 6 div scalefont setfont
urx 20 div ury 0.65 mul moveto (ippgate) show
0 setgray 2 setlinewidth 1 1 urx 2 sub ury 2 sub rectstroke
showpage
%%EOF
EOF
}

pwg() {   # pwg OUT DPI COLORSPACE BITS [W_IN_POINTS H_IN_POINTS] INPUT
    local out=$1 dpi=$2 cs=$3 bits=$4 w=$5 h=$6 in=$7
    "${GS[@]}" -sDEVICE=pwgraster -r"$dpi" -dDEVICEWIDTHPOINTS="$w" -dDEVICEHEIGHTPOINTS="$h" -dFIXEDMEDIA \
        -dcupsColorSpace="$cs" -dcupsBitsPerColor="$bits" -sOutputFile="$out" "$in" >/dev/null 2>&1
}

generate_docs() {
    local d=$1 tmp="$1/.src"
    mkdir -p "$tmp"

    # PostScript, written directly (DSC), and PDFs made from them by pdfwrite.
    ps_doc "$d/document-a4.ps" "document-a4" A4 595 842 3
    ps_doc "$d/document-letter.ps" "document-letter" Letter 612 792 3
    ps_doc "$d/onepage-a4.ps" "onepage-a4" A4 595 842 1
    ps_doc "$d/onepage-letter.ps" "onepage-letter" Letter 612 792 1
    ps_doc "$d/testfile.ps" "testfile" Letter 612 792 1
    local b
    for b in document-a4 document-letter onepage-a4 onepage-letter testfile; do
        "${GS[@]}" -sDEVICE=pdfwrite -dCompatibilityLevel=1.4 -sOutputFile="$d/$b.pdf" "$d/$b.ps" >/dev/null
    done

    # JPEGs: a 6x4 inch picture at 100 dpi.
    picture_ps "$tmp/picture.ps"
    "${GS[@]}" -sDEVICE=jpeg -dJPEGQ=85 -r100 -g600x400 -sOutputFile="$d/color.jpg" "$tmp/picture.ps" >/dev/null
    "${GS[@]}" -sDEVICE=jpeggray -dJPEGQ=85 -r100 -g600x400 -sOutputFile="$d/gray.jpg" "$tmp/picture.ps" >/dev/null
    "${GS[@]}" -sDEVICE=jpeg -dJPEGQ=85 -r72 -g432x288 -sOutputFile="$d/testfile.jpg" "$tmp/picture.ps" >/dev/null

    # Plain text and PCL 5 (reset, portrait, Courier 12 cpi, text, form feed, reset).
    {
        printf 'ippgate conformance test file\n\n'
        local i
        for ((i = 1; i <= 20; i++)); do printf 'Line %02d: The quick brown fox jumps over the lazy dog.\n' "$i"; done
    } >"$d/testfile.txt"
    {
        printf '\033E\033&l2A\033&l0O\033(0N\033(s0p12h10v0s0b3T'
        printf 'ippgate conformance test file (PCL)\r\n\r\n'
        printf 'The quick brown fox jumps over the lazy dog.\r\n'
        printf '\f\033E'
    } >"$d/testfile.pcl"

    # Full-page PWG raster, 300 dpi, 1-bit black.
    pwg "$d/onepage-a4-300-black-1.pwg" 300 3 1 595 842 "$d/onepage-a4.ps"
    pwg "$d/onepage-letter-300-black-1.pwg" 300 3 1 612 792 "$d/onepage-letter.ps"

    # The PWG raster samples of ipp-everywhere.test: one small (2x2 inch) page
    # per resolution and type, made once and copied to every name that wants it.
    local dpi kind cs bits f dir base
    for dpi in 150 180 300 360 600 720; do
        for kind in black-1 sgray-8 srgb-8 srgb-16 cmyk-8; do
            case $kind in
                black-1) cs=3 bits=1 ;;
                sgray-8) cs=18 bits=8 ;;
                srgb-8) cs=19 bits=8 ;;
                srgb-16) cs=19 bits=16 ;;
                cmyk-8) cs=6 bits=8 ;;
            esac
            pwg "$tmp/$kind-${dpi}dpi.pwg" "$dpi" "$cs" "$bits" 144 144 "$tmp/picture.ps"
        done
    done
    while IFS= read -r f; do
        case $f in
            pwg-raster-samples-*dpi/*/*.pwg)
                dir=${f%/*}; kind=${dir##*/}
                dpi=${f#pwg-raster-samples-}; dpi=${dpi%%dpi/*}
                [ -f "$tmp/$kind-${dpi}dpi.pwg" ] || { log "no sample kind for $f"; return 1; }
                mkdir -p "$d/$dir"
                cp "$tmp/$kind-${dpi}dpi.pwg" "$d/$f"
                ;;
        esac
    done < <(referenced_files)
    rm -rf "$tmp"
}

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/ippgate-conformance-docs"
CACHE="$CACHE_ROOT/$DOCS_VERSION"

cache_complete() {
    local f
    [ -f "$CACHE/.complete" ] || return 1
    while IFS= read -r f; do [ -f "$CACHE/$f" ] || return 1; done < <(referenced_files)
}

if ! cache_complete; then
    log "generating documents into $CACHE ..."
    mkdir -p "$CACHE_ROOT"
    build=$(mktemp -d "$CACHE_ROOT/.build.XXXXXX")
    if ! generate_docs "$build"; then rm -rf "$build"; die "document generation failed"; fi
    touch "$build/.complete"
    [ ! -e "$CACHE" ] || cache_complete || rm -rf "$CACHE"
    # A concurrent run may have won the race; then keep its copy.
    mv -T "$build" "$CACHE" 2>/dev/null || rm -rf "$build"
    cache_complete || die "document cache $CACHE is incomplete after generation"
fi
cp -R "$CACHE"/. "$WORK"/
rm -f "$WORK/.complete"

# CONFORMANCE_FILE may also name a file of your own, outside the work folder.
if [[ $DEFAULT_FILE == */* ]] && [ -f "$DEFAULT_FILE" ]; then
    cp "$DEFAULT_FILE" "$WORK/"
    DEFAULT_FILE=$(basename "$DEFAULT_FILE")
fi

missing=0
while IFS= read -r f; do
    [ -s "$WORK/$f" ] || { log "document missing: $f"; missing=1; }
done < <(referenced_files)
[ $missing = 0 ] || die "documents are missing; delete $CACHE and retry"
[ -s "$WORK/$DEFAULT_FILE" ] || die "CONFORMANCE_FILE $DEFAULT_FILE: no such document (give a generated name or a path)"

# ---------------------------------------------------------------------------
# 4. Run the suites.
# ---------------------------------------------------------------------------

# Number of tests a suite holds: its top-level "{" blocks, INCLUDEs followed.
count_tests() {
    local name=$1 n inc
    n=$(grep -c '^{' "$WORK/$name" || true)
    while IFS= read -r inc; do
        [ -n "$inc" ] || continue
        n=$((n + $(count_tests "$inc")))
    done < <(sed -n -E 's/^[[:space:]]*INCLUDE[[:space:]]+["<]([^">]+)[">].*/\1/p' "$WORK/$name")
    echo "$n"
}

# The -V argument for a suite (none by default: ipptool then sends IPP/1.1).
suite_version_args() {
    local v=${CONFORMANCE_IPP_VERSION:-}
    if [ "$v" = suite ]; then
        case $1 in ipp-1.1) v=1.1 ;; ipp-2.1) v=2.1 ;; ipp-2.2) v=2.2 ;; *) v=2.0 ;; esac
    fi
    [ -z "$v" ] || echo "-V $v"
}

overall=0
summary=()
for s in "${SUITES[@]}"; do
    s=${s%.test}
    txt="$OUT/$s.txt"
    expected=$(count_tests "$s.test")
    read -r -a vargs <<<"$(suite_version_args "$s")"
    log "running $s ($expected tests${vargs[1]:+, -V ${vargs[1]}}) against $URI ..."
    start=$(date +%s)
    set +e
    (cd "$WORK" && timeout -k 10 "$SUITE_TIMEOUT" \
        ipptool -t -I -T 30 ${vargs[@]+"${vargs[@]}"} -f "$DEFAULT_FILE" ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"} "$URI" "$s.test") >"$txt" 2>&1
    rc=$?
    set -e
    secs=$(( $(date +%s) - start ))

    pass=$(grep -cE '\[PASS\][[:space:]]*$' "$txt" || true)
    fail=$(grep -cE '\[FAIL\][[:space:]]*$' "$txt" || true)
    skip=$(grep -cE '\[SKIP\][[:space:]]*$' "$txt" || true)
    ran=$((pass + fail + skip))

    problems=()
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        problems+=("killed after ${SUITE_TIMEOUT}s (CONFORMANCE_TIMEOUT)")
    fi
    # ipptool's own errors (unreadable FILE, unreachable printer, parse
    # errors) are unindented lines starting "ipptool:" - it then stops the
    # file, often with exit status 0. Its "Summary:" line counts only the
    # outermost file's own tests (none at all when that is a single test), so
    # completeness is judged by counting result lines instead.
    err=$(grep -m1 -E '^ipptool: |Unable to (open|access|connect|read)|cannot be read' "$txt" || true)
    [ -z "$err" ] || problems+=("ipptool error: $err")
    if [ "$ran" -lt "$expected" ]; then
        problems+=("stopped early: $ran of $expected tests reported")
    fi
    if [ "$rc" -gt 1 ] && [ "$rc" != 124 ] && [ "$rc" != 137 ]; then
        problems+=("ipptool exited with status $rc")
    fi

    line="$s: PASS $pass FAIL $fail SKIP $skip"
    [ ${#problems[@]} -eq 0 ] || line="$line  INCOMPLETE"
    summary+=("$line")
    echo "$line   (${secs}s, $txt)"
    if [ "$fail" -gt 0 ]; then
        overall=1
        # Each FAIL line, then the first reason ipptool printed under it: its
        # first "EXPECTED:" line, else its first detail line.
        awk '
            function flush() {
                if (name == "") return
                print "    FAIL " name
                more = (nexp > 1) ? sprintf("   (+%d more EXPECTED)", nexp - 1) : ""
                if (reason != "") print "         " reason more
                else if (first != "") print "         " first
                name = ""; reason = ""; first = ""; nexp = 0
            }
            /\[(PASS|FAIL|SKIP)\][[:space:]]*$/ {
                flush()
                if ($0 ~ /\[FAIL\][[:space:]]*$/) {
                    name = $0; sub(/[[:space:]]*\[FAIL\][[:space:]]*$/, "", name); sub(/^[[:space:]]+/, "", name)
                }
                next
            }
            /\[[0-9]+\][[:space:]]*$/ { next }          # REPEAT counters
            /^Summary: / { flush(); next }
            name != "" && /^[[:space:]]+[^[:space:]]/ {
                r = $0; sub(/^[[:space:]]+/, "", r)
                if (r ~ /^EXPECTED:/) { nexp++; if (reason == "") reason = r }
                if (first == "" && r !~ /^RECEIVED:/) first = r
            }
            END { flush() }
        ' "$txt"
    fi
    if [ ${#problems[@]} -gt 0 ]; then
        overall=1
        for p in "${problems[@]}"; do echo "    ERROR $p"; done
    fi
done

echo
echo "== summary against $URI"
for l in "${summary[@]}"; do echo "$l"; done
echo "outputs: $OUT"
exit $overall
}
