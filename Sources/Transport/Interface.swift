import IPP

// The transport's contract with the rest of ippgate. The transport owns sockets,
// HTTP and IPP framing; the handler owns meaning. Handlers run on the connection's
// own thread (never a Swift-concurrency pool thread) and may block.

/// Answers IPP requests. Called on the connection's thread, one request at a time per connection.
public protocol IPPHandler: Sendable {
    func handle(_ request: IPPRequest) -> IPPResponse
}

/// Who sent a request.
public struct Peer: Sendable, CustomStringConvertible {
    /// "127.0.0.1:54321", or "admin-socket" for the local admin socket.
    public var address: String
    /// True when the request came over the local admin socket (a Unix socket in the
    /// state directory): administrative operations are allowed only there.
    public var isAdminSocket: Bool
    public init(address: String, isAdminSocket: Bool) {
        self.address = address
        self.isAdminSocket = isAdminSocket
    }
    public var description: String { address }
}

/// Document data after the attributes, streamed from the connection. Never held whole.
public protocol DocumentSource: AnyObject {
    /// Reads up to `buffer.count` bytes. Returns 0 at the end of the document.
    /// Throws when the client goes away or times out mid-document.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Bytes of the document still to come when the request declared its length
    /// (Content-Length); nil when it did not (chunked).
    var remainingLength: Int? { get }
}

extension DocumentSource {
    public var remainingLength: Int? { nil }
}

/// One decoded IPP request.
public struct IPPRequest {
    public var message: Message
    /// The HTTP request path, e.g. "/ipp/print/default" or "/printers/default".
    public var resource: String
    /// The HTTP Host header as sent ("127.0.0.1:8631"), for building URIs the client can use.
    public var host: String
    public var peer: Peer
    /// The bytes after end-of-attributes-tag. The handler reads what it needs; the
    /// transport discards whatever is left before it sends the response.
    public var document: DocumentSource

    public init(message: Message, resource: String, host: String, peer: Peer, document: DocumentSource) {
        self.message = message
        self.resource = resource
        self.host = host
        self.peer = peer
        self.document = document
    }
}

/// An IPP response. The transport encodes it and sends it with HTTP 200.
public struct IPPResponse: Sendable {
    public var message: Message
    /// Closes the connection after this response (e.g. after a body could not be read).
    public var closeConnection: Bool

    public init(message: Message, closeConnection: Bool = false) {
        self.message = message
        self.closeConnection = closeConnection
    }
}

/// Where a server listens.
public enum ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// TCP: host is an IPv4/IPv6 literal or name; port 0 picks a free port.
    case tcp(host: String, port: Int)
    /// A Unix-domain socket (the admin socket).
    case unix(path: String)

    /// Parses "HOST:PORT", "[V6]:PORT" or an absolute path.
    public init?(_ text: String) {
        if text.hasPrefix("/") { self = .unix(path: text); return }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self = .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}

/// The transport's knobs, in one value.
public struct ServerLimits: Sendable {
    /// Concurrent connections; one thread each. Beyond it, new connections get HTTP 503.
    public var maxConnections: Int = 256
    /// Seconds a connection may sit idle between requests, or stall mid-request, before it is closed.
    public var readTimeout: Double = 30
    /// Seconds a request may take from its request line to the end of its IPP attribute
    /// section, however steadily it trickles in (the request line itself may take this long
    /// after the `readTimeout` of idling). A client past it is cut off.
    public var requestHeadTimeout: Double = 30
    /// Bytes per second a request's document must arrive at, counted over the time spent
    /// waiting for it, in windows of `readTimeout` seconds: a client that trickles a byte
    /// at a time is cut off. A response must be read at this rate too (with
    /// `requestHeadTimeout` seconds to spare). 0 turns both checks off.
    public var minimumDocumentRate: Int = 1024
    /// Limits for the attribute section of a request (the document is streamed, not limited here).
    public var decoder: DecoderLimits = DecoderLimits(maxCollectionDepth: 10, maxValueLength: 32767,
                                                      maxAttributes: 10_000, maxMessageBytes: 1 << 20)
    public init() {}
}

/// Files served over HTTP GET and HEAD next to IPP: printer icons (the URIs in
/// `printer-icons`), a status page. Called on connection threads.
public protocol HTTPResourceProvider: Sendable {
    /// The resource at `path` (the request path as sent, query included), or nil for 404.
    func resource(at path: String) -> HTTPResource?
}

/// One file served by `HTTPResourceProvider`.
public struct HTTPResource: Sendable {
    public var contentType: String
    public var body: [UInt8]

    public init(contentType: String, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
    }
}
