/// The one-shot decoder: bytes of a complete message in, a `Message` out.
///
/// It is strict about framing and about the fixed-size syntaxes, keeps every tag
/// it does not know as an opaque value, and never looks past end-of-attributes-tag:
/// what follows is document data, left for the caller to stream.
extension Message {
    /// Decodes the message at the start of `bytes`.
    /// - Returns: the message and the offset where document data begins.
    public static func decode(_ bytes: [UInt8], limits: DecoderLimits = .default) throws(DecodeError) -> (message: Message, documentOffset: Int) {
        var parser = Parser(bytes: bytes, limits: limits)
        let message = try parser.parseMessage()
        return (message, parser.pos)
    }

    /// Decodes a message that must fill `bytes` exactly (no document data after it).
    public init(decoding bytes: [UInt8], limits: DecoderLimits = .default) throws(DecodeError) {
        let (message, end) = try Message.decode(bytes, limits: limits)
        guard end == bytes.count else {
            throw DecodeError(.invalidLength, at: end, "\(bytes.count - end) unexpected bytes after end-of-attributes-tag")
        }
        self = message
    }
}

/// Reads the wire format (RFC 8010 §3). Values are slices of `bytes`: no copies.
struct Parser {
    let bytes: [UInt8]
    let limits: DecoderLimits
    var pos = 0
    var attributeCount = 0

    init(bytes: [UInt8], limits: DecoderLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// One item of the attribute section: a tag, a name and a value field.
    struct Item {
        var tag: ValueTag
        var start: Int          // offset of the tag byte
        var name: Range<Int>
        var value: Range<Int>
    }

    mutating func parseMessage() throws(DecodeError) -> Message {
        guard bytes.count >= 8 else {
            throw DecodeError(.truncated, at: bytes.count, "message ends inside the 8-byte header")
        }
        var message = Message(version: Version(major: bytes[0], minor: bytes[1]),
                              code: UInt16(bytes[2]) << 8 | UInt16(bytes[3]),
                              requestID: Int32(bitPattern: UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])))
        pos = 8
        var groups: [AttributeGroup] = []
        var attributes: [Attribute] = []
        var groupTag: GroupTag? = nil
        // The attribute being framed: from its named item up to the next named item or delimiter.
        var attributeStart = -1
        func closeAttribute(at end: Int) {
            if attributeStart >= 0 {
                attributes.append(Attribute(wire: bytes[attributeStart..<end]))
                attributeStart = -1
            }
        }
        while true {
            guard pos < bytes.count else {
                throw DecodeError(.truncated, at: pos, attribute: attributeStart >= 0 ? Attribute(wire: bytes[attributeStart...]).name : nil,
                                  "message ends before end-of-attributes-tag")
            }
            let tag = bytes[pos]
            if tag < 0x10 {
                // A delimiter: closes the current attribute and group.
                closeAttribute(at: pos)
                if let g = groupTag {
                    groups.append(AttributeGroup(tag: g, attributes: attributes))
                    attributes = []
                }
                if tag == GroupTag.endOfAttributes.rawValue {
                    pos += 1
                    if pos > limits.maxMessageBytes {
                        throw DecodeError(.limitExceeded, at: limits.maxMessageBytes, "attributes exceed the \(limits.maxMessageBytes)-byte message limit")
                    }
                    message.groups = groups
                    return message
                }
                guard tag != 0 else {
                    throw DecodeError(.unexpectedTag, at: pos, "reserved delimiter tag 0x00")
                }
                groupTag = GroupTag(tag)
                pos += 1
                continue
            }
            let start = pos
            let item = try readItem()
            guard groupTag != nil else {
                throw DecodeError(.unexpectedTag, at: item.start, attribute: name(item), "attribute before the first group tag")
            }
            if item.name.isEmpty {
                // An additional value of the attribute being framed (RFC 8010 §3.1.5).
                guard attributeStart >= 0 else {
                    throw DecodeError(.invalidLength, at: item.start + 1, "additional value (empty name) with no attribute before it in its group")
                }
                try checkValue(item, depth: 0, attribute: attributeStart)
            } else {
                closeAttribute(at: start)
                try countAttribute(item)
                attributeStart = start
                try checkValue(item, depth: 0, attribute: attributeStart)
            }
        }
    }

    private mutating func countAttribute(_ item: Item) throws(DecodeError) {
        attributeCount += 1
        if attributeCount > limits.maxAttributes {
            throw DecodeError(.limitExceeded, at: item.start, attribute: name(item), "more than \(limits.maxAttributes) attributes")
        }
    }

    private func name(_ item: Item) -> String? {
        item.name.isEmpty ? nil : String(decoding: bytes[item.name], as: UTF8.self)
    }

    /// Reads tag, name-length, name, value-length and value at `pos`.
    private mutating func readItem() throws(DecodeError) -> Item {
        let start = pos
        let n = bytes.count
        guard start + 3 <= n else {
            throw DecodeError(.truncated, at: n, "message ends inside an attribute's name length")
        }
        let tag = ValueTag(bytes[start])
        let nameLength = Int(bytes[start + 1]) << 8 | Int(bytes[start + 2])
        let nameStart = start + 3
        guard nameLength <= limits.maxValueLength else {
            throw DecodeError(.limitExceeded, at: start + 1, "name length \(nameLength) exceeds the limit of \(limits.maxValueLength)")
        }
        guard nameStart + nameLength + 2 <= n else {
            throw DecodeError(.truncated, at: n, attribute: nameStart + nameLength <= n ? String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self) : nil,
                              "message ends inside an attribute's name or value length")
        }
        let lengthAt = nameStart + nameLength
        let valueLength = Int(bytes[lengthAt]) << 8 | Int(bytes[lengthAt + 1])
        let valueStart = lengthAt + 2
        let item = Item(tag: tag, start: start, name: nameStart..<lengthAt, value: valueStart..<(valueStart + valueLength))
        guard valueLength <= limits.maxValueLength else {
            throw DecodeError(.limitExceeded, at: lengthAt, attribute: name(item), "value length \(valueLength) exceeds the limit of \(limits.maxValueLength)")
        }
        guard item.value.upperBound <= n else {
            throw DecodeError(.truncated, at: n, attribute: name(item), "message ends inside a \(tag) value (\(valueLength) bytes announced, \(n - valueStart) present)")
        }
        pos = item.value.upperBound
        if pos > limits.maxMessageBytes {
            throw DecodeError(.limitExceeded, at: limits.maxMessageBytes, attribute: name(item), "attributes exceed the \(limits.maxMessageBytes)-byte message limit")
        }
        return item
    }

    /// The name of the attribute whose named item starts at `offset`, for error messages.
    private func attributeName(at offset: Int) -> String {
        Attribute(wire: bytes[offset...]).name
    }

    /// Checks a value against its syntax; for a collection, checks its members too.
    private mutating func checkValue(_ item: Item, depth: Int, attribute: Int) throws(DecodeError) {
        let length = item.value.count
        func fail(_ kind: DecodeError.Kind, _ reason: String) -> DecodeError {
            DecodeError(kind, at: item.start, attribute: attributeName(at: attribute), reason)
        }
        func expect(_ n: Int) throws(DecodeError) {
            if length != n {
                throw fail(.invalidLength, "value length \(length) is invalid for \(item.tag) (expected \(n))")
            }
        }
        switch item.tag.rawValue {
        case 0x10...0x1F:
            try expect(0)
        case ValueTag.integer.rawValue, ValueTag.enum.rawValue:
            try expect(4)
        case ValueTag.boolean.rawValue:
            try expect(1)
            if bytes[item.value.lowerBound] > 1 {
                throw fail(.invalidValue, "boolean value \(bytes[item.value.lowerBound]) is neither 0 nor 1")
            }
        case ValueTag.dateTime.rawValue:
            try expect(11)
        case ValueTag.resolution.rawValue:
            try expect(9)
        case ValueTag.rangeOfInteger.rawValue:
            try expect(8)
        case ValueTag.textWithLanguage.rawValue, ValueTag.nameWithLanguage.rawValue:
            if WithLanguage.split(bytes[item.value]) == nil {
                throw fail(.invalidLength, "\(item.tag) value's inner lengths do not add up to its \(length) bytes")
            }
        case ValueTag.begCollection.rawValue:
            try expect(0)
            guard depth < limits.maxCollectionDepth else {
                throw fail(.limitExceeded, "collections nested more than \(limits.maxCollectionDepth) deep")
            }
            try checkMembers(depth: depth + 1, attribute: attribute)
        case ValueTag.endCollection.rawValue:
            throw fail(.unexpectedTag, "endCollection outside a collection")
        case ValueTag.memberAttrName.rawValue:
            throw fail(.unexpectedTag, "memberAttrName outside a collection")
        default:
            break // character strings, octetString and unknown tags: any bytes
        }
    }

    /// Checks collection members up to and including endCollection (RFC 8010 §3.1.6).
    private mutating func checkMembers(depth: Int, attribute: Int) throws(DecodeError) {
        var member: Range<Int>? = nil   // the current member's name
        var memberHasValue = true
        func owner() -> String {
            member.map { String(decoding: bytes[$0], as: UTF8.self) } ?? attributeName(at: attribute)
        }
        while true {
            guard pos < bytes.count else {
                throw DecodeError(.truncated, at: pos, attribute: owner(), "message ends inside a collection")
            }
            if bytes[pos] < 0x10 {
                throw DecodeError(.unexpectedTag, at: pos, attribute: owner(),
                                  "group tag 0x\(String(bytes[pos], radix: 16)) inside a collection (missing endCollection)")
            }
            let item = try readItem()
            guard item.name.isEmpty else {
                throw DecodeError(.invalidLength, at: item.start + 1, attribute: owner(),
                                  "\(item.tag) inside a collection must have an empty name")
            }
            switch item.tag {
            case .endCollection:
                guard item.value.isEmpty else {
                    throw DecodeError(.invalidLength, at: item.start, attribute: attributeName(at: attribute),
                                      "endCollection value length must be 0, not \(item.value.count)")
                }
                guard memberHasValue else {
                    throw DecodeError(.unexpectedTag, at: item.start, attribute: owner(), "member attribute has no value")
                }
                return
            case .memberAttrName:
                guard !item.value.isEmpty else {
                    throw DecodeError(.invalidLength, at: item.start, attribute: attributeName(at: attribute), "memberAttrName with an empty name")
                }
                guard memberHasValue else {
                    throw DecodeError(.unexpectedTag, at: item.start, attribute: owner(), "member attribute has no value")
                }
                try countAttribute(item)
                member = item.value
                memberHasValue = false
            default:
                guard member != nil else {
                    throw DecodeError(.unexpectedTag, at: item.start, attribute: attributeName(at: attribute),
                                      "collection value before any memberAttrName")
                }
                memberHasValue = true
                if item.tag == .begCollection {
                    guard item.value.isEmpty else {
                        throw DecodeError(.invalidLength, at: item.start, attribute: owner(), "value length \(item.value.count) is invalid for collection (expected 0)")
                    }
                    guard depth < limits.maxCollectionDepth else {
                        throw DecodeError(.limitExceeded, at: item.start, attribute: owner(), "collections nested more than \(limits.maxCollectionDepth) deep")
                    }
                    try checkMembers(depth: depth + 1, attribute: attribute)
                } else {
                    try checkValue(item, depth: depth, attribute: attribute)
                }
            }
        }
    }
}
