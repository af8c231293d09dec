import CCups
import Glibc
import IPP

/// One accepted HTTP connection, served by its own thread: requests one after another
/// (keep-alive) until the client closes, asks to close, idles past the timeout, or the
/// server stops.
///
/// Thread confinement (why `@unchecked Sendable` is sound): the accept thread creates the
/// object and hands it to a new thread, and from then on only that thread touches any of
/// its stored properties (the `http_t`, the buffers, the caches). The one exception is
/// `control`, which is itself `Sendable` (a `Mutex`) and is what `stop()` uses.
final class Connection: @unchecked Sendable {
    static let readBufferSize = 32 * 1024
    static let uriBufferSize = 4096

    private let http: OpaquePointer
    private let core: ServerCore
    let id: Int
    let control: ConnectionControl
    private let isAdminSocket: Bool

    private var peer = Peer(address: "?", isAdminSocket: false)
    private let readBuffer: UnsafeMutableRawPointer
    private var writeBuffer: UnsafeMutableRawPointer
    private var writeCapacity: Int
    private let uri: UnsafeMutablePointer<CChar>
    private let body: BodyReader
    /// The first bytes of the request body (the IPP header), for error responses.
    private var header: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var headerCount = 0
    /// Clients send the same resource and Host again and again: keep the last Strings.
    private var resourceCache = CStringCache()
    private var hostCache = CStringCache()

    init(http: OpaquePointer, core: ServerCore, id: Int, control: ConnectionControl, isAdminSocket: Bool) {
        self.http = http
        self.core = core
        self.id = id
        self.control = control
        self.isAdminSocket = isAdminSocket
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        writeCapacity = 16 * 1024
        writeBuffer = .allocate(byteCount: writeCapacity, alignment: 16)
        uri = .allocate(capacity: Self.uriBufferSize)
        uri.initialize(to: 0)
        body = BodyReader(http: http, minimumRate: core.limits.minimumDocumentRate, window: core.limits.readTimeout)
    }

    deinit {
        readBuffer.deallocate()
        writeBuffer.deallocate()
        uri.deallocate()
    }

    // MARK: - The connection's life

    /// The thread's body. Closes the connection and unregisters it when done.
    func run() {
        httpSetTimeout(http, core.limits.readTimeout, nil, nil)
        httpSetDefaultField(http, HTTP_FIELD_SERVER, CText.server)
        if isAdminSocket {
            peer = Peer(address: "admin-socket", isAdminSocket: true)
        } else {
            peer = Peer(address: SocketAddress.peerString(fd: httpGetFd(http)) ?? "?", isAdminSocket: false)
        }
        while serveRequest() {}
        control.markClosed()
        httpClose(http)
        core.connectionEnded(id)
    }

    /// Waits for and serves one request. Returns whether to keep the connection open.
    private func serveRequest() -> Bool {
        // Idle until the request line is in: libcups waits for it (up to the timeout set
        // with httpSetTimeout) inside httpReadRequest, so no separate httpWait (one poll
        // fewer per request). Blank lines before it are allowed (a few).
        let limits = core.limits
        guard control.enterIdle(deadline: monotonicNanoseconds() &+ Self.nanoseconds(limits.readTimeout + limits.requestHeadTimeout),
                                "no whole request line within \(Self.seconds(limits.readTimeout + limits.requestHeadTimeout)) s") else { return false }
        var state = httpReadRequest(http, uri, Self.uriBufferSize)
        var blankLines = 0
        while state == HTTP_STATE_WAITING && blankLines < 8 {
            blankLines += 1
            state = httpReadRequest(http, uri, Self.uriBufferSize)
        }
        let start = monotonicNanoseconds()
        guard control.enterBusy(deadline: start &+ Self.nanoseconds(limits.requestHeadTimeout),
                                "the request's header fields and IPP attributes took over \(Self.seconds(limits.requestHeadTimeout)) s") else { return false }
        switch state {
        case HTTP_STATE_WAITING:
            logCut(start)
            return false
        case HTTP_STATE_ERROR:
            if logCut(start) { return false }
            // A client that closed or stalled leaves an error; none means a line we could not parse.
            if httpError(http) == 0 { refuse(HTTP_STATUS_BAD_REQUEST, "-", start, reason: "bad request line") }
            return false
        case HTTP_STATE_UNKNOWN_METHOD:
            refuse(HTTP_STATUS_NOT_IMPLEMENTED, "?", start, reason: "unknown method")
            return false
        case HTTP_STATE_UNKNOWN_VERSION:
            refuse(HTTP_STATUS_NOT_SUPPORTED, methodName(state), start, reason: "unsupported HTTP version")
            return false
        default:
            break
        }
        let method = state

        // Header fields.
        var status = httpUpdate(http)
        var rounds = 0
        while status == HTTP_STATUS_CONTINUE && rounds < 64 {
            status = httpUpdate(http)
            rounds += 1
        }
        let fieldError = httpError(http)
        guard status == HTTP_STATUS_OK, fieldError == 0 else {
            if logCut(start) { return false }
            if !Self.isConnectionLoss(fieldError) {
                refuse(HTTP_STATUS_BAD_REQUEST, methodName(method), start, reason: "bad header fields")
            }
            return false
        }
        if httpGetVersion(http) == HTTP_VERSION_1_1, fieldIsEmpty(HTTP_FIELD_HOST) {
            refuse(HTTP_STATUS_BAD_REQUEST, methodName(method), start, reason: "no Host field")
            return false
        }
        let clientWantsClose = httpGetVersion(http) != HTTP_VERSION_1_1 || fieldContains(HTTP_FIELD_CONNECTION, CText.close)

        if method != HTTP_STATE_POST { control.clearDeadline() } // a POST's head ends with its attributes
        switch method {
        case HTTP_STATE_POST:
            return servePost(start: start, clientWantsClose: clientWantsClose)
        case HTTP_STATE_GET, HTTP_STATE_HEAD:
            return serveGet(head: method == HTTP_STATE_HEAD, start: start, clientWantsClose: clientWantsClose)
        case HTTP_STATE_OPTIONS:
            return respondEmpty(HTTP_STATUS_OK, method: "OPTIONS", start: start, close: clientWantsClose)
        default:
            refuse(HTTP_STATUS_METHOD_NOT_ALLOWED, methodName(method), start, reason: "method not allowed")
            return false
        }
    }

    // MARK: - IPP over POST

    private func servePost(start: UInt64, clientWantsClose: Bool) -> Bool {
        guard fieldHasPrefix(HTTP_FIELD_CONTENT_TYPE, CText.applicationIPP) else {
            refuse(HTTP_STATUS_UNSUPPORTED_MEDIATYPE, "POST", start, reason: "Content-Type is not application/ipp")
            return false
        }
        // libcups de-chunks only a Transfer-Encoding of exactly "chunked", and reads a POST
        // with neither that nor a Content-Length until the connection closes (HTTP/1.1 says
        // such a body is empty). Refuse both rather than hang.
        if !fieldIsEmpty(HTTP_FIELD_TRANSFER_ENCODING) {
            guard let te = httpGetField(http, HTTP_FIELD_TRANSFER_ENCODING), strcasecmp(te, CText.chunked.pointer) == 0 else {
                refuse(HTTP_STATUS_NOT_IMPLEMENTED, "POST", start, reason: "unsupported Transfer-Encoding")
                return false
            }
        } else if fieldIsEmpty(HTTP_FIELD_CONTENT_LENGTH) {
            refuse(HTTP_STATUS_LENGTH_REQUIRED, "POST", start, reason: "no Content-Length and not chunked")
            return false
        }
        let expect = httpGetExpect(http)
        if expect == HTTP_STATUS_CONTINUE {
            // RFC 9110 §10.1.1 lets a server omit the 100 when the content has arrived: a
            // Content-Length body already buffered whole (libcups sends a Get-Printer-Attributes
            // right behind its headers) needs none. Anything else gets it, since libcups
            // holds a document back for up to a second waiting for the 100.
            let wholeBodyHere = httpIsChunked(http) == 0 && httpGetReady(http) >= httpGetRemaining(http)
            if !wholeBodyHere && httpWriteResponse(http, HTTP_STATUS_CONTINUE) != 0 { return false }
        } else if expect != HTTP_STATUS_NONE {
            refuse(HTTP_STATUS_EXPECTATION_FAILED, "POST", start, reason: "unsupported Expect")
            return false
        }

        let resource = resourceCache.string(uri)
        let host = hostCache.string(httpGetField(http, HTTP_FIELD_HOST))
        body.reset()
        headerCount = 0

        // The attribute section, in chunks, until end-of-attributes-tag.
        var decoder = IncrementalDecoder(limits: core.limits.decoder)
        var received = 0
        var decoded: (message: Message, leftover: Int, leftoverCount: Int)? = nil
        while decoded == nil {
            let n = body.readRaw(readBuffer, Self.readBufferSize)
            if n == 0 {
                if let failure = body.failure {
                    logFailure(resource: resource, start: start, received: received, control.cutReason.map(TransportError.tooSlow) ?? failure)
                    return false
                }
                // The body ended before the message did.
                var error = DecodeError(.truncated, at: received, "message ends before end-of-attributes-tag")
                do throws(DecodeError) { try decoder.finish() } catch let e { error = e }
                return answerMalformed(error, decoder: decoder, resource: resource, start: start, received: received)
            }
            captureHeader(n)
            received += n
            do throws(DecodeError) {
                switch try decoder.feed(UnsafeRawBufferPointer(start: readBuffer, count: n)) {
                case .needMoreBytes:
                    continue
                case .message(let message, _, let consumed):
                    decoded = (message, consumed, n - consumed)
                }
            } catch {
                return answerMalformed(error, decoder: decoder, resource: resource, start: start, received: received)
            }
        }
        guard let (message, leftoverOffset, leftoverCount) = decoded.map({ ($0.message, $0.leftover, $0.leftoverCount) }) else { return false }
        let attributeBytes = received - leftoverCount
        control.clearDeadline()

        // The handler, with the document streaming from the connection.
        body.openDocument(leftover: UnsafeRawPointer(readBuffer + leftoverOffset), count: leftoverCount)
        let request = IPPRequest(message: message, resource: resource, host: host, peer: peer, document: body)
        let response = core.handler.handle(request)
        body.closeDocument()

        // Whatever the handler did not read is discarded, so the next request starts clean.
        // With closeConnection the rest is read only for a moment: libcups cannot write a
        // response while a request body is pending, and the client must not be reset.
        let close = response.closeConnection || clientWantsClose || control.isStopping
        if response.closeConnection {
            _ = body.drain(into: readBuffer, Self.readBufferSize, deadline: monotonicNanoseconds() &+ Self.lingerNanoseconds(core.limits))
        } else {
            _ = body.drain(into: readBuffer, Self.readBufferSize)
        }
        guard body.ended else {
            if let failure = body.failure {
                // The client is gone or stalled: there is nobody to answer.
                logRequest(resource: resource, op: message.operation, status: response.message.status,
                           attributeBytes: attributeBytes, start: start, note: " error=\"\(failure); no response sent\"")
            } else {
                // Still sending after the handler asked to close: answer, then close.
                sendWithoutLibcupsAndClose(response.message)
                logRequest(resource: resource, op: message.operation, status: response.message.status,
                           attributeBytes: attributeBytes, start: start, note: " note=\"answered before the body ended\"")
            }
            return false
        }
        let sent = sendIPP(response.message, close: close)
        let unsent = control.cutReason.map { "\(TransportError.tooSlow($0))" } ?? "response not sent"
        logRequest(resource: resource, op: message.operation, status: response.message.status,
                   attributeBytes: attributeBytes, start: start, note: sent ? "" : " error=\"\(unsent)\"")
        return sent && !close && httpGetState(http) == HTTP_STATE_WAITING
    }

    /// Answers a request whose attribute section could not be decoded with an IPP error
    /// (HTTP 200, as IPP clients expect), then closes the connection.
    private func answerMalformed(_ error: DecodeError, decoder: IncrementalDecoder, resource: String, start: UInt64, received: Int) -> Bool {
        let tooLarge = error.kind == .limitExceeded && decoder.bufferedCount > core.limits.decoder.maxMessageBytes
        let status: StatusCode = tooLarge ? .clientErrorRequestEntityTooLarge : .clientErrorBadRequest
        let text = "malformed IPP: \(error.description)"
        let reply = Self.errorMessage(status: status, header: headerBytes(), statusMessage: text)
        // The rest of the body is read for a moment so libcups can write the response and
        // the client is not reset before it reads it.
        let drained = body.drain(into: readBuffer, Self.readBufferSize, deadline: monotonicNanoseconds() &+ Self.lingerNanoseconds(core.limits))
        if drained {
            _ = sendIPP(reply, close: true)
        } else if body.failure == nil {
            sendWithoutLibcupsAndClose(reply)
        }
        core.log("warn request peer=\(peer.address) method=POST resource=\(resource) status=\(status.name ?? hex(status.rawValue)) bytes=\(received) ms=\(formatMilliseconds(monotonicNanoseconds() &- start)) error=\"\(text)\"")
        return false
    }

    /// Answers while the request body is still arriving, then closes gently. libcups cannot
    /// write a response in that state (it would frame the response with the request's
    /// chunking), so the bytes go straight to the socket. Plain TCP only: with TLS this
    /// path must go through libcups.
    private func sendWithoutLibcupsAndClose(_ message: Message) {
        let body = message.encoded()
        let date = httpGetDateString(time(nil)).map { String(cString: $0) } ?? ""
        let head = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/ipp\r\nContent-Length: \(body.count)\r\nDate: \(date)\r\nServer: \(CText.server)\r\n\r\n"
        let bytes = Array(head.utf8) + body
        let fd = httpGetFd(http)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            offset += n
        }
        lingeringClose()
    }

    /// The IPP response the transport itself sends for a request it could not decode.
    /// Version: the request's if at least the 8-byte header arrived and it is 1.x or 2.x,
    /// else 2.0. request-id: the request's if the header arrived, else 0 (no request to
    /// match; RFC 8011 reserves 0, so a client never confuses it with one of its own).
    static func errorMessage(status: StatusCode, header: [UInt8], statusMessage: String) -> Message {
        var version = Version.v2_0
        var requestID: Int32 = 0
        if header.count >= 8 {
            if header[0] == 1 || header[0] == 2 { version = Version(major: header[0], minor: header[1]) }
            requestID = Int32(bitPattern: UInt32(header[4]) << 24 | UInt32(header[5]) << 16 | UInt32(header[6]) << 8 | UInt32(header[7]))
        }
        var text = statusMessage
        if text.utf8.count > 255 {
            // status-message is text(255): cut at a character boundary.
            var cut = text.startIndex
            var bytes = 0
            for i in text.indices {
                let n = text[i].utf8.count
                if bytes + n > 252 { break }
                bytes += n
                cut = text.index(after: i)
            }
            text = String(text[..<cut]) + "..."
        }
        return Message(version: version, status: status, requestID: requestID, groups: [
            AttributeGroup(tag: .operation, attributes: [
                Attribute("attributes-charset", .charset("utf-8")),
                Attribute("attributes-natural-language", .naturalLanguage("en")),
                Attribute("status-message", .text(text)),
            ]),
        ])
    }

    /// Writes an IPP response through libcups: fields, status line, body, flush.
    private func sendIPP(_ message: Message, close: Bool) -> Bool {
        let size = message.encodedSize
        if size > writeCapacity {
            writeBuffer.deallocate()
            writeCapacity = max(size, writeCapacity * 2)
            writeBuffer = .allocate(byteCount: writeCapacity, alignment: 16)
        }
        guard let n = message.encode(into: UnsafeMutableRawBufferPointer(start: writeBuffer, count: writeCapacity)) else { return false }
        httpClearFields(http)
        httpSetField(http, HTTP_FIELD_CONTENT_TYPE, CText.applicationIPP.pointer)
        if close {
            httpSetKeepAlive(http, HTTP_KEEPALIVE_OFF)
        } else {
            httpSetField(http, HTTP_FIELD_KEEP_ALIVE, core.keepAliveField.pointer)
        }
        httpSetLength(http, n)
        watchWriting(n)
        defer { control.clearDeadline() }
        guard httpWriteResponse(http, HTTP_STATUS_OK) == 0 else { return false }
        guard httpWrite2(http, writeBuffer.assumingMemoryBound(to: CChar.self), n) == n else { return false }
        let ok = httpFlushWrite(http) >= 0
        // A rare huge response (a long Get-Jobs) does not keep its buffer for the connection's life.
        if writeCapacity > 1 << 20 {
            writeBuffer.deallocate()
            writeCapacity = 16 * 1024
            writeBuffer = .allocate(byteCount: writeCapacity, alignment: 16)
        }
        return ok
    }

    // MARK: - GET, HEAD, OPTIONS

    private static let homePage = HTTPResource(contentType: "text/plain; charset=utf-8", body: Array("ippgate\n".utf8))

    private func serveGet(head: Bool, start: UInt64, clientWantsClose: Bool) -> Bool {
        let method = head ? "HEAD" : "GET"
        let path = String(cString: uri)
        let found = core.resources?.resource(at: path) ?? (path == "/" ? Self.homePage : nil)
        guard let resource = found else {
            refuse(HTTP_STATUS_NOT_FOUND, method, start, reason: "not found")
            return false
        }
        let close = clientWantsClose || control.isStopping
        httpClearFields(http)
        httpSetField(http, HTTP_FIELD_CONTENT_TYPE, resource.contentType)
        if close { httpSetKeepAlive(http, HTTP_KEEPALIVE_OFF) }
        if resource.body.isEmpty {
            httpSetField(http, HTTP_FIELD_CONTENT_LENGTH, CText.zero.pointer)  // httpSetLength(0) means chunked
        } else {
            httpSetLength(http, resource.body.count)
        }
        watchWriting(head ? 0 : resource.body.count)
        defer { control.clearDeadline() }
        var ok = httpWriteResponse(http, HTTP_STATUS_OK) == 0
        if ok && !head && !resource.body.isEmpty {
            ok = resource.body.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { httpWrite2(http, $0.baseAddress, $0.count) == $0.count }
            } && httpFlushWrite(http) >= 0
        }
        logPlain(method: method, status: HTTP_STATUS_OK, start: start)
        return ok && !close && httpGetState(http) == HTTP_STATE_WAITING
    }

    private func respondEmpty(_ status: http_status_t, method: String, start: UInt64, close: Bool) -> Bool {
        httpClearFields(http)
        httpSetField(http, HTTP_FIELD_ALLOW, CText.allow.pointer)
        httpSetField(http, HTTP_FIELD_CONTENT_LENGTH, CText.zero.pointer)
        if close || control.isStopping { httpSetKeepAlive(http, HTTP_KEEPALIVE_OFF) }
        let ok = httpWriteResponse(http, status) == 0
        logPlain(method: method, status: status, start: start)
        return ok && !close && !control.isStopping && httpGetState(http) == HTTP_STATE_WAITING
    }

    // MARK: - Refusals

    /// Answers with an HTTP error (no body, `Connection: close`) and closes gently. A
    /// request body the client already sent is read for a moment first, so the client sees
    /// the answer rather than a reset.
    private func refuse(_ status: http_status_t, _ method: String, _ start: UInt64, reason: String) {
        httpClearFields(http)
        httpSetKeepAlive(http, HTTP_KEEPALIVE_OFF)
        if status == HTTP_STATUS_METHOD_NOT_ALLOWED { httpSetField(http, HTTP_FIELD_ALLOW, CText.allow.pointer) }
        httpSetField(http, HTTP_FIELD_CONTENT_LENGTH, CText.zero.pointer)
        _ = httpWriteResponse(http, status)
        core.log("warn request peer=\(peer.address) method=\(method) resource=\(String(cString: uri)) http=\(status.rawValue) ms=\(formatMilliseconds(monotonicNanoseconds() &- start)) error=\"\(reason)\"")
        lingeringClose()
    }

    /// Half-closes, then discards what the client still sends for a short while (or until
    /// it closes), so that closing does not reset a connection with unread data.
    private func lingeringClose() {
        let fd = httpGetFd(http)
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_WR))
        let deadline = monotonicNanoseconds() &+ Self.lingerNanoseconds(core.limits)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let now = monotonicNanoseconds()
            guard now < deadline else { return }
            pfd.revents = 0
            let rc = poll(&pfd, 1, Int32((deadline - now) / 1_000_000) + 1)
            if rc < 0 && errno == EINTR { continue }
            guard rc > 0 else { return }
            let n = recv(fd, readBuffer, Self.readBufferSize, Int32(MSG_DONTWAIT))
            if n > 0 { continue }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            return
        }
    }

    static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1e9) }

    /// A response of `bytes` must be read at `minimumDocumentRate`, with `requestHeadTimeout`
    /// to spare: a client reading it a byte at a time would otherwise hold the thread.
    private func watchWriting(_ bytes: Int) {
        let limits = core.limits
        guard limits.minimumDocumentRate > 0 else { return }
        let seconds = limits.requestHeadTimeout + Double(bytes) / Double(limits.minimumDocumentRate)
        control.setDeadline(monotonicNanoseconds() &+ Self.nanoseconds(seconds),
                            "the \(bytes)-byte response was not read within \(Self.seconds((seconds * 10).rounded(.up) / 10)) s")
    }

    /// Seconds for a message: "30", "0.5".
    static func seconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(s) }

    /// Logs the watchdog's cut, if there was one. Returns whether there was.
    @discardableResult
    private func logCut(_ start: UInt64) -> Bool {
        guard let reason = control.cutReason else { return false }
        core.log("warn request peer=\(peer.address) ms=\(formatMilliseconds(monotonicNanoseconds() &- start)) error=\"\(TransportError.tooSlow(reason))\"")
        return true
    }

    static func lingerNanoseconds(_ limits: ServerLimits) -> UInt64 {
        UInt64(max(0.05, min(2.0, limits.readTimeout)) * 1e9)
    }

    static func isConnectionLoss(_ error: Int32) -> Bool {
        error == EPIPE || error == ECONNRESET || error == ETIMEDOUT || error == EAGAIN
    }

    // MARK: - Logging

    private func logRequest(resource: String, op: Operation, status: StatusCode, attributeBytes: Int, start: UInt64, note: String) {
        guard core.requestLog || !note.isEmpty else { return }
        let ms = formatMilliseconds(monotonicNanoseconds() &- start)
        let opName = op.name ?? op.cupsName ?? hex(op.rawValue)
        let statusName = status.name ?? hex(status.rawValue)
        core.log("info request peer=\(peer.address) method=POST resource=\(resource) op=\(opName) status=\(statusName) bytes=\(attributeBytes) doc=\(body.documentBytes) ms=\(ms)\(note)")
    }

    private func logPlain(method: String, status: http_status_t, start: UInt64) {
        guard core.requestLog else { return }
        core.log("info request peer=\(peer.address) method=\(method) resource=\(String(cString: uri)) http=\(status.rawValue) ms=\(formatMilliseconds(monotonicNanoseconds() &- start))")
    }

    private func logFailure(resource: String, start: UInt64, received: Int, _ failure: TransportError) {
        core.log("warn request peer=\(peer.address) method=POST resource=\(resource) bytes=\(received) ms=\(formatMilliseconds(monotonicNanoseconds() &- start)) error=\"\(failure)\"")
    }

    // MARK: - Helpers

    private func methodName(_ state: http_state_t) -> String {
        switch state {
        case HTTP_STATE_OPTIONS: return "OPTIONS"
        case HTTP_STATE_GET: return "GET"
        case HTTP_STATE_HEAD: return "HEAD"
        case HTTP_STATE_POST: return "POST"
        case HTTP_STATE_PUT: return "PUT"
        case HTTP_STATE_DELETE: return "DELETE"
        case HTTP_STATE_TRACE: return "TRACE"
        case HTTP_STATE_CONNECT: return "CONNECT"
        default: return "?"
        }
    }

    private func captureHeader(_ n: Int) {
        guard headerCount < 8 else { return }
        let take = min(8 - headerCount, n)
        withUnsafeMutableBytes(of: &header) { h in
            for i in 0..<take { h[headerCount + i] = readBuffer.load(fromByteOffset: i, as: UInt8.self) }
        }
        headerCount += take
    }

    private func headerBytes() -> [UInt8] {
        withUnsafeBytes(of: header) { Array($0.prefix(headerCount)) }
    }

    private func fieldIsEmpty(_ field: http_field_t) -> Bool {
        guard let value = httpGetField(http, field) else { return true }
        return value[0] == 0
    }

    private func fieldContains(_ field: http_field_t, _ needle: CText) -> Bool {
        guard let value = httpGetField(http, field), value[0] != 0 else { return false }
        // strcasestr is a GNU extension Glibc's module does not export.
        var p = value
        while p[0] != 0 {
            if strncasecmp(p, needle.pointer, needle.count) == 0 { return true }
            p += 1
        }
        return false
    }

    private func fieldHasPrefix(_ field: http_field_t, _ prefix: CText) -> Bool {
        guard let value = httpGetField(http, field) else { return false }
        let n = prefix.count
        guard strncasecmp(value, prefix.pointer, n) == 0 else { return false }
        let next = value[n]
        return next == 0 || next == 0x3B /* ; */ || next == 0x20 || next == 0x09
    }

    private func hex(_ v: UInt16) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension BodyReader {
    /// Discards the rest of the body until `deadline` (monotonic ns). True if it ended cleanly.
    /// Never waits past the deadline: a client that stops sending and waits for the answer
    /// (to a refused multi-gigabyte upload) gets it then, not after a read time-out.
    func drain(into scratch: UnsafeMutableRawPointer, _ count: Int, deadline: UInt64) -> Bool {
        while !ended && failure == nil {
            let now = monotonicNanoseconds()
            if now > deadline || !hasData(within: Int32(min(2_000, (deadline - now) / 1_000_000 + 1))) { return false }
            _ = readRaw(scratch, count)
        }
        return ended
    }
}

/// The last C string seen and its Swift String, to avoid making the same String per request.
struct CStringCache {
    private var bytes: [CChar] = []
    private var value = ""

    mutating func string(_ c: UnsafePointer<CChar>?) -> String {
        guard let c else { return "" }
        let length = strlen(c)
        let same = length == bytes.count && bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return true }
            return memcmp(base, c, length) == 0
        }
        if !same {
            bytes = Array(UnsafeBufferPointer(start: c, count: length))
            value = String(cString: c)
        }
        return value
    }
}

/// A C string made once and kept for the life of the process, so that passing it to
/// libcups costs no conversion (a Swift String argument is copied into a temporary C
/// string on every call).
struct CText: @unchecked Sendable {
    // Immutable after init and never freed: safe to share between threads.
    let pointer: UnsafePointer<CChar>
    let count: Int

    init(_ s: String) {
        pointer = UnsafePointer(strdup(s)!)
        count = s.utf8.count
    }

    static let applicationIPP = CText("application/ipp")
    static let textPlain = CText("text/plain; charset=utf-8")
    static let chunked = CText("chunked")
    static let close = CText("close")
    static let allow = CText("GET, HEAD, OPTIONS, POST")
    static let zero = CText("0")
    static let server = "ippgate IPP/2.0"
}
