/// A delimiter tag that begins an attribute group (RFC 8010 §3.5.1).
/// Open: unknown group tags (0x00–0x0F other than end-of-attributes) are kept.
public struct GroupTag: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let operation = GroupTag(0x01)
    public static let job = GroupTag(0x02)
    /// Not a group: marks the end of the attributes. Never appears in `Message.groups`.
    public static let endOfAttributes = GroupTag(0x03)
    public static let printer = GroupTag(0x04)
    public static let unsupported = GroupTag(0x05)
    public static let subscription = GroupTag(0x06)
    public static let eventNotification = GroupTag(0x07)
    public static let resource = GroupTag(0x08)
    public static let document = GroupTag(0x09)
    public static let system = GroupTag(0x0A)
}

extension GroupTag: CustomStringConvertible {
    /// libcups's `ippTagString` name for the tag, e.g. "operation-attributes-tag".
    public var description: String { TagNames.groupTagName(self) }
}
