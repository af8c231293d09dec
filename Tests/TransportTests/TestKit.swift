import CCups
import Foundation
import Glibc
import IPP
import Synchronization
import Testing
import Transport

// MARK: - A handler that shows what arrived

/// Echoes the request back: every operation attribute, plus what the transport saw
/// (resource, Host, peer) and the document's byte count and FNV-1a hash.
struct EchoHandler: IPPHandler {
    enum DocumentUse: Sendable { case readAll, readNone, readFirst(Int) }
    var document: DocumentUse = .readAll
    /// Called before answering (tests use it to hold a request in flight).
    var beforeAnswer: (@Sendable () -> Void)? = nil
    /// Extra attributes to make the response large.
    var padding = 0
    /// Asks the transport to close the connection after the answer.
    var closeConnection = false

    func handle(_ request: IPPRequest) -> IPPResponse {
        var count = 0
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var failure: String? = nil
        let limit: Int
        switch document {
        case .readAll: limit = .max
        case .readNone: limit = 0
        case .readFirst(let n): limit = n
        }
        if limit > 0 {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
            defer { buffer.deallocate() }
            do {
                while count < limit {
                    let n = try request.document.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, limit - count)]))
                    if n == 0 { break }
                    for i in 0..<n {
                        hash = (hash ^ UInt64(buffer[i])) &* 0x0000_0100_0000_01b3
                    }
                    count += n
                }
            } catch {
                failure = "\(error)"
            }
        }
        beforeAnswer?()
        var operation = request.message.groups.first { $0.tag == .operation }?.attributes ?? []
        operation.append(Attribute("x-resource", .text(request.resource)))
        operation.append(Attribute("x-host", .text(request.host)))
        operation.append(Attribute("x-peer", .text(request.peer.address)))
        operation.append(Attribute("x-admin", .boolean(request.peer.isAdminSocket)))
        operation.append(Attribute("x-document-bytes", .integer(Int32(clamping: count))))
        operation.append(Attribute("x-document-hash", .text(String(hash, radix: 16))))
        if let failure { operation.append(Attribute("x-document-error", .text(failure))) }
        var groups = [AttributeGroup(tag: .operation, attributes: operation)]
        if padding > 0 {
            let value = Value.text(String(repeating: "p", count: 1000))
            groups.append(AttributeGroup(tag: .printer, attributes: (0..<padding).map { Attribute("x-pad-\($0)", value) }))
        }
        return IPPResponse(message: Message(version: request.message.version, status: .successfulOk,
                                            requestID: request.message.requestID, groups: groups),
                           closeConnection: closeConnection)
    }
}

func fnv1a(_ bytes: some Sequence<UInt8>, into hash: inout UInt64) {
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
}

// MARK: - Starting a server

final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ s: String) { lines.withLock { $0.append(s) } }
    var all: [String] { lines.withLock { $0 } }
    func contains(_ s: String) -> Bool { all.contains { $0.contains(s) } }
}

struct TestServer {
    let server: HTTPServer
    let port: Int
    let log: LogLines

    init(limits: ServerLimits = ServerLimits(), handler: any IPPHandler = EchoHandler(),
         resources: (any HTTPResourceProvider)? = nil, gracePeriod: Double = 5) throws {
        let log = LogLines()
        server = HTTPServer(listen: [.tcp(host: "127.0.0.1", port: 0)], limits: limits, handler: handler,
                            log: { log.append($0) }, resources: resources, gracePeriod: gracePeriod)
        try server.start()
        guard case .tcp(_, let port) = server.boundAddresses.first else { throw TestFailure("no bound address") }
        self.port = port
        self.log = log
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Polls `condition` until it holds or `seconds` pass.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = now() + seconds
    while now() < deadline {
        if condition() { return true }
        var ts = timespec(tv_sec: 0, tv_nsec: 2_000_000)
        nanosleep(&ts, nil)
    }
    return condition()
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

// MARK: - IPP requests built with the project's codec

func ippRequest(_ op: IPP.Operation = .getPrinterAttributes, id: Int32 = 7, version: Version = .v2_0, extra: [Attribute] = []) -> [UInt8] {
    Message(version: version, operation: op, requestID: id, groups: [
        AttributeGroup(tag: .operation, attributes: [
            Attribute("attributes-charset", .charset("utf-8")),
            Attribute("attributes-natural-language", .naturalLanguage("en")),
            Attribute("printer-uri", .uri("ipp://127.0.0.1/ipp/print/test")),
        ] + extra),
    ]).encoded()
}

func text(_ m: Message, _ name: String) -> String? {
    m.attribute(name, in: .operation)?.firstValue?.stringValue
}

func integer(_ m: Message, _ name: String) -> Int32? {
    m.attribute(name, in: .operation)?.firstValue?.integerValue
}

// MARK: - A raw-socket client for the hostile cases

struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var ipp: Message? { try? Message.decode(body).message }
}

final class RawClient {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw TestFailure("connect failed: \(errno)") }
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    func send(_ s: String) -> Bool { send(Array(s.utf8)) }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes into `pending`. Returns false on EOF, error or timeout.
    private func fill() -> Bool {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        pending += buf[0..<n]
        return true
    }

    /// Reads the head of a response to HEAD (no body follows, whatever Content-Length says).
    func readResponseHeadOnly() -> RawResponse? { readResponse(bodyExpected: false) }

    /// Reads one HTTP response (headers and a Content-Length body). Nil if the connection
    /// closed or timed out first.
    func readResponse(bodyExpected: Bool = true) -> RawResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int? = nil
        while headerEnd == nil {
            if let r = find(separator, in: pending) { headerEnd = r; break }
            guard fill() else { return nil }
        }
        let head = String(decoding: pending[0..<headerEnd!], as: UTF8.self)
        pending.removeFirst(headerEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        let length = bodyExpected ? Int(response.header("Content-Length") ?? "0") ?? 0 : 0
        while pending.count < length {
            guard fill() else { return nil }
        }
        response.body = Array(pending[0..<length])
        pending.removeFirst(length)
        return response
    }

    /// True if the server closes the connection (EOF or reset) within `seconds`, reading and
    /// dropping anything it still sends.
    func waitForClose(within seconds: Double) -> Bool {
        let deadline = now() + seconds
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var buf = [UInt8](repeating: 0, count: 4096)
        while now() < deadline {
            pfd.revents = 0
            let rc = poll(&pfd, 1, Int32(max(1, (deadline - now()) * 1000)))
            if rc <= 0 { continue }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EINTR { return true }
        }
        return false
    }
}

private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
        if Array(haystack[i..<(i + needle.count)]) == needle { return i }
    }
    return nil
}

/// An HTTP POST carrying `body` as application/ipp with a Content-Length.
func post(_ body: [UInt8], resource: String = "/ipp/print/test", extraHeaders: String = "") -> [UInt8] {
    Array("POST \(resource) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ipp\r\nContent-Length: \(body.count)\r\n\(extraHeaders)\r\n".utf8) + body
}

// MARK: - libcups as the client

/// A libcups client connection (the way CUPS, ipptool and ippeveprinter's clients talk).
final class CupsClient {
    let http: OpaquePointer

    init(port: Int) throws {
        guard let http = httpConnect2("127.0.0.1", Int32(port), nil, AF_UNSPEC, HTTP_ENCRYPTION_NEVER, 1, 30000, nil) else {
            throw TestFailure("httpConnect2 failed")
        }
        self.http = http
    }

    init(unixPath: String) throws {
        guard let http = httpConnect2(unixPath, 0, nil, AF_UNSPEC, HTTP_ENCRYPTION_NEVER, 1, 30000, nil) else {
            throw TestFailure("httpConnect2 failed on \(unixPath)")
        }
        self.http = http
    }

    deinit { httpClose(http) }

    /// A Get-Printer-Attributes request built by libcups, as ipptool would send it.
    static func getPrinterAttributes() -> OpaquePointer {
        let request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES)!
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://127.0.0.1/ipp/print/test")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, "tester")
        return request
    }

    /// cupsDoRequest: sends, reads the response (nil on failure). Deletes `request`.
    func doRequest(_ request: OpaquePointer, resource: String = "/ipp/print/test") -> LibcupsResponse? {
        cupsDoRequest(http, request, resource).map(LibcupsResponse.init)
    }

    /// Sends a request with a document streamed in pieces, chunked when `length` is nil.
    func send(_ request: OpaquePointer, resource: String = "/ipp/print/test", length: Int?,
              document: (_ write: (UnsafeRawBufferPointer) -> Bool) -> Bool) -> LibcupsResponse? {
        defer { ippDelete(request) }
        let total = length.map { ippLength(request) + $0 } ?? 0
        guard cupsSendRequest(http, request, resource, total) == HTTP_STATUS_CONTINUE else { return nil }
        let ok = document { chunk in
            chunk.withMemoryRebound(to: CChar.self) {
                cupsWriteRequestData(http, $0.baseAddress, $0.count) == HTTP_STATUS_CONTINUE
            }
        }
        guard ok else { return nil }
        return cupsGetResponse(http, resource).map(LibcupsResponse.init)
    }
}

/// An `ipp_t` response, deleted when dropped.
final class LibcupsResponse {
    let ipp: OpaquePointer
    init(_ ipp: OpaquePointer) { self.ipp = ipp }
    deinit { ippDelete(ipp) }

    var status: Int { Int(ippGetStatusCode(ipp).rawValue) }
    var requestID: Int { Int(ippGetRequestId(ipp)) }

    func string(_ name: String) -> String? {
        guard let a = ippFindAttribute(ipp, name, IPP_TAG_ZERO), let s = ippGetString(a, 0, nil) else { return nil }
        return String(cString: s)
    }

    func integer(_ name: String) -> Int? {
        guard let a = ippFindAttribute(ipp, name, IPP_TAG_ZERO) else { return nil }
        return Int(ippGetInteger(a, 0))
    }

    func boolean(_ name: String) -> Bool? {
        guard let a = ippFindAttribute(ipp, name, IPP_TAG_ZERO) else { return nil }
        return ippGetBoolean(a, 0) != 0
    }
}

/// Resident set size of this process, in bytes.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = statm.split(separator: " ")
    guard parts.count >= 2, let pages = Int(parts[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
