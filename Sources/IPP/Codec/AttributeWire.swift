/// Converts between an attribute's wire bytes and its values.
///
/// The wire bytes of an `Attribute` are trusted (validated by the decoder or made by
/// `encode`), so `values(of:)` reads them without checks.
enum AttributeWire {
    /// Size of the first item's tag, name length and name. With no value after it, the
    /// attribute has no values (an attribute with no values cannot be sent).
    @inlinable static func headerSize(_ wire: ArraySlice<UInt8>) -> Int {
        let s = wire.startIndex
        return 3 + (Int(wire[s + 1]) << 8 | Int(wire[s + 2]))
    }

    static func encode(name: ArraySlice<UInt8>, values: [Value]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(3 + name.count + values.count * 16)
        if values.isEmpty {
            // No values: keep only the name. The encoder skips such an attribute.
            out.append(0)
            appendField(name, to: &out)
            return out
        }
        for (i, value) in values.enumerated() {
            appendItem(value, name: i == 0 ? name : [], to: &out)
        }
        return out
    }

    static func appendField(_ b: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: b.count >> 8))
        out.append(UInt8(truncatingIfNeeded: b.count))
        out.append(contentsOf: b)
    }

    static func appendItem(_ value: Value, name: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(value.tag.rawValue)
        appendField(name, to: &out)
        appendField(value.bytes, to: &out)
        guard value.tag == .begCollection else { return }
        for member in value.members { appendMember(member.wire, to: &out) }
        out.append(contentsOf: [ValueTag.endCollection.rawValue, 0, 0, 0, 0])
    }

    /// Writes a member attribute, held in top-level form, in member form:
    /// memberAttrName carrying the name, then the same value items with no name.
    static func appendMember(_ wire: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let header = headerSize(wire)
        guard wire.count > header else { return } // no values: nothing to send
        let s = wire.startIndex
        out.append(ValueTag.memberAttrName.rawValue)
        out.append(contentsOf: [0, 0])
        out.append(contentsOf: wire[(s + 1)..<(s + header)]) // the name's length and bytes, as the value
        out.append(wire[s])                                  // first value's tag
        out.append(contentsOf: [0, 0])                       // … with no name
        out.append(contentsOf: wire[(s + header)...])        // its value and all that follows
    }

    /// Reads the values of a trusted attribute encoding (at most `limit`).
    static func values(of wire: ArraySlice<UInt8>, limit: Int = .max) -> [Value] {
        var reader = Reader(bytes: wire, pos: wire.startIndex)
        var values: [Value] = []
        while reader.pos < wire.endIndex && values.count < limit {
            let (tag, _, value) = reader.item()
            if tag == 0 { break } // a name with no values
            values.append(reader.value(tag: ValueTag(tag), bytes: value))
        }
        return values
    }

    struct Reader {
        let bytes: ArraySlice<UInt8>
        var pos: Int

        mutating func item() -> (tag: UInt8, name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
            let tag = bytes[pos]
            let nameEnd = pos + 3 + (Int(bytes[pos + 1]) << 8 | Int(bytes[pos + 2]))
            if tag == 0 {
                let name = bytes[(pos + 3)..<nameEnd]
                pos = nameEnd
                return (0, name, [])
            }
            let valueEnd = nameEnd + 2 + (Int(bytes[nameEnd]) << 8 | Int(bytes[nameEnd + 1]))
            let item = (tag, bytes[(pos + 3)..<nameEnd], bytes[(nameEnd + 2)..<valueEnd])
            pos = valueEnd
            return item
        }

        /// A value; for a collection, its members through endCollection. Each member is
        /// cut out of the wire bytes and turned into top-level form; its own values stay
        /// unparsed until asked for.
        mutating func value(tag: ValueTag, bytes value: ArraySlice<UInt8>) -> Value {
            guard tag == .begCollection else { return Value(tag: tag, bytes: value) }
            var members: [Attribute] = []
            var memberStart = -1
            while true {
                let itemStart = pos
                let (t, _, _) = item()
                let isEnd = t == ValueTag.endCollection.rawValue
                if isEnd || t == ValueTag.memberAttrName.rawValue {
                    if memberStart >= 0 {
                        members.append(Attribute(wire: AttributeWire.topLevel(member: bytes[memberStart..<itemStart])[...]))
                    }
                    if isEnd { return Value(tag: tag, bytes: value, members: members) }
                    memberStart = itemStart
                } else if t == ValueTag.begCollection.rawValue {
                    skipCollection()
                }
            }
        }

        /// Moves past a nested collection's members and its endCollection.
        mutating func skipCollection() {
            var depth = 1
            while depth > 0 {
                let (t, _, _) = item()
                if t == ValueTag.begCollection.rawValue { depth += 1 }
                if t == ValueTag.endCollection.rawValue { depth -= 1 }
            }
        }
    }

    /// Member form (memberAttrName carrying the name, then unnamed values) to top-level
    /// form (the first value item carrying the name). The bytes after the first value's
    /// name field are the same in both forms.
    static func topLevel(member wire: ArraySlice<UInt8>) -> [UInt8] {
        let s = wire.startIndex
        let nameLength = Int(wire[s + 3]) << 8 | Int(wire[s + 4])
        let firstValue = s + 5 + nameLength          // the first value item's tag
        var out: [UInt8] = []
        out.reserveCapacity(wire.count - 5)
        out.append(wire[firstValue])
        out.append(contentsOf: wire[(s + 3)..<firstValue]) // name length and name
        out.append(contentsOf: wire[(firstValue + 3)...])  // value length, value, and the rest
        return out
    }
}
