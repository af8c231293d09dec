#!/usr/bin/env python3
"""ipp-record-proxy - a transparent TCP proxy that records IPP messages.

Listens on 127.0.0.1:LPORT and forwards every TCP connection to
127.0.0.1:RPORT.  Several such routes can run in one process (--route), all
sharing one sequence counter and one index, so numbering is chronological
across peers.  All bytes are forwarded unchanged, in both directions, as
soon as they arrive.  A copy of each direction is fed to a small HTTP/1.1
parser (Content-Length and chunked bodies, keep-alive with several requests
per connection, pipelining, "Expect: 100-continue" with the interim
"100 Continue" response, read-until-close response bodies, and raw
pass-through after "101 Switching Protocols").

For every POST whose Content-Type is application/ipp, the de-chunked request
body and the matching response body are written to OUTDIR as

    SSSSa-<client-label>-<operation>-request.ipp
    SSSSb-<server-label>-<operation>[-<status>]-response.ipp

SSSS is the sequence number of the request, <operation> comes from bytes 2-3
of the request and <status> from bytes 2-3 of the response (left out when it
is successful-ok).  One line per file is appended to OUTDIR/index.tsv.  If a
body had a Content-Encoding (gzip/deflate) the decoded body is written and
the index says so.

The client label is --client-label, or the first line of the route's client
label file when that file exists and is not empty.  The file is re-read for
every request, so a driver script can relabel traffic between phases
without restarting the proxy.  The label "-" means: forward, do not record.
Likewise the first line of --note-file goes into the index (the driver
script writes the command it is running there).

Only the Python standard library is used.  Bind address is always 127.0.0.1.
"""

import argparse
import collections
import os
import queue
import socket
import sys
import threading
import time
import zlib

# ---------------------------------------------------------------------------
# IPP operation and status names (IANA IPP registry + CUPS vendor operations)
# ---------------------------------------------------------------------------

OPERATIONS = {
    0x0002: "Print-Job", 0x0003: "Print-URI", 0x0004: "Validate-Job",
    0x0005: "Create-Job", 0x0006: "Send-Document", 0x0007: "Send-URI",
    0x0008: "Cancel-Job", 0x0009: "Get-Job-Attributes", 0x000A: "Get-Jobs",
    0x000B: "Get-Printer-Attributes", 0x000C: "Hold-Job",
    0x000D: "Release-Job", 0x000E: "Restart-Job", 0x0010: "Pause-Printer",
    0x0011: "Resume-Printer", 0x0012: "Purge-Jobs",
    0x0013: "Set-Printer-Attributes", 0x0014: "Set-Job-Attributes",
    0x0015: "Get-Printer-Supported-Values",
    0x0016: "Create-Printer-Subscriptions",
    0x0017: "Create-Job-Subscriptions",
    0x0018: "Get-Subscription-Attributes", 0x0019: "Get-Subscriptions",
    0x001A: "Renew-Subscription", 0x001B: "Cancel-Subscription",
    0x001C: "Get-Notifications", 0x001E: "Get-Resource-Attributes",
    0x0020: "Get-Resources", 0x0022: "Enable-Printer",
    0x0023: "Disable-Printer", 0x0024: "Pause-Printer-After-Current-Job",
    0x0025: "Hold-New-Jobs", 0x0026: "Release-Held-New-Jobs",
    0x0027: "Deactivate-Printer", 0x0028: "Activate-Printer",
    0x0029: "Restart-Printer", 0x002A: "Shutdown-Printer",
    0x002B: "Startup-Printer", 0x002C: "Reprocess-Job",
    0x002D: "Cancel-Current-Job", 0x002E: "Suspend-Current-Job",
    0x002F: "Resume-Job", 0x0030: "Promote-Job",
    0x0031: "Schedule-Job-After", 0x0033: "Cancel-Document",
    0x0034: "Get-Document-Attributes", 0x0035: "Get-Documents",
    0x0036: "Delete-Document", 0x0037: "Set-Document-Attributes",
    0x0038: "Cancel-Jobs", 0x0039: "Cancel-My-Jobs", 0x003A: "Resubmit-Job",
    0x003B: "Close-Job", 0x003C: "Identify-Printer",
    0x003D: "Validate-Document", 0x003E: "Add-Document-Images",
    0x003F: "Acknowledge-Document", 0x0040: "Acknowledge-Identify-Printer",
    0x0041: "Acknowledge-Job", 0x0042: "Fetch-Document", 0x0043: "Fetch-Job",
    0x0044: "Get-Output-Device-Attributes", 0x0045: "Update-Active-Jobs",
    0x0046: "Deregister-Output-Device", 0x0047: "Update-Document-Status",
    0x0048: "Update-Job-Status", 0x0049: "Update-Output-Device-Attributes",
    0x004A: "Get-Next-Document-Data", 0x004B: "Allocate-Printer-Resources",
    0x004C: "Create-Printer", 0x004D: "Deallocate-Printer-Resources",
    0x004E: "Delete-Printer", 0x004F: "Get-Printers",
    0x0050: "Shutdown-One-Printer", 0x0051: "Startup-One-Printer",
    0x0052: "Cancel-Resource", 0x0053: "Create-Resource",
    0x0054: "Install-Resource", 0x0055: "Send-Resource-Data",
    0x0056: "Set-Resource-Attributes", 0x0057: "Create-Resource-Subscriptions",
    0x0058: "Create-System-Subscriptions", 0x0059: "Disable-All-Printers",
    0x005A: "Enable-All-Printers", 0x005B: "Get-System-Attributes",
    0x005C: "Get-System-Supported-Values", 0x005D: "Pause-All-Printers",
    0x005E: "Pause-All-Printers-After-Current-Job",
    0x005F: "Register-Output-Device", 0x0060: "Restart-System",
    0x0061: "Resume-All-Printers", 0x0062: "Set-System-Attributes",
    0x0063: "Shutdown-All-Printers", 0x0064: "Startup-All-Printers",
    0x0065: "Get-Printer-Resources", 0x0066: "Get-User-Printer-Attributes",
    0x0067: "Restart-One-Printer",
    # CUPS extensions
    0x4001: "CUPS-Get-Default", 0x4002: "CUPS-Get-Printers",
    0x4003: "CUPS-Add-Modify-Printer", 0x4004: "CUPS-Delete-Printer",
    0x4005: "CUPS-Get-Classes", 0x4006: "CUPS-Add-Modify-Class",
    0x4007: "CUPS-Delete-Class", 0x4008: "CUPS-Accept-Jobs",
    0x4009: "CUPS-Reject-Jobs", 0x400A: "CUPS-Set-Default",
    0x400B: "CUPS-Get-Devices", 0x400C: "CUPS-Get-PPDs",
    0x400D: "CUPS-Move-Job", 0x400E: "CUPS-Authenticate-Job",
    0x400F: "CUPS-Get-PPD", 0x4027: "CUPS-Get-Document",
    0x4028: "CUPS-Create-Local-Printer",
}

STATUSES = {
    0x0000: "successful-ok",
    0x0001: "successful-ok-ignored-or-substituted-attributes",
    0x0002: "successful-ok-conflicting-attributes",
    0x0003: "successful-ok-ignored-subscriptions",
    0x0005: "successful-ok-too-many-events",
    0x0007: "successful-ok-events-complete",
    0x0400: "client-error-bad-request", 0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated",
    0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible", 0x0405: "client-error-timeout",
    0x0406: "client-error-not-found", 0x0407: "client-error-gone",
    0x0408: "client-error-request-entity-too-large",
    0x0409: "client-error-request-value-too-long",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x040C: "client-error-uri-scheme-not-supported",
    0x040D: "client-error-charset-not-supported",
    0x040E: "client-error-conflicting-attributes",
    0x040F: "client-error-compression-not-supported",
    0x0410: "client-error-compression-error",
    0x0411: "client-error-document-format-error",
    0x0412: "client-error-document-access-error",
    0x0413: "client-error-attributes-not-settable",
    0x0414: "client-error-ignored-all-subscriptions",
    0x0415: "client-error-too-many-subscriptions",
    0x0418: "client-error-document-password-error",
    0x0419: "client-error-document-permission-error",
    0x041A: "client-error-document-security-error",
    0x041B: "client-error-document-unprintable-error",
    0x041C: "client-error-account-info-needed",
    0x041D: "client-error-account-closed",
    0x041E: "client-error-account-limit-reached",
    0x041F: "client-error-account-authorization-failed",
    0x0420: "client-error-not-fetchable",
    0x0500: "server-error-internal-error",
    0x0501: "server-error-operation-not-supported",
    0x0502: "server-error-service-unavailable",
    0x0503: "server-error-version-not-supported",
    0x0504: "server-error-device-error",
    0x0505: "server-error-temporary-error",
    0x0506: "server-error-not-accepting-jobs",
    0x0507: "server-error-busy", 0x0508: "server-error-job-canceled",
    0x0509: "server-error-multiple-document-jobs-not-supported",
    0x050A: "server-error-printer-is-deactivated",
    0x050B: "server-error-too-many-jobs",
    0x050C: "server-error-too-many-documents",
}


def op_name(code):
    return OPERATIONS.get(code, "op-0x%04x" % code).lower()


def status_name(code):
    return STATUSES.get(code, "status-0x%04x" % code)


def ipp_header(body):
    """Return (version string, code, request-id) or None if too short."""
    if len(body) < 8:
        return None
    return ("%d.%d" % (body[0], body[1]),
            (body[2] << 8) | body[3],
            int.from_bytes(body[4:8], "big"))


# ---------------------------------------------------------------------------
# Blocking reader that forwards every received chunk before parsing it
# ---------------------------------------------------------------------------

class ConnectionClosed(Exception):
    pass


class TeeReader:
    """Reads from `src`; every chunk received is first sent unchanged to
    `dst`, then kept in a buffer for the HTTP parser.

    If `snapshot` is given it is called for every chunk *before* the chunk is
    forwarded, and its result is remembered for the bytes of that chunk.  The
    parser asks for the snapshot of the chunk that carried the first byte of
    a request (snapshot_here), so a label or note that a driver script
    changes after the exchange is over cannot leak into it, however far the
    parser lags behind the forwarding."""

    def __init__(self, src, dst, name, snapshot=None):
        self.src = src
        self.dst = dst
        self.name = name
        self.buf = bytearray()
        self.eof = False
        self.snapshot = snapshot
        self.received = 0      # bytes received so far
        self.consumed = 0      # bytes handed to the parser so far
        self.marks = collections.deque()  # (end offset of chunk, snapshot)

    def _fill(self):
        if self.eof:
            raise ConnectionClosed()
        try:
            data = self.src.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            try:
                self.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            raise ConnectionClosed()
        if self.snapshot is not None:
            self.received += len(data)
            self.marks.append((self.received, self.snapshot()))
        try:
            self.dst.sendall(data)
        except OSError:
            # Peer gone; keep reading so the parser can finish what it has.
            pass
        self.buf += data

    def _take(self, n):
        data = bytes(self.buf[:n])
        del self.buf[:n]
        self.consumed += len(data)
        return data

    def snapshot_here(self):
        """Snapshot taken when the next unparsed byte arrived (reads one
        chunk if the buffer is empty; ConnectionClosed at end of stream)."""
        if not self.buf:
            self._fill()
        while self.marks and self.marks[0][0] <= self.consumed:
            self.marks.popleft()
        return self.marks[0][1] if self.marks else None

    def readline(self, limit=65536):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                return self._take(i + 1)
            if len(self.buf) > limit:
                raise ValueError("header line too long")
            self._fill()

    def read(self, n):
        while len(self.buf) < n:
            self._fill()
        return self._take(n)

    def read_to_close(self):
        try:
            while True:
                self._fill()
        except ConnectionClosed:
            pass
        return self._take(len(self.buf))

    def drain(self):
        """Forward everything else without parsing (after 101 or errors)."""
        self.snapshot = None
        self.marks.clear()
        self.buf.clear()
        try:
            while True:
                self._fill()
                self.buf.clear()
        except ConnectionClosed:
            pass


def read_headers(r):
    """Read a start line and header fields. Returns (start_line, [(k, v)])
    or None at a clean end of stream."""
    try:
        line = r.readline()
    except ConnectionClosed:
        return None
    # Tolerate stray empty lines between messages (RFC 7230 3.5).
    while line in (b"\r\n", b"\n"):
        line = r.readline()
    start = line.decode("latin-1").rstrip("\r\n")
    fields = []
    while True:
        line = r.readline()
        if line in (b"\r\n", b"\n"):
            break
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and fields:  # obsolete line folding
            k, v = fields[-1]
            fields[-1] = (k, v + " " + text.strip())
            continue
        k, _, v = text.partition(":")
        fields.append((k.strip().lower(), v.strip()))
    return start, fields


def header(fields, name, default=None):
    for k, v in fields:
        if k == name:
            return v
    return default


def read_body(r, fields, until_close):
    """Read a message body. Returns (body bytes, transfer description)."""
    te = header(fields, "transfer-encoding")
    if te and te.lower().split(",")[-1].strip() == "chunked":
        parts = []
        nchunks = 0
        while True:
            size_line = r.readline().decode("latin-1").strip()
            size = int(size_line.split(";")[0], 16)
            if size == 0:
                # optional trailer fields, then the empty line
                while r.readline() not in (b"\r\n", b"\n"):
                    pass
                break
            parts.append(r.read(size))
            nchunks += 1
            r.read(2)  # CRLF after chunk data
        return b"".join(parts), "chunked(%d)" % nchunks
    cl = header(fields, "content-length")
    if cl is not None:
        n = int(cl)
        return r.read(n), "length"
    if until_close:
        return r.read_to_close(), "close"
    return b"", "none"


def decode_content(body, fields):
    enc = (header(fields, "content-encoding") or "").lower()
    if enc in ("", "identity"):
        return body, ""
    if enc in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS), enc
    if enc == "deflate":
        try:
            return zlib.decompress(body), enc
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS), enc
    return body, enc


def slug(text):
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() or ch in "-." else "-")
    s = "".join(out).strip("-")
    while "--" in s:
        s = s.replace("--", "-")
    return s or "unknown"


# ---------------------------------------------------------------------------
# Recorder
# ---------------------------------------------------------------------------

class Recorder:
    """Writes message files and index.tsv; owns the sequence counter that
    all routes share, so numbering follows the order requests started."""

    def __init__(self, outdir, seq_start, quiet, note_file=None):
        self.note_file = note_file
        self.outdir = outdir
        self.seq = seq_start
        self.quiet = quiet
        self.lock = threading.Lock()
        os.makedirs(outdir, exist_ok=True)
        self.index = os.path.join(outdir, "index.tsv")
        if not os.path.exists(self.index):
            with open(self.index, "w") as f:
                f.write("file\tseq\tdirection\tpeer\tport\tversion\t"
                        "operation\tstatus\trequest-id\thttp\tpath\t"
                        "transfer\texpect\tcontent-encoding\tbytes\t"
                        "agent\ttime\tnote\n")

    def note(self):
        """First line of --note-file (e.g. the command being run), or ""."""
        if not self.note_file:
            return ""
        try:
            with open(self.note_file) as f:
                return f.readline().strip().replace("\t", " ")
        except OSError:
            return ""

    def next_seq(self):
        with self.lock:
            s = self.seq
            self.seq += 1
            return s

    def write(self, name, data, row):
        path = os.path.join(self.outdir, name)
        with open(path, "wb") as f:
            f.write(data)
        with self.lock:
            with open(self.index, "a") as f:
                f.write("\t".join([name] + [str(x) for x in row]) + "\n")
        if not self.quiet:
            sys.stderr.write("ipp-record-proxy: %s (%d bytes)\n"
                             % (name, len(data)))


class PendingRequest:
    def __init__(self, method, path, fields, seq, label):
        self.method = method
        self.path = path
        self.fields = fields
        self.seq = seq
        self.label = label
        self.body = None
        self.op = None
        self.note = ""
        self.done = threading.Event()
        ctype = (header(fields, "content-type") or "").lower()
        self.is_ipp = (method == "POST" and
                       ctype.split(";")[0].strip() == "application/ipp")
        self.record = self.is_ipp and label != "-"


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def client_to_server(r, pending, rec, route, conn_id):
    """Parse the requests the client sends."""
    try:
        while True:
            try:
                snap = r.snapshot_here()
            except ConnectionClosed:
                break
            hdr = read_headers(r)
            if hdr is None:
                break
            start, fields = hdr
            parts = start.split()
            if len(parts) < 2:
                raise ValueError("bad request line %r" % start)
            method, path = parts[0], parts[1]
            label, note = snap if snap else (route.current_client_label(),
                                             rec.note())
            req = PendingRequest(method, path, fields, rec.next_seq(), label)
            req.note = note
            pending.put(req)
            try:
                body, transfer = read_body(r, fields, until_close=False)
                req.body = body
            finally:
                req.done.set()
            if not req.record:
                continue
            data, enc = decode_content(body, fields)
            hdr8 = ipp_header(data)
            if hdr8 is None:
                continue
            version, code, rid = hdr8
            req.op = op_name(code)
            name = "%04da-%s-%s-request.ipp" % (req.seq, req.label, req.op)
            rec.write(name, data, [
                req.seq, "request", req.label, route.lport, version, req.op,
                "", rid, method, path, transfer, header(fields, "expect", ""),
                enc, len(data), header(fields, "user-agent", ""), now(),
                req.note])
    except ConnectionClosed:
        pass
    except Exception as e:  # keep forwarding even if parsing fails
        sys.stderr.write("ipp-record-proxy[%d/%d]: request parse error: %r\n"
                         % (route.lport, conn_id, e))
        r.drain()
    finally:
        pending.put(None)


def server_to_client(r, pending, rec, route, conn_id):
    """Parse the responses the server sends, pairing them with requests in
    order (HTTP/1.1 answers requests in the order they were sent)."""
    try:
        while True:
            hdr = read_headers(r)
            if hdr is None:
                break
            start, fields = hdr
            parts = start.split()
            code = int(parts[1]) if len(parts) > 1 else 0
            if code == 101:
                r.drain()  # protocol switch (e.g. TLS upgrade): raw bytes
                break
            if 100 <= code < 200:
                continue  # interim response such as 100 Continue: no body
            try:
                req = pending.get(timeout=60)
            except queue.Empty:
                req = None
            if req is None:
                r.drain()  # a response we cannot pair: just forward
                break
            if req.method == "HEAD" or code in (204, 304):
                body, transfer = b"", "none"
            else:
                body, transfer = read_body(r, fields, until_close=True)
            if not req.record:
                continue
            ctype = (header(fields, "content-type") or "").lower()
            if ctype.split(";")[0].strip() != "application/ipp":
                sys.stderr.write("ipp-record-proxy: seq %d: HTTP %d (%s), "
                                 "not recorded\n" % (req.seq, code, ctype))
                continue
            req.done.wait(timeout=30)
            data, enc = decode_content(body, fields)
            hdr8 = ipp_header(data)
            if hdr8 is None:
                continue
            version, status, rid = hdr8
            op = req.op
            if op is None:
                rb = req.body or b""
                op = op_name((rb[2] << 8) | rb[3]) if len(rb) >= 4 \
                    else "unknown"
            suffix = "" if status == 0 else "-" + status_name(status)
            name = "%04db-%s-%s%s-response.ipp" % (
                req.seq, route.server_label, op, suffix)
            rec.write(name, data, [
                req.seq, "response", route.server_label, route.lport,
                version, op, status_name(status), rid, code, req.path,
                transfer, "", enc, len(data), header(fields, "server", ""),
                now(), req.note])
    except ConnectionClosed:
        pass
    except Exception as e:
        sys.stderr.write("ipp-record-proxy[%d/%d]: response parse error: "
                         "%r\n" % (route.lport, conn_id, e))
        r.drain()


class Route:
    """One listening port and where it forwards to."""

    def __init__(self, lport, rhost, rport, server_label, client_label,
                 client_label_file):
        self.lport = lport
        self.rhost = rhost
        self.rport = rport
        self.server_label = slug(server_label)
        self.client_label = client_label
        self.client_label_file = client_label_file

    def current_client_label(self):
        """The client label; "-" means: forward but do not record."""
        if self.client_label_file:
            try:
                with open(self.client_label_file) as f:
                    text = f.readline().strip()
                if text == "-":
                    return "-"
                if text:
                    return slug(text)
            except OSError:
                pass
        return slug(self.client_label)


def handle(csock, route, rec, conn_id):
    try:
        ssock = socket.create_connection((route.rhost, route.rport),
                                         timeout=10)
        ssock.settimeout(None)
    except OSError as e:
        sys.stderr.write("ipp-record-proxy: cannot connect upstream: %s\n" % e)
        csock.close()
        return
    for s in (csock, ssock):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = queue.Queue()
    # Label and note are sampled as request bytes arrive, before they are
    # forwarded (see TeeReader).
    snap = lambda: (route.current_client_label(), rec.note())
    t1 = threading.Thread(target=client_to_server, daemon=True,
                          args=(TeeReader(csock, ssock, "c2s", snap), pending,
                                rec, route, conn_id))
    t2 = threading.Thread(target=server_to_client, daemon=True,
                          args=(TeeReader(ssock, csock, "s2c"), pending, rec,
                                route, conn_id))
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    for s in (csock, ssock):
        try:
            s.close()
        except OSError:
            pass


def serve(ls, route, rec):
    conn_id = 0
    while True:
        csock, _ = ls.accept()
        conn_id += 1
        threading.Thread(target=handle, daemon=True,
                         args=(csock, route, rec, conn_id)).start()


def parse_route(text, rhost):
    """LPORT:RPORT:SERVER_LABEL[:CLIENT_LABEL_FILE]"""
    parts = text.split(":", 3)
    if len(parts) < 3:
        raise argparse.ArgumentTypeError("bad --route %r" % text)
    return Route(int(parts[0]), rhost, int(parts[1]), parts[2], "client",
                 parts[3] if len(parts) > 3 else None)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Either -l/-r (one route) or one or more --route options.")
    ap.add_argument("--listen-port", "-l", type=int)
    ap.add_argument("--remote-port", "-r", type=int)
    ap.add_argument("--remote-host", default="127.0.0.1")
    ap.add_argument("--client-label", default="client")
    ap.add_argument("--client-label-file")
    ap.add_argument("--server-label", default="server")
    ap.add_argument("--route", action="append", default=[],
                    metavar="LPORT:RPORT:SERVER_LABEL[:CLIENT_LABEL_FILE]",
                    help="an extra listening port (repeatable); all routes "
                         "share one sequence counter and one index.tsv")
    ap.add_argument("--outdir", "-o", required=True)
    ap.add_argument("--seq-start", type=int, default=1)
    ap.add_argument("--note-file",
                    help="its first line is copied into index.tsv for each "
                         "request (capture-all.sh writes the command there)")
    ap.add_argument("--pid-file")
    ap.add_argument("--quiet", "-q", action="store_true")
    args = ap.parse_args()

    routes = []
    if args.listen_port is not None:
        if args.remote_port is None:
            ap.error("--listen-port needs --remote-port")
        routes.append(Route(args.listen_port, args.remote_host,
                            args.remote_port, args.server_label,
                            args.client_label, args.client_label_file))
    for text in args.route:
        routes.append(parse_route(text, args.remote_host))
    if not routes:
        ap.error("no route given")

    rec = Recorder(args.outdir, args.seq_start, args.quiet, args.note_file)
    listeners = []
    for route in routes:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", route.lport))  # loopback only, always
        ls.listen(64)
        listeners.append((ls, route))
        sys.stderr.write("ipp-record-proxy: 127.0.0.1:%d -> %s:%d (%s), "
                         "recording to %s\n" % (route.lport, route.rhost,
                                                route.rport,
                                                route.server_label,
                                                args.outdir))
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write("%d\n" % os.getpid())
    for ls, route in listeners:
        threading.Thread(target=serve, args=(ls, route, rec),
                         daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
