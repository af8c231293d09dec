import CupsBridge
import IPP
import Testing
import TestSupport

/// ippgate's text formatter against libcups 2.4.2: the same bytes, read by libcups and
/// printed with ippTagString/ippAttributeString, must give byte-identical lines.
@Suite("Text form matches libcups")
struct TextFormatTests {
    // MARK: - The format itself

    /// The CUPS vendor operations ippgate answers are named as libcups names them.
    @Test func cupsOperationNamesMatchLibcups() {
        for op in [IPP.Operation.cupsGetDefault, .cupsGetPrinters, .cupsAddModifyPrinter, .cupsDeletePrinter] {
            #expect(op.cupsName == LibcupsMessage.operationName(op))
        }
        #expect(IPP.Operation.printJob.cupsName == nil)
    }

    @Test func specExample() {
        let m = Message(operation: Operation(0x000B), requestID: 1, groups: [
            AttributeGroup(tag: .operation, attributes: [
                Attribute("attributes-charset", .charset("utf-8")),
                Attribute("requested-attributes", [.keyword("printer-state"), .keyword("queued-job-count")]),
            ]),
            AttributeGroup(tag: .printer, attributes: [
                Attribute("media-col-default", .collection([
                    member("media-size", .collection([
                        member("x-dimension", .integer(21000)), member("y-dimension", .integer(29700)),
                    ])),
                    member("media-type", .keyword("stationery")),
                ])),
            ]),
        ])
        let expected = [
            "version=2.0 code=0x000b request-id=1",
            "operation-attributes-tag:",
            "  attributes-charset (charset) = utf-8",
            "  requested-attributes (1setOf keyword) = printer-state,queued-job-count",
            "printer-attributes-tag:",
            "  media-col-default (collection) = {media-size={x-dimension=21000 y-dimension=29700} media-type=stationery}",
        ]
        #expect(m.textLines() == expected)
        #expect(m.formatted() == expected.map { $0 + "\n" }.joined())
        #expect(assertSameText(m) == expected)
        #expect(m.groups[1].attributes[0].formattedSyntax == "collection")
        #expect(m.groups[0].attributes[1].formattedValue == "printer-state,queued-job-count")
    }

    @Test(arguments: [
        (Version.v1_0, UInt16(0x0002), Int32(0)), (.v1_1, 0x4001, 1), (.v2_0, 0x0400, -1),
        (.v2_1, 0xFFFF, Int32.max), (.v2_2, 0x0000, Int32.min), (Version(major: 0xFF, minor: 7), 0x1234, 42),
    ])
    func header(version: Version, code: UInt16, requestID: Int32) {
        assertSameText(Message(version: version, code: code, requestID: requestID, groups: [
            AttributeGroup(tag: .operation, attributes: [Attribute("attributes-charset", .charset("utf-8"))]),
        ]))
    }

    @Test func messageWithoutAttributes() {
        #expect(assertSameText(Message(code: 0x000B, requestID: 7)) == ["version=2.0 code=0x000b request-id=7"])
        // Empty groups leave no trace in libcups's attribute list.
        assertSameText(Message(code: 0x000B, requestID: 7, groups: [AttributeGroup(tag: .operation), AttributeGroup(tag: .job)]))
    }

    // MARK: - Character strings

    static let tricky: [String] = [
        "", "plain", "with spaces", #"back\slash"#, #"double"quote"#, "[bracketed]", "]", "{brace}", "a,b=c",
        "single'quote", "tab\there", "new\nline", "bell\u{07}", "del\u{7F}", "h\u{E9}llo w\u{F6}rld",
        "\u{65}\u{301}", "日本語", "emoji 🖨️", "trailing\\", "\\[\"", "\u{1}\u{1F}",
    ]

    @Test(arguments: [ValueTag.textWithoutLanguage, .nameWithoutLanguage, .keyword, .uri, .uriScheme, .charset,
                      .naturalLanguage, .mimeMediaType])
    func strings(tag: ValueTag) {
        assertSameText(response(Self.tricky.enumerated().map { Attribute("s\($0.offset)", .string(tag, $0.element)) }
            + [Attribute("all", Self.tricky.map { .string(tag, $0) })]))
    }

    @Test(arguments: [ValueTag.textWithLanguage, .nameWithLanguage])
    func withLanguage(tag: ValueTag) {
        var attributes = Self.tricky.enumerated().map { Attribute("s\($0.offset)", .withLanguage(tag, language: "en-US", $0.element)) }
        attributes.append(Attribute("empty-language", .withLanguage(tag, language: "", "text")))
        attributes.append(Attribute("odd-language", .withLanguage(tag, language: "x[\\\"]", "text")))
        attributes.append(Attribute("long-language", .withLanguage(tag, language: String(repeating: "x", count: 63), "t")))
        attributes.append(Attribute("set", [.withLanguage(tag, language: "de", "eins"), .withLanguage(tag, language: "fr", "deux")]))
        assertSameText(response(attributes))
    }

    @Test func stringsStopAtNUL() {
        // libcups keeps strings as C strings: a NUL ends the value (and a name).
        assertSameText(response([
            Attribute("text", raw(0x41, [0x61, 0x62, 0x00, 0x63])),
            Attribute("keyword", [raw(0x44, [0x00, 0x61]), .keyword("b")]),
            Attribute("text-lang", .withLanguage(.textWithLanguage, language: "e\u{0}n", "x\u{0}y")),
            Attribute(nameBytes: [0x6E, 0x00, 0x6D][...], values: [.integer(1)]),
            Attribute(nameBytes: [0x70, 0x72, 0x69, 0x6E, 0x74, 0x65, 0x72, 0x2D, 0x73, 0x74, 0x61, 0x74, 0x65, 0x00, 0x78][...],
                      values: [.enum(3)]),
        ]))
    }

    @Test func invalidUTF8() {
        assertSameText(response([
            Attribute("text", raw(0x41, [0x61, 0xFF, 0xC3, 0x28, 0xE2, 0x82])),
            Attribute("name", raw(0x42, [0xC0, 0xAF])),
        ]))
    }

    // MARK: - octetString

    @Test func octetStringEveryByte() {
        let all = (0...255).map { UInt8($0) }
        assertSameText(response([
            Attribute("all", .octetString(all)),
            Attribute("each", all.map { .octetString([$0]) }),
            Attribute("empty", .octetString([])),
            Attribute("text-like", .octetString(Array(#"a b\c"d[e]"#.utf8))),
        ]))
    }

    @Test func largeOctetString() {
        // 32767 bytes of 0xFF become 4 characters each: more than a small buffer holds.
        assertSameText(response([Attribute("big", .octetString([UInt8](repeating: 0xFF, count: 32767)))]))
    }

    // MARK: - Numbers

    @Test func integersRangesBooleans() {
        assertSameText(response([
            Attribute("zero", .integer(0)),
            Attribute("negative", .integer(-42)),
            Attribute("extremes", [.integer(Int32.min), .integer(Int32.max), .integer(-1)]),
            Attribute("range", .rangeOfInteger(1, 100)),
            Attribute("negative-range", .rangeOfInteger(-10, -1)),
            Attribute("inverted-range", raw(0x33, BigEndian.bytes(Int32(5)) + BigEndian.bytes(Int32(-5)))),
            Attribute("ranges", [.rangeOfInteger(Int32.min, Int32.max), .rangeOfInteger(0, 0)]),
            Attribute("true", .boolean(true)),
            Attribute("false", .boolean(false)),
            Attribute("booleans", [.boolean(true), .boolean(false), .boolean(true)]),
        ]))
    }

    @Test func booleanBytesOtherThanZeroAndOne() {
        // libcups prints any non-zero byte as true (ippgate's decoder refuses them, so
        // this formats the model directly).
        assertSameText(response([Attribute("b", [raw(0x22, [2]), raw(0x22, [0x80]), raw(0x22, [0xFF]), raw(0x22, [0])])]))
    }

    @Test func resolutions() {
        assertSameText(response([
            Attribute("dpi", .resolution(300, 300, units: .dotsPerInch)),
            Attribute("dpcm", .resolution(118, 118, units: .dotsPerCentimeter)),
            Attribute("xy-dpi", .resolution(600, 300, units: .dotsPerInch)),
            Attribute("xy-dpcm", .resolution(1, 2, units: .dotsPerCentimeter)),
            Attribute("other-units", [.resolution(5, 5, units: ResolutionUnits(rawValue: 0)), .resolution(5, 6, units: ResolutionUnits(rawValue: 0xFF))]),
            Attribute("negative", .resolution(-300, -300, units: .dotsPerInch)),
            Attribute("set", [.resolution(300, 300, units: .dotsPerInch), .resolution(600, 1200, units: .dotsPerInch)]),
        ]))
    }

    @Test func dateTimes() {
        let plus = UInt8(ascii: "+"), minus = UInt8(ascii: "-")
        let values: [Value] = [
            dateBytes(2025, 1, 2, 3, 4, 5),
            dateBytes(2025, 12, 31, 23, 59, 60, 9, plus, 5, 30),
            dateBytes(1999, 6, 15, 12, 0, 0, 0, minus, 8, 0),
            dateBytes(2000, 2, 29, 0, 0, 0, 0, minus, 0, 0),          // -0000 prints as Z
            dateBytes(1970, 1, 1, 0, 0, 0, 0, minus, 0, 45),
            dateBytes(0, 0, 0, 0, 0, 0),
            dateBytes(65535, 255, 255, 255, 255, 255, 255, 0x3F, 255, 255),
            dateBytes(12345, 13, 32, 24, 61, 61, 10, UInt8(ascii: "x"), 12, 99),
            dateBytes(2025, 1, 2, 3, 4, 5, 0, 0, 1, 0),               // NUL direction: libcups stops there
            dateBytes(2025, 1, 2, 3, 4, 5, 0, 0xC3, 1, 0),
        ]
        assertSameText(response(values.enumerated().map { Attribute("d\($0.offset)", $0.element) } + [Attribute("all", values)]))
    }

    // MARK: - Collections

    @Test func collections() {
        let size = Value.collection([member("x-dimension", .integer(21000)), member("y-dimension", .integer(29700))])
        assertSameText(response([
            Attribute("media-col", .collection([
                member("media-size", size),
                member("media-type", .keyword("stationery")),
                member("media-source", .keyword("tray-1"), .keyword("tray-2")),
                member("media-key", .name("my \"media\" [1]")),
                member("media-bottom-margin", .integer(-5)),
            ])),
            Attribute("media-col-ready", [.collection([member("media-size", size)]), .collection([member("media-size", size)])]),
            Attribute("empty", .collection([])),
            Attribute("empties", [.collection([]), .collection([])]),
            Attribute("nested-empty", .collection([member("a", .collection([])), member("b", .collection([]), .collection([]))])),
            Attribute("mixed-members", .collection([
                member("o", .outOfBand(.noValue)), member("d", dateBytes(2025, 1, 1, 0, 0, 0)),
                member("r", .resolution(300, 600, units: .dotsPerInch)), member("g", .rangeOfInteger(1, 2)),
                member("s", .octetString([0, 32, 0x5C])), member("t", .withLanguage(.textWithLanguage, language: "en", "x")),
                member("u", raw(0x4F, [1, 2])), member("b", .boolean(true)),
            ])),
        ]))
    }

    @Test func deeplyNestedCollection() {
        var v = Value.collection([member("leaf", .keyword("x"))])
        for depth in 1..<10 { v = .collection([member("level-\(depth)", v), member("n", .integer(Int32(depth)))]) }
        assertSameText(response([Attribute("deep", v)]))
    }

    @Test func enumsInsideCollections() {
        // ippEnumString is called with the member's own name.
        assertSameText(response([
            Attribute("finishings-col", .collection([
                member("finishings", .enum(4), .enum(0x4000_0046), .enum(17)),
                member("printer-state", .enum(3)),
                member("job-state", .enum(9)),
                member("other", .enum(3)),
                member("finishing-template", .keyword("staple")),
            ])),
        ]))
    }

    // MARK: - Out-of-band and unknown tags

    @Test func outOfBandValues() {
        let tags = (0x10...0x1F).map { UInt8($0) }
        let single: [Attribute] = tags.map { Attribute("oob-\($0)", raw($0, [])) }
        let sets: [Attribute] = tags.map { Attribute("oob-set-\($0)", [raw($0, []), raw($0, [])]) }
        assertSameText(response(single + sets))
    }

    @Test func unknownValueTags() {
        // Every tag that is neither a delimiter nor structural (begCollection,
        // endCollection, memberAttrName), including ones that libcups has no name for.
        let structural: Set<UInt8> = [0x34, 0x37, 0x4A]
        let tags: [UInt8] = (0x10...0xFF).map { UInt8($0) }.filter { !structural.contains($0) }
        var attributes: [Attribute] = []
        for t in tags {
            let data: [UInt8]
            switch t {
            case 0x10...0x1F: data = []
            case 0x21, 0x23: data = [0, 0, 0, 5]
            case 0x22: data = [1]
            case 0x31: data = [7, 233, 1, 2, 3, 4, 5, 0, 43, 1, 0]
            case 0x32: data = [0, 0, 0, 1, 0, 0, 0, 2, 3]
            case 0x33: data = [0, 0, 0, 1, 0, 0, 0, 2]
            case 0x35, 0x36: data = [0, 2, 0x65, 0x6E, 0, 1, 0x78]
            default: data = [0x61, 0x20, 0x00, 0xFF]
            }
            attributes.append(Attribute("t-\(t)", raw(t, data)))
            attributes.append(Attribute("set-\(t)", [raw(t, data), raw(t, data)]))
        }
        assertSameText(response(attributes))
    }

    @Test func extensionTag0x7F() {
        // libcups 2.4.2 reads 0x7F as an ordinary unknown tag (name and value follow as
        // usual): syntax and value both print as "UNKNOWN".
        let lines = assertSameText(response([Attribute("ext", raw(0x7F, [0, 0, 0, 0x41, 0x61]))]))
        #expect(lines.last == "  ext (UNKNOWN) = UNKNOWN")
    }

    // MARK: - Enums

    static let enumNames: [String] = [
        "document-state", "finishings", "finishings-actual", "finishings-default", "finishings-ready",
        "finishings-supported", "job-finishings", "job-finishings-default", "job-finishings-supported",
        "job-collation-type", "job-collation-type-actual", "job-state", "operations-supported",
        "orientation-requested", "orientation-requested-actual", "orientation-requested-default",
        "orientation-requested-supported", "print-quality", "print-quality-actual", "print-quality-default",
        "print-quality-supported", "printer-state", "resource-state", "system-state",
        // Enum attributes libcups has no names for.
        "job-finishings-ready", "printer-type", "input-orientation-requested", "Printer-State", "x",
    ]

    @Test(arguments: enumNames)
    func enumValues(name: String) {
        var values: [Int32] = [Int32.min, -1, 0, 1, 2]
        values += (3...110).map { Int32($0) }
        values += (0x3FFF_FFFF...0x4000_0066).map { Int32($0) }
        values += [0x4000, 0x4001, 0x400F, 0x4010, 0x4027, 0x4028, 0x4029, 0xFFFF, 0x10000, Int32.max]
        var attributes: [Attribute] = values.map { Attribute(name, .enum($0)) }
        attributes.append(Attribute(name, values.map { .enum($0) }))
        assertSameText(response(attributes))
    }

    @Test func operationsSupported() {
        var ops: [Int32] = (0...0x70).map { Int32($0) }
        ops += (0x3FFF...0x4030).map { Int32($0) }
        ops += [0x8000, 0xFFFF, 0x10000, 0x12345, -1, -100, Int32.min]
        let lines = assertSameText(response([Attribute("operations-supported", ops.map { .enum($0) })]))
        #expect(lines.last?.contains("Print-Job,Print-URI") == true)
        #expect(lines.last?.contains("windows-ext,CUPS-Get-Default") == true)
    }

    @Test func enumNamesMatchLibcupsExhaustively() {
        // Every registered enum attribute and every name libcups knows, over the ranges
        // where libcups has names, plus their edges.
        var names = Set(Self.enumNames)
        for a in Registry.attributes where a.syntax.contains("enum") { names.insert(a.name) }
        var values: [Int32] = [Int32.min, Int32.min + 1, -2, -1, Int32.max, 0x4000, 0x4027, 0x4028]
        values += (0...140).map { Int32($0) }
        values += (0x3FFF_FFF0...0x4000_0080).map { Int32($0) }
        var mismatches: [String] = []
        for name in names.sorted() {
            for v in values {
                let ours = TagNames.enumName(attribute: name, value: v)
                let theirs = Libcups.enumString(name, v)
                if ours != theirs { mismatches.append("\(name)=\(v): \(ours) vs \(theirs)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
    }

    @Test func operationNamesMatchLibcupsExhaustively() {
        var mismatches: [String] = []
        var values = (0...0x1_0100).map { Int32($0) }
        values += [-1, -2, -0x4001, Int32.min, Int32.max, 0x7FFF_0000]
        for v in values where TagNames.operationName(v) != Libcups.opString(v) {
            mismatches.append("\(v): \(TagNames.operationName(v)) vs \(Libcups.opString(v))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
    }

    @Test func tagNamesMatchLibcupsExhaustively() {
        var values = (0...0x1FF).map { UInt32($0) }
        values += [0x7FFF_FFFF, 0x8000_0000, 0x8000_0021, 0x8000_0044, 0x4000_0021, 0xFFFF_FFFF]
        var mismatches: [String] = []
        for v in values where TagNames.tagName(v) != Libcups.tagString(v) {
            mismatches.append("0x\(String(v, radix: 16)): \(TagNames.tagName(v)) vs \(Libcups.tagString(v))")
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        for t in 0...255 {
            #expect(ValueTag(UInt8(t)).description == Libcups.tagString(UInt32(t)))
            #expect(GroupTag(UInt8(t)).description == Libcups.tagString(UInt32(t)))
        }
    }

    // MARK: - Groups

    @Test func repeatedGroups() {
        let job = { (id: Int32) in AttributeGroup(tag: .job, attributes: [Attribute("job-id", .integer(id)), Attribute("job-state", .enum(3 + id % 7))]) }
        let m = Message(status: StatusCode(0), requestID: 9, groups: [
            AttributeGroup(tag: .operation, attributes: [Attribute("attributes-charset", .charset("utf-8"))]),
            job(1), job(2), job(3),
        ])
        let lines = assertSameText(m)
        #expect(lines.filter { $0 == "job-attributes-tag:" }.count == 3)
    }

    @Test func emptyGroupsBetweenGroups() {
        let a = { (n: String) in [Attribute(n, .integer(1))] }
        // job{a} printer{} job{b}: libcups merges a and b (no separator between them).
        // job{a} job{} job{b}: two separators, b starts a new group line.
        // job{a} job{} printer{} job{b}: the separator from the first pair still splits them.
        let cases: [[AttributeGroup]] = [
            [AttributeGroup(tag: .job, attributes: a("a")), AttributeGroup(tag: .printer), AttributeGroup(tag: .job, attributes: a("b"))],
            [AttributeGroup(tag: .job, attributes: a("a")), AttributeGroup(tag: .job), AttributeGroup(tag: .job, attributes: a("b"))],
            [AttributeGroup(tag: .job, attributes: a("a")), AttributeGroup(tag: .job), AttributeGroup(tag: .printer), AttributeGroup(tag: .job, attributes: a("b"))],
            [AttributeGroup(tag: .job), AttributeGroup(tag: .job), AttributeGroup(tag: .job, attributes: a("a"))],
            [AttributeGroup(tag: .operation), AttributeGroup(tag: .printer, attributes: a("a")), AttributeGroup(tag: .job), AttributeGroup(tag: .printer, attributes: a("b"))],
            [AttributeGroup(tag: .operation, attributes: a("o")), AttributeGroup(tag: .job, attributes: a("a")), AttributeGroup(tag: .printer), AttributeGroup(tag: .printer), AttributeGroup(tag: .job, attributes: a("b"))],
        ]
        for groups in cases {
            assertSameText(Message(code: 0, requestID: 1, groups: groups))
        }
    }

    @Test func operationGroupOnlyFirst() {
        // Debian's libcups 2.4.2 refuses operation-attributes-tag after any other group
        // tag (a second operation group included): no text to compare there.
        let a = [Attribute("x", .integer(1))]
        expectLibcupsRejects(Message(code: 0, requestID: 1, groups: [AttributeGroup(tag: .operation, attributes: a), AttributeGroup(tag: .operation, attributes: a)]))
        expectLibcupsRejects(Message(code: 0, requestID: 1, groups: [AttributeGroup(tag: .printer, attributes: a), AttributeGroup(tag: .operation, attributes: a)]))
        expectLibcupsRejects(Message(code: 0, requestID: 1, groups: [AttributeGroup(tag: .job), AttributeGroup(tag: .operation, attributes: a)]))
        #expect(Message(code: 0, requestID: 1, groups: [AttributeGroup(tag: .operation, attributes: a), AttributeGroup(tag: .operation, attributes: a)]).textLines()
                == ["version=2.0 code=0x0000 request-id=1", "operation-attributes-tag:", "  x (integer) = 1", "operation-attributes-tag:", "  x (integer) = 1"])
    }

    @Test func everyGroupTag() {
        let tags = (1...15).map { UInt8($0) }.filter { $0 != 3 }
        assertSameText(Message(code: 0, requestID: 1, groups: tags.map { AttributeGroup(tag: GroupTag($0), attributes: [Attribute("g\($0)", .integer(Int32($0)))]) }))
    }

    // MARK: - What libcups changes while reading

    @Test func mixedStringSyntaxesPairwise() {
        // libcups accepts any mix of string syntaxes (and no-value) in a 1setOf and
        // converts some of them; each pair must print as libcups prints it.
        let tags: [ValueTag] = [.textWithLanguage, .nameWithLanguage, .textWithoutLanguage, .nameWithoutLanguage, .keyword,
                                .uri, .uriScheme, .charset, .naturalLanguage, .mimeMediaType, .noValue]
        func value(_ t: ValueTag, _ s: String) -> Value {
            switch t {
            case .textWithLanguage, .nameWithLanguage: return .withLanguage(t, language: "it", s)
            case .noValue: return .outOfBand(.noValue)
            default: return .string(t, s)
            }
        }
        var attributes: [Attribute] = []
        for a in tags {
            for b in tags {
                attributes.append(Attribute("p-\(a.rawValue)-\(b.rawValue)", [value(a, "x"), value(b, "y")]))
            }
        }
        // no-value first, then a string: libcups refuses that, so leave those out.
        attributes.removeAll { $0.values[0].tag == .noValue && $0.values[1].tag != .noValue }
        assertSameText(response(attributes))
    }

    @Test func mixedStringSyntaxesTriples() {
        let tags: [ValueTag] = [.textWithLanguage, .nameWithLanguage, .textWithoutLanguage, .nameWithoutLanguage, .keyword, .uri]
        func value(_ t: ValueTag, _ s: String) -> Value {
            t == .textWithLanguage || t == .nameWithLanguage ? .withLanguage(t, language: "it", s) : .string(t, s)
        }
        var attributes: [Attribute] = []
        for a in tags { for b in tags { for c in tags {
            attributes.append(Attribute("t-\(a.rawValue)-\(b.rawValue)-\(c.rawValue)", [value(a, "x"), value(b, "y"), value(c, "z")]))
        } } }
        assertSameText(response(attributes))
    }

    @Test func promotedLanguageSource() {
        // keyword + nameWithLanguage → nameWithLanguage; the earlier values get the
        // message's natural language only if attributes-natural-language is the second
        // attribute libcups read; otherwise the locale's ("en" here).
        let mixed = Attribute("mixed", [.keyword("a"), .withLanguage(.nameWithLanguage, language: "it", "b")])
        let textMix = Attribute("text-mix", [.text("a"), .text("b"), .withLanguage(.textWithLanguage, language: "it", "c")])
        assertSameText(response([mixed, textMix], language: "de"))
        assertSameText(response([mixed, textMix], language: "x\u{0}y"))
        // Natural language third: not used.
        assertSameText(Message(code: 0, requestID: 1, groups: [
            AttributeGroup(tag: .operation, attributes: [
                Attribute("attributes-charset", .charset("utf-8")), Attribute("other", .keyword("k")),
                Attribute("attributes-natural-language", .naturalLanguage("de")),
            ]),
            AttributeGroup(tag: .printer, attributes: [mixed]),
        ]))
        // A separator is second in the list. (libcups refuses a second operation group,
        // so repeat another group.)
        assertSameText(Message(code: 0, requestID: 1, groups: [
            AttributeGroup(tag: .job, attributes: [Attribute("attributes-charset", .charset("utf-8"))]),
            AttributeGroup(tag: .job, attributes: [Attribute("attributes-natural-language", .naturalLanguage("de")), mixed]),
        ]))
        // attributes-natural-language second but not of syntax naturalLanguage: not used.
        for v: Value in [.keyword("de"), .text("de"), .withLanguage(.textWithLanguage, language: "x", "de"), .outOfBand(.noValue)] {
            assertSameText(Message(code: 0, requestID: 1, groups: [
                AttributeGroup(tag: .operation, attributes: [Attribute("attributes-charset", .charset("utf-8")),
                                                             Attribute("attributes-natural-language", v), mixed]),
            ]))
        }
        assertSameText(response([mixed], language: ""))
        assertSameText(Message(code: 0, requestID: 1, groups: [
            AttributeGroup(tag: .operation, attributes: [Attribute("attributes-charset", .charset("utf-8")),
                                                         Attribute("attributes-natural-language", [.naturalLanguage("de"), .naturalLanguage("fr")]), mixed]),
        ]))
        // The mixed attribute is itself first or second.
        assertSameText(Message(code: 0, requestID: 1, groups: [AttributeGroup(tag: .printer, attributes: [mixed, mixed])]))
        assertSameText(Message(code: 0, requestID: 1, groups: [AttributeGroup(tag: .printer, attributes: [
            Attribute("x", .integer(1)),
            Attribute("attributes-natural-language", [.keyword("nl"), .withLanguage(.nameWithLanguage, language: "it", "b")]),
        ])]))
        // Inside a collection the list is the collection's members.
        assertSameText(response([Attribute("col", .collection([
            member("first", .integer(1)), member("attributes-natural-language", .naturalLanguage("pt")),
            member("m", .keyword("a"), .withLanguage(.nameWithLanguage, language: "it", "b")),
        ])), Attribute("col2", .collection([member("m", .keyword("a"), .withLanguage(.nameWithLanguage, language: "it", "b"))]))]))
    }

    @Test func integerAndRangeMixes() {
        assertSameText(response([
            Attribute("int-range", [.integer(1), .rangeOfInteger(2, 3), .integer(4)]),
            Attribute("range-int", [.rangeOfInteger(2, 3), .integer(-4)]),
            Attribute("in-collection", .collection([member("m", .integer(7), .rangeOfInteger(8, 9))])),
        ]))
    }

    @Test func noValueReplacesEarlierStrings() {
        assertSameText(response([
            Attribute("kw-novalue", [.keyword("a"), .keyword("b"), .outOfBand(.noValue)]),
            Attribute("text-novalue", [.text("a"), .outOfBand(.noValue)]),
            Attribute("novalues", [.outOfBand(.noValue), .outOfBand(.noValue)]),
        ]))
    }

    @Test func outOfBandWithData() {
        // A vendor quirk libcups tolerates: an out-of-band value with data becomes text.
        // (ippgate's decoder refuses these; this formats the model directly.)
        var attributes: [Attribute] = []
        for t in [UInt8(0x10), 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1F] {
            attributes.append(Attribute("data-\(t)", raw(t, Array("x y".utf8))))
            attributes.append(Attribute("empty-then-data-\(t)", [raw(t, []), raw(t, [0x7A])]))
        }
        attributes.append(Attribute("novalue-data-twice", [raw(0x13, [0x61]), raw(0x13, [0x62])]))
        attributes.append(Attribute("novalue-data-text", [raw(0x13, [0x61]), .text("b"), .keyword("c")]))
        attributes.append(Attribute("kw-novalue-data", [.keyword("k"), raw(0x13, [0x64])]))
        attributes.append(Attribute("novalue-then-promote", [raw(0x13, []), raw(0x13, [0x61]), .withLanguage(.textWithLanguage, language: "it", "b")]))
        assertSameText(response(attributes))
    }

    @Test func mixesLibcupsRefuses() {
        // These have no libcups text; the formatter prints each value by its own tag.
        let refused: [Attribute] = [
            Attribute("int-enum", [.integer(1), .enum(4)]),
            Attribute("enum-int", [.enum(4), .integer(1)]),
            Attribute("novalue-kw", [.outOfBand(.noValue), .keyword("k")]),
            Attribute("kw-unknown", [.keyword("k"), .outOfBand(.unknown)]),
            Attribute("octet-text", [.octetString([1]), .text("t")]),
            Attribute("oob-mix", [.outOfBand(.unsupported), .outOfBand(.default)]),
        ]
        for a in refused {
            let m = response([a])
            expectLibcupsRejects(m)
            #expect(m.textLines().count == 6)
        }
        #expect(response([refused[0]]).textLines().last == "  int-enum (1setOf integer) = 1,4")
    }

    // MARK: - Randomized comparison

    @Test func randomMessages() {
        var rng = SplitMix64(state: 0x1BB_6A7E)
        var compared = 0
        var rejections: [String] = []
        for _ in 0..<2000 {
            let m = randomMessage(&rng)
            let cups = Result { try LibcupsMessage.decode(m.encoded()) }
            if case .failure(let e) = cups { rejections.append("\(e)") }
            if let expected = libcupsLines(m) {
                compared += 1
                if let d = firstDifference(m.textLines(), expected) {
                    Issue.record("random message differs: \(d)")
                    return
                }
            }
        }
        #expect(compared > 1500, "\(Set(rejections))")
    }

    private func randomMessage(_ rng: inout SplitMix64) -> Message {
        var groups: [AttributeGroup] = []
        for i in 0..<Int.random(in: 1...5, using: &rng) {
            // libcups accepts the operation group only first.
            let tags: [UInt8] = i == 0 ? [1, 2, 4, 5, 6, 7, 9, 10] : [2, 4, 5, 6, 7, 9, 10, 11]
            let tag = GroupTag(tags[Int.random(in: 0..<tags.count, using: &rng)])
            let attributes = (0..<Int.random(in: 0...6, using: &rng)).map { _ in randomAttribute(&rng, depth: 0) }
            groups.append(AttributeGroup(tag: tag, attributes: attributes))
        }
        return Message(code: UInt16.random(in: 0...0x4030, using: &rng), requestID: Int32.random(in: Int32.min...Int32.max, using: &rng), groups: groups)
    }

    private static let names = ["printer-state", "finishings", "operations-supported", "media", "job-state", "copies",
                                "print-quality", "orientation-requested-supported", "document-state", "x", "media-col",
                                "attributes-natural-language", "job-collation-type", "system-state", "finishings-ready"]

    private func randomAttribute(_ rng: inout SplitMix64, depth: Int) -> Attribute {
        let name = Self.names[Int.random(in: 0..<Self.names.count, using: &rng)]
        let kind = Int.random(in: 0..<14, using: &rng)
        let count = Int.random(in: 1...3, using: &rng)
        let pick = Int.random(in: 0..<100, using: &rng) // one out-of-band / unknown tag per attribute
        let values: [Value] = (0..<count).map { _ in randomValue(kind, pick, &rng, depth: depth) }
        return Attribute(name, values)
    }

    private func randomString(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("ab \\\"[]{}=,é日\t\u{1}")
        return String((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    private func randomValue(_ kind: Int, _ pick: Int, _ rng: inout SplitMix64, depth: Int) -> Value {
        switch kind {
        case 0: return .integer(Int32.random(in: -5...200, using: &rng))
        case 1: return .enum(Bool.random(using: &rng) ? Int32.random(in: 0...110, using: &rng) : Int32.random(in: 0x4000_0040...0x4000_0066, using: &rng))
        case 2: return .boolean(Bool.random(using: &rng))
        case 3: return .rangeOfInteger(Int32.random(in: -9...9, using: &rng), Int32.random(in: -9...9, using: &rng))
        case 4: return .resolution(Int32.random(in: 1...3, using: &rng) * 300, Int32.random(in: 1...3, using: &rng) * 300, units: ResolutionUnits(rawValue: UInt8.random(in: 3...4, using: &rng)))
        case 5: return dateBytes(UInt16.random(in: 1990...2030, using: &rng), UInt8.random(in: 1...12, using: &rng), 28, 1, 2, 3, 0,
                                 Bool.random(using: &rng) ? 0x2B : 0x2D, UInt8.random(in: 0...2, using: &rng), UInt8.random(in: 0...1, using: &rng) * 30)
        case 6: return .octetString((0..<Int.random(in: 0...5, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 7: return .withLanguage(Bool.random(using: &rng) ? .textWithLanguage : .nameWithLanguage, language: "en", randomString(&rng))
        case 8, 9:
            let tags: [ValueTag] = [.textWithoutLanguage, .nameWithoutLanguage, .keyword, .uri, .charset, .naturalLanguage, .mimeMediaType, .uriScheme]
            return .string(tags[Int.random(in: 0..<tags.count, using: &rng)], randomString(&rng))
        case 10: return .outOfBand([ValueTag.unsupported, .default, .unknown, .noValue, .notSettable, .deleteAttribute, .adminDefine][pick % 7])
        case 11: return raw([0x2F, 0x4F, 0x7F, 0x38][pick % 4], [1, 2])
        default:
            guard depth < 3 else { return .keyword("leaf") }
            return .collection((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomAttribute(&rng, depth: depth + 1) })
        }
    }
}

/// The libcups wrapper itself: decoding, offsets, errors, re-encoding.
@Suite("LibcupsMessage")
struct LibcupsMessageTests {
    @Test func decodeReportsDocumentOffset() throws {
        let m = response([Attribute("printer-state", .enum(3))])
        let bytes = m.encoded()
        let document: [UInt8] = Array("%PDF-1.7 ...".utf8)
        let (cups, offset) = try LibcupsMessage.decode(bytes + document)
        #expect(offset == bytes.count)
        #expect(cups.encode() == bytes)
        #expect(cups.formatted() == m.formatted())
    }

    @Test func encodeIntoBuffer() throws {
        let m = response([Attribute("media-col", .collection([member("media-type", .keyword("stationery"))]))])
        let bytes = m.encoded()
        let (cups, _) = try LibcupsMessage.decode(bytes)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count + 16, alignment: 16)
        defer { buffer.deallocate() }
        for _ in 0..<3 {
            let n = cups.encode(into: buffer)
            #expect(n == bytes.count)
            #expect(Array(buffer[..<n]) == bytes)
        }
        let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 16)
        defer { small.deallocate() }
        #expect(cups.encode(into: small) == -1)
        #expect(bytes.withUnsafeBytes { LibcupsMessage.decodeOnly($0) })
        #expect(!bytes.dropLast().withUnsafeBytes { LibcupsMessage.decodeOnly(UnsafeRawBufferPointer($0)) })
    }

    @Test func decodeErrors() {
        let truncated = Array(response([Attribute("a", .integer(1))]).encoded().dropLast(3))
        #expect(throws: LibcupsMessage.DecodeError.self) { try LibcupsMessage.decode(truncated) }
        #expect(throws: LibcupsMessage.DecodeError.self) { try LibcupsMessage.decode([]) }
        do {
            _ = try LibcupsMessage.decode(response([Attribute("a", [.integer(1), .enum(2)])]).encoded())
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("incompatible"))
            #expect(error.consumed > 8)
        }
    }
}
