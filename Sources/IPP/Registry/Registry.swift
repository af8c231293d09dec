// Lookup API over the IANA IPP registry tables in RegistryTables.generated.swift.
// Hand-written: the generated files hold only data and constants (see docs/REGISTRY.md).
// No Foundation: the tables are tab/newline-separated string literals parsed once, lazily.

/// How the IANA registry marks a registration: "(deprecated)", "(obsolete)", "(extension)",
/// "(under review)", or nothing (a current registration). Open, like the wire types.
public struct RegistrationStatus: RawRepresentable, Hashable, Sendable {
    public var rawValue: String
    @inlinable public init(rawValue: String) { self.rawValue = rawValue }

    public static let current = RegistrationStatus(rawValue: "")
    /// The record registers an extension to a definition made elsewhere.
    public static let `extension` = RegistrationStatus(rawValue: "extension")
    public static let underReview = RegistrationStatus(rawValue: "under review")
    public static let deprecated = RegistrationStatus(rawValue: "deprecated")
    public static let obsolete = RegistrationStatus(rawValue: "obsolete")

    /// Lower is better: current < extension < under review < deprecated < obsolete.
    var rank: Int {
        switch self {
        case .current: return 0
        case .extension: return 1
        case .underReview: return 2
        case .deprecated: return 3
        case .obsolete: return 4
        default: return 5
        }
    }
}

/// One registration from the IANA "Attributes" registry.
public struct AttributeDefinition: Hashable, Sendable {
    /// The attribute name, without the registry's "(deprecated)"-style markers.
    public var name: String
    /// For a collection member, the path of its collection ("media-col", "media-col/media-size");
    /// nil for a top-level attribute.
    public var parent: String?
    /// The registry group, e.g. "Job Template", "Printer Description", "Operation".
    public var group: String
    /// The syntax exactly as registered, e.g. "1setOf (type2 keyword | name(MAX))".
    public var syntax: String
    /// The specification cited by the registry, e.g. "RFC 8011" or "PWG5100.13".
    public var spec: String
    public var status: RegistrationStatus

    /// `parent/name`, or `name` at top level.
    public var path: String { parent.map { $0 + "/" + name } ?? name }
}

/// One value from the IANA "Keyword Attribute Values" registry.
public struct KeywordDefinition: Hashable, Sendable {
    /// The attribute whose registration lists the keyword. For an alias such as
    /// "media-supported" (any "media" value) this is the aliased attribute ("media").
    public var attribute: String
    public var value: String
    /// The registry's "type" column, e.g. "size name" for media; "" when absent.
    public var type: String
    public var spec: String
    public var status: RegistrationStatus
}

/// One value from the IANA "Enum Attribute Values" registry.
public struct EnumDefinition: Hashable, Sendable {
    /// The attribute whose registration lists the value (see `KeywordDefinition.attribute`).
    public var attribute: String
    public var value: Int32
    public var name: String
    public var spec: String
    public var status: RegistrationStatus
}

/// Lookups over the IANA IPP registry (attributes, keyword values, enum values).
/// Operations, status codes and the typed enums are generated as Swift constants instead
/// (`Operation.printJob`, `StatusCode.clientErrorBadRequest`, `JobState.completed`, ...).
public enum Registry {
    /// Every attribute registration in registry order, including collection members and
    /// deprecated/obsolete records. The same name can appear several times (different
    /// groups, or a deprecated record next to a current one).
    public static var attributes: [AttributeDefinition] { RegistryTables.shared.attributes }

    /// The preferred registration of an attribute, or nil.
    ///
    /// - Parameters:
    ///   - name: the attribute (or member attribute) name.
    ///   - parent: for a member, the path of its collection, e.g. "media-col/media-size".
    ///     Paths through collections that the registry defines as "any member of X"
    ///     resolve too: "cover-back/media-col/media-size" finds "media-col/media-size" members.
    ///
    /// Among several registrations the best status wins (current, extension, under review,
    /// deprecated, obsolete), then the group (Job Template, Job Description, Job Status,
    /// Printer Description, Printer Status, Operation, Document ..., Subscription ..., Event
    /// Notifications, System ..., Resource ...), then registry order.
    public static func attribute(_ name: String, parent: String? = nil) -> AttributeDefinition? {
        attributes(named: name, parent: parent).first
    }

    /// Every registration of an attribute (all groups and statuses), best first.
    public static func attributes(named name: String, parent: String? = nil) -> [AttributeDefinition] {
        let t = RegistryTables.shared
        for (path, group) in t.expand(parent ?? "") {
            let full = path.isEmpty ? name : path + "/" + name
            let hits = t.attributeIndex[full, default: []].lazy.map { t.attributes[$0] }
                .filter { group == nil || $0.group == group }
            if !hits.isEmpty { return Array(hits) }
        }
        return []
    }

    /// The member attributes of a collection (preferred registration of each name, in registry
    /// order), following "any member of X" aliases. `path` is e.g. "media-col" or
    /// "finishings-col/stitching". Empty if the path is not a registered collection.
    public static func members(of path: String) -> [AttributeDefinition] {
        let t = RegistryTables.shared
        var seen = Set<String>()
        var out: [AttributeDefinition] = []
        for (p, group) in t.expand(path) {
            let indices: [Int]
            if p.isEmpty, let group {
                indices = t.attributes.indices.filter { t.attributes[$0].parent == nil && t.attributes[$0].group == group }
            } else {
                indices = t.memberIndex[p, default: []]
            }
            for i in indices where !seen.contains(t.attributes[i].name) {
                let name = t.attributes[i].name
                seen.insert(name)
                let full = p.isEmpty ? name : p + "/" + name
                let best = t.attributeIndex[full, default: [i]].first { group == nil || t.attributes[$0].group == group } ?? i
                out.append(t.attributes[best])
            }
        }
        return out
    }

    // MARK: Keywords

    /// The registered keywords of an attribute, in registry order, with aliases resolved
    /// ("media-supported" lists the "media" keywords). If the attribute itself has no
    /// keyword registration and ends in -default, -supported, -ready or -actual, the base
    /// attribute's keywords are returned. Empty if none are registered.
    public static func keywords(for attribute: String) -> [String] {
        keywordDefinitions(for: attribute).map(\.value)
    }

    /// Like `keywords(for:)`, with the spec, status and type of each keyword.
    public static func keywordDefinitions(for attribute: String) -> [KeywordDefinition] {
        let t = RegistryTables.shared
        let name = t.keywords[attribute] == nil ? baseName(attribute, in: t.keywords) : attribute
        var out: [KeywordDefinition] = []
        var seenValues = Set<String>()
        var visited = Set<String>()
        func collect(_ attr: String, filter: [Substring]?) {
            guard visited.insert(attr).inserted, let records = t.keywords[attr] else { return }
            for r in records {
                if let target = r.aliasTarget {
                    let f = r.type.isEmpty ? filter : r.type.split(separator: ",")
                    collect(target, filter: f)
                } else if filter?.contains(Substring(r.type)) ?? true, seenValues.insert(r.value).inserted {
                    out.append(KeywordDefinition(attribute: attr, value: r.value, type: r.type, spec: r.spec, status: r.status))
                }
            }
        }
        collect(name, filter: nil)
        return out
    }

    // MARK: Enums

    /// The registered name of an enum value, e.g. ("printer-state", 3) → "idle",
    /// ("operations-supported", 2) → "Print-Job". Aliases and the -default/-supported/
    /// -ready/-actual fallback work as for `keywords(for:)`.
    public static func enumName(for attribute: String, value: Int32) -> String? {
        enumDefinitions(for: attribute).first { $0.value == value }?.name
    }

    /// The registered values of an enum attribute, in numeric order.
    public static func enumValues(for attribute: String) -> [(value: Int32, name: String)] {
        enumDefinitions(for: attribute).map { (value: $0.value, name: $0.name) }
    }

    /// Like `enumValues(for:)`, with the spec and status of each value.
    public static func enumDefinitions(for attribute: String) -> [EnumDefinition] {
        let t = RegistryTables.shared
        let name = t.enums[attribute] == nil ? baseName(attribute, in: t.enums) : attribute
        var out: [EnumDefinition] = []
        var seen = Set<Int32>()
        var visited = Set<String>()
        func collect(_ attr: String) {
            guard visited.insert(attr).inserted, let records = t.enums[attr] else { return }
            for r in records {
                if let target = r.aliasTarget {
                    collect(target)
                } else if seen.insert(r.value).inserted {
                    out.append(EnumDefinition(attribute: attr, value: r.value, name: r.name, spec: r.spec, status: r.status))
                }
            }
        }
        collect(name)
        return out.sorted { $0.value < $1.value }
    }

    /// "media-supported" → "media" when only the base attribute has registered values.
    static func baseName<V>(_ attribute: String, in table: [String: V]) -> String {
        for suffix in ["-default", "-supported", "-ready", "-actual"] where attribute.hasSuffix(suffix) {
            let base = String(attribute.dropLast(suffix.count))
            if table[base] != nil { return base }
        }
        return attribute
    }
}

// MARK: - Parsed tables

/// Namespace for the generated string tables (see RegistryTables.generated.swift).
enum RegistryData {}

struct RegistryTables: Sendable {
    struct KeywordRecord: Sendable {
        var value: String
        var aliasTarget: String?
        var status: RegistrationStatus
        var type: String
        var spec: String
    }

    struct EnumRecord: Sendable {
        var value: Int32
        var aliasTarget: String?
        var name: String
        var status: RegistrationStatus
        var spec: String
    }

    var attributes: [AttributeDefinition] = []
    /// Full path → indices into `attributes`, best registration first.
    var attributeIndex: [String: [Int]] = [:]
    /// Collection path → indices of its members, registry order.
    var memberIndex: [String: [Int]] = [:]
    /// Collection path → "any member of" targets: an attribute path, or "@Group".
    var memberAliases: [String: [String]] = [:]
    var keywords: [String: [KeywordRecord]] = [:]
    var enums: [String: [EnumRecord]] = [:]

    /// Parsed on first use; `static let` initialisation is lazy and thread-safe.
    static let shared = RegistryTables()

    static let groupOrder = [
        "Job Template", "Job Description", "Job Status", "Printer Description", "Printer Status",
        "Operation", "Document Template", "Document Description", "Document Status",
        "Subscription Template", "Subscription Status", "Event Notifications",
        "System Description", "System Status", "Resource Description", "Resource Status",
    ]

    init() {
        for f in Self.records(RegistryData.attributes) where f.count >= 6 {
            let parent = f[1].isEmpty ? nil : String(f[1])
            attributes.append(AttributeDefinition(
                name: String(f[2]), parent: parent, group: String(f[0]), syntax: String(f[4]),
                spec: String(f[5]), status: RegistrationStatus(rawValue: String(f[3]))))
        }
        var groupRank: [String: Int] = [:]
        for (i, g) in Self.groupOrder.enumerated() { groupRank[g] = i }
        for (i, a) in attributes.enumerated() {
            attributeIndex[a.path, default: []].append(i)
            if let p = a.parent { memberIndex[p, default: []].append(i) }
        }
        for key in attributeIndex.keys {
            attributeIndex[key]!.sort { l, r in
                let a = attributes[l], b = attributes[r]
                if a.status.rank != b.status.rank { return a.status.rank < b.status.rank }
                let ga = groupRank[a.group] ?? Int.max, gb = groupRank[b.group] ?? Int.max
                if ga != gb { return ga < gb }
                return l < r
            }
        }
        for f in Self.records(RegistryData.memberAliases) where f.count >= 2 {
            memberAliases[String(f[0]), default: []].append(String(f[1]))
        }
        for f in Self.records(RegistryData.keywords) where f.count >= 5 {
            let alias = f[1].first == "=" ? String(f[1].dropFirst()) : nil
            keywords[String(f[0]), default: []].append(KeywordRecord(
                value: String(f[1]), aliasTarget: alias, status: RegistrationStatus(rawValue: String(f[2])),
                type: String(f[3]), spec: String(f[4])))
        }
        for f in Self.records(RegistryData.enums) where f.count >= 5 {
            let alias = f[1].first == "=" ? String(f[1].dropFirst()) : nil
            guard alias != nil || Int32(f[1]) != nil else { continue }
            enums[String(f[0]), default: []].append(EnumRecord(
                value: Int32(f[1]) ?? 0, aliasTarget: alias, name: String(f[2]),
                status: RegistrationStatus(rawValue: String(f[3])), spec: String(f[4])))
        }
    }

    /// Splits a table literal into lines of TAB-separated fields (empty fields kept).
    static func records(_ text: String) -> [[Substring]] {
        var out: [[Substring]] = []
        var fields: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        let utf8 = text.utf8
        while i != text.endIndex {
            let byte = utf8[i]
            if byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") {
                fields.append(text[start..<i])
                if byte == UInt8(ascii: "\n") {
                    if !(fields.count == 1 && fields[0].isEmpty) { out.append(fields) }
                    fields = []
                }
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        fields.append(text[start..<text.endIndex])
        if !(fields.count == 1 && fields[0].isEmpty) { out.append(fields) }
        return out
    }

    /// The collection path itself, then the paths it stands for through "any member of X"
    /// aliases (longest aliased prefix first). A group alias yields ("", group) for the
    /// group's top-level attributes, or (rest, group) for paths below them.
    func expand(_ path: String) -> [(path: String, group: String?)] {
        var out: [(path: String, group: String?)] = [(path, nil)]
        var seen: Set<String> = [path]
        var next = 0
        while next < out.count, out.count < 64 {
            let current = out[next].path
            next += 1
            let parts = current.split(separator: "/", omittingEmptySubsequences: false)
            guard !current.isEmpty else { continue }
            for k in stride(from: parts.count, through: 1, by: -1) {
                let prefix = parts[0..<k].joined(separator: "/")
                guard let targets = memberAliases[prefix] else { continue }
                let rest = parts[k...].joined(separator: "/")
                for target in targets {
                    let candidate: (path: String, group: String?)
                    if target.first == "@" {
                        candidate = (rest, String(target.dropFirst()))
                    } else {
                        candidate = (rest.isEmpty ? target : target + "/" + rest, nil)
                    }
                    let key = (candidate.group.map { "@" + $0 + ":" } ?? "") + candidate.path
                    if seen.insert(key).inserted { out.append(candidate) }
                }
            }
        }
        return out
    }
}
