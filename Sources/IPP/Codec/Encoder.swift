/// The encoder: a `Message` to its exact wire bytes.
///
/// It sizes the message first, then writes into one preallocated buffer with no
/// per-value allocation. A decoded message re-encodes to the bytes it came from.
extension Message {
    /// The attribute section: header, groups, end-of-attributes-tag. No document data.
    public func encoded() -> [UInt8] {
        let size = encodedSize
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = encode(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// Bytes that `encoded()` produces.
    public var encodedSize: Int {
        var size = 8 + 1
        for group in groups {
            size += 1
            for attribute in group.attributes {
                size += Message.size(of: attribute, member: false)
            }
        }
        return size
    }

    /// Writes the attribute section into `buffer`, which must hold `encodedSize` bytes.
    /// - Returns: the number of bytes written.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= encodedSize, "buffer too small for the encoded message")
        var w = Writer(base: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        w.byte(version.major); w.byte(version.minor)
        w.uint16(code)
        w.uint32(UInt32(bitPattern: requestID))
        for group in groups {
            w.byte(group.tag.rawValue)
            for attribute in group.attributes {
                w.attribute(attribute)
            }
        }
        w.byte(GroupTag.endOfAttributes.rawValue)
        return w.offset
    }

    @inline(__always)
    static func size(of attribute: Attribute, member: Bool) -> Int {
        // A member attribute is introduced by a memberAttrName item carrying its name.
        var size = member ? 5 + attribute.nameBytes.count : attribute.nameBytes.count
        for value in attribute.values {
            size += 5 + value.bytes.count
            if value.tag == .begCollection {
                for m in value.members { size += Message.size(of: m, member: true) }
                size += 5 // endCollection
            }
        }
        return size
    }
}

/// Writes big-endian fields at a moving pointer. Bounds are checked once, by the caller.
struct Writer {
    let base: UnsafeMutablePointer<UInt8>
    var offset = 0

    @inline(__always) mutating func byte(_ b: UInt8) {
        base[offset] = b
        offset += 1
    }

    @inline(__always) mutating func uint16(_ v: UInt16) {
        base[offset] = UInt8(truncatingIfNeeded: v >> 8)
        base[offset + 1] = UInt8(truncatingIfNeeded: v)
        offset += 2
    }

    @inline(__always) mutating func uint32(_ v: UInt32) {
        base[offset] = UInt8(truncatingIfNeeded: v >> 24)
        base[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        base[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        base[offset + 3] = UInt8(truncatingIfNeeded: v)
        offset += 4
    }

    @inline(__always) mutating func bytes(_ b: ArraySlice<UInt8>) {
        let n = b.count
        uint16(UInt16(truncatingIfNeeded: n))
        if n > 0 {
            b.withUnsafeBufferPointer { src in
                (base + offset).update(from: src.baseAddress!, count: n)
            }
            offset += n
        }
    }

    /// tag, name, value; then the members and endCollection of a collection.
    mutating func item(_ tag: ValueTag, name: ArraySlice<UInt8>, value: Value) {
        byte(tag.rawValue)
        bytes(name)
        bytes(value.bytes)
        if tag == .begCollection {
            for member in value.members {
                byte(ValueTag.memberAttrName.rawValue)
                uint16(0)
                bytes(member.nameBytes)
                for v in member.values { item(v.tag, name: [], value: v) }
            }
            byte(ValueTag.endCollection.rawValue)
            uint16(0)
            uint16(0)
        }
    }

    mutating func attribute(_ attribute: Attribute) {
        var name = attribute.nameBytes
        for value in attribute.values {
            item(value.tag, name: name, value: value)
            name = [] // additional values have an empty name
        }
    }
}
