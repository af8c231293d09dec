import CCups
import Glibc
import IPP
import Synchronization

/// An HTTP/1.1 server for IPP on libcups's `http_t`, one thread per connection (as PAPPL
/// and ippeveprinter do: libcups's calls block).
///
/// - `start()` binds every address itself (plain socket/bind/listen, so errors name the
///   address) and starts one accept thread per listener. The accept loop polls the
///   listener and a wake-up pipe, so `stop()` can end it without closing a descriptor
///   another thread is blocked on.
/// - Each accepted connection gets its own thread, up to `limits.maxConnections`; beyond
///   that a connection is answered `503 Service Unavailable` with `Retry-After` and closed
///   (on the accept thread, without blocking it).
/// - Connections are accepted in libcups's *blocking* mode (`httpAcceptConnection(fd, 1)`)
///   with `httpSetTimeout(readTimeout)`: in non-blocking mode libcups waits a fixed 10 s
///   whatever the timeout says. Every wait (idle between requests, a stalled request line,
///   header or body, a client that does not read its response) ends after `readTimeout`.
/// - Per request: `httpReadRequest` (it also does the idle wait), `httpUpdate` for the
///   fields, then POST with `Content-Type: application/ipp` goes to the handler; `GET /`
///   and `HEAD /` get a short text page, `OPTIONS` an `Allow` list, everything else an
///   HTTP error with `Connection: close`. The body is read with `httpRead2` (which
///   de-chunks) into one 32 KiB buffer per connection, fed to `IncrementalDecoder`, and
///   the rest streams to the handler as `IPPRequest.document`; it is never held whole.
/// - An attribute section that cannot be decoded is answered by the transport itself with
///   an IPP error (HTTP 200): client-error-bad-request, or
///   client-error-request-entity-too-large (0x0408) when it passes
///   `limits.decoder.maxMessageBytes`; `status-message` is the decoder's description,
///   which names the byte offset and attribute. See `Connection.errorMessage`.
/// - A watchdog thread cuts a connection whose request line, or whose head (header fields
///   and IPP attributes), is not in within `limits.requestHeadTimeout` (a trickle defeats
///   the per-read timeout); a document must arrive at `limits.minimumDocumentRate` or more.
/// - `stop()` stops accepting, closes idle connections, lets requests in progress finish
///   (up to `gracePeriod`), then cuts what is left.
/// - The `log` closure is called from connection threads, concurrently.
public final class HTTPServer: Sendable {
    private let core: ServerCore
    private let addresses: [ListenAddress]
    private let state = Mutex(RunState())

    /// How long `stop()` waits for requests in progress before cutting their connections.
    public let gracePeriod: Double

    private struct RunState {
        enum Phase { case created, running, stopped }
        var phase = Phase.created
        var listeners: [Listener] = []
        var acceptThreads: [pthread_t] = []
        /// A pipe whose read end every accept loop polls; `stop()` writes to wake them.
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
    }

    /// - Parameters:
    ///   - log: receives one line per event, starting with its level ("info", "warn", "error").
    ///   - requestLog: whether to log one "info request …" line per request. Building the
    ///     line costs about a microsecond; pass false when info lines would be dropped anyway.
    ///     Failed requests are logged (at "warn") either way.
    ///   - resources: what GET and HEAD serve (icons, pages). Without it, or where it has
    ///     nothing, `GET /` returns a one-line text page and other paths 404.
    ///   - gracePeriod: how long `stop()` lets requests in progress finish.
    public init(listen: [ListenAddress], limits: ServerLimits, handler: any IPPHandler,
                log: @escaping @Sendable (String) -> Void, requestLog: Bool = true,
                resources: (any HTTPResourceProvider)? = nil, gracePeriod: Double = 5) {
        self.addresses = listen
        self.gracePeriod = gracePeriod
        self.core = ServerCore(limits: limits, handler: handler, log: log, requestLog: requestLog, resources: resources)
    }

    /// The addresses actually bound, in order (the kernel's port where port 0 was asked for).
    /// Empty before `start()`.
    public var boundAddresses: [ListenAddress] {
        state.withLock { $0.listeners.map(\.address) }
    }

    /// Connections open right now.
    public var connectionCount: Int { core.connectionCount }

    /// Binds and listens on every address, then starts accepting. Throws a `TransportError`
    /// naming the address if any cannot be used (then nothing is left open).
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        try state.withLock { s throws(TransportError) in
            guard s.phase == .created else { throw TransportError.alreadyStarted }
            var listeners: [Listener] = []
            do throws(TransportError) {
                for address in addresses { listeners += try ListenerFactory.open(address) }
            } catch {
                for l in listeners { Self.closeListener(l) }
                throw error
            }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                let e = errno
                for l in listeners { Self.closeListener(l) }
                throw TransportError.listen(address: addresses.first ?? .unix(path: "?"), step: "pipe", errno: e)
            }
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
            s.wakeRead = fds[0]
            s.wakeWrite = fds[1]
            s.listeners = listeners
            s.phase = .running
            let core = self.core
            let wake = fds[0]
            for listener in listeners {
                if let t = Threads.spawn(stackSize: 256 * 1024, joinable: true, { core.acceptLoop(listener, wakeFD: wake) }) {
                    s.acceptThreads.append(t)
                } else {
                    core.log("error cannot start an accept thread for \(listener.address)")
                }
            }
            if let t = Threads.spawn(stackSize: 256 * 1024, joinable: true, { core.watchdogLoop(wakeFD: wake) }) {
                s.acceptThreads.append(t)
            } else {
                core.log("error cannot start the watchdog thread: slow request heads will not be cut")
            }
            for listener in listeners { core.log("info listening on \(listener.address)") }
        }
    }

    /// Stops the server: no new connections; idle connections are closed at once; requests
    /// in progress may finish for up to `gracePeriod` seconds (their responses carry
    /// `Connection: close`); then the remaining connections are cut. Returns when every
    /// connection thread has ended, or after one more second. Safe to call from any thread,
    /// more than once, and before `start()`.
    public func stop() {
        let (listeners, threads, wakeRead, wakeWrite) = state.withLock { s -> ([Listener], [pthread_t], Int32, Int32) in
            guard s.phase == .running else {
                s.phase = .stopped
                return ([], [], -1, -1)
            }
            s.phase = .stopped
            defer { s.acceptThreads = []; s.wakeRead = -1; s.wakeWrite = -1 }
            return (s.listeners, s.acceptThreads, s.wakeRead, s.wakeWrite)
        }
        core.beginStop()
        if wakeWrite >= 0 {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
            for t in threads { Threads.join(t) }
            for l in listeners { Self.closeListener(l) }
            close(wakeRead)
            close(wakeWrite)
        }
        // In-flight requests finish; then whatever is left is cut.
        if !core.waitForConnections(until: monotonicNanoseconds() &+ UInt64(max(0, gracePeriod) * 1e9)) {
            core.log("warn stop: cutting \(core.connectionCount) connection(s) still busy after \(gracePeriod) s")
            core.forceCloseAll()
            _ = core.waitForConnections(until: monotonicNanoseconds() &+ 1_000_000_000)
        }
    }

    private static func closeListener(_ l: Listener) {
        close(l.fd)
        if case .unix(let path) = l.address { unlink(path) }
    }
}

/// What every connection thread shares: the handler, the limits, the log, and the
/// registry of open connections.
final class ServerCore: Sendable {
    let limits: ServerLimits
    let handler: any IPPHandler
    let log: @Sendable (String) -> Void
    let requestLog: Bool
    let resources: (any HTTPResourceProvider)?
    /// `Keep-Alive` response field value.
    let keepAliveField: CText
    /// Stack for connection threads: handlers run on them (decoding, SQLite, …). Virtual
    /// memory: only the pages a thread touches are resident.
    static let connectionStackSize = 2 << 20

    private struct Registry {
        var connections: [Int: ConnectionControl] = [:]
        var nextID = 0
        var stopping = false
        var rejected = 0
    }
    private let registry = Mutex(Registry())

    init(limits: ServerLimits, handler: any IPPHandler, log: @escaping @Sendable (String) -> Void, requestLog: Bool,
         resources: (any HTTPResourceProvider)?) {
        self.limits = limits
        self.requestLog = requestLog
        self.resources = resources
        self.handler = handler
        self.log = log
        let seconds = max(0.001, limits.readTimeout)
        keepAliveField = CText("timeout=\(max(1, Int(seconds.rounded(.up))))")
    }

    var connectionCount: Int { registry.withLock { $0.connections.count } }

    // MARK: Accepting

    func acceptLoop(_ listener: Listener, wakeFD: Int32) {
        var fds = [pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        var failures = 0
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let rc = poll(&fds, 2, -1)
            if rc < 0 {
                if errno == EINTR { continue }
                log("error accept loop on \(listener.address): poll failed: \(String(cString: strerror(errno)))")
                return
            }
            if fds[1].revents != 0 { return }
            if fds[0].revents & Int16(POLLNVAL | POLLERR) != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            // The listener is non-blocking: a connection the client already gave up on
            // makes this fail with EAGAIN instead of blocking.
            guard let http = httpAcceptConnection(listener.fd, 1) else {
                // libcups clobbers errno on failure, so EMFILE and friends cannot be told
                // apart from a vanished client: back off when failures repeat.
                failures += 1
                if failures > 1 {
                    if failures == 2 || failures % 100 == 0 {
                        log("warn accept on \(listener.address) keeps failing (out of descriptors?)")
                    }
                    sleepMilliseconds(min(100, 1 << min(failures, 7)))
                }
                continue
            }
            failures = 0
            admit(http, unix: listener.isUnix)
        }
    }

    private func admit(_ http: OpaquePointer, unix: Bool) {
        let fd = httpGetFd(http)
        let control = ConnectionControl(fd: fd)
        let id: Int? = registry.withLock { r in
            guard !r.stopping, r.connections.count < limits.maxConnections else {
                r.rejected += 1
                return nil
            }
            let id = r.nextID
            r.nextID += 1
            r.connections[id] = control
            return id
        }
        guard let id else {
            reject(http)
            return
        }
        let connection = Connection(http: http, core: self, id: id, control: control, isAdminSocket: unix)
        if Threads.spawn(stackSize: Self.connectionStackSize, { connection.run() }) == nil {
            registry.withLock { _ = $0.connections.removeValue(forKey: id) }
            log("warn cannot start a connection thread; refusing a connection")
            reject(http)
        }
    }

    private static let busyResponse = Array((
        "HTTP/1.1 503 Service Unavailable\r\n" +
        "Retry-After: 5\r\n" +
        "Connection: close\r\n" +
        "Content-Type: text/plain\r\n" +
        "Content-Length: 13\r\n" +
        "\r\n" +
        "server busy\r\n").utf8)

    /// Over the cap: answer 503 without a thread, on the accept thread, never blocking it.
    /// What the client already sent is read and dropped first, so that closing does not
    /// reset the connection before the client reads the answer.
    private func reject(_ http: OpaquePointer) {
        let fd = httpGetFd(http)
        var scratch = (0 as UInt64, 0 as UInt64, 0 as UInt64, 0 as UInt64, 0 as UInt64, 0 as UInt64, 0 as UInt64, 0 as UInt64)
        withUnsafeMutableBytes(of: &scratch) { buf in
            var rounds = 0
            while rounds < 16, recv(fd, buf.baseAddress, buf.count, Int32(MSG_DONTWAIT)) > 0 { rounds += 1 }
        }
        _ = Self.busyResponse.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        httpClose(http)
    }

    /// Cuts connections whose request line or head is overdue: a client trickling it in a
    /// byte at a time never trips libcups's per-read timeout. Checks a few times per
    /// `requestHeadTimeout` (at most once a second); ends when the wake pipe is written.
    func watchdogLoop(wakeFD: Int32) {
        let period = Int32(max(10, min(1000, limits.requestHeadTimeout * 250)))
        var wake = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
        while true {
            wake.revents = 0
            let rc = poll(&wake, 1, period)
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { return }
            let now = monotonicNanoseconds()
            for c in registry.withLock({ Array($0.connections.values) }) { c.cutIfOverdue(now: now) }
        }
    }

    func connectionEnded(_ id: Int) {
        registry.withLock { _ = $0.connections.removeValue(forKey: id) }
    }

    // MARK: Stopping

    func beginStop() {
        let all = registry.withLock { r -> [ConnectionControl] in
            r.stopping = true
            return Array(r.connections.values)
        }
        for c in all { c.beginStop() }
    }

    func forceCloseAll() {
        let all = registry.withLock { Array($0.connections.values) }
        for c in all { c.forceClose() }
    }

    /// Waits until no connection is left or the deadline passes. True if none is left.
    func waitForConnections(until deadline: UInt64) -> Bool {
        while true {
            if connectionCount == 0 { return true }
            if monotonicNanoseconds() >= deadline { return false }
            sleepMilliseconds(5)
        }
    }
}
