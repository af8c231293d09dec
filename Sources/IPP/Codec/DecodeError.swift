/// A decoding failure: what went wrong, at which byte, in which attribute.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The message ended before it was complete.
        case truncated
        /// A tag that is not allowed where it stands.
        case unexpectedTag
        /// A name or value length that does not fit its syntax.
        case invalidLength
        /// A value whose bytes are not valid for its syntax.
        case invalidValue
        /// One of `DecoderLimits` was exceeded.
        case limitExceeded
    }

    public var kind: Kind
    /// Byte offset from the start of the message where the problem was found.
    public var offset: Int
    /// The attribute being decoded, if any (for collection members, the member name).
    public var attribute: String?
    /// What is wrong, for a person.
    public var reason: String

    public init(_ kind: Kind, at offset: Int, attribute: String? = nil, _ reason: String) {
        self.kind = kind
        self.offset = offset
        self.attribute = attribute
        self.reason = reason
    }

    /// One line: `byte 419 (0x1a3), attribute "media-col": value length 5 is invalid for rangeOfInteger (expected 8)`.
    public var description: String {
        var s = "byte \(offset) (0x\(String(offset, radix: 16)))"
        if let attribute { s += ", attribute \"\(attribute)\"" }
        return s + ": " + reason
    }
}
