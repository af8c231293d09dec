/// An operation id (RFC 8011 §5.4.15 and the IANA registry). Open: unknown ids round-trip.
/// The well-known constants live in the generated registry.
public struct Operation: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }
}

/// A status code (RFC 8011 §B and the IANA registry). Open: unknown codes round-trip.
/// The well-known constants live in the generated registry.
public struct StatusCode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable public var isSuccess: Bool { rawValue < 0x0100 }
}

/// The protocol version in a message header.
public struct Version: Hashable, Sendable {
    public var major: UInt8
    public var minor: UInt8
    @inlinable public init(major: UInt8, minor: UInt8) { self.major = major; self.minor = minor }

    public static let v1_0 = Version(major: 1, minor: 0)
    public static let v1_1 = Version(major: 1, minor: 1)
    public static let v2_0 = Version(major: 2, minor: 0)
    public static let v2_1 = Version(major: 2, minor: 1)
    public static let v2_2 = Version(major: 2, minor: 2)
}

extension Version: CustomStringConvertible {
    public var description: String { "\(major).\(minor)" }
}
