#!/usr/bin/env bash
# Installs the Debian packages ippgate needs to build and test, skipping those already present.
# Sourced by scripts/run.sh and scripts/test.sh; safe to run on its own.
set -euo pipefail

packages=(libcups2-dev libavahi-client-dev libsqlite3-dev zlib1g-dev cups cups-client cups-ipp-utils
          avahi-daemon avahi-utils ghostscript sqlite3)
command -v python3 >/dev/null 2>&1 || packages+=(python3)

missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null 2>&1 || { echo "setup: swift is not on PATH (install Swift 6 first)" >&2; exit 1; }
