/// Big-endian integer helpers for the wire format.
public enum BigEndian {
    @inlinable public static func bytes(_ v: Int32) -> [UInt8] { bytes(UInt32(bitPattern: v)) }
    @inlinable public static func bytes(_ v: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
    @inlinable public static func bytes(_ v: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
    @inlinable public static func uint16<C: Collection>(_ b: C, at i: C.Index) -> UInt16 where C.Element == UInt8 {
        UInt16(b[i]) << 8 | UInt16(b[b.index(after: i)])
    }
    @inlinable public static func int32(_ b: ArraySlice<UInt8>, at i: Int) -> Int32 {
        Int32(bitPattern: UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3]))
    }
}
