/// A named attribute with one or more values (RFC 8010 §3.1.3–3.1.5).
///
/// An attribute is held as its own wire encoding: the first value item carrying the
/// name, then the additional values, with collections inline. Decoding a message
/// therefore only validates and frames attributes, re-encoding is a copy, and a proxy
/// sends on exactly what it received. `values` and `name` are made on demand.
public struct Attribute: Sendable {
    /// The exact wire bytes of this attribute, as a top-level attribute.
    /// A collection member is held in the same form; the encoder writes it in member
    /// form (memberAttrName, then unnamed values).
    public private(set) var wire: ArraySlice<UInt8>

    /// Trusted: `wire` has been validated by the decoder or made by the encoder.
    init(wire: ArraySlice<UInt8>) { self.wire = wire }

    public init(nameBytes: ArraySlice<UInt8>, values: [Value]) {
        wire = AttributeWire.encode(name: nameBytes, values: values)[...]
    }

    public init(_ name: String, _ values: [Value]) {
        self.init(nameBytes: Array(name.utf8)[...], values: values)
    }

    public init(_ name: String, _ value: Value) { self.init(name, [value]) }

    /// The name, as bytes from the wire.
    public var nameBytes: ArraySlice<UInt8> {
        get {
            let s = wire.startIndex
            let n = Int(wire[s + 1]) << 8 | Int(wire[s + 2])
            return wire[(s + 3)..<(s + 3 + n)]
        }
        set { wire = AttributeWire.encode(name: newValue, values: values)[...] }
    }

    public var name: String {
        get { String(decoding: nameBytes, as: UTF8.self) }
        set { nameBytes = Array(newValue.utf8)[...] }
    }

    /// The values, in wire order. Reading parses the wire bytes; setting re-encodes them.
    public var values: [Value] {
        get { AttributeWire.values(of: wire) }
        set { wire = AttributeWire.encode(name: nameBytes, values: newValue)[...] }
    }

    /// The tag of the first value: the attribute's syntax as libcups reports it.
    public var tag: ValueTag {
        wire.count > AttributeWire.headerSize(wire) ? ValueTag(wire[wire.startIndex]) : .noValue
    }

    /// The first value, without parsing the others.
    public var firstValue: Value? { AttributeWire.values(of: wire, limit: 1).first }

    /// Compares the name without making a String.
    @inlinable public func hasName(_ s: String) -> Bool {
        var s = s
        let s0 = wire.startIndex
        let n = Int(wire[s0 + 1]) << 8 | Int(wire[s0 + 2])
        return s.withUTF8 { $0.count == n && wire[(s0 + 3)..<(s0 + 3 + n)].elementsEqual($0) }
    }
}

/// One attribute group: a group tag and its attributes in wire order.
/// A message may hold several groups with the same tag (e.g. one job group per job).
public struct AttributeGroup: Sendable {
    public var tag: GroupTag
    public var attributes: [Attribute]

    @inlinable public init(tag: GroupTag, attributes: [Attribute] = []) {
        self.tag = tag
        self.attributes = attributes
    }

    /// The first attribute with this name, if any.
    public subscript(name: String) -> Attribute? {
        attributes.first { $0.hasName(name) }
    }
}
