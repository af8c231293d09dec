/// The text form of a message: one line per group and per attribute, exactly as
/// libcups 2.4.2 would print it with `ippTagString` and `ippAttributeString`.
///
/// ```
/// version=2.0 code=0x000b request-id=1
/// operation-attributes-tag:
///   attributes-charset (charset) = utf-8
///   requested-attributes (1setOf keyword) = printer-state,queued-job-count
/// ```
///
/// The output is byte-identical to what libcups produces after reading the same bytes,
/// including libcups's quirks, among them the changes it makes while reading
/// (1setOf values of mixed string syntaxes, integer/rangeOfInteger mixes, out-of-band
/// values that carry data, strings cut at a NUL). docs/TEXT-FORMAT.md lists them and the
/// few places where the output cannot match.
extension Message {
    /// The text form, one line per group and attribute, each ending in "\n".
    ///
    /// - Parameter defaultLanguage: the language libcups takes from the process locale
    ///   when it promotes text values to nameWithLanguage and the message has no
    ///   attributes-natural-language as its second attribute ("en" in the C locale).
    public func formatted(defaultLanguage: String = "en") -> String {
        var w = TextWriter(defaultLanguage: defaultLanguage)
        w.message(self) { w in w.out.append(0x0A) }
        return String(decoding: w.out, as: UTF8.self)
    }

    /// The text form as lines, without line ends.
    public func textLines(defaultLanguage: String = "en") -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(1 + groups.count + groups.reduce(0) { $0 + $1.attributes.count })
        var w = TextWriter(defaultLanguage: defaultLanguage)
        w.message(self) { w in
            lines.append(String(decoding: w.out, as: UTF8.self))
            w.out.removeAll(keepingCapacity: true)
        }
        return lines
    }
}

extension Attribute {
    /// The value part of the text form (libcups's `ippAttributeString`): values separated
    /// by ",", collections as `{name=value name=value}`.
    ///
    /// Standalone, the attribute has no message around it, so a language libcups would
    /// take from the message's attributes-natural-language is "en" here.
    public var formattedValue: String {
        var w = TextWriter(defaultLanguage: "en")
        let values = self.values
        let r = w.resolve(values, context: .none)
        w.values(r, values, name: nameBytes)
        return String(decoding: w.out, as: UTF8.self)
    }

    /// The syntax part of the text form: "keyword", "1setOf integer", "collection", ….
    public var formattedSyntax: String {
        var w = TextWriter(defaultLanguage: "en")
        let r = w.resolve(values, context: .none)
        w.syntax(r)
        return String(decoding: w.out, as: UTF8.self)
    }
}

// MARK: - Writer

/// Builds the text as UTF-8 bytes (as libcups does) and makes Strings at line ends.
struct TextWriter {
    var out: [UInt8] = []
    let defaultLanguage: [UInt8]

    init(defaultLanguage: String) {
        self.defaultLanguage = Array(defaultLanguage.utf8)
        out.reserveCapacity(256)
    }

    // MARK: Message

    mutating func message(_ m: Message, endLine: (inout TextWriter) -> Void) {
        ascii("version=")
        decimal(Int64(m.version.major)); out.append(0x2E); decimal(Int64(m.version.minor))
        ascii(" code=0x")
        ascii(TagNames.hex(UInt32(m.code), digits: 4, uppercase: false))
        ascii(" request-id=")
        decimal(Int64(m.requestID))
        endLine(&self)

        // libcups keeps one flat attribute list. Two consecutive group tags that are
        // equal (even around an empty group) put a separator in it; a group line is
        // printed when the group tag changes or after a separator. An empty group with a
        // different tag leaves no trace, so the groups on either side of it merge.
        var current: UInt8 = 0          // libcups's curtag, IPP_TAG_ZERO at the start
        var printed: UInt8? = nil       // group tag of the last attribute printed
        var separator = false
        var index = 0                   // position in libcups's flat list
        for group in m.groups {
            if group.tag.rawValue == current {
                separator = true
                index += 1
            }
            current = group.tag.rawValue
            for attribute in group.attributes {
                if separator || printed != current {
                    ascii(TagNames.groupTagName(group.tag))
                    out.append(0x3A)
                    endLine(&self)
                    printed = current
                    separator = false
                }
                let name = attribute.nameBytes
                let vals = attribute.values
                let r = resolve(vals, context: .message(m, index: index))
                ascii("  ")
                cString(name)
                ascii(" (")
                syntax(r)
                ascii(") = ")
                values(r, vals, name: name)
                endLine(&self)
                index += 1
            }
        }
    }

    // MARK: Syntax and values

    mutating func syntax(_ r: Resolved) {
        if r.count > 1 { ascii("1setOf ") }
        ascii(TagNames.tagName(UInt32(r.tag)))
    }

    /// libcups's `ippAttributeString` for a (resolved) attribute.
    mutating func values(_ r: Resolved, _ vals: [Value], name: ArraySlice<UInt8>) {
        switch r.items {
        case nil:
            // The common case: libcups keeps every value as it is on the wire.
            var first = true
            for v in vals {
                if !first { out.append(0x2C) }
                first = false
                value(v, tag: r.tag, name: name)
            }
        case let items?:
            var first = true
            for item in items {
                if !first { out.append(0x2C) }
                first = false
                switch item {
                case .value(let v):
                    value(v, tag: v.tag.rawValue, name: name, asRange: r.tag == 0x33)
                case .string(let text, let language):
                    string(text, language: language)
                case .empty:
                    if !Resolved.isString(r.tag) { ascii(TagNames.tagName(UInt32(r.tag))) }
                }
            }
        }
    }

    /// One value, printed as libcups prints a value of an attribute with value tag `tag`.
    mutating func value(_ v: Value, tag: UInt8, name: ArraySlice<UInt8>, asRange: Bool = false) {
        let b = v.bytes
        let s = b.startIndex
        switch tag {
        case 0x21, 0x23: // integer, enum
            guard b.count == 4 else { return malformed(b) }
            let n = BigEndian.int32(b, at: s)
            if asRange {
                decimal(Int64(n)); out.append(0x2D); decimal(Int64(n))
            } else if tag == 0x23 {
                ascii(TagNames.enumName(attribute: name.prefix { $0 != 0 }, value: n))
            } else {
                decimal(Int64(n))
            }
        case 0x22: // boolean: any non-zero byte is true
            guard b.count == 1 else { return malformed(b) }
            ascii(b[s] != 0 ? "true" : "false")
        case 0x33: // rangeOfInteger
            guard b.count == 8 else { return malformed(b) }
            decimal(Int64(BigEndian.int32(b, at: s))); out.append(0x2D); decimal(Int64(BigEndian.int32(b, at: s + 4)))
        case 0x32: // resolution: units 3 is dpi, anything else dpcm
            guard b.count == 9 else { return malformed(b) }
            let x = BigEndian.int32(b, at: s), y = BigEndian.int32(b, at: s + 4)
            decimal(Int64(x))
            if x != y { out.append(0x78); decimal(Int64(y)) }
            ascii(b[s + 8] == 3 ? "dpi" : "dpcm")
        case 0x31: // dateTime
            guard b.count == 11 else { return malformed(b) }
            dateTime(b)
        case 0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49:
            string(Self.cut(b), language: nil)
        case 0x35, 0x36:
            let (language, text) = Self.splitWithLanguage(b)
            string(text, language: language)
        case 0x30: // octetString
            octets(b)
        case 0x34: // collection
            collection(v.members)
        default:
            // Out-of-band and unknown syntaxes print their tag name, once per value.
            ascii(TagNames.tagName(UInt32(tag)))
        }
    }

    /// `{name=value name=value}`; `{}` when empty.
    mutating func collection(_ members: [Attribute]) {
        out.append(0x7B)
        var first = true
        for (i, m) in members.enumerated() {
            if !first { out.append(0x20) }
            first = false
            let name = m.nameBytes
            let vals = m.values
            cString(name)
            out.append(0x3D)
            let r = resolve(vals, context: .collection(members, index: i))
            values(r, vals, name: name)
        }
        out.append(0x7D)
    }

    /// A character string: `\` before `\`, `"` and `[`; then `[language]` if it has one.
    /// Other bytes, control characters included, are copied as they are.
    mutating func string(_ text: ArraySlice<UInt8>?, language: ArraySlice<UInt8>?) {
        guard let text else { return } // libcups prints nothing for a value without text
        for c in text {
            if c == 0x5C || c == 0x22 || c == 0x5B { out.append(0x5C) }
            out.append(c)
        }
        if let language {
            out.append(0x5B)
            out.append(contentsOf: language)
            out.append(0x5D)
        }
    }

    /// octetString: `\` before `\` and white space, `\ooo` for bytes that are not
    /// printable ASCII, everything else as is.
    mutating func octets(_ b: ArraySlice<UInt8>) {
        for c in b {
            if c == 0x5C || c == 0x20 || (c >= 0x09 && c <= 0x0D) {
                out.append(0x5C); out.append(c)
            } else if c < 0x20 || c >= 0x7F {
                out.append(0x5C)
                out.append(0x30 + (c >> 6)); out.append(0x30 + ((c >> 3) & 7)); out.append(0x30 + (c & 7))
            } else {
                out.append(c)
            }
        }
    }

    /// A fixed-size value whose length is wrong (libcups refuses the message): its bytes.
    mutating func malformed(_ b: ArraySlice<UInt8>) { octets(b) }

    /// `YYYY-MM-DDThh:mm:ssZ` when the UTC offset is zero, else `…ss±hhmm`; the fields
    /// are printed from the wire bytes without any check or time-zone conversion.
    mutating func dateTime(_ b: ArraySlice<UInt8>) {
        let s = b.startIndex
        padded(UInt32(b[s]) << 8 | UInt32(b[s + 1]), 4)
        out.append(0x2D); padded(UInt32(b[s + 2]), 2)
        out.append(0x2D); padded(UInt32(b[s + 3]), 2)
        out.append(0x54); padded(UInt32(b[s + 4]), 2)
        out.append(0x3A); padded(UInt32(b[s + 5]), 2)
        out.append(0x3A); padded(UInt32(b[s + 6]), 2)
        if b[s + 9] == 0 && b[s + 10] == 0 {
            out.append(0x5A)
        } else {
            // libcups prints the direction byte with %c; a NUL there ends its string.
            guard b[s + 8] != 0 else { return }
            out.append(b[s + 8])
            padded(UInt32(b[s + 9]), 2)
            padded(UInt32(b[s + 10]), 2)
        }
    }

    // MARK: Resolving values the way libcups reads them

    /// Where an attribute sits, for the language libcups gives promoted values: the
    /// second entry of the list it is read into (message or collection).
    enum Context {
        case none
        case message(Message, index: Int)
        case collection([Attribute], index: Int)
    }

    /// An attribute as libcups holds it after reading: its value tag and values.
    struct Resolved {
        var tag: UInt8
        var count: Int
        /// nil: the values are exactly the wire values (the fast path).
        var items: [Item]?

        enum Item {
            /// A wire value; an integer printed under a rangeOfInteger attribute is `n-n`.
            case value(Value)
            /// A string as libcups stores it: cut at the first NUL, maybe with a language.
            case string(ArraySlice<UInt8>, language: ArraySlice<UInt8>?)
            /// An out-of-band value without data (a value slot with no text).
            case empty
        }

        static func isString(_ t: UInt8) -> Bool { t == 0x35 || t == 0x36 || (t >= 0x41 && t <= 0x49) }
        /// Out-of-band tags whose non-empty value libcups 2.4.2 turns into text.
        static func isDataOutOfBand(_ t: UInt8) -> Bool { (t >= 0x10 && t <= 0x13) || (t >= 0x15 && t <= 0x17) }
    }

    /// Follows libcups's reader over the values: which 1setOf mixes it accepts and how it
    /// converts them. If libcups would refuse the attribute, the values are printed as
    /// they are (there is no libcups text to match).
    func resolve(_ values: [Value], context: Context) -> Resolved {
        guard let first = values.first else { return Resolved(tag: 0, count: 0, items: nil) }
        let t0 = first.tag.rawValue
        var simple = !Resolved.isDataOutOfBand(t0) || values.allSatisfy { $0.bytes.isEmpty }
        if simple {
            for v in values.dropFirst() where v.tag.rawValue != t0 { simple = false; break }
        }
        if simple { return Resolved(tag: t0, count: values.count, items: nil) }
        if let r = emulateRead(values, context: context) { return r }
        return Resolved(tag: t0, count: values.count, items: values.map { .value($0) })
    }

    /// libcups 2.4.2's `ippReadIO` value loop, for one attribute. nil if it fails.
    func emulateRead(_ values: [Value], context: Context) -> Resolved? {
        var tag: UInt8 = 0
        var items: [Resolved.Item] = []
        items.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            var t = v.tag.rawValue
            if i == 0 {
                tag = t
            } else if Resolved.isString(tag) {
                guard Resolved.isString(t) || t == 0x13 else { return nil }
                if tag != t {
                    switch t {
                    case 0x13: // no-value replaces every value so far
                        items.removeAll()
                        tag = t
                    case 0x42 where tag == 0x44: // keyword → name
                        tag = t
                    case 0x36 where tag == 0x42 || tag == 0x44, 0x35 where tag == 0x41:
                        // name/keyword → nameWithLanguage; text → textWithLanguage, which
                        // libcups 2.4.2 stores as nameWithLanguage. Earlier values get a language.
                        let language = promotionLanguage(context)
                        for j in items.indices {
                            if case .string(let text, _) = items[j] { items[j] = .string(text, language: language) }
                        }
                        tag = 0x36
                    default:
                        break // any other mix is accepted and keeps the attribute's tag
                    }
                }
            } else if tag == 0x21 || tag == 0x33 {
                guard t == 0x21 || t == 0x33 else { return nil }
                if tag == 0x21 && t == 0x33 { tag = 0x33 }
            } else if tag != t {
                return nil
            }
            // Read the value.
            if Resolved.isDataOutOfBand(t) && tag == t {
                if v.bytes.isEmpty { items.append(.empty); continue }
                tag = 0x41 // a value where none belongs: libcups keeps it as text
                t = 0x41
            }
            switch t {
            case 0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49:
                items.append(.string(Self.cut(v.bytes), language: nil))
            case 0x35, 0x36:
                let (language, text) = Self.splitWithLanguage(v.bytes)
                items.append(.string(text ?? [], language: language))
            default:
                items.append(.value(v))
            }
        }
        return Resolved(tag: tag, count: items.count, items: items)
    }

    /// The language libcups gives values promoted to nameWithLanguage: the first value
    /// of the second attribute in the list being read (message or collection) if that
    /// attribute is named attributes-natural-language and has the naturalLanguage syntax;
    /// else the locale's language.
    func promotionLanguage(_ context: Context) -> ArraySlice<UInt8>? {
        var second: Attribute? = nil
        switch context {
        case .none:
            break
        case .collection(let members, let index):
            // While the second member itself is read, it is not yet naturalLanguage-only
            // (it is being promoted), so only an earlier second member counts.
            if index >= 2 { second = members[1] }
        case .message(let m, let index):
            guard index >= 2 else { break }
            // The flat list: attributes, with a separator between equal group tags.
            var current: UInt8 = 0
            var n = 0
            search: for g in m.groups {
                if g.tag.rawValue == current {
                    if n == 1 { break search } // the second entry is a separator
                    n += 1
                }
                current = g.tag.rawValue
                for a in g.attributes {
                    if n == 1 { second = a; break search }
                    n += 1
                }
            }
        }
        guard let second, second.nameBytes.prefix(while: { $0 != 0 }).elementsEqual("attributes-natural-language".utf8) else {
            return defaultLanguage[...]
        }
        let values = second.values
        let r = resolve(values, context: .none)
        guard r.tag == 0x48, let first = values.first else { return defaultLanguage[...] }
        switch r.items?.first {
        case nil: return Self.cut(first.bytes)
        case .string(let text, _)?: return text
        default: return nil
        }
    }

    // MARK: Byte helpers

    /// libcups keeps strings as C strings: they end at the first NUL.
    static func cut(_ b: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        if let z = b.firstIndex(of: 0) { return b[b.startIndex..<z] }
        return b
    }

    /// The language and text of a text/nameWithLanguage value as libcups reads them:
    /// each cut at a NUL; lengths that overrun the value are clipped (libcups would
    /// refuse or read past the value, so there is nothing to match there).
    static func splitWithLanguage(_ b: ArraySlice<UInt8>) -> (language: ArraySlice<UInt8>, text: ArraySlice<UInt8>?) {
        if let (language, text) = WithLanguage.split(b) { return (cut(language), cut(text)) }
        let s = b.startIndex, e = b.endIndex
        guard b.count >= 2 else { return ([], nil) }
        let ll = Int(b[s]) << 8 | Int(b[s + 1])
        let le = min(s + 2 + ll, e)
        let language = b[(s + 2)..<le]
        guard le + 2 <= e else { return (cut(language), nil) }
        let tl = Int(b[le]) << 8 | Int(b[le + 1])
        let text = b[(le + 2)..<min(le + 2 + tl, e)]
        return (cut(language), cut(text))
    }

    mutating func ascii(_ s: String) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    mutating func cString(_ b: ArraySlice<UInt8>) {
        out.append(contentsOf: Self.cut(b))
    }

    mutating func decimal(_ v: Int64) {
        if v >= 0 && v < 10 { out.append(0x30 + UInt8(v)); return }
        ascii(String(v))
    }

    /// `%0<width>u`.
    mutating func padded(_ v: UInt32, _ width: Int) {
        let s = String(v)
        if s.utf8.count < width { out.append(contentsOf: repeatElement(0x30, count: width - s.utf8.count)) }
        ascii(s)
    }
}
