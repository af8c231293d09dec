import CCups
import Glibc
import IPP

/// Where an IPP request goes: the parts of an `ipp://`, `ipps://`, `http://` or
/// `https://` URI that libcups needs (host and port to connect to, resource to POST to).
public struct IPPEndpoint: Sendable, CustomStringConvertible {
    /// The URI as given; it is also the `printer-uri` the request builders put in requests.
    public var uri: String
    public var scheme: String
    public var host: String
    public var port: Int
    /// The HTTP resource (path), "/" if the URI has none.
    public var resource: String
    /// TLS from the start (`ipps`, `https`).
    public var encrypted: Bool { scheme == "ipps" || scheme == "https" }

    /// Splits `uri` with libcups's `httpSeparateURI`. ipp and ipps default to port 631.
    public init(_ uri: String) throws(IPPClientError) {
        var scheme = [CChar](repeating: 0, count: 32)
        var user = [CChar](repeating: 0, count: 256)
        var host = [CChar](repeating: 0, count: 256)
        var resource = [CChar](repeating: 0, count: 1024)
        var port: Int32 = 0
        let status = httpSeparateURI(HTTP_URI_CODING_ALL, uri, &scheme, 32, &user, 256, &host, 256, &port, &resource, 1024)
        let s = string(scheme).lowercased()
        guard status.rawValue >= HTTP_URI_STATUS_OK.rawValue, ["ipp", "ipps", "http", "https"].contains(s) else {
            throw .badURI("'\(uri)' is not an ipp://, ipps://, http:// or https:// URI")
        }
        let h = string(host)
        guard !h.isEmpty, port > 0, port < 65536 else { throw .badURI("'\(uri)' has no host or port") }
        self.uri = uri
        self.scheme = s
        self.host = h
        self.port = Int(port)
        let r = string(resource)
        self.resource = r.isEmpty ? "/" : r
    }

    /// A Unix-domain socket (libcups connects to a host name that is an absolute path
    /// over AF_LOCAL), such as ippgate's admin socket.
    public init(unixSocket path: String, resource: String = "/") {
        self.uri = "ipp://localhost" + resource
        self.scheme = "ipp"
        self.host = path
        self.port = 0
        self.resource = resource
    }

    /// host:port, with an IPv6 address in brackets.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    public var description: String { uri }
}

/// A NUL-terminated C string in a buffer.
private func string(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Why a request got no IPP response (an IPP error status is a response, not an error).
public enum IPPClientError: Error, CustomStringConvertible, Sendable {
    case badURI(String)
    /// The TCP (or TLS) connection could not be made.
    case connect(endpoint: String, reason: String)
    /// The request was not sent, or no complete IPP response came back.
    case transport(String)
    /// The request could not be given to libcups, or the response could not be read back.
    case malformed(String)
    /// The document's source failed mid-request; the request was abandoned unfinished.
    case documentSource(String)
    /// The TLS device is not the one trusted before (see `TLSPin`); nothing was sent.
    case untrusted(String)

    public var description: String {
        switch self {
        case .badURI(let m): return m
        case .connect(let endpoint, let reason): return "cannot connect to \(endpoint): \(reason)"
        case .transport(let m): return "no IPP response: \(m)"
        case .malformed(let m): return m
        case .documentSource(let m): return "the document could not be read: \(m)"
        case .untrusted(let m): return m
        }
    }
}

/// A small blocking IPP client on libcups: one HTTP/1.1 keep-alive connection
/// (`httpConnect2`), requests sent with the calls `cupsDoRequest` makes
/// (`cupsSendRequest`, `cupsWriteRequestData`, `cupsGetResponse`), so a document can
/// follow the request from memory and the request is not consumed.
///
/// Used by `ippgate bench load` (one client per thread) and by tests as a reference
/// client that is not ippgate's own code.
///
/// Thread-safety: `@unchecked Sendable` only so that it can be handed to the thread
/// that will use it. libcups's `http_t` is not thread-safe: after the hand-over, exactly
/// one thread at a time may call `send` or `close`. libcups's last-error state is per
/// thread, and each `send` reads it on the calling thread.
///
/// A peer that hangs up mid-request raises SIGPIPE: a process using this client should
/// ignore SIGPIPE (`signal(SIGPIPE, SIG_IGN)`).
public final class IPPClient: @unchecked Sendable {
    public let endpoint: IPPEndpoint
    private var http: OpaquePointer?
    /// Checked after connecting and after every response (libcups may have reconnected).
    private let pin: TLSPin?

    /// The `requesting-user-name` the request builders use by default (libcups's `cupsUser()`).
    public static var defaultUser: String { String(cString: cupsUser()) }

    /// Connects at once, so that an unreachable server is reported here.
    /// - Parameters:
    ///   - connectTimeout: seconds to wait for the TCP connection.
    ///   - timeout: seconds any later read or write may block before the request fails.
    ///   - pin: for an encrypted endpoint, the device's certificate must match it (trust on first use).
    public init(_ endpoint: IPPEndpoint, connectTimeout: Double = 5, timeout: Double = 10, pin: TLSPin? = nil) throws(IPPClientError) {
        self.endpoint = endpoint
        self.pin = endpoint.encrypted ? pin : nil
        // msec 0: only create the http_t; connecting separately lets a failure be explained.
        guard let http = httpConnect2(endpoint.host, Int32(endpoint.port), nil, AF_UNSPEC,
                                      endpoint.encrypted ? HTTP_ENCRYPTION_ALWAYS : HTTP_ENCRYPTION_IF_REQUESTED,
                                      1, 0, nil) else {
            throw .connect(endpoint: endpoint.hostPort, reason: Self.lastError(or: "cannot resolve host name"))
        }
        if httpReconnect2(http, Int32(connectTimeout * 1000), nil) != 0 {
            httpClose(http)
            // libcups connects asynchronously and loses the socket's error (a refused
            // connection reads as "Host is down"); one plain connect() tells the reason.
            let reason = Self.connectError(host: endpoint.host, port: endpoint.port, timeout: connectTimeout)
            throw .connect(endpoint: endpoint.hostPort, reason: reason ?? Self.lastError(or: "unable to connect"))
        }
        httpSetTimeout(http, timeout, nil, nil)
        if let pin = self.pin {
            do { try pin.check(http) } catch {
                httpClose(http)
                throw error
            }
        }
        self.http = http
    }

    public convenience init(uri: String, connectTimeout: Double = 5, timeout: Double = 10, pin: TLSPin? = nil) throws(IPPClientError) {
        try self.init(try IPPEndpoint(uri), connectTimeout: connectTimeout, timeout: timeout, pin: pin)
    }

    /// After a response: if libcups reconnected meanwhile, the device must still be the
    /// trusted one, or the response is not believed and the connection is closed.
    private func recheckPin() throws(IPPClientError) {
        guard let pin, let http else { return }
        do { try pin.check(http) } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes the connection; later sends fail.
    public func close() {
        if let http { httpClose(http) }
        http = nil
    }

    /// Sends `request`, then `document` (if any) as the data after end-of-attributes-tag,
    /// and reads the response. The request stays the caller's and can be sent again.
    ///
    /// libcups reconnects by itself if the server closed the connection in between.
    /// Never prompts for a password: a 401 comes back as `.transport`.
    /// - Returns: the response (whatever its status code), or why there is none.
    public func send(_ request: LibcupsMessage, document: UnsafeRawBufferPointer? = nil) -> Result<LibcupsMessage, IPPClientError> {
        guard let http else { return .failure(.transport("connection closed")) }
        cupsSetPasswordCB2(noPassword, nil)
        let resource = endpoint.resource
        let documentLength = document?.count ?? 0
        var status = cupsSendRequest(http, request.ipp, resource, ippLength(request.ipp) + documentLength)
        if status == HTTP_STATUS_CONTINUE, ippGetState(request.ipp) == IPP_STATE_DATA, let document, let base = document.baseAddress {
            var offset = 0
            while offset < documentLength {
                let n = min(1 << 16, documentLength - offset)
                status = cupsWriteRequestData(http, (base + offset).assumingMemoryBound(to: CChar.self), n)
                // A server may answer before it has read the whole document (server-error-busy).
                guard status == HTTP_STATUS_CONTINUE else { break }
                offset += n
            }
        }
        var response: OpaquePointer? = nil
        if status.rawValue <= HTTP_STATUS_CONTINUE.rawValue || status == HTTP_STATUS_OK {
            response = cupsGetResponse(http, resource)
            status = httpGetStatus(http)
        }
        if httpGetState(http) != HTTP_STATE_WAITING { httpFlush(http) }
        guard let response else {
            // libcups also reports a failed reconnect as 503, so a socket error comes first.
            let code = httpError(http)
            if code != 0 && code != EHOSTDOWN {
                return .failure(.transport(String(cString: strerror(code))))
            }
            if status == HTTP_STATUS_SERVICE_UNAVAILABLE && code == EHOSTDOWN {
                return .failure(.transport("cannot reconnect"))
            }
            if status.rawValue >= 300 {
                return .failure(.transport("HTTP \(status.rawValue) \(String(cString: httpStatus(status)))"))
            }
            if cupsLastError().rawValue >= 0x0400 {
                return .failure(.transport(Self.lastError(or: "no response")))
            }
            return .failure(.transport(status == HTTP_STATUS_ERROR ? "connection closed by the server" : "no response"))
        }
        let message = LibcupsMessage(owning: response)
        do { try recheckPin() } catch { return .failure(error) }
        return .success(message)
    }

    /// Sends an ippgate `Message` (handed to libcups through its encoding), then
    /// `document`, and returns the response read by ippgate's decoder.
    public func send(_ request: Message, document: [UInt8] = []) throws(IPPClientError) -> Message {
        try exchange(request, documentLength: document.count) { http throws(IPPClientError) in
            guard !document.isEmpty else { return HTTP_STATUS_CONTINUE }
            return document.withUnsafeBytes { bytes in
                var status = HTTP_STATUS_CONTINUE
                var offset = 0
                while offset < bytes.count && status == HTTP_STATUS_CONTINUE {
                    let n = min(1 << 16, bytes.count - offset)
                    status = cupsWriteRequestData(http, (bytes.baseAddress! + offset).assumingMemoryBound(to: CChar.self), n)
                    offset += n
                }
                return status
            }
        }
    }

    /// Sends `request` with the contents of the file at `path` as its document, read and
    /// sent a piece at a time (never held whole), and returns the decoded response.
    public func send(_ request: Message, documentFile path: String) throws(IPPClientError) -> Message {
        let source: FileDocument
        do { source = try FileDocument(path: path) } catch { throw .malformed("\(error)") }
        return try send(request, document: source)
    }

    /// Sends `request` with a document read from `source` piece by piece: with a
    /// Content-Length when the source knows its length, chunked otherwise. A source that
    /// throws abandons the request mid-body (the connection is shut down, so the server
    /// never sees the document's end) and raises `.documentSource`; the client is then
    /// closed.
    public func send(_ request: Message, document source: any OutgoingDocument) throws(IPPClientError) -> Message {
        try exchange(request, documentLength: source.length) { [self] http throws(IPPClientError) in
            // Block-aligned, so a FileReader can read into it with O_DIRECT.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.documentBufferSize, alignment: 4096)
            defer { buffer.deallocate() }
            while true {
                let piece: UnsafeRawBufferPointer
                do { piece = try source.next(buffer) } catch {
                    httpShutdown(http)
                    close()
                    throw .documentSource("\(error)")
                }
                guard let base = piece.baseAddress, piece.count > 0 else { return HTTP_STATUS_CONTINUE }
                let status = cupsWriteRequestData(http, base.assumingMemoryBound(to: CChar.self), piece.count)
                guard status == HTTP_STATUS_CONTINUE else { return status } // answered early (e.g. busy)
            }
        }
    }

    /// One request: the request and its header through libcups (`cupsSendRequest`), the
    /// document through `writeDocument` (which returns `HTTP_STATUS_CONTINUE`, or the
    /// status of an early answer), then the response. A nil `documentLength` sends the
    /// document chunked.
    private func exchange(_ request: Message, documentLength: Int?,
                          writeDocument: (OpaquePointer) throws(IPPClientError) -> http_status_t) throws(IPPClientError) -> Message {
        let libcupsRequest: LibcupsMessage
        do { libcupsRequest = try LibcupsMessage.decode(request.encoded()).0 } catch {
            throw .malformed("libcups cannot read the request: \(error)")
        }
        guard let http else { throw .transport("connection closed") }
        cupsSetPasswordCB2(noPassword, nil)
        // Length 0 is CUPS_LENGTH_VARIABLE: chunked transfer coding.
        let length = documentLength.map { ippLength(libcupsRequest.ipp) + $0 } ?? 0
        var status = cupsSendRequest(http, libcupsRequest.ipp, endpoint.resource, length)
        var early = status == HTTP_STATUS_OK
        if status == HTTP_STATUS_CONTINUE {
            status = try writeDocument(http)
            early = status != HTTP_STATUS_CONTINUE
        }
        // After a failed write the server may still have answered (an error, then close).
        guard status == HTTP_STATUS_CONTINUE || status == HTTP_STATUS_OK || status == HTTP_STATUS_ERROR else {
            if httpGetState(http) != HTTP_STATE_WAITING { httpFlush(http) }
            throw .transport("HTTP \(status.rawValue) \(String(cString: httpStatus(status)))")
        }
        let response: Message
        do {
            response = try readResponse(http, endChunkedBody: length == 0 && !early)
        } catch {
            if httpGetState(http) != HTTP_STATE_WAITING { httpFlush(http) }
            throw error
        }
        if httpGetState(http) != HTTP_STATE_WAITING { httpFlush(http) }
        try recheckPin()
        return response
    }

    /// What a response may hold: ippgate's decoder limits (16 MiB of attributes at most),
    /// so a device cannot make ippgate hold whatever it sends.
    public static let responseLimits = DecoderLimits(maxValueLength: 65535)

    /// Reads the response to a request sent with `cupsSendRequest`: the steps of
    /// `cupsGetResponse`, with the attributes read by ippgate's decoder within
    /// `responseLimits` instead of libcups's `ippRead`, which has no limit.
    private func readResponse(_ http: OpaquePointer, endChunkedBody: Bool) throws(IPPClientError) -> Message {
        if endChunkedBody && httpWrite2(http, "", 0) < 0 {
            throw .transport("cannot finish the request: \(String(cString: strerror(httpError(http))))")
        }
        var status: http_status_t
        repeat { status = httpUpdate(http) } while status == HTTP_STATUS_CONTINUE
        guard status == HTTP_STATUS_OK else {
            if status == HTTP_STATUS_ERROR {
                let code = httpError(http)
                throw .transport(code == 0 ? "connection closed by the server" : String(cString: strerror(code)))
            }
            throw .transport("HTTP \(status.rawValue) \(String(cString: httpStatus(status)))")
        }
        var decoder = IncrementalDecoder(limits: Self.responseLimits)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 32 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = httpRead2(http, buffer.assumingMemoryBound(to: CChar.self), 32 * 1024)
            if n <= 0 {
                let code = httpError(http)
                if code != 0 { throw .transport("reading the response: \(String(cString: strerror(code)))") }
                do throws(DecodeError) { try decoder.finish() } catch { throw .malformed("the response is malformed: \(error)") }
                throw .malformed("the response ends before end-of-attributes-tag")
            }
            do throws(DecodeError) {
                if case .message(let message, _, _) = try decoder.feed(UnsafeRawBufferPointer(start: buffer, count: n)) {
                    return message
                }
            } catch {
                httpShutdown(http)
                throw .malformed("the response is malformed: \(error)")
            }
        }
    }

    /// Bytes read from a document source and written per call.
    static let documentBufferSize = 1 << 20

    /// Why a blocking `connect()` to the host's first address fails, or nil if it succeeds.
    static func connectError(host: String, port: Int, timeout: Double) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let gai = getaddrinfo(host, String(port), &hints, &list)
        guard gai == 0, let first = list else { return String(cString: gai_strerror(gai)) }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { Glibc.close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 ? nil : String(cString: strerror(errno))
    }

    static func lastError(or fallback: String) -> String {
        guard let text = cupsLastErrorString() else { return fallback }
        let s = String(cString: text)
        return s.isEmpty ? fallback : s
    }
}

/// `cups_password_cb2_t` that never gives a password, so a 401 fails instead of prompting.
private let noPassword: cups_password_cb2_t = { _, _, _, _, _ in nil }

// MARK: - Building requests with libcups

extension LibcupsMessage {
    /// `ippNewRequest(operation)` (which adds attributes-charset and
    /// attributes-natural-language), then `printer-uri` and `requesting-user-name`.
    public static func request(_ operation: Operation, printerURI: String, user: String? = IPPClient.defaultUser) -> LibcupsMessage {
        let ipp = ippNewRequest(ipp_op_t(rawValue: Int32(operation.rawValue)))!
        ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, printerURI)
        if let user { ippAddString(ipp, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user) }
        return LibcupsMessage(owning: ipp)
    }

    /// Adds a string-syntax attribute (keyword, name, text, uri, mimeMediaType, …) with
    /// one or more values, with `ippAddString` and `ippSetString`.
    public func add(_ name: String, _ syntax: ValueTag, _ values: [String], group: GroupTag = .operation) {
        guard let first = values.first else { return }
        let groupTag = ipp_tag_t(rawValue: Int32(group.rawValue))
        let valueTag = ipp_tag_t(rawValue: Int32(syntax.rawValue))
        var attr = ippAddString(ipp, groupTag, valueTag, name, nil, first)
        for (i, value) in values.enumerated().dropFirst() { ippSetString(ipp, &attr, Int32(i), value) }
    }

    /// Adds an integer or enum attribute.
    public func add(_ name: String, _ syntax: ValueTag, integer: Int32, group: GroupTag = .operation) {
        ippAddInteger(ipp, ipp_tag_t(rawValue: Int32(group.rawValue)), ipp_tag_t(rawValue: Int32(syntax.rawValue)), name, integer)
    }

    /// The status-code of a response (operation-id of a request).
    public var statusCode: StatusCode { StatusCode(UInt16(truncatingIfNeeded: ippGetStatusCode(ipp).rawValue)) }

    public var requestID: Int32 { ippGetRequestId(ipp) }

    /// The first value of a string-syntax attribute, if present.
    public func string(_ name: String) -> String? {
        guard let attr = ippFindAttribute(ipp, name, IPP_TAG_ZERO), let s = ippGetString(attr, 0, nil) else { return nil }
        return String(cString: s)
    }

    /// libcups's name for an operation (`ippOpString`), e.g. "CUPS-Get-Printers".
    public static func operationName(_ operation: Operation) -> String {
        String(cString: ippOpString(ipp_op_t(rawValue: Int32(operation.rawValue))))
    }

    /// libcups's name for a status code (`ippErrorString`), e.g. "server-error-busy".
    public static func statusName(_ status: StatusCode) -> String {
        String(cString: ippErrorString(ipp_status_t(rawValue: Int32(status.rawValue))))
    }
}
