/// One attribute value, exactly as it was on the wire: its tag and its value bytes.
///
/// The bytes are a view into the decoded message (no copy, no String is made
/// until one is asked for), which keeps decoding cheap and re-encoding exact.
/// A collection value carries its member attributes, in wire order.
public struct Value: Sendable {
    public var tag: ValueTag
    /// The raw value field (RFC 8010 §3.1.4). Empty for out-of-band values and collections.
    public var bytes: ArraySlice<UInt8>
    /// Member attributes when `tag == .begCollection`, in wire order; empty otherwise.
    public var members: [Attribute]

    @inlinable
    public init(tag: ValueTag, bytes: ArraySlice<UInt8>, members: [Attribute] = []) {
        self.tag = tag
        self.bytes = bytes
        self.members = members
    }
}

// MARK: - Building values

extension Value {
    @inlinable public static func integer(_ v: Int32) -> Value { Value(tag: .integer, bytes: BigEndian.bytes(v)[...]) }
    @inlinable public static func `enum`(_ v: Int32) -> Value { Value(tag: .enum, bytes: BigEndian.bytes(v)[...]) }
    @inlinable public static func boolean(_ v: Bool) -> Value { Value(tag: .boolean, bytes: [v ? 1 : 0][...]) }
    @inlinable public static func outOfBand(_ tag: ValueTag) -> Value { Value(tag: tag, bytes: []) }

    /// A character-string value (keyword, uri, charset, textWithoutLanguage, …).
    @inlinable public static func string(_ tag: ValueTag, _ s: String) -> Value { Value(tag: tag, bytes: Array(s.utf8)[...]) }
    @inlinable public static func keyword(_ s: String) -> Value { .string(.keyword, s) }
    @inlinable public static func uri(_ s: String) -> Value { .string(.uri, s) }
    @inlinable public static func text(_ s: String) -> Value { .string(.textWithoutLanguage, s) }
    @inlinable public static func name(_ s: String) -> Value { .string(.nameWithoutLanguage, s) }
    @inlinable public static func charset(_ s: String) -> Value { .string(.charset, s) }
    @inlinable public static func naturalLanguage(_ s: String) -> Value { .string(.naturalLanguage, s) }
    @inlinable public static func mimeMediaType(_ s: String) -> Value { .string(.mimeMediaType, s) }
    public static func octetString(_ b: [UInt8]) -> Value { Value(tag: .octetString, bytes: b[...]) }

    /// textWithLanguage / nameWithLanguage: the value field holds both strings, each length-prefixed.
    public static func withLanguage(_ tag: ValueTag, language: String, _ s: String) -> Value {
        var b: [UInt8] = []
        b.reserveCapacity(4 + language.utf8.count + s.utf8.count)
        b.append(contentsOf: BigEndian.bytes(UInt16(truncatingIfNeeded: language.utf8.count)))
        b.append(contentsOf: language.utf8)
        b.append(contentsOf: BigEndian.bytes(UInt16(truncatingIfNeeded: s.utf8.count)))
        b.append(contentsOf: s.utf8)
        return Value(tag: tag, bytes: b[...])
    }

    public static func rangeOfInteger(_ lower: Int32, _ upper: Int32) -> Value {
        Value(tag: .rangeOfInteger, bytes: (BigEndian.bytes(lower) + BigEndian.bytes(upper))[...])
    }

    public static func resolution(_ x: Int32, _ y: Int32, units: ResolutionUnits) -> Value {
        Value(tag: .resolution, bytes: (BigEndian.bytes(x) + BigEndian.bytes(y) + [units.rawValue])[...])
    }

    public static func dateTime(_ d: DateTime) -> Value { Value(tag: .dateTime, bytes: d.bytes[...]) }

    public static func collection(_ members: [Attribute]) -> Value { Value(tag: .begCollection, bytes: [], members: members) }
}

// MARK: - Reading values

extension Value {
    /// integer or enum value; nil if the value is not 4 bytes of an integer type.
    @inlinable public var integerValue: Int32? {
        guard (tag == .integer || tag == .enum), bytes.count == 4 else { return nil }
        return BigEndian.int32(bytes, at: bytes.startIndex)
    }

    @inlinable public var booleanValue: Bool? {
        guard tag == .boolean, bytes.count == 1 else { return nil }
        return bytes.first! != 0
    }

    /// The text of a character-string value; for text/nameWithLanguage, the text part.
    public var stringValue: String? {
        if tag.isCharacterString { return String(decoding: bytes, as: UTF8.self) }
        if tag == .textWithLanguage || tag == .nameWithLanguage { return withLanguage?.text }
        return nil
    }

    /// Compares a character-string value with `s` without making a String.
    @inlinable public func isString(_ s: StaticString) -> Bool {
        s.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    /// The (language, text) parts of a text/nameWithLanguage value.
    public var withLanguage: (language: String, text: String)? {
        guard tag == .textWithLanguage || tag == .nameWithLanguage,
              let (lang, text) = WithLanguage.split(bytes) else { return nil }
        return (String(decoding: lang, as: UTF8.self), String(decoding: text, as: UTF8.self))
    }

    public var rangeValue: ClosedRange<Int32>? {
        guard tag == .rangeOfInteger, bytes.count == 8 else { return nil }
        let lo = BigEndian.int32(bytes, at: bytes.startIndex), hi = BigEndian.int32(bytes, at: bytes.startIndex + 4)
        return lo <= hi ? lo...hi : nil
    }

    public var resolutionValue: (x: Int32, y: Int32, units: ResolutionUnits)? {
        guard tag == .resolution, bytes.count == 9 else { return nil }
        let s = bytes.startIndex
        return (BigEndian.int32(bytes, at: s), BigEndian.int32(bytes, at: s + 4), ResolutionUnits(rawValue: bytes[s + 8]))
    }

    public var dateTimeValue: DateTime? {
        guard tag == .dateTime, bytes.count == 11 else { return nil }
        return DateTime(bytes: bytes)
    }
}

/// Resolution units (RFC 8010 §3.9): 3 = dots per inch, 4 = dots per centimetre.
public struct ResolutionUnits: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let dotsPerInch = ResolutionUnits(rawValue: 3)
    public static let dotsPerCentimeter = ResolutionUnits(rawValue: 4)
}

/// Splits the value field of text/nameWithLanguage into its two parts.
public enum WithLanguage {
    @inlinable
    public static func split(_ b: ArraySlice<UInt8>) -> (language: ArraySlice<UInt8>, text: ArraySlice<UInt8>)? {
        guard b.count >= 4 else { return nil }
        let s = b.startIndex
        let ll = Int(BigEndian.uint16(b, at: s))
        guard 2 + ll + 2 <= b.count else { return nil }
        let tl = Int(BigEndian.uint16(b, at: s + 2 + ll))
        guard 2 + ll + 2 + tl == b.count else { return nil }
        return (b[(s + 2)..<(s + 2 + ll)], b[(s + 4 + ll)..<b.endIndex])
    }
}
