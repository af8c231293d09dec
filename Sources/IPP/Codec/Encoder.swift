/// The encoder: a `Message` to its exact wire bytes.
///
/// Each attribute already holds its wire encoding (see `Attribute`), so encoding a
/// message is one pass of copies into preallocated bytes, with no per-value work.
extension Message {
    /// The attribute section: header, groups, end-of-attributes-tag. No document data.
    public func encoded() -> [UInt8] {
        let size = encodedSize
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = encode(into: UnsafeMutableRawBufferPointer(buffer)) ?? 0
        }
    }

    /// Bytes that `encoded()` produces.
    public var encodedSize: Int {
        var size = 8 + 1 + groups.count
        for g in groups.indices {
            groups[g].attributes.withUnsafeBufferPointer { attributes in
                for a in attributes.indices where attributes[a].hasValues {
                    size += attributes[a].wire.count
                }
            }
        }
        return size
    }

    /// Writes the attribute section into `buffer`.
    /// - Returns: the number of bytes written, or nil if `buffer` is too small.
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let raw = buffer.baseAddress, buffer.count >= 9 else { return nil }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let capacity = buffer.count
        base[0] = version.major
        base[1] = version.minor
        base[2] = UInt8(truncatingIfNeeded: code >> 8)
        base[3] = UInt8(truncatingIfNeeded: code)
        let id = UInt32(bitPattern: requestID)
        base[4] = UInt8(truncatingIfNeeded: id >> 24)
        base[5] = UInt8(truncatingIfNeeded: id >> 16)
        base[6] = UInt8(truncatingIfNeeded: id >> 8)
        base[7] = UInt8(truncatingIfNeeded: id)
        var offset = 8
        // Attributes decoded from one buffer lie back to back in it: copy each run of
        // adjacent attributes with one memcpy. (The pointers outlive their closures only
        // while this message, which owns the buffers, is alive: for this call.)
        var run: UnsafePointer<UInt8>? = nil
        var runLength = 0
        func flush() -> Bool {
            guard let r = run else { return true }
            guard offset + runLength <= capacity else { return false }
            (base + offset).update(from: r, count: runLength)
            offset += runLength
            run = nil
            return true
        }
        for g in groups.indices {
            guard flush(), offset < capacity else { return nil }
            base[offset] = groups[g].tag.rawValue
            offset += 1
            for a in groups[g].attributes.indices where groups[g].attributes[a].hasValues {
                let ok = groups[g].attributes[a].wire.withUnsafeBufferPointer { src -> Bool in
                    let p = src.baseAddress!
                    if let r = run, r + runLength == p {
                        runLength += src.count
                        return true
                    }
                    guard flush() else { return false }
                    run = p
                    runLength = src.count
                    return true
                }
                guard ok else { return nil }
            }
        }
        guard flush() else { return nil }
        guard offset < capacity else { return nil }
        base[offset] = GroupTag.endOfAttributes.rawValue
        return offset + 1
    }
}

extension Attribute {
    /// False for an attribute built with no values: it cannot be sent, so it is skipped.
    var hasValues: Bool { wire.first != 0 }
}
