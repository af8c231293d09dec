import CCups
import Glibc

/// The request body of one connection, read with `httpRead2` (which de-chunks).
///
/// One instance per connection, reused for every request on it: it reads the attribute
/// section for the decoder, then serves as the request's `DocumentSource` (first the bytes
/// of the last chunk that followed end-of-attributes-tag, then the socket), then drains
/// what the handler left.
///
/// Thread confinement: used only by its connection's thread, like the `http_t` it reads.
/// A handler that keeps the document past its request gets `TransportError.documentClosed`.
final class BodyReader: DocumentSource {
    private let http: OpaquePointer

    /// Leftover document bytes from the last attribute chunk (points into the connection's read buffer).
    private var leftover: UnsafeRawPointer?
    private var leftoverCount = 0
    /// True while the handler may read the document.
    private var open = false

    /// The body ended cleanly (Content-Length reached, or the last chunk was read).
    private(set) var ended = false
    /// Why the body could not be read to its end, if it could not.
    private(set) var failure: TransportError?
    /// Document bytes handed to the handler (for the log).
    private(set) var documentBytes = 0

    /// The rate check (`ServerLimits.minimumDocumentRate`): bytes per second, and the
    /// nanoseconds of waiting for the client over which it is judged.
    private let minimumRate: Int
    private let window: UInt64
    private var waited: UInt64 = 0
    private var windowBytes = 0

    init(http: OpaquePointer, minimumRate: Int, window: Double) {
        self.http = http
        self.minimumRate = minimumRate
        self.window = UInt64(max(0.001, window) * 1e9)
    }

    /// Starts a new request body.
    func reset() {
        leftover = nil
        leftoverCount = 0
        open = false
        ended = false
        failure = nil
        documentBytes = 0
        waited = 0
        windowBytes = 0
    }

    /// Whether body bytes are buffered or arrive within `milliseconds` (libcups's httpWait).
    /// True at once when the body has nothing left to send (the next read sees its end).
    func hasData(within milliseconds: Int32) -> Bool {
        httpGetRemaining(http) <= 0 || httpWait(http, milliseconds) != 0
    }

    /// Reads raw body bytes. Returns 0 at the end of the body or on failure (see `failure`).
    /// Never calls `httpRead2` after the end: after the last chunk it would wait for more.
    func readRaw(_ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        if ended || failure != nil || count == 0 { return 0 }
        let began = monotonicNanoseconds()
        let n = httpRead2(http, buffer.assumingMemoryBound(to: CChar.self), count)
        if n > 0 {
            guard tooSlow(bytes: n, waited: monotonicNanoseconds() &- began) else { return n }
            failure = .tooSlow("the body arrives at under \(minimumRate) bytes/s")
            return 0
        }
        let error = httpError(http)
        // libcups reports a clean end as 0 with no error and nothing remaining; a timeout
        // in mid-body also returns 0 with no error, but with bytes still remaining.
        if n == 0 && error == 0 && httpGetRemaining(http) == 0 {
            ended = true
        } else {
            switch error {
            case 0, ETIMEDOUT, EAGAIN: failure = .timedOut
            case EPIPE, ECONNRESET: failure = .clientClosed
            default: failure = .readFailed(errno: error)
            }
        }
        return 0
    }

    /// Counts a read against the minimum rate; true once a whole window of waiting has
    /// brought fewer bytes than the rate asks. Only time spent waiting for the client
    /// counts: a handler that reads slowly does not make its client slow.
    private func tooSlow(bytes: Int, waited ns: UInt64) -> Bool {
        guard minimumRate > 0 else { return false }
        waited &+= ns
        windowBytes += bytes
        guard waited >= window else { return false }
        let slow = Double(windowBytes) < Double(minimumRate) * Double(waited) / 1e9
        waited = 0
        windowBytes = 0
        return slow
    }

    /// Hands the body to the handler, starting with `count` bytes at `bytes` (which stay
    /// valid until `closeDocument`).
    func openDocument(leftover bytes: UnsafeRawPointer?, count: Int) {
        leftover = count > 0 ? bytes : nil
        leftoverCount = count
        open = true
    }

    func closeDocument() {
        open = false
        leftover = nil
        leftoverCount = 0
    }

    /// Discards the rest of the body. Returns true if it ended cleanly.
    func drain(into scratch: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        while !ended && failure == nil {
            _ = readRaw(scratch, count)
        }
        return ended
    }

    // MARK: DocumentSource

    var remainingLength: Int? {
        guard open else { return nil }
        if let encoding = httpGetField(http, HTTP_FIELD_TRANSFER_ENCODING),
           String(cString: encoding).lowercased().contains("chunked") { return nil }
        return leftoverCount + (ended || failure != nil ? 0 : Int(httpGetRemaining(http)))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard open else { throw TransportError.documentClosed }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if leftoverCount > 0, let source = leftover {
            let n = min(leftoverCount, buffer.count)
            base.copyMemory(from: source, byteCount: n)
            leftover = source + n
            leftoverCount -= n
            documentBytes += n
            return n
        }
        let n = readRaw(base, buffer.count)
        if n > 0 {
            documentBytes += n
            return n
        }
        if let failure { throw failure }
        return 0
    }
}
