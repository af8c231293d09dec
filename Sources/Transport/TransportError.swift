import Glibc

/// What can go wrong in the transport, as a value with a code, a message and a cause.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A listening socket could not be set up. `step` is the system call that failed
    /// ("socket", "bind", "listen", …); `errno` its error.
    case listen(address: ListenAddress, step: String, errno: Int32)
    /// A listen address that cannot be used as written (unresolvable name, path too long,
    /// a non-socket file in the way, a live server already on the Unix socket).
    case badAddress(address: ListenAddress, reason: String)
    /// `start()` was called on a server that was already started or stopped.
    case alreadyStarted
    /// The client closed the connection in the middle of a request.
    case clientClosed
    /// The client sent nothing for `ServerLimits.readTimeout` seconds in the middle of a request.
    case timedOut
    /// The client sent too slowly (see `ServerLimits.requestHeadTimeout` and
    /// `minimumDocumentRate`); says what was too slow.
    case tooSlow(String)
    /// Reading the request body failed with this errno.
    case readFailed(errno: Int32)
    /// The document was read after its request had been answered.
    case documentClosed

    public var description: String {
        switch self {
        case .listen(let address, let step, let e):
            return "cannot listen on \(address): \(step) failed: \(String(cString: strerror(e)))"
        case .badAddress(let address, let reason):
            return "cannot listen on \(address): \(reason)"
        case .alreadyStarted:
            return "the server was already started"
        case .clientClosed:
            return "the client closed the connection mid-request"
        case .timedOut:
            return "the client stalled mid-request (read timeout)"
        case .tooSlow(let what):
            return "the client is too slow: \(what)"
        case .readFailed(let e):
            return "reading the request failed: \(String(cString: strerror(e)))"
        case .documentClosed:
            return "the document was read after the request was answered"
        }
    }
}
