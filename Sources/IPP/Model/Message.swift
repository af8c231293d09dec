/// An IPP request or response (RFC 8010 §3.1.1), without its document data.
///
/// Groups are an ordered array, never a dictionary, so a message re-encodes
/// exactly as it was received, repeated groups included.
public struct Message: Sendable {
    public var version: Version
    /// operation-id in a request, status-code in a response.
    public var code: UInt16
    public var requestID: Int32
    public var groups: [AttributeGroup]

    @inlinable
    public init(version: Version = .v2_0, code: UInt16, requestID: Int32, groups: [AttributeGroup] = []) {
        self.version = version
        self.code = code
        self.requestID = requestID
        self.groups = groups
    }

    public init(version: Version = .v2_0, operation: Operation, requestID: Int32, groups: [AttributeGroup] = []) {
        self.init(version: version, code: operation.rawValue, requestID: requestID, groups: groups)
    }

    public init(version: Version = .v2_0, status: StatusCode, requestID: Int32, groups: [AttributeGroup] = []) {
        self.init(version: version, code: status.rawValue, requestID: requestID, groups: groups)
    }

    public var operation: Operation { Operation(rawValue: code) }
    public var status: StatusCode { StatusCode(rawValue: code) }

    /// The first attribute with this name in the first group with this tag.
    public func attribute(_ name: String, in group: GroupTag) -> Attribute? {
        for g in groups where g.tag == group {
            if let a = g[name] { return a }
        }
        return nil
    }

    /// Appends an attribute to the last group with this tag, starting a new group if the
    /// last group has a different tag.
    public mutating func append(_ attribute: Attribute, to group: GroupTag) {
        if let last = groups.indices.last, groups[last].tag == group {
            groups[last].attributes.append(attribute)
        } else {
            groups.append(AttributeGroup(tag: group, attributes: [attribute]))
        }
    }
}
