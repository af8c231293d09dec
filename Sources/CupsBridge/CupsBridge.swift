import CCups
import IPP

/// libcups's own IPP codec (`ippReadIO` / `ippWriteIO` / `ippAttributeString`), wrapped
/// thinly. It is the reference oracle for ippgate's decoder and text formatter in tests,
/// and the baseline in `ippgate bench codec`.
///
/// An instance owns one `ipp_t` and is not thread-safe; use it from one thread at a time.
public final class LibcupsMessage {
    /// The message libcups read or built. Owned: deleted with `ippDelete` in `deinit`.
    public let ipp: OpaquePointer

    init(owning ipp: OpaquePointer) { self.ipp = ipp }

    deinit { ippDelete(ipp) }

    /// Why libcups refused a message.
    public struct DecodeError: Error, CustomStringConvertible, Sendable {
        /// libcups's `cupsLastErrorString()` after the failed read (may be empty).
        public var message: String
        /// How many bytes libcups had consumed when it stopped.
        public var consumed: Int
        /// The `ipp_state_t` `ippReadIO` returned.
        public var state: Int32

        public var description: String {
            "libcups ippReadIO failed after \(consumed) bytes (state \(state))" + (message.isEmpty ? "" : ": \(message)")
        }
    }

    // MARK: - Decoding

    /// Reads the attribute section at the start of `bytes` with `ippReadIO`.
    /// - Returns: the message and the number of bytes libcups consumed, up to and
    ///   including end-of-attributes-tag (where document data begins).
    /// - Throws: `DecodeError` unless libcups reaches `IPP_STATE_DATA`.
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> (LibcupsMessage, documentOffset: Int) {
        let result: Result<(LibcupsMessage, Int), DecodeError> = bytes.withUnsafeBytes { raw in
            var source = ReadSource(raw)
            let ipp = ippNew()!
            let state = withUnsafeMutablePointer(to: &source) { ippReadIO(UnsafeMutableRawPointer($0), readCallback, 1, nil, ipp) }
            guard state == IPP_STATE_DATA else {
                ippDelete(ipp)
                let text = cupsLastErrorString().map { String(cString: $0) } ?? ""
                return .failure(DecodeError(message: text, consumed: source.position, state: state.rawValue))
            }
            return .success((LibcupsMessage(owning: ipp), source.position))
        }
        switch result {
        case .success(let (m, n)): return (m, documentOffset: n)
        case .failure(let e): throw e
        }
    }

    /// For benchmarks: reads a message and deletes it at once, with no other work.
    /// - Returns: whether libcups read it to end-of-attributes-tag.
    @inline(__always)
    public static func decodeOnly(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var source = ReadSource(bytes)
        let ipp = ippNew()
        let state = withUnsafeMutablePointer(to: &source) { ippReadIO(UnsafeMutableRawPointer($0), readCallback, 1, nil, ipp) }
        ippDelete(ipp)
        return state == IPP_STATE_DATA
    }

    // MARK: - Encoding

    /// The attribute section as `ippWriteIO` writes it.
    public func encode() -> [UInt8] {
        var sink = GrowingSink()
        sink.bytes.reserveCapacity(4096)
        ippSetState(ipp, IPP_STATE_IDLE)
        let state = withUnsafeMutablePointer(to: &sink) { ippWriteIO(UnsafeMutableRawPointer($0), growingWriteCallback, 1, nil, ipp) }
        precondition(state == IPP_STATE_DATA, "ippWriteIO failed")
        return sink.bytes
    }

    /// For benchmarks: writes the message into `buffer` (which must be large enough)
    /// with `ippWriteIO`. Returns the number of bytes written, or -1 if the buffer was
    /// too small or libcups failed.
    @inline(__always)
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var sink = FixedSink(base: buffer.baseAddress!, capacity: buffer.count, position: 0)
        ippSetState(ipp, IPP_STATE_IDLE)
        let state = withUnsafeMutablePointer(to: &sink) { ippWriteIO(UnsafeMutableRawPointer($0), fixedWriteCallback, 1, nil, ipp) }
        return state == IPP_STATE_DATA ? sink.position : -1
    }

    // MARK: - Text form

    /// The text form (docs/TEXT-FORMAT.md) built with libcups's own functions:
    /// `ippGetVersion`, `ippGetStatusCode`, `ippGetRequestId`, the attribute list,
    /// `ippGetGroupTag`, `ippTagString`, `ippGetCount`, `ippGetValueTag` and `ippAttributeString`.
    public func textLines() -> [String] {
        var lines: [String] = []
        var minor: Int32 = 0
        let major = ippGetVersion(ipp, &minor)
        let code = UInt16(truncatingIfNeeded: ippGetStatusCode(ipp).rawValue)
        let hex = String(code, radix: 16)
        lines.append("version=\(major).\(minor) code=0x\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex) request-id=\(ippGetRequestId(ipp))")

        var buffer = [CChar](repeating: 0, count: 1 << 20)
        var printed: ipp_tag_t? = nil
        var separator = false
        var attr = ippFirstAttribute(ipp)
        while let a = attr {
            defer { attr = ippNextAttribute(ipp) }
            guard let name = ippGetName(a) else {
                // libcups's separator between two groups with the same tag.
                separator = true
                continue
            }
            let group = ippGetGroupTag(a)
            if separator || printed != group {
                lines.append(String(cString: ippTagString(group)) + ":")
                printed = group
                separator = false
            }
            let count = ippGetCount(a)
            let syntax = (count > 1 ? "1setOf " : "") + String(cString: ippTagString(ippGetValueTag(a)))
            lines.append("  \(String(cString: name)) (\(syntax)) = \(attributeString(a, &buffer))")
        }
        return lines
    }

    /// `textLines()` joined, each line ending in "\n".
    public func formatted() -> String {
        textLines().map { $0 + "\n" }.joined()
    }

    /// `ippAttributeString` into a buffer large enough for all of it.
    func attributeString(_ a: OpaquePointer, _ buffer: inout [CChar]) -> String {
        var n = buffer.withUnsafeMutableBufferPointer { ippAttributeString(a, $0.baseAddress, $0.count) }
        if n >= buffer.count - 1 {
            buffer = [CChar](repeating: 0, count: n + 4096)
            n = buffer.withUnsafeMutableBufferPointer { ippAttributeString(a, $0.baseAddress, $0.count) }
        }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

// MARK: - libcups name tables (for checking ippgate's own against them)

/// libcups's name functions, exposed so tests can compare `IPP.TagNames` with them.
public enum Libcups {
    /// `ippTagString`.
    public static func tagString(_ tag: UInt32) -> String {
        String(cString: ippTagString(ipp_tag_t(rawValue: Int32(bitPattern: tag))))
    }

    /// `ippOpString`.
    public static func opString(_ op: Int32) -> String {
        String(cString: ippOpString(ipp_op_t(rawValue: op)))
    }

    /// `ippEnumString`.
    public static func enumString(_ attribute: String, _ value: Int32) -> String {
        String(cString: ippEnumString(attribute, value))
    }
}

// MARK: - I/O callbacks

/// Read position over caller-owned bytes; passed to the callback as its context.
struct ReadSource {
    let base: UnsafeRawPointer?
    let count: Int
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress
        count = bytes.count
    }
}

/// `ipp_iocb_t` over a `ReadSource`: copies up to `length` bytes; 0 at the end.
private let readCallback: ipp_iocb_t = { context, buffer, length in
    let source = context!.assumingMemoryBound(to: ReadSource.self)
    let n = min(length, source.pointee.count - source.pointee.position)
    if n > 0 {
        UnsafeMutableRawPointer(buffer!).copyMemory(from: source.pointee.base! + source.pointee.position, byteCount: n)
        source.pointee.position += n
    }
    return n
}

struct GrowingSink {
    var bytes: [UInt8] = []
}

private let growingWriteCallback: ipp_iocb_t = { context, buffer, length in
    let sink = context!.assumingMemoryBound(to: GrowingSink.self)
    sink.pointee.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: length))
    return length
}

struct FixedSink {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    var position: Int
}

private let fixedWriteCallback: ipp_iocb_t = { context, buffer, length in
    let sink = context!.assumingMemoryBound(to: FixedSink.self)
    guard length <= sink.pointee.capacity - sink.pointee.position else { return -1 }
    (sink.pointee.base + sink.pointee.position).copyMemory(from: buffer!, byteCount: length)
    sink.pointee.position += length
    return length
}
