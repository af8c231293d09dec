/// A named attribute with one or more values (RFC 8010 §3.1.3–3.1.5).
///
/// The name is kept as bytes from the wire; `name` makes a String on demand.
public struct Attribute: Sendable {
    public var nameBytes: ArraySlice<UInt8>
    public var values: [Value]

    @inlinable public init(nameBytes: ArraySlice<UInt8>, values: [Value]) {
        self.nameBytes = nameBytes
        self.values = values
    }

    public init(_ name: String, _ values: [Value]) {
        self.init(nameBytes: Array(name.utf8)[...], values: values)
    }

    public init(_ name: String, _ value: Value) { self.init(name, [value]) }

    public var name: String {
        get { String(decoding: nameBytes, as: UTF8.self) }
        set { nameBytes = Array(newValue.utf8)[...] }
    }

    /// The tag of the first value; an attribute's syntax as libcups reports it.
    @inlinable public var tag: ValueTag { values.first?.tag ?? .noValue }

    /// Compares the name without making a String.
    @inlinable public func hasName(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { nameBytes.elementsEqual($0) }
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
