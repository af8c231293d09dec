import CZlib
import Transport

/// A document sent compressed (the `compression` operation attribute, RFC 8011 §4.2.1.1:
/// gzip, RFC 1952, or deflate, RFC 1951), read as the plain document it holds: ippgate
/// spools, types and forwards the plain bytes, so every device can take it.
///
/// zlib does the work. A stream that does not inflate, or ends early, is a read error, so
/// the job is refused as any broken upload is; nothing half-inflated is accepted.
final class InflatingDocument: DocumentSource {
    enum Compression: String, CaseIterable {
        case gzip, deflate
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case corrupt(String)
        case truncated
        var description: String {
            switch self {
            case .corrupt(let why): return "the compressed document is corrupt: \(why)"
            case .truncated: return "the compressed document ends before its compressed stream does"
            }
        }
    }

    private let inner: DocumentSource
    private let compression: Compression
    private var stream = z_stream()
    private var started = false
    private var finished = false
    private let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    /// Bytes of `input` read from the client but not yet inflated: [offset, offset + count).
    private var pending = (offset: 0, count: 0)

    init(_ inner: DocumentSource, _ compression: Compression) {
        self.inner = inner
        self.compression = compression
    }

    deinit {
        if started { inflateEnd(&stream) }
        input.deallocate()
    }

    /// Reads more compressed bytes; false at the client's end of the document.
    private func refill() throws -> Bool {
        let n = try inner.read(into: input)
        pending = (0, n)
        return n > 0
    }

    /// zlib's window bits: gzip with its header; deflate as a zlib stream when it starts
    /// with a zlib header (some clients wrap it), else raw RFC 1951.
    private func windowBits() -> Int32 {
        guard compression == .deflate else { return 15 + 16 }
        guard pending.count >= 2 else { return -15 }
        let cmf = UInt16(input[pending.offset]), flg = UInt16(input[pending.offset + 1])
        return cmf & 0x0F == 8 && cmf >> 4 <= 7 && (cmf << 8 | flg) % 31 == 0 ? 15 : -15
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        if !started {
            guard try refill() else { finished = true; return 0 }  // no document at all
            if pending.count == 1 {  // the deflate header check needs two bytes
                pending.count += try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: input[1...]))
            }
            guard ippgate_inflate_init(&stream, windowBits()) == Z_OK else { throw Failure.corrupt("zlib could not start") }
            started = true
        }
        while true {
            if pending.count == 0, !(try refill()) { throw Failure.truncated }
            stream.next_in = input.baseAddress!.advanced(by: pending.offset).assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(pending.count)
            stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            let status = inflate(&stream, Z_NO_FLUSH)
            let consumed = pending.count - Int(stream.avail_in)
            pending = (pending.offset + consumed, pending.count - consumed)
            let produced = buffer.count - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                finished = true
                return produced
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 { return produced }
                // Needs more input: loop (and refill).
            default:
                throw Failure.corrupt(stream.msg.map { String(cString: $0) } ?? "zlib status \(status)")
            }
        }
    }
}
