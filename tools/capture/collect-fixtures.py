#!/usr/bin/env python3
"""collect-fixtures - turn a raw capture into the numbered fixture set.

    collect-fixtures.py RAWDIR OUTDIR README_TEMPLATE VERSIONS_FILE

RAWDIR is the output directory of ipp-record-proxy.py (files plus
index.tsv).  Exchanges (a request and its response share a sequence number)
are selected like this:

  * Exchanges whose request, ignoring the request-id, is byte-identical to
    an earlier one (from any client) with the same response status are
    repeats: the CUPS-Get-Default/CUPS-Get-Printers/Get-Printer-Attributes
    preamble every CUPS command sends, and the ipp backend's status polls.
    Only the first one is kept, except for POLLERS (the CUPS ipp backend),
    where the last one of a run is kept too if its response differs from
    the first one's (e.g. a job-state poll that went from processing to
    completed).
  * A response whose attribute groups are out of order (a group tag lower
    than the one before it) is dropped, because libcups refuses to read it
    ("Invalid group tag"); its request is kept.

Kept files are copied to OUTDIR as NNN-<producer>-<operation>[-<status>]-
<request|response>.ipp, numbered 001.. in capture order, and OUTDIR/README.md
is written from README_TEMPLATE with a table of every file and the command
that produced it.  Any *.ipp already in OUTDIR is removed first.
"""

import csv
import hashlib
import importlib.util
import os
import shutil
import struct
import sys

POLLERS = {"cups-ipp-backend"}


def load_summary_module():
    """ipp-summary.py (beside this file) has the full decoder."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "ipp-summary.py")
    sys.dont_write_bytecode = True   # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location("ipp_summary", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def strip_request_id(data):
    return data[:4] + b"\0\0\0\0" + data[8:] if len(data) >= 8 else data


def digest(data):
    return hashlib.sha256(strip_request_id(data)).hexdigest()


def groups_in_order(data):
    """False if a group tag is lower than the previous group tag."""
    pos, last, depth = 8, 0, 0
    n = len(data)
    while pos < n:
        tag = data[pos]
        pos += 1
        if tag == 0x03:
            return True
        if tag < 0x10:
            if tag < last:
                return False
            last = tag
            continue
        if tag == 0x7F:
            pos += 4
        if pos + 2 > n:
            return True
        nlen = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2 + nlen
        if pos + 2 > n:
            return True
        vlen = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2 + vlen
    return True


def summarize(data):
    """(version, attribute-bytes, data-bytes, group list) for the table."""
    pos, groups, depth = 8, [], 0
    n = len(data)
    names = {1: "op", 2: "job", 4: "printer", 5: "unsupported",
             6: "subscription", 7: "event", 9: "document", 10: "system"}
    while pos < n:
        tag = data[pos]
        pos += 1
        if tag == 0x03:
            break
        if tag < 0x10:
            g = names.get(tag, "0x%02x" % tag)
            if groups and groups[-1][0] == g:
                groups[-1][1] += 1
            else:
                groups.append([g, 1])
            continue
        if tag == 0x7F:
            pos += 4
        nlen = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2 + nlen
        vlen = struct.unpack(">H", data[pos:pos + 2])[0]
        pos += 2 + vlen
    text = " ".join(g if c == 1 else "%s×%d" % (g, c) for g, c in groups)
    return "%d.%d" % (data[0], data[1]), pos, n - pos, text


def main(argv):
    if len(argv) != 4:
        print(__doc__)
        return 2
    rawdir, outdir, template, versions_file = argv
    with open(os.path.join(rawdir, "index.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t",
                                   quoting=csv.QUOTE_NONE))
    exchanges = {}
    for row in rows:
        seq = int(row["seq"])
        ex = exchanges.setdefault(seq, {"seq": seq})
        ex[row["direction"]] = row
    order = sorted(exchanges)

    def read(row):
        with open(os.path.join(rawdir, row["file"]), "rb") as f:
            return f.read()

    # Pass 1: group repeats.
    first_of = {}
    last_of = {}
    for seq in order:
        ex = exchanges[seq]
        req = ex.get("request")
        if req is None:
            continue  # response without a request row cannot happen; skip
        ex["req_data"] = read(req)
        resp = ex.get("response")
        ex["resp_data"] = read(resp) if resp else None
        key = (digest(ex["req_data"]), resp["status"] if resp else "")
        ex["key"] = key
        first_of.setdefault(key, seq)
        last_of[key] = seq

    keep = []
    dropped_repeats = 0
    unreadable = []
    for seq in order:
        ex = exchanges[seq]
        if "key" not in ex:
            continue
        key = ex["key"]
        if first_of[key] == seq:
            keep.append(ex)
        elif last_of[key] == seq and ex["request"]["peer"] in POLLERS:
            first = exchanges[first_of[key]]
            same = (ex["resp_data"] is None or first["resp_data"] is None or
                    digest(ex["resp_data"]) == digest(first["resp_data"]))
            if same:
                dropped_repeats += 1
            else:
                keep.append(ex)
        else:
            dropped_repeats += 1

    os.makedirs(outdir, exist_ok=True)
    for name in os.listdir(outdir):
        if name.endswith(".ipp"):
            os.remove(os.path.join(outdir, name))

    summary = load_summary_module()
    coverage = {}      # "value tag X" / "group X" / "IPP/x.y" -> [files]
    table = []
    n = 0
    for ex in keep:
        for direction in ("request", "response"):
            row = ex.get(direction)
            if row is None:
                continue
            data = ex["req_data"] if direction == "request" else \
                ex["resp_data"]
            if direction == "response" and not groups_in_order(data):
                unreadable.append((row["file"], row.get("note", "")))
                continue
            n += 1
            name = "%03d-%s" % (n, row["file"].split("-", 1)[1])
            shutil.copyfile(os.path.join(rawdir, row["file"]),
                            os.path.join(outdir, name))
            version, abytes, dbytes, groups = summarize(data)
            info = summary.parse(data)
            feats = ["IPP/%s %s" % (version, direction)]
            feats += ["value tag `%s`" % t for t in info["tags"]]
            feats += ["group `%s`" % g for g, _ in info["groups"]]
            if info["max_depth"] >= 2:
                feats.append("nested collection (depth %d)"
                             % info["max_depth"])
            if dbytes:
                feats.append("data after end-of-attributes in a %s"
                             % direction)
            for feat in sorted(set(feats)):
                coverage.setdefault(feat, []).append(name)
            table.append((name, len(data), version, groups, dbytes,
                          row.get("transfer", ""), row.get("note", "")))

    with open(template) as f:
        text = f.read()
    with open(versions_file) as f:
        versions = f.read().rstrip()
    lines = ["| File | Bytes | IPP | Groups | Doc bytes | HTTP body | "
             "Produced by (command) |",
             "|---|---:|---|---|---:|---|---|"]
    for name, size, version, groups, dbytes, transfer, note in table:
        lines.append("| `%s` | %d | %s | %s | %s | %s | `%s` |" % (
            name, size, version, groups, dbytes or "", transfer,
            note.replace("|", "\\|") or "?"))
    total = sum(t[1] for t in table)
    cov = ["| Feature | Files | For example |", "|---|---:|---|"]
    for feat in sorted(coverage):
        files = coverage[feat]
        smallest = min(files, key=lambda f: os.path.getsize(
            os.path.join(outdir, f)))
        cov.append("| %s | %d | `%s` |" % (feat, len(files), smallest))
    dropped = "\n".join("- `%s` (from `%s`)" % (f, note)
                        for f, note in unreadable) or "- none"
    text = (text.replace("@COUNT@", str(len(table)))
                .replace("@TOTAL@", "%d bytes (%.0f KiB)" % (total,
                                                           total / 1024.0))
                .replace("@VERSIONS@", versions)
                .replace("@REPEATS@", str(dropped_repeats))
                .replace("@UNREADABLE@", dropped)
                .replace("@COVERAGE@", "\n".join(cov))
                .replace("@TABLE@", "\n".join(lines)))
    with open(os.path.join(outdir, "README.md"), "w") as f:
        f.write(text)
    sys.stderr.write("collect-fixtures: %d files (%d bytes), %d repeated "
                     "exchanges skipped, %d unreadable responses dropped\n"
                     % (len(table), total, dropped_repeats, len(unreadable)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
