# Sourced by the bench scripts: starts the system bus and avahi-daemon on loopback only
# (ippeveprinter refuses to start without avahi), unless avahi already runs.
# Usage: ensure_avahi WORKDIR
ensure_avahi() {
    avahi-daemon --check 2>/dev/null && return 0
    # A socket or pid file left by a dead bus makes the bus look alive or refuse to start.
    if ! { [ -f /run/dbus/pid ] && kill -0 "$(cat /run/dbus/pid)" 2>/dev/null; }; then
        rm -f /run/dbus/pid /run/dbus/system_bus_socket
        mkdir -p /run/dbus
        dbus-daemon --system --fork
    fi
    printf '[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=lo\n[wide-area]\nenable-wide-area=no\n[publish]\npublish-hinfo=no\npublish-workstation=no\n' > "$1/avahi.conf"
    avahi-daemon --daemonize --no-drop-root -f "$1/avahi.conf"
    for _ in $(seq 50); do avahi-daemon --check 2>/dev/null && return 0; sleep 0.1; done
    echo "avahi-daemon did not start" >&2
    return 1
}
