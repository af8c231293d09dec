/// A value tag (RFC 8010 §3.5.2). Open, not a closed enum: an unknown tag
/// decodes, is kept, and re-encodes unchanged.
public struct ValueTag: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    // Out-of-band values (0x10–0x1F): the value field is empty.
    public static let unsupported = ValueTag(0x10)
    public static let `default` = ValueTag(0x11)
    public static let unknown = ValueTag(0x12)
    public static let noValue = ValueTag(0x13)
    public static let notSettable = ValueTag(0x15)
    public static let deleteAttribute = ValueTag(0x16)
    public static let adminDefine = ValueTag(0x17)

    // Integer types (0x20–0x2F).
    public static let integer = ValueTag(0x21)
    public static let boolean = ValueTag(0x22)
    public static let `enum` = ValueTag(0x23)

    // Octet-string types (0x30–0x3F).
    public static let octetString = ValueTag(0x30)
    public static let dateTime = ValueTag(0x31)
    public static let resolution = ValueTag(0x32)
    public static let rangeOfInteger = ValueTag(0x33)
    public static let begCollection = ValueTag(0x34)
    public static let textWithLanguage = ValueTag(0x35)
    public static let nameWithLanguage = ValueTag(0x36)
    public static let endCollection = ValueTag(0x37)

    // Character-string types (0x40–0x5F).
    public static let textWithoutLanguage = ValueTag(0x41)
    public static let nameWithoutLanguage = ValueTag(0x42)
    public static let keyword = ValueTag(0x44)
    public static let uri = ValueTag(0x45)
    public static let uriScheme = ValueTag(0x46)
    public static let charset = ValueTag(0x47)
    public static let naturalLanguage = ValueTag(0x48)
    public static let mimeMediaType = ValueTag(0x49)
    public static let memberAttrName = ValueTag(0x4A)

    /// The extension tag (RFC 8010 §3.5.2): kept as an opaque value.
    public static let `extension` = ValueTag(0x7F)

    /// Out-of-band tags carry no value bytes.
    @inlinable public var isOutOfBand: Bool { rawValue >= 0x10 && rawValue <= 0x1F }
    /// Tags whose value is a character string (text, name, keyword, uri, …).
    @inlinable public var isCharacterString: Bool { rawValue >= 0x40 && rawValue <= 0x5F }
}

extension ValueTag: CustomStringConvertible {
    /// libcups's `ippTagString` name for the tag.
    public var description: String { TagNames.valueTagName(self) }
}
