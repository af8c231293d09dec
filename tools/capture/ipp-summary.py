#!/usr/bin/env python3
"""ipp-summary - describe IPP message files (stdlib only).

For each file: IPP version, operation-id or status-code, request-id, the
attribute groups in order (with counts), the value tags used, the largest
1setOf, the deepest collection nesting, and the number of bytes of data
after the end-of-attributes tag (document data).

    ipp-summary.py FILE...            one line per file
    ipp-summary.py --dump FILE        every attribute, one per line
    ipp-summary.py --totals FILE...   value/group tags used across all files

The decoder is deliberately strict: a truncated or malformed file raises an
error, so this also works as a quick sanity check of captured fixtures.
"""

import struct
import sys

GROUP_TAGS = {
    0x01: "operation", 0x02: "job", 0x03: "end", 0x04: "printer",
    0x05: "unsupported", 0x06: "subscription", 0x07: "event-notification",
    0x08: "resource", 0x09: "document", 0x0A: "system",
}

VALUE_TAGS = {
    0x10: "unsupported", 0x12: "unknown", 0x13: "no-value",
    0x15: "not-settable", 0x16: "delete-attribute", 0x17: "admin-define",
    0x20: "generic-integer", 0x21: "integer", 0x22: "boolean", 0x23: "enum",
    0x30: "octetString", 0x31: "dateTime", 0x32: "resolution",
    0x33: "rangeOfInteger", 0x34: "begCollection", 0x35: "textWithLanguage",
    0x36: "nameWithLanguage", 0x37: "endCollection",
    0x41: "textWithoutLanguage", 0x42: "nameWithoutLanguage",
    0x44: "keyword", 0x45: "uri", 0x46: "uriScheme", 0x47: "charset",
    0x48: "naturalLanguage", 0x49: "mimeMediaType", 0x4A: "memberAttrName",
    0x7F: "extension",
}


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated at offset %d (need %d bytes)"
                             % (self.pos, n))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]


def fmt_value(tag, v):
    if tag in (0x21, 0x23) and len(v) == 4:
        return str(struct.unpack(">i", v)[0])
    if tag == 0x22 and len(v) == 1:
        return "true" if v[0] else "false"
    if tag == 0x32 and len(v) == 9:
        x, y, u = struct.unpack(">iib", v)
        return "%dx%d%s" % (x, y, {3: "dpi", 4: "dpcm"}.get(u, "?%d" % u))
    if tag == 0x33 and len(v) == 8:
        return "%d-%d" % struct.unpack(">ii", v)
    if tag == 0x31 and len(v) == 11:
        y, mo, d, h, mi, s, ds, sign, zh, zm = struct.unpack(">HBBBBBBcBB", v)
        return "%04d-%02d-%02dT%02d:%02d:%02d.%d%s%02d%02d" % (
            y, mo, d, h, mi, s, ds, sign.decode("latin-1"), zh, zm)
    if tag in (0x35, 0x36):
        r = Reader(v)
        lang = r.take(r.u16()).decode("utf-8", "replace")
        text = r.take(r.u16()).decode("utf-8", "replace")
        return "%s [lang=%r]" % (text, lang)
    if 0x10 <= tag <= 0x1F:
        return "(%s)" % VALUE_TAGS.get(tag, "oob-0x%02x" % tag)
    if tag == 0x30:
        try:
            return "octets:%r" % v.decode("ascii")
        except UnicodeDecodeError:
            return "octets:" + v.hex()
    try:
        return v.decode("utf-8")
    except UnicodeDecodeError:
        return v.hex()


def parse(data):
    """Return a dict describing the message; raises ValueError if broken."""
    r = Reader(data)
    major, minor = r.u8(), r.u8()
    code = r.u16()
    request_id = struct.unpack(">I", r.take(4))[0]
    groups = []          # [group-name, attribute count]
    tags = {}            # value tag name -> count
    attrs = []           # (group, name, tag, value text, depth)
    max_set = (0, "")
    max_depth = 0
    depth = 0
    cur_name = None
    cur_count = 0
    member_name = None
    while True:
        tag = r.u8()
        if tag == 0x03:
            if depth:
                raise ValueError("end-of-attributes inside a collection")
            break
        if tag < 0x10:
            if depth:
                raise ValueError("group tag inside a collection")
            if tag not in GROUP_TAGS:
                raise ValueError("unknown group tag 0x%02x" % tag)
            groups.append([GROUP_TAGS[tag], 0])
            cur_name = None
            continue
        if tag == 0x7F:
            tag = struct.unpack(">I", r.take(4))[0]
        name = r.take(r.u16()).decode("utf-8", "replace")
        value = r.take(r.u16())
        if not groups and depth == 0:
            raise ValueError("attribute before any group tag")
        tname = VALUE_TAGS.get(tag, "tag-0x%02x" % tag)
        if tag in (0x4A, 0x37):
            tags[tname] = tags.get(tname, 0) + 1
        if tag == 0x4A:  # memberAttrName: value is the member's name
            member_name = value.decode("utf-8", "replace")
            continue
        if tag == 0x37:  # endCollection
            depth -= 1
            if depth < 0:
                raise ValueError("endCollection without begCollection")
            continue
        tags[tname] = tags.get(tname, 0) + 1
        if depth == 0:
            if name:
                cur_name, cur_count = name, 1
                groups[-1][1] += 1
            else:
                if cur_name is None:
                    raise ValueError("additional value without attribute")
                cur_count += 1
                if cur_count > max_set[0]:
                    max_set = (cur_count, cur_name)
            shown = name or "  +"
        else:
            shown = "  " * depth + (member_name or "+")
        attrs.append(("%d:%s" % (len(groups), groups[-1][0]), shown, tname,
                      "" if tag == 0x34 else fmt_value(tag, value), depth))
        member_name = None
        if tag == 0x34:
            depth += 1
            max_depth = max(max_depth, depth)
    return {
        "version": "%d.%d" % (major, minor), "code": code,
        "request_id": request_id, "groups": groups, "tags": tags,
        "attrs": attrs, "max_set": max_set, "max_depth": max_depth,
        "attr_bytes": r.pos, "data_bytes": len(data) - r.pos,
    }


def one_line(path, info):
    groups = " ".join("%s(%d)" % (g, n) for g, n in info["groups"])
    return "%s  v%s code=0x%04x groups=[%s] tags=%s set=%d%s depth=%d doc=%d" % (
        path, info["version"], info["code"], groups,
        ",".join(sorted(info["tags"])), info["max_set"][0],
        "(%s)" % info["max_set"][1] if info["max_set"][0] else "",
        info["max_depth"], info["data_bytes"])


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    mode = "line"
    if argv[0] in ("--dump", "--totals"):
        mode, argv = argv[0][2:], argv[1:]
    totals_tags, totals_groups, bad = {}, {}, 0
    for path in argv:
        with open(path, "rb") as f:
            data = f.read()
        try:
            info = parse(data)
        except ValueError as e:
            print("%s  BROKEN: %s" % (path, e))
            bad += 1
            continue
        if mode == "dump":
            print("# %s: IPP/%s code 0x%04x request-id %d" % (
                path, info["version"], info["code"], info["request_id"]))
            last = None
            for group, name, tname, text, depth in info["attrs"]:
                if group != last:
                    print("-- group %s" % group)
                    last = group
                print("   %s (%s) = %s" % (name, tname, text))
            print("-- end; %d attribute bytes, %d data bytes" % (
                info["attr_bytes"], info["data_bytes"]))
        elif mode == "totals":
            for t, n in info["tags"].items():
                totals_tags.setdefault(t, set()).add(path)
            for g, n in info["groups"]:
                totals_groups.setdefault(g, set()).add(path)
        else:
            print(one_line(path, info))
    if mode == "totals":
        print("value tags (files using each):")
        for t in sorted(totals_tags):
            print("  %-22s %d" % (t, len(totals_tags[t])))
        print("groups (files using each):")
        for g in sorted(totals_groups):
            print("  %-22s %d" % (g, len(totals_groups[g])))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
