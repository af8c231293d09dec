#!/usr/bin/env python3
"""Generate the typed IPP registry for the `IPP` Swift module from the IANA
"Internet Printing Protocol (IPP) Registrations" XML.

Usage (from the repository root):

    python3 tools/gen-registry.py                 # writes Sources/IPP/Registry/*.generated.swift
    python3 tools/gen-registry.py --xml PATH --out DIR [--quiet] [--report]

Inputs:  ../shared/iana/ipp-registrations.xml, relative to the repository (the
         directory containing tools/), unless --xml is given.
Outputs: DIR/Registry.generated.swift        operations, status codes, typed enums
         DIR/RegistryTables.generated.swift  attribute, keyword and enum tables as
                                             compact string literals (parsed lazily
                                             by Sources/IPP/Registry/Registry.swift)

The output depends only on the XML: no timestamps, stable ordering. Python 3
standard library only. See docs/REGISTRY.md.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {"i": "http://www.iana.org/assignments"}
SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(SCRIPT_DIR)
DEFAULT_XML = os.path.join(os.path.dirname(REPO_DIR), "shared", "iana", "ipp-registrations.xml")
DEFAULT_OUT = os.path.join(REPO_DIR, "Sources", "IPP", "Registry")

REGISTRY_TITLES = {
    "attributes": "Attributes",
    "keywords": "Keyword Attribute Values",
    "enums": "Enum Attribute Values",
    "operations": "Operations",
    "status": "Status Codes",
}

# Suffix markers the registry appends to names/values, e.g. "Print-URI(deprecated)",
# "pdl-init-file(obsolete)(extension)", "force-front-side-default (under review)".
STATUS_WORDS = {"deprecated": "deprecated", "obsolete": "obsolete", "extension": "extension",
                "under review": "under review"}
# Most severe first. A registration carrying several markers gets the most severe.
STATUS_RANK = {"obsolete": 0, "deprecated": 1, "under review": 2, "extension": 3, "": 4}
INHERITED = {"obsolete", "deprecated", "under review"}  # members inherit these from the parent record
SUFFIX_RE = re.compile(r"\s*\(\s*(deprecated|obsolete|extension|under review)\s*\)\s*$", re.I)

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
    "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
    "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
    "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
    "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
    "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
    "try", "_",
}
# Members the generated structs already have; a registered name must not shadow them.
RESERVED_MEMBERS = {"rawValue", "name", "description", "hashValue", "allRegistered", "init"}

warnings = {}  # message -> count, in first-seen order


def warn(msg):
    warnings[msg] = warnings.get(msg, 0) + 1


# ---------------------------------------------------------------------------
# XML helpers


def text(rec, tag):
    e = rec.find("i:" + tag, NS)
    if e is None:
        return None
    return (e.text or "").strip()


def spec_of(rec):
    """The cited specification: "RFC 8011", "PWG5100.13", "DEPURI", ... ("" if none)."""
    refs = []
    for x in rec.findall("i:xref", NS):
        if x.get("type") == "rfc":
            m = re.fullmatch(r"rfc(\d+)", (x.get("data") or "").strip(), re.I)
            refs.append("RFC %s" % m.group(1) if m else (x.get("data") or "").strip())
        else:
            label = (x.text or "").strip() or (x.get("data") or "").strip()
            if re.fullmatch(r"PWG\s+\d[\d.]*", label):
                fixed = re.sub(r"\s+", "", label)
                warn("xref label %r normalised to %r" % (label, fixed))
                label = fixed
            refs.append(label)
    return ", ".join(r for r in refs if r)


def split_status(s):
    """'Print-URI(deprecated)' -> ('Print-URI', 'deprecated'); most severe marker wins."""
    found = []
    while True:
        m = SUFFIX_RE.search(s)
        if not m:
            break
        found.append(STATUS_WORDS[m.group(1).lower()])
        s = s[: m.start()]
    return s.strip(), worst(found)


def worst(statuses):
    statuses = [s for s in statuses if s is not None]
    if not statuses:
        return ""
    return min(statuses, key=lambda s: STATUS_RANK[s])


def find_registry(root, title):
    for reg in root.iter("{%s}registry" % NS["i"]):
        if (reg.findtext("i:title", namespaces=NS) or "").strip() == title:
            return reg
    raise SystemExit("gen-registry: registry %r not found in XML" % title)


# ---------------------------------------------------------------------------
# Names


def camel(name, upper=False):
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    if not parts:
        raise SystemExit("gen-registry: cannot make an identifier from %r" % name)
    out = []
    for i, p in enumerate(parts):
        if i == 0 and not upper:
            out.append(p.lower())
        else:
            out.append(p[0].upper() + p[1:])
    ident = "".join(out)
    if ident[0].isdigit():
        ident = "_" + ident
    return ident


def swift_ident(ident):
    return "`%s`" % ident if ident in SWIFT_KEYWORDS else ident


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------
# Parsing


def parse_hex_code(v):
    """'0x0002' -> 2, '0x0003(deprecated)' -> (3, 'deprecated'); ranges -> None."""
    v, status = split_status(v)
    if re.fullmatch(r"0x[0-9A-Fa-f]+", v):
        return int(v, 16), status
    return None, status


ANY_VALUE_RE = re.compile(r"^<\s*(?:any|all)\s+(.*?)\s*>$", re.I)


def parse_value_alias(v):
    """'<Any "media" size name value>' -> ('media', 'size name'); unresolvable -> (None, None)."""
    m = ANY_VALUE_RE.match(v)
    if not m:
        return None, None
    body = m.group(1)
    q = re.match(r'^"([a-z0-9-]+)"?\s*(.*)$', body)
    if q:
        target, rest = q.group(1), q.group(2).strip()
    else:
        q = re.match(r"^([a-z0-9-]+)\s+(values?)$", body)  # "< all job-state values >"
        if not q:
            return None, None
        target, rest = q.group(1), ""
    rest = re.sub(r"\b(enum|keyword)\b", "", rest)
    rest = re.sub(r"\bvalues?\b", "", rest)
    rest = re.sub(r"\s+", " ", rest).strip()
    # Qualifiers used with "media": the value categories in the registry's <type> column.
    filters = {
        "": "",
        "size name": "size name",
        "input tray": "input tray",
        "media or size": "media name,size name,envelope name",
    }
    if rest not in filters:
        return None, None
    if '"' in body and body.count('"') != 2:
        warn("value placeholder %r has unbalanced quotes; read as alias of %r" % (v, target))
    return target, filters[rest]


MEMBER_ALIAS_RE = re.compile(r'^<\s*any\s+"([a-z0-9-]+)"\s+member attribute\s*>$', re.I)
GROUP_ALIAS_RE = re.compile(r"^<\s*any\s+(.+?)\s+attribute\s*>$", re.I)


def parse_member_alias(v):
    m = MEMBER_ALIAS_RE.match(v)
    if m:
        return m.group(1)
    m = GROUP_ALIAS_RE.match(v)
    if m:
        return "@" + " ".join(w.capitalize() for w in m.group(1).split())
    return None


def load(xml_path):
    root = ET.parse(xml_path).getroot()
    updated = (root.findtext("i:updated", namespaces=NS) or "").strip()
    return root, updated


def parse_operations(root):
    """Operation codes come from the "operations-supported" enum values; the Operations
    registry supplies the defining spec (plain record), deprecations and extensions."""
    op_reg = find_registry(root, REGISTRY_TITLES["operations"])
    info = {}
    for rec in op_reg.findall("i:record", NS):
        raw = text(rec, "name") or ""
        name, status = split_status(raw)
        d = info.setdefault(name, {"spec": None, "extensions": [], "status": [], "status_notes": []})
        spec = spec_of(rec)
        if status == "":
            if d["spec"] is None:
                d["spec"] = spec
        elif status == "extension":
            if spec and spec not in d["extensions"]:
                d["extensions"].append(spec)
        else:
            d["status"].append(status)
            if (status, spec) not in d["status_notes"]:
                d["status_notes"].append((status, spec))
    enum_reg = find_registry(root, REGISTRY_TITLES["enums"])
    ops = {}
    for rec in enum_reg.findall("i:record", NS):
        if text(rec, "attribute") != "operations-supported" or text(rec, "value") is None:
            continue
        code, vstatus = parse_hex_code(text(rec, "value"))
        name, nstatus = split_status(text(rec, "name") or "")
        if code is None:
            warn("operations-supported value %r is not a single code; skipped" % text(rec, "value"))
            continue
        if not name or re.match(r"(reserved|unassigned)\b", name, re.I):
            continue
        d = info.get(name)
        status = worst([vstatus, nstatus] + (d["status"] if d else []))
        if d is None:
            warn("operation %s (0x%04X) is not listed in the Operations registry" % (name, code))
        spec = (d["spec"] if d and d["spec"] else None) or spec_of(rec)
        if code in ops:
            warn("operation code 0x%04X registered twice (%s, %s); keeping the first" % (code, ops[code]["name"], name))
            continue
        ops[code] = {
            "code": code, "name": name, "status": status, "spec": spec,
            "status_notes": d["status_notes"] if d else [],
            "extensions": d["extensions"] if d else [],
        }
    coded = {o["name"] for o in ops.values()}
    for name in sorted(info):
        if name not in coded:
            warn("operation %s is in the Operations registry but has no code in operations-supported" % name)
    return [ops[c] for c in sorted(ops)]


def parse_status_codes(root):
    reg = find_registry(root, REGISTRY_TITLES["status"])
    out = {}
    for rec in reg.findall("i:record", NS):
        code, vstatus = parse_hex_code(text(rec, "value") or "")
        name, nstatus = split_status(text(rec, "name") or "")
        if code is None or not name or re.match(r"(reserved|unassigned)\b", name, re.I):
            continue
        spec = spec_of(rec)
        if not spec:
            warn("status code %s (0x%04X) has no xref" % (name, code))
        if code in out:
            warn("status code 0x%04X registered twice; keeping the first" % code)
            continue
        out[code] = {"code": code, "name": name, "status": worst([vstatus, nstatus]), "spec": spec}
    return [out[c] for c in sorted(out)]


def merge_value(entries, key, status_here, inherited, spec, extra):
    """Merge repeated registrations of one value (e.g. "jog-offset" and "jog-offset(deprecated)")."""
    e = entries.get(key)
    if e is None:
        e = entries[key] = {"own": [], "inherited": [], "spec": None, "first_spec": spec, "status_notes": [], **extra}
    if status_here:
        e["own"].append(status_here)
        if status_here != "extension" and (status_here, spec) not in e["status_notes"]:
            e["status_notes"].append((status_here, spec))
    else:
        e["inherited"].append(inherited)
        if e["spec"] is None and not inherited:
            e["spec"] = spec
    return e


def finish_status(e):
    # A marker on the value itself wins; otherwise the value is only as deprecated as the
    # least deprecated attribute registration that lists it.
    own = [s for s in e["own"] if s != "extension"]
    if own:
        return worst(own)
    if e["inherited"]:
        return max(e["inherited"], key=lambda s: STATUS_RANK[s])
    return worst(e["own"])


def parse_enums(root, status_codes):
    """Enum values per attribute, with "<Any "x" value>" placeholders turned into aliases."""
    reg = find_registry(root, REGISTRY_TITLES["enums"])
    values = {}   # attribute -> {(value, name): entry}
    aliases = {}  # attribute -> [(target, spec)]
    syntax = {}
    order = []
    for rec in reg.findall("i:record", NS):
        attr, astatus = split_status(text(rec, "attribute") or "")
        if attr not in syntax:
            syntax[attr] = text(rec, "syntax") or ""
            order.append(attr)
        raw = text(rec, "value")
        if raw is None:
            continue
        spec = spec_of(rec)
        if raw.startswith("<"):
            if re.search(r"status.code", raw, re.I):
                # "< all status code values other than 'successful-ok' >": expanded below.
                aliases.setdefault(attr, [])
                if ("#status-code", spec) not in aliases[attr]:
                    aliases[attr].append(("#status-code", spec))
                continue
            target, _ = parse_value_alias(raw)
            if target is None:
                warn("enum placeholder %r for %s not understood; skipped" % (raw, attr))
                continue
            if target not in [t for t, _ in aliases.setdefault(attr, [])]:
                aliases[attr].append((target, spec))
            continue
        name, nstatus = split_status(text(rec, "name") or "")
        if attr == "operations-supported":
            code, vstatus = parse_hex_code(raw)
        else:
            v, vstatus = split_status(raw)
            code = int(v, 0) if re.fullmatch(r"-?\d+|0x[0-9A-Fa-f]+", v) else None
        if code is None:
            warn("enum value %r for %s is not a number; skipped" % (raw, attr))
            continue
        if not name or re.match(r"(reserved|unassigned)\b", name, re.I):
            continue
        if not spec:
            warn("enum %s %s (%d) has no xref" % (attr, name, code))
        merge_value(values.setdefault(attr, {}), (code, name), worst([vstatus, nstatus]), astatus, spec,
                    {"value": code, "name": name})
    # Expand the status-code placeholder (registry: "all status code values other than
    # 'successful-ok'") into concrete values so the runtime needs no special case.
    expanded = set()
    for attr, al in aliases.items():
        if any(t == "#status-code" for t, _ in al):
            expanded.add(attr)
            aliases[attr] = [(t, s) for t, s in al if t != "#status-code"]
            for sc in status_codes:
                if sc["code"] == 0:
                    continue
                merge_value(values.setdefault(attr, {}), (sc["code"], sc["name"]), sc["status"], "",
                            sc["spec"], {"value": sc["code"], "name": sc["name"]})
    result = {}
    for attr in order:
        entries = []
        for e in values.get(attr, {}).values():
            entries.append({"value": e["value"], "name": e["name"], "status": finish_status(e),
                            "spec": e["spec"] if e["spec"] is not None else e["first_spec"],
                            "status_notes": e["status_notes"] if e["spec"] is not None else []})
        entries.sort(key=lambda e: (e["value"], e["name"]))
        seen_values = {}
        for e in entries:
            if e["value"] in seen_values:
                warn("enum %s value %d has two names (%s, %s)" % (attr, e["value"], seen_values[e["value"]], e["name"]))
            seen_values.setdefault(e["value"], e["name"])
        for target, _ in aliases.get(attr, []):
            if target not in syntax:
                warn("enum alias %s -> %s: target has no enum registration" % (attr, target))
        result[attr] = {"syntax": syntax[attr], "values": entries, "aliases": aliases.get(attr, []),
                        "status_codes": attr in expanded}
    return result


def parse_keywords(root):
    reg = find_registry(root, REGISTRY_TITLES["keywords"])
    values = {}
    aliases = {}
    order = []
    skipped = []
    header_syntax = {}
    for rec in reg.findall("i:record", NS):
        raw_attr = text(rec, "attribute") or ""
        attr, astatus = split_status(raw_attr)
        if attr not in values:
            values[attr] = {}
            order.append(attr)
        raw = text(rec, "value")
        if raw is None:
            header_syntax.setdefault(raw_attr, text(rec, "syntax") or "")
            continue
        if raw_attr in header_syntax and (text(rec, "syntax") or "") != header_syntax[raw_attr]:
            warn("keyword values of %s repeat its syntax as %r, its own record says %r" % (
                raw_attr, text(rec, "syntax"), header_syntax[raw_attr]))
        spec = spec_of(rec)
        if raw.startswith("<"):
            target, filt = parse_value_alias(raw)
            if target is None:
                skipped.append((attr, raw))
                continue
            al = aliases.setdefault(attr, [])
            if not any(t == target and f == filt for t, f, _ in al):
                al.append((target, filt, spec))
            continue
        value, vstatus = split_status(raw)
        typ = text(rec, "type") or ""
        merge_value(values[attr], value, vstatus, astatus, spec, {"value": value, "type": typ})
    for attr, raw in skipped:
        warn("keyword placeholder %r for %s is not a value list; skipped" % (raw, attr))
    result = {}
    for attr in order:
        entries = [{"value": e["value"], "type": e["type"], "status": finish_status(e),
                    "spec": e["spec"] if e["spec"] is not None else e["first_spec"]}
                   for e in values[attr].values()]
        for target, _, _ in aliases.get(attr, []):
            if target not in values:
                warn("keyword alias %s -> %s: target has no keyword registration" % (attr, target))
        result[attr] = {"values": entries, "aliases": aliases.get(attr, [])}
    return result


def parse_attributes(root):
    reg = find_registry(root, REGISTRY_TITLES["attributes"])
    rows = []
    seen = set()
    aliases = []
    alias_seen = set()
    for rec in reg.findall("i:record", NS):
        group = text(rec, "collection") or ""
        levels = [text(rec, "name"), text(rec, "member_attribute"), text(rec, "sub-member_attribute")]
        levels = [l for l in levels if l is not None]
        spec = spec_of(rec)
        syntax = text(rec, "syntax") or ""
        path = []
        inherited = []
        own_status = ""
        alias_target = None
        for i, level in enumerate(levels):
            if level.startswith("<"):
                if i != len(levels) - 1:
                    warn("placeholder %r is not the last level of its record" % level)
                alias_target = parse_member_alias(level)
                if alias_target is None:
                    warn("member placeholder %r under %s not understood; skipped" % (level, "/".join(path)))
                break
            name, status = split_status(level)
            if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", name):
                warn("attribute name %r is unusual" % name)
            path.append(name)
            if i < len(levels) - 1 and status in INHERITED:
                inherited.append(status)
            own_status = status
        if alias_target is not None and path:
            key = ("/".join(path), alias_target)
            if alias_target == key[0]:
                continue  # e.g. Operation "job-pages-col": <Any "job-pages-col" member attribute>
            if key not in alias_seen:
                alias_seen.add(key)
                aliases.append({"path": key[0], "target": alias_target, "spec": spec})
            continue
        if not path:
            continue
        if syntax == "":
            warn("attribute %s (%s) has an empty syntax" % ("/".join(path), group))
        if re.search(r"\s\s|\t|\n", syntax):
            warn("syntax of %s has odd whitespace: %r" % ("/".join(path), syntax))
        if syntax.count("(") != syntax.count(")") or "]" in syntax or "'" in syntax or re.search(r"\w:\d", syntax.split("(")[0]):
            warn("syntax of %s looks malformed: %r (kept as registered)" % ("/".join(path), syntax))
        row = {
            "group": group, "parent": "/".join(path[:-1]), "name": path[-1],
            "status": worst([own_status] + inherited), "syntax": re.sub(r"[\t\n]", " ", syntax), "spec": spec,
        }
        key = tuple(row.values())
        if key in seen:
            continue
        seen.add(key)
        rows.append(row)
    known = {(r["parent"] + "/" + r["name"]) if r["parent"] else r["name"] for r in rows}
    for a in aliases:
        if not a["target"].startswith("@") and a["target"] not in known:
            warn("member alias %s -> %s: target is not a registered attribute" % (a["path"], a["target"]))
    return rows, aliases


# ---------------------------------------------------------------------------
# Swift output


def header(updated, what):
    return [
        "// GENERATED FILE - DO NOT EDIT.",
        "// Generated by tools/gen-registry.py from ipp-registrations.xml (IANA IPP registry, updated %s)." % updated,
        "// %s" % what,
        "// Regenerate: python3 tools/gen-registry.py   (check: tools/check-registry.sh)",
        "",
    ]


def doc_spec(entry):
    parts = []
    parts.append(entry["spec"] if entry["spec"] else "no specification cited in the registry")
    notes = entry.get("status_notes") or []
    if notes:
        for status, spec in notes:
            parts.append("%s%s" % (status.capitalize(), " (%s)" % spec if spec else ""))
    elif entry.get("status", "") not in ("", "extension"):
        parts.append(entry["status"].capitalize())
    line = ". ".join(parts) + "."
    return line


def unique_idents(items, key, kind):
    """Assign identifiers; fail loudly on collisions rather than silently renaming."""
    seen = {}
    for it in items:
        ident = camel(it[key])
        if ident in RESERVED_MEMBERS:
            ident += "_"
            warn("%s %r would shadow a member; named %s" % (kind, it[key], ident))
        if ident in seen:
            raise SystemExit("gen-registry: %s identifiers collide: %r and %r -> %s" % (kind, seen[ident], it[key], ident))
        seen[ident] = it[key]
        it["ident"] = ident


def gen_code_type(lines, type_name, entries, fmt, what, name_doc):
    """Static lets + name/init(name:)/allRegistered for Operation/StatusCode/typed enums."""
    unique_idents(entries, "name", type_name)
    lines.append("extension %s {" % type_name)
    for e in entries:
        lines.append("    /// %s (%s) - %s" % (e["name"], fmt(e["value"]), doc_spec(e)))
        if e.get("extensions"):
            lines.append("    /// Extended by: %s." % ", ".join(e["extensions"]))
        lines.append("    public static let %s = %s(%s)" % (swift_ident(e["ident"]), type_name, fmt(e["value"])))
    lines.append("")
    lines.append("    /// Every %s registered with IANA, in numeric order." % what)
    lines.append("    public static let allRegistered: [%s] = [" % type_name)
    for e in entries:
        lines.append("        .%s," % swift_ident(e["ident"]))
    lines.append("    ]")
    lines.append("")
    lines.append("    /// %s, or nil if the value is not registered." % name_doc)
    lines.append("    public var name: String? {")
    lines.append("        switch rawValue {")
    done = set()
    for e in entries:
        if e["value"] in done:
            continue
        done.add(e["value"])
        lines.append("        case %s: return %s" % (fmt(e["value"]), swift_string(e["name"])))
    lines.append("        default: return nil")
    lines.append("        }")
    lines.append("    }")
    lines.append("")
    lines.append("    /// Looks up a registered name (exact, case-sensitive), e.g. %s." % swift_string(entries[0]["name"]))
    lines.append("    public init?(name: String) {")
    lines.append("        // A linear scan: compiles far faster than a switch over strings; n is small.")
    lines.append("        guard let value = Self.allRegistered.first(where: { $0.name == name }) else { return nil }")
    lines.append("        self = value")
    lines.append("    }")
    lines.append("}")
    lines.append("")


def gen_main(updated, ops, status_codes, enums):
    lines = header(updated, "Operations, status codes and typed enums. Lookup tables: RegistryTables.generated.swift.")
    lines.append("extension Registry {")
    lines.append('    /// The `<updated>` date of the IANA registry this code was generated from.')
    lines.append('    public static let updated = %s' % swift_string(updated))
    lines.append("}")
    lines.append("")
    lines.append("// MARK: - Operations (IANA \"operations-supported\" enum values; specs from the Operations registry)")
    lines.append("")
    for o in ops:
        o["value"] = o["code"]
    gen_code_type(lines, "Operation", ops, lambda v: "0x%04X" % v, "operation",
                  'The registered name, e.g. "Print-Job"')
    lines.append("// MARK: - Status codes")
    lines.append("")
    for s in status_codes:
        s["value"] = s["code"]
    gen_code_type(lines, "StatusCode", status_codes, lambda v: "0x%04X" % v, "status code",
                  'The registered name, e.g. "client-error-bad-request"')
    lines.append("// MARK: - Typed enums (every attribute in \"Enum Attribute Values\" with its own values)")
    lines.append("")
    typed = []
    for attr in sorted(enums):
        e = enums[attr]
        if attr == "operations-supported" or not e["values"] or e["status_codes"]:
            continue
        typed.append(attr)
        tname = camel(attr, upper=True)
        specs = []
        for v in e["values"]:
            if v["spec"] and v["spec"] not in specs:
                specs.append(v["spec"])
        lines.append("/// Values of the IPP %s attribute \"%s\" (%s)." % (e["syntax"], attr, ", ".join(specs)))
        lines.append("/// Open: unregistered values are kept. Values are listed in `Registry.enumValues(for: %s)` too." % swift_string(attr))
        lines.append("public struct %s: RawRepresentable, Hashable, Sendable {" % tname)
        lines.append("    public var rawValue: Int32")
        lines.append("    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }")
        lines.append("    @inlinable public init(_ rawValue: Int32) { self.rawValue = rawValue }")
        lines.append("")
        lines.append("    /// The attribute these values belong to.")
        lines.append("    public static let attributeName = %s" % swift_string(attr))
        lines.append("}")
        lines.append("")
        gen_code_type(lines, tname, e["values"], lambda v: str(v), "\"%s\" value" % attr,
                      'The registered name, e.g. "%s"' % e["values"][0]["name"])
        lines.append("extension %s: CustomStringConvertible {" % tname)
        lines.append("    /// The registered name, or the number for an unregistered value.")
        lines.append("    public var description: String { name ?? String(rawValue) }")
        lines.append("}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n", typed


def check_field(s, what):
    if "\t" in s or "\n" in s or '"""#' in s:
        raise SystemExit("gen-registry: %s contains a tab, newline or raw-string delimiter: %r" % (what, s))
    return s


def gen_tables(updated, rows, member_aliases, keywords, enums):
    lines = header(updated, "Attribute, keyword and enum tables, parsed once on first use by Registry.swift.")
    lines.append("// Encoding: one record per line, fields separated by a TAB character; an empty")
    lines.append("// status field means a current registration. See docs/REGISTRY.md.")
    lines.append("")
    lines.append("extension RegistryData {")

    def literal(name, doc, records):
        lines.append("    /// %s" % doc)
        lines.append("    static let %s = #\"\"\"" % name)
        for rec in records:
            lines.append("\t".join(check_field(f, name) for f in rec))
        lines.append("\"\"\"#")
        lines.append("")

    literal("attributes",
            "group, parent path (\"\" for top level), name, status, syntax as registered, spec. Registry order.",
            [(r["group"], r["parent"], r["name"], r["status"], r["syntax"], r["spec"]) for r in rows])
    literal("memberAliases",
            "collection path, target (an attribute path, or \"@Group\" for any attribute of that group), spec.",
            [(a["path"], a["target"], a["spec"]) for a in member_aliases])
    kw = []
    for attr in sorted(keywords):
        k = keywords[attr]
        for v in sorted(k["values"], key=lambda v: v["value"]):
            kw.append((attr, v["value"], v["status"], v["type"], v["spec"]))
        for target, filt, spec in k["aliases"]:
            kw.append((attr, "=" + target, "", filt, spec))
    literal("keywords",
            "attribute, keyword, status, type (e.g. \"size name\"), spec; keyword \"=x\" means all keywords of x (type field: comma-separated filter).",
            kw)
    en = []
    for attr in sorted(enums):
        e = enums[attr]
        for v in e["values"]:
            en.append((attr, str(v["value"]), v["name"], v["status"], v["spec"]))
        for target, spec in e["aliases"]:
            en.append((attr, "=" + target, "", "", spec))
    literal("enums", "attribute, value (decimal), name, status, spec; value \"=x\" means all values of x.", en)
    lines.append("}")
    return "\n".join(lines).rstrip("\n") + "\n", len(kw), len(en)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--xml", default=DEFAULT_XML, help="path to ipp-registrations.xml (default: %(default)s)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory (default: %(default)s)")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    ap.add_argument("--report", action="store_true", help="list every oddity found in the XML")
    args = ap.parse_args()

    root, updated = load(args.xml)
    if not updated:
        raise SystemExit("gen-registry: no <updated> date in %s" % args.xml)
    ops = parse_operations(root)
    status_codes = parse_status_codes(root)
    enums = parse_enums(root, status_codes)
    keywords = parse_keywords(root)
    rows, member_aliases = parse_attributes(root)

    main_src, typed = gen_main(updated, ops, status_codes, enums)
    tables_src, n_kw, n_en = gen_tables(updated, rows, member_aliases, keywords, enums)

    os.makedirs(args.out, exist_ok=True)
    outputs = {"Registry.generated.swift": main_src, "RegistryTables.generated.swift": tables_src}
    for fname, src in outputs.items():
        with open(os.path.join(args.out, fname), "w", encoding="utf-8", newline="\n") as f:
            f.write(src)

    if not args.quiet:
        n_kw_values = sum(len(k["values"]) for k in keywords.values())
        print("gen-registry: registry updated %s -> %s" % (updated, args.out), file=sys.stderr)
        print("  operations %d, status codes %d, typed enums %d (%s)" % (
            len(ops), len(status_codes), len(typed), ", ".join(camel(t, True) for t in typed)), file=sys.stderr)
        print("  attributes %d rows (%d top-level, %d members), %d member aliases" % (
            len(rows), sum(1 for r in rows if not r["parent"]), sum(1 for r in rows if r["parent"]),
            len(member_aliases)), file=sys.stderr)
        print("  keywords %d values for %d attributes (%d table lines), enum table %d lines for %d attributes" % (
            n_kw_values, len(keywords), n_kw, n_en, len(enums)), file=sys.stderr)
        print("  %d oddities in the XML%s" % (len(warnings), "" if args.report else " (--report lists them)"),
              file=sys.stderr)
    if args.report:
        for w, n in warnings.items():
            print("  - " + w + (" (x%d)" % n if n > 1 else ""), file=sys.stderr)


if __name__ == "__main__":
    main()
