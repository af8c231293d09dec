import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// Hostile and wrong requests get the right IPP status, and the server keeps serving.
@Suite(.serialized) struct BadInputTests {
    let server: GatewayServer
    init() throws { server = try GatewayServer().start() }

    func send(_ m: Message, document: [UInt8] = []) throws -> Message {
        try IPPClient(uri: server.uri).send(m, document: document)
    }

    @Test func malformedIPPIsBadRequest() throws {
        // A raw POST whose integer value has 3 bytes.
        let body = hex("02 00 00 0b 00 00 00 01 01 21 00 01 \"x\" 00 03 00 00 01 03")
        let reply = try rawPost(body)
        #expect(reply.status == 0x0400)
        #expect(reply.text.contains("byte"))
        #expect(Peers.ippStatus(port: server.port, resource: "/ipp/print/default") == 0)
    }

    @Test func wrongPrinterURIIsNotFound() throws {
        let r = try send(ippRequest(.getPrinterAttributes, server.uri("nosuchprinter")))
        #expect(r.status == .clientErrorNotFound)
        #expect(r.statusMessage.contains("no printer"))
    }

    @Test func unsupportedOperation() throws {
        let r = try send(ippRequest(IPP.Operation(0x0032), server.uri))
        #expect(r.status == .serverErrorOperationNotSupported)
    }

    @Test func missingRequiredAttributes() throws {
        var noCharset = Message(operation: .getPrinterAttributes, requestID: 1)
        noCharset.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        noCharset.append(Attribute("printer-uri", .uri(server.uri)), to: .operation)
        #expect(try rawPost(noCharset.encoded()).status == 0x0400)

        var noURI = Message(operation: .getPrinterAttributes, requestID: 1)
        noURI.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
        noURI.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        #expect(try rawPost(noURI.encoded()).status == 0x0400)

        var zeroID = ippRequest(.getPrinterAttributes, server.uri)
        zeroID.requestID = 0
        #expect(try rawPost(zeroID.encoded()).status == 0x0400)

        var badVersion = ippRequest(.getPrinterAttributes, server.uri)
        badVersion.version = Version(major: 9, minor: 0)
        #expect(try rawPost(badVersion.encoded()).status == StatusCode.serverErrorVersionNotSupported.rawValue)

        // Send-Document without last-document.
        let r = try send(ippRequest(.sendDocument, server.uri, operationAttributes: [Attribute("job-id", .integer(1))]))
        #expect(r.status == .clientErrorBadRequest)
    }

    @Test func unsupportedValuesGoToTheUnsupportedGroup() throws {
        let request = ippRequest(.validateJob, server.uri, operationAttributes: [Attribute("ipp-attribute-fidelity", .boolean(true))],
                                 job: [Attribute("sides", .keyword("three-sided")), Attribute("copies", .integer(1))])
        let r = try send(request)
        #expect(r.status == .clientErrorAttributesOrValuesNotSupported)
        let unsupported = try #require(r.groups.first { $0.tag == .unsupported })
        #expect(unsupported["sides"]?.firstValue?.stringValue == "three-sided")
        #expect(unsupported["copies"] == nil)

        let format = try send(ippRequest(.validateJob, server.uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/x-nope"))]))
        #expect(format.status == .clientErrorDocumentFormatNotSupported)
    }

    @Test func overridesAreCheckedLikeTheJob() throws {
        let fidelity = Attribute("ipp-attribute-fidelity", .boolean(true))
        let good = Attribute("overrides", .collection([Attribute("pages", .rangeOfInteger(2, 3)), Attribute("sides", .keyword("one-sided"))]))
        #expect(try send(ippRequest(.validateJob, server.uri, operationAttributes: [fidelity], job: [good])).status == .successfulOk)
        let noSelector = Attribute("overrides", .collection([Attribute("sides", .keyword("one-sided"))]))
        let badValue = Attribute("overrides", .collection([Attribute("pages", .rangeOfInteger(1, 1)), Attribute("sides", .keyword("spiral"))]))
        for bad in [noSelector, badValue] {
            let r = try send(ippRequest(.validateJob, server.uri, operationAttributes: [fidelity], job: [bad]))
            #expect(r.status == .clientErrorAttributesOrValuesNotSupported)
            #expect(r.groups.first { $0.tag == .unsupported }?["overrides"] != nil)
        }
    }

    @Test func oversizedRequestIsRefusedAndOthersCarryOn() throws {
        // 2 MiB of attributes: over the 1 MiB request limit.
        var big = ippRequest(.getPrinterAttributes, server.uri)
        for i in 0..<70 { big.append(Attribute("x-filler-\(i)", .text(String(repeating: "a", count: 30000))), to: .operation) }
        let reply = try rawPost(big.encoded())
        #expect(reply.status == StatusCode.clientErrorRequestEntityTooLarge.rawValue)
        #expect(Peers.ippStatus(port: server.port, resource: "/ipp/print/default") == 0)
    }

    /// POSTs raw bytes and returns the IPP status and status-message of the answer.
    func rawPost(_ body: [UInt8]) throws -> (status: UInt16, text: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(server.port).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(ok == 0)
        let head = "POST /ipp/print/default HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nContent-Type: application/ipp\r\nContent-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break } // the server may stop reading an oversized request and answer early
            sent += n
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            reply += buffer[..<n]
            if let r = parse(reply) { return r }
        }
        throw Peers.Failure("no complete IPP answer: \(String(decoding: reply, as: UTF8.self))")
    }

    func parse(_ reply: [UInt8]) -> (status: UInt16, text: String)? {
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
        guard let m = try? Message.decode(body).message else { return nil }
        return (m.code, m.statusMessage)
    }
}
