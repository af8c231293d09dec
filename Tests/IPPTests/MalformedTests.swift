import Testing
import TestSupport
import IPP

/// Each malformed message gets a DecodeError naming the right kind, byte offset and attribute.
@Suite struct MalformedTests {
    static let head = "02 00 00 0b 00 00 00 01 01" // header, operation-attributes-tag (9 bytes)

    func error(_ body: String, limits: DecoderLimits = .default) -> DecodeError? {
        do {
            _ = try Message.decode(hex(Self.head + "\n" + body), limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func emptyAndShortHeader() {
        for n in 0..<8 {
            #expect(throws: DecodeError(.truncated, at: n, "message ends inside the 8-byte header")) {
                try Message.decode(Array(repeating: 1, count: n))
            }
        }
    }

    @Test func missingEndTag() throws {
        let e = try #require(error("21 00 01 \"x\" 00 04 00 00 00 01"))
        #expect(e.kind == .truncated)
        #expect(e.offset == 19)
        #expect(e.attribute == "x")
    }

    @Test func wrongFixedLengths() throws {
        let cases: [(String, String)] = [
            ("21 00 01 \"i\" 00 03 00 00 01", "integer"),
            ("23 00 01 \"i\" 00 05 00 00 00 00 01", "enum"),
            ("22 00 01 \"b\" 00 02 00 01", "boolean"),
            ("31 00 01 \"d\" 00 0a 00 00 00 00 00 00 00 00 00 00", "dateTime"),
            ("32 00 01 \"r\" 00 08 00 00 00 01 00 00 00 01", "resolution"),
            ("33 00 01 \"g\" 00 04 00 00 00 01", "rangeOfInteger"),
            ("13 00 01 \"n\" 00 01 00", "no-value"),
            ("34 00 01 \"c\" 00 01 00", "begCollection"),
        ]
        for (body, _) in cases {
            let e = try #require(error(body + " 03"), "\(body)")
            #expect(e.kind == .invalidLength, "\(body)")
            #expect(e.offset == 9, "\(body)")
            #expect(e.attribute != nil)
        }
    }

    @Test func badBooleanAndLanguageLengths() throws {
        #expect(error("22 00 01 \"b\" 00 01 02 03")?.kind == .invalidValue)
        #expect(error("35 00 01 \"t\" 00 06 00 02 \"en\" 00 05 03")?.kind == .invalidLength)
    }

    @Test func additionalValueWithoutAttribute() throws {
        let e = try #require(error("21 00 00 00 04 00 00 00 01 03"))
        #expect(e.kind == .invalidLength)
        #expect(e.offset == 10)
    }

    @Test func attributeBeforeGroup() throws {
        let bytes = hex("02 00 00 0b 00 00 00 01 21 00 01 \"x\" 00 04 00 00 00 01 03")
        #expect(throws: DecodeError.self) { try Message.decode(bytes) }
        do { _ = try Message.decode(bytes) } catch { #expect(error.offset == 8); #expect(error.kind == .unexpectedTag) }
    }

    @Test func reservedDelimiter() throws {
        let e = try #require(error("00 03"))
        #expect(e.kind == .unexpectedTag && e.offset == 9)
    }

    @Test func collectionErrors() throws {
        // Member value before any memberAttrName.
        #expect(error("34 00 01 \"c\" 00 00 44 00 00 00 01 \"k\" 37 00 00 00 00 03")?.kind == .unexpectedTag)
        // Group tag inside a collection.
        #expect(error("34 00 01 \"c\" 00 00 03")?.kind == .unexpectedTag)
        // Named value inside a collection.
        #expect(error("34 00 01 \"c\" 00 00 4a 00 00 00 01 \"k\" 44 00 01 \"n\" 00 01 \"v\" 37 00 00 00 00 03")?.kind == .invalidLength)
        // Member with no value.
        #expect(error("34 00 01 \"c\" 00 00 4a 00 00 00 01 \"k\" 37 00 00 00 00 03")?.kind == .unexpectedTag)
        // endCollection / memberAttrName at top level.
        #expect(error("37 00 01 \"c\" 00 00 03")?.kind == .unexpectedTag)
        #expect(error("4a 00 01 \"c\" 00 01 \"k\" 03")?.kind == .unexpectedTag)
        // Unterminated.
        #expect(error("34 00 01 \"c\" 00 00 4a 00 00 00 01 \"k\" 44 00 00 00 01 \"v\"")?.kind == .truncated)
    }

    @Test func limits() throws {
        // Depth: 3 nested collections against a limit of 2.
        let nested = """
            34 00 01 "a" 00 00 4a 00 00 00 01 "b"
            34 00 00 00 00 4a 00 00 00 01 "c"
            34 00 00 00 00 4a 00 00 00 01 "d" 21 00 00 00 04 00 00 00 01 37 00 00 00 00
            37 00 00 00 00 37 00 00 00 00 03
            """
        #expect(error(nested, limits: DecoderLimits(maxCollectionDepth: 3)) == nil)
        let deep = try #require(error(nested, limits: DecoderLimits(maxCollectionDepth: 2)))
        #expect(deep.kind == .limitExceeded)
        #expect(deep.attribute == "c")
        // Value length.
        let long = try #require(error("41 00 01 \"t\" 00 05 \"hello\" 03", limits: DecoderLimits(maxValueLength: 4)))
        #expect(long.kind == .limitExceeded && long.offset == 13)
        // Attribute count.
        let many = "21 00 01 \"a\" 00 04 00 00 00 01 21 00 01 \"b\" 00 04 00 00 00 01 03"
        #expect(error(many, limits: DecoderLimits(maxAttributes: 2)) == nil)
        #expect(error(many, limits: DecoderLimits(maxAttributes: 1))?.kind == .limitExceeded)
        // Message size.
        #expect(error(many, limits: DecoderLimits(maxMessageBytes: 30)) == nil) // exactly 30 bytes
        #expect(error(many, limits: DecoderLimits(maxMessageBytes: 29))?.kind == .limitExceeded)
    }

    @Test func trailingBytesRejectedByExactInit() {
        #expect(throws: DecodeError.self) { try Message(decoding: hex(Self.head + " 03 ff")) }
    }

    @Test func descriptionNamesOffsetAndAttribute() {
        let e = DecodeError(.invalidLength, at: 419, attribute: "media-col", "value length 5 is invalid for rangeOfInteger (expected 8)")
        #expect(e.description == "byte 419 (0x1a3), attribute \"media-col\": value length 5 is invalid for rangeOfInteger (expected 8)")
    }
}
