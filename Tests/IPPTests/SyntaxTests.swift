import Testing
import TestSupport
import IPP

/// Annotated hex for each value syntax: decode, check the model, re-encode byte for byte.
@Suite struct SyntaxTests {
    /// A request header and operation group; the attribute under test follows.
    static let head = """
        02 00            # version 2.0
        00 0b            # Get-Printer-Attributes
        00 00 00 07      # request-id 7
        01               # operation-attributes-tag
        """

    func roundTrip(_ body: String, file: String = #fileID, line: Int = #line) throws -> Attribute {
        let bytes = hex(Self.head + "\n" + body + "\n03 # end-of-attributes-tag")
        let (message, end) = try Message.decode(bytes)
        #expect(end == bytes.count)
        #expect(message.encoded() == bytes, "re-encoding differs")
        #expect(message.version == .v2_0)
        #expect(message.operation == Operation(0x000b))
        #expect(message.requestID == 7)
        return message.groups[0].attributes[0]
    }

    @Test func integer() throws {
        let a = try roundTrip("""
            21 00 06 "copies" 00 04 00 00 00 02
            """)
        #expect(a.name == "copies")
        #expect(a.values.map(\.integerValue) == [2])
    }

    @Test func negativeIntegerAndAdditionalValues() throws {
        let a = try roundTrip("""
            21 00 01 "x" 00 04 ff ff ff fe   # -2
            21 00 00     00 04 7f ff ff ff   # additional value: 2147483647
            """)
        #expect(a.values.map(\.integerValue) == [-2, Int32.max])
    }

    @Test func boolean() throws {
        let a = try roundTrip("""
            22 00 01 "b" 00 01 01
            22 00 00     00 01 00
            """)
        #expect(a.values.map(\.booleanValue) == [true, false])
    }

    @Test func enumValue() throws {
        let a = try roundTrip("23 00 0d \"printer-state\" 00 04 00 00 00 03")
        #expect(a.values[0].tag == .enum)
        #expect(a.values[0].integerValue == 3)
    }

    @Test func octetString() throws {
        let a = try roundTrip("30 00 01 \"o\" 00 03 00 ff 5c")
        #expect(Array(a.values[0].bytes) == [0x00, 0xff, 0x5c])
    }

    @Test func dateTime() throws {
        let a = try roundTrip("""
            31 00 01 "d" 00 0b
               07 ea 0c 03     # 2026-12-03
               0d 29 18 05     # 13:41:24.5
               2d 05 1e        # -05:30 from UTC
            """)
        let d = try #require(a.values[0].dateTimeValue)
        #expect(d.year == 2026 && d.month == 12 && d.day == 3)
        #expect(d.hour == 13 && d.minutes == 41 && d.seconds == 24 && d.deciSeconds == 5)
        #expect(d.utcDirection == UInt8(ascii: "-") && d.utcHours == 5 && d.utcMinutes == 30)
        // 2026-12-03T13:41:24-05:30 is 19:11:24 UTC.
        #expect(d.secondsSince1970 == 1_796_325_084)
    }

    @Test func resolution() throws {
        let a = try roundTrip("""
            32 00 01 "r" 00 09 00 00 02 58 00 00 01 2c 03   # 600x300 dpi
            """)
        let r = try #require(a.values[0].resolutionValue)
        #expect(r.x == 600 && r.y == 300 && r.units == .dotsPerInch)
    }

    @Test func rangeOfInteger() throws {
        let a = try roundTrip("33 00 01 \"c\" 00 08 00 00 00 01 00 00 03 e7")
        #expect(a.values[0].rangeValue == 1...999)
    }

    @Test func textAndNameWithLanguage() throws {
        let a = try roundTrip("""
            35 00 01 "t" 00 0b 00 02 "fr" 00 05 "café"    # textWithLanguage: é is 2 bytes
            """)
        #expect(a.values[0].withLanguage?.language == "fr")
        #expect(a.values[0].withLanguage?.text == "café")
        let n = try roundTrip("36 00 01 \"n\" 00 07 00 02 \"en\" 00 01 \"x\"")
        #expect(n.values[0].stringValue == "x")
    }

    @Test(arguments: [
        (0x41, "textWithoutLanguage"), (0x42, "nameWithoutLanguage"), (0x44, "keyword"), (0x45, "uri"),
        (0x46, "uriScheme"), (0x47, "charset"), (0x48, "naturalLanguage"), (0x49, "mimeMediaType"),
    ] as [(UInt8, String)])
    func characterStrings(tag: UInt8, syntax: String) throws {
        let t = String(tag, radix: 16)
        let a = try roundTrip("\(t) 00 01 \"s\" 00 05 \"hello\"")
        #expect(a.values[0].tag == ValueTag(tag))
        #expect(a.values[0].stringValue == "hello")
    }

    @Test(arguments: [0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17] as [UInt8])
    func outOfBand(tag: UInt8) throws {
        let a = try roundTrip("\(String(tag, radix: 16)) 00 01 \"z\" 00 00")
        #expect(a.values[0].tag == ValueTag(tag))
        #expect(a.values[0].tag.isOutOfBand)
        #expect(a.values[0].bytes.isEmpty)
    }

    @Test func nestedCollection() throws {
        let a = try roundTrip("""
            34 00 09 "media-col" 00 00                   # begCollection
              4a 00 00 00 0a "media-size"                # memberAttrName
              34 00 00 00 00                             #   begCollection
                4a 00 00 00 0b "x-dimension"
                21 00 00 00 04 00 00 52 08               #     21000
                4a 00 00 00 0b "y-dimension"
                21 00 00 00 04 00 00 74 04               #     29700
              37 00 00 00 00                             #   endCollection
              4a 00 00 00 0a "media-type"
              44 00 00 00 0a "stationery"
            37 00 00 00 00                               # endCollection
            """)
        #expect(a.values.count == 1)
        let members = a.values[0].members
        #expect(members.map(\.name) == ["media-size", "media-type"])
        #expect(members[0].values[0].members.map(\.name) == ["x-dimension", "y-dimension"])
        #expect(members[0].values[0].members[1].values[0].integerValue == 29700)
        #expect(members[1].values[0].stringValue == "stationery")
    }

    @Test func setOfCollectionsAndEmptyCollection() throws {
        let a = try roundTrip("""
            34 00 01 "m" 00 00
              4a 00 00 00 01 "k"
              44 00 00 00 01 "a"
              44 00 00 00 01 "b"                         # 1setOf inside a member
            37 00 00 00 00
            34 00 00 00 00                               # second collection value
            37 00 00 00 00                               # empty collection
            """)
        #expect(a.values.count == 2)
        #expect(a.values[0].members[0].values.map(\.stringValue) == ["a", "b"])
        #expect(a.values[1].members.isEmpty)
    }

    @Test func unknownAndExtensionTagsAreKept() throws {
        let a = try roundTrip("4f 00 01 \"u\" 00 02 ab cd")
        #expect(a.values[0].tag == ValueTag(0x4f))
        #expect(Array(a.values[0].bytes) == [0xab, 0xcd])
        // RFC 8010 §3.5.2: 0x7F, with the real type in the first four value bytes.
        let e = try roundTrip("7f 00 01 \"e\" 00 06 40 00 00 01 01 02")
        #expect(e.values[0].tag == .extension)
        #expect(e.values[0].bytes.count == 6)
    }

    @Test func repeatedGroupsAndDocumentOffset() throws {
        let bytes = hex("""
            02 00 00 00 00 00 00 01          # successful-ok, request-id 1
            01 47 00 12 "attributes-charset" 00 05 "utf-8"
            02 21 00 06 "job-id" 00 04 00 00 00 01     # job group 1
            02 21 00 06 "job-id" 00 04 00 00 00 02     # job group 2
            02                                         # job group 3, empty
            09 44 00 01 "x" 00 01 "y"                  # an unknown-to-us group tag is kept
            03                                         # end-of-attributes-tag
            25 50 44 46                                # document data: "%PDF"
            """)
        let (m, offset) = try Message.decode(bytes)
        #expect(offset == bytes.count - 4)
        #expect(m.groups.map(\.tag) == [.operation, .job, .job, .job, .document])
        #expect(m.groups[2].attributes[0].values[0].integerValue == 2)
        #expect(m.groups[3].attributes.isEmpty)
        #expect(m.status == StatusCode(0))
        #expect(m.encoded() == Array(bytes[..<offset]))
    }

    @Test func builtMessageEncodes() throws {
        var m = Message(operation: Operation(0x0002), requestID: 1)
        m.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
        m.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        m.append(Attribute("media-col", .collection([Attribute("media-type", .keyword("stationery"))])), to: .job)
        m.append(Attribute("page-ranges", [.rangeOfInteger(1, 2), .rangeOfInteger(5, 5)]), to: .job)
        m.append(Attribute("printer-resolution", .resolution(300, 300, units: .dotsPerInch)), to: .job)
        m.append(Attribute("job-name", .withLanguage(.nameWithLanguage, language: "en", "x")), to: .job)
        let bytes = m.encoded()
        #expect(bytes.count == m.encodedSize)
        let back = try Message(decoding: bytes)
        #expect(back.encoded() == bytes)
        #expect(back.attribute("media-col", in: .job)?.values[0].members[0].values[0].stringValue == "stationery")
        #expect(back.attribute("page-ranges", in: .job)?.values.map(\.rangeValue) == [1...2, 5...5])
    }
}
