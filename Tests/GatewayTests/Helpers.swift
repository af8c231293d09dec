import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// A request with the standard operation attributes first.
func ippRequest(_ operation: IPP.Operation, _ uri: String, user: String = "tester", id: Int32 = 1,
                operationAttributes: [Attribute] = [], job: [Attribute] = []) -> Message {
    var m = Message.request(operation, requestID: id)
    m.append(Attribute(uri.contains("/jobs/") ? "job-uri" : "printer-uri", .uri(uri)), to: .operation)
    m.append(Attribute("requesting-user-name", .name(user)), to: .operation)
    for a in operationAttributes { m.append(a, to: .operation) }
    if !job.isEmpty { m.groups.append(AttributeGroup(tag: .job, attributes: job)) }
    return m
}

extension Message {
    /// The first value of an attribute anywhere in the response.
    func value(_ name: String) -> Value? {
        for g in groups { if let a = g[name] { return a.firstValue } }
        return nil
    }
    var statusMessage: String { value("status-message")?.stringValue ?? "" }
}

/// The printer's jobs and their states, asked of the printer (ippeveprinter) itself.
func printerJobs(_ eve: EvePrinter) throws -> [Int32: Int32] {
    let r = try IPPClient(uri: eve.uri).send(ippRequest(.getJobs, eve.uri, operationAttributes: [
        Attribute("which-jobs", .keyword("all")), Attribute("requested-attributes", [.keyword("job-id"), .keyword("job-state")])]))
    var jobs: [Int32: Int32] = [:]
    for g in r.groups where g.tag == .job {
        if let id = g["job-id"]?.firstValue?.integerValue { jobs[id] = g["job-state"]?.firstValue?.integerValue ?? 0 }
    }
    return jobs
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw Peers.Failure("timed out after \(seconds) s waiting for \(what)") }
        usleep(50_000)
    }
}

/// Test documents made in code (never copied from elsewhere).
enum Documents {
    /// A small valid one-page PDF.
    static let pdf: [UInt8] = {
        let content = "BT /F1 24 Tf 72 720 Td (ippgate test) Tj ET"
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n" }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        objects.removeAll()
        return Array(out.utf8)
    }()

    static func text(_ n: Int = 1) -> [UInt8] { Array("Hello from ippgate's tests, document \(n).\n".utf8) }

    static func write(_ bytes: [UInt8], name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-\(getpid())-\(name)").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}

/// One HTTP/1.1 connection on a plain socket, for requests no IPP client sends:
/// malformed, oversized, or a document sent in pieces with pauses between them.
final class RawHTTPConnection {
    private var fd: Int32
    let port: Int

    init(port: Int, timeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.port = port
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else {
            close(fd)
            throw Peers.Failure("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The request line and headers of a POST of `contentLength` bytes of IPP.
    func post(_ resource: String, contentLength: Int) {
        send(Array("POST \(resource) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/ipp\r\nContent-Length: \(contentLength)\r\n\r\n".utf8))
    }

    /// Sends all of `bytes`; false if the peer stopped reading or went away.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Drops the connection mid-request (a client that crashed or lost its network).
    func drop() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0) // RST, as a dead peer's kernel would
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(fd)
        fd = -1
    }

    /// Reads the HTTP response and decodes its IPP body.
    func readIPPReply() throws -> Message {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            reply += buffer[..<n]
            if let m = Self.parse(reply) { return m }
        }
        throw Peers.Failure("no complete IPP answer: \(String(decoding: reply, as: UTF8.self))")
    }

    /// The IPP message in a complete HTTP response (plain or chunked), nil if incomplete.
    static func parse(_ reply: [UInt8]) -> Message? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, reply.count - 3)).first(where: { Array(reply[$0..<$0 + 4]) == separator }) else { return nil }
        let header = String(decoding: reply[..<end], as: UTF8.self).lowercased()
        var body = Array(reply[(end + 4)...])
        if header.contains("transfer-encoding: chunked") {
            var out: [UInt8] = []
            var i = 0
            while let nl = body[i...].firstIndex(of: 10) {
                let sizeLine = String(decoding: body[i..<nl], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let size = Int(sizeLine, radix: 16) else { return nil }
                if size == 0 { break }
                guard nl + 1 + size <= body.count else { return nil }
                out += body[(nl + 1)..<(nl + 1 + size)]
                i = nl + 1 + size + 2
                guard i <= body.count else { return nil }
            }
            body = out
        } else if let lengthLine = header.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                  let length = Int(lengthLine.dropFirst(15).trimmingCharacters(in: .whitespaces)) {
            guard body.count >= length else { return nil }
        }
        return try? Message.decode(body).message
    }
}
