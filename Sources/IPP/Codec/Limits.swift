/// Every limit the decoder enforces, in one value, so a server can tighten them
/// for untrusted clients and a debugging tool can loosen them.
public struct DecoderLimits: Sendable, Hashable {
    /// Collections nested deeper than this are rejected. libcups rejects more than 10 levels.
    public var maxCollectionDepth: Int
    /// The longest name or value field accepted, in bytes. libcups's own buffer holds 32767.
    public var maxValueLength: Int
    /// The most attributes in one message, counting collection members.
    public var maxAttributes: Int
    /// The largest attribute section (header through end-of-attributes-tag), in bytes.
    /// Document data after the attributes is not counted: the decoder never reads it.
    public var maxMessageBytes: Int

    public init(maxCollectionDepth: Int = 10, maxValueLength: Int = 32767,
                maxAttributes: Int = 200_000, maxMessageBytes: Int = 16 << 20) {
        self.maxCollectionDepth = maxCollectionDepth
        self.maxValueLength = maxValueLength
        self.maxAttributes = maxAttributes
        self.maxMessageBytes = maxMessageBytes
    }

    public static let `default` = DecoderLimits()
}
