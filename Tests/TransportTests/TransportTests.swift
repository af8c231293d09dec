import CCups
import Foundation
import Glibc
import IPP
import Synchronization
import Testing
import TestSupport
import Transport

/// The transport against real clients: libcups (as CUPS, ipptool and friends use it) and
/// raw sockets for what well-behaved clients never send. Serialized: several tests
/// measure time or memory and would disturb each other.
@Suite(.serialized) struct TransportTests {

    // MARK: Well-behaved clients (libcups)

    @Test func getPrinterAttributesOverLibcups() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try CupsClient(port: t.port)
        let request = CupsClient.getPrinterAttributes()
        ippSetRequestId(request, 4242)
        let response = try #require(client.doRequest(request))
        #expect(response.status == 0)
        #expect(response.requestID == 4242)
        #expect(response.string("requesting-user-name") == "tester")
        #expect(response.string("x-resource") == "/ipp/print/test")
        #expect(response.string("x-host")?.hasPrefix("localhost") == true)
        #expect(response.string("x-peer")?.hasPrefix("127.0.0.1:") == true)
        #expect(response.boolean("x-admin") == false)
        #expect(response.integer("x-document-bytes") == 0)
        #expect(eventually { t.log.contains("op=Get-Printer-Attributes") && t.log.contains("status=successful-ok") })
        let line = try #require(t.log.all.first { $0.contains("op=Get-Printer-Attributes") })
        #expect(line.hasPrefix("info request peer=127.0.0.1:"))
        #expect(line.contains("resource=/ipp/print/test"))
        #expect(line.contains(" ms="))
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try CupsClient(port: t.port)
        var peers = Set<String>()
        for i in 1...100 {
            let request = CupsClient.getPrinterAttributes()
            ippSetRequestId(request, Int32(i))
            let response = try #require(client.doRequest(request))
            #expect(response.status == 0)
            #expect(response.requestID == i)
            peers.insert(response.string("x-peer") ?? "")
        }
        #expect(peers.count == 1, "every request came over the same connection")
        #expect(t.server.connectionCount == 1)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try RawClient(port: t.port)
        client.send(post(ippRequest(id: 1)) + post(ippRequest(id: 2)) + post(ippRequest(id: 3)))
        for id: Int32 in 1...3 {
            let response = try #require(client.readResponse())
            #expect(response.status == 200)
            #expect(response.ipp?.requestID == id)
        }
    }

    @Test func chunkedDocumentOfSeveralMegabytesArrivesWhole() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try CupsClient(port: t.port)
        let size = 24 << 20
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var rng = SplitMix64(state: 99)
        let before = residentBytes()
        let request = ippNewRequest(IPP_OP_PRINT_JOB)!
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://127.0.0.1/ipp/print/test")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nil, "application/octet-stream")
        let response = try #require(client.send(request, length: nil) { write in
            // Generated piece by piece: neither side ever holds the whole document.
            var piece = [UInt8](repeating: 0, count: 50_000)
            var sent = 0
            while sent < size {
                let n = min(piece.count, size - sent)
                for i in stride(from: 0, to: n, by: 8) {
                    var v = rng.next()
                    for j in i..<min(i + 8, n) { piece[j] = UInt8(truncatingIfNeeded: v); v >>= 8 }
                }
                fnv1a(piece[0..<n], into: &hash)
                guard piece[0..<n].withUnsafeBytes({ write($0) }) else { return false }
                sent += n
            }
            return true
        })
        let grown = residentBytes() - before
        #expect(response.status == 0)
        #expect(response.integer("x-document-bytes") == size)
        #expect(response.string("x-document-hash") == String(hash, radix: 16))
        #expect(response.string("x-document-error") == nil)
        #expect(grown < size, "RSS grew by \(grown) bytes for a \(size)-byte document")
        #expect(eventually { t.log.contains("op=Print-Job") && t.log.contains("doc=\(size)") })
    }

    @Test func contentLengthDocumentArrivesWhole() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try CupsClient(port: t.port)
        let document = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        fnv1a(document, into: &hash)
        let request = ippNewRequest(IPP_OP_PRINT_JOB)!
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://127.0.0.1/ipp/print/test")
        let response = try #require(client.send(request, length: document.count) { write in
            document.withUnsafeBytes { write($0) }
        })
        #expect(response.status == 0)
        #expect(response.integer("x-document-bytes") == document.count)
        #expect(response.string("x-document-hash") == String(hash, radix: 16))
        // The connection is still good afterwards.
        let again = try #require(client.doRequest(CupsClient.getPrinterAttributes()))
        #expect(again.status == 0)
    }

    @Test func unreadDocumentIsDrainedAndTheConnectionKeptAlive() throws {
        let t = try TestServer(handler: EchoHandler(document: .readFirst(1000)))
        defer { t.server.stop() }
        let client = try CupsClient(port: t.port)
        for _ in 0..<3 {
            let request = ippNewRequest(IPP_OP_PRINT_JOB)!
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://127.0.0.1/ipp/print/test")
            let response = try #require(client.send(request, length: nil) { write in
                let piece = [UInt8](repeating: 0x41, count: 100_000)
                for _ in 0..<20 { guard piece.withUnsafeBytes({ write($0) }) else { return false } }
                return true
            })
            #expect(response.status == 0)
            #expect(response.integer("x-document-bytes") == 1000)
        }
        let peers = Set(t.log.all.compactMap { $0.split(separator: " ").first { $0.hasPrefix("peer=") } })
        #expect(peers.count == 1)
    }

    @Test func expect100ContinueIsHonoured() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try RawClient(port: t.port)
        let document = Array("hello, printer".utf8)
        let body = ippRequest(.printJob, id: 31) + document
        client.send("POST /ipp/print/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ipp\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(client.readResponse())
        #expect(interim.status == 100)
        client.send(body)
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/ipp")
        let message = try #require(response.ipp)
        #expect(message.requestID == 31)
        #expect(integer(message, "x-document-bytes") == Int32(document.count))
    }

    @Test func chunkedRawBodyWithDocument() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try RawClient(port: t.port)
        let body = ippRequest(.printJob, id: 5) + Array(repeating: 0x5A, count: 10_000)
        var wire = Array("POST /ipp/print/test HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ipp\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        // Odd chunk sizes, so chunk boundaries fall inside the attributes.
        var i = 0
        for size in [3, 17, 1, 500, 4096].cycled() {
            guard i < body.count else { break }
            let n = min(size, body.count - i)
            wire += Array(String(n, radix: 16).utf8) + [13, 10] + body[i..<(i + n)] + [13, 10]
            i += n
        }
        wire += Array("0\r\n\r\n".utf8)
        client.send(wire)
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        #expect(response.ipp.flatMap { integer($0, "x-document-bytes") } == 10_000)
    }

    @Test func unixSocketIsTheAdminSocket() throws {
        let dir = "/tmp/ippgate-transport-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        mkdir(dir, 0o700)
        defer { rmdir(dir) }
        let path = dir + "/admin.sock"
        // A stale socket file from a "previous run" is replaced.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in raw.copyBytes(from: Array(path.utf8) + [0]) }
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)

        let log = LogLines()
        let server = HTTPServer(listen: [.unix(path: path)], limits: ServerLimits(), handler: EchoHandler(), log: { log.append($0) })
        try server.start()
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let client = try CupsClient(unixPath: path)
        let response = try #require(client.doRequest(CupsClient.getPrinterAttributes()))
        #expect(response.status == 0)
        #expect(response.boolean("x-admin") == true)
        #expect(response.string("x-peer") == "admin-socket")
        // A second server on a live socket is refused.
        let second = HTTPServer(listen: [.unix(path: path)], limits: ServerLimits(), handler: EchoHandler(), log: { _ in })
        #expect(throws: TransportError.self) { try second.start() }
        server.stop()
        #expect(access(path, F_OK) != 0, "the socket file is removed on stop")
    }

    @Test func ipv6LoopbackWorks() throws {
        let server = HTTPServer(listen: [.tcp(host: "::1", port: 0)], limits: ServerLimits(), handler: EchoHandler(), log: { _ in })
        do { try server.start() } catch { return }  // no IPv6 here: nothing to test
        defer { server.stop() }
        guard case .tcp(let host, let port) = server.boundAddresses.first else { Issue.record("no address"); return }
        #expect(host == "::1")
        #expect(port > 0)
        guard let http = httpConnect2("::1", Int32(port), nil, AF_INET6, HTTP_ENCRYPTION_NEVER, 1, 30000, nil) else {
            Issue.record("cannot connect over IPv6"); return
        }
        defer { httpClose(http) }
        let response = try #require(cupsDoRequest(http, CupsClient.getPrinterAttributes(), "/ipp/print/test").map(LibcupsResponse.init))
        #expect(response.status == 0)
        #expect(response.string("x-peer")?.hasPrefix("[::1]:") == true)
    }

    @Test func addressInUseIsAClearError() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let other = HTTPServer(listen: [.tcp(host: "127.0.0.1", port: t.port)], limits: ServerLimits(), handler: EchoHandler(), log: { _ in })
        do {
            try other.start()
            Issue.record("binding a port in use succeeded")
            other.stop()
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(t.port)"))
            #expect("\(error)".contains("bind"))
        }
    }

    @Test func answerComesEvenWhileAnEndlessBodyIsStillArriving() throws {
        var limits = ServerLimits()
        limits.readTimeout = 0.5
        for (handler, body, expected) in [
            (EchoHandler(document: .readNone, closeConnection: true), ippRequest(.printJob, id: 61), UInt16(0)),
            (EchoHandler(), [0x02, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x3e, 0x01, 0x21, 0x00, 0x01, 0x78, 0x00, 0x01, 0x00, 0x03], UInt16(0x0400)),
        ] {
            let t = try TestServer(limits: limits, handler: handler)
            defer { t.server.stop() }
            let client = try RawClient(port: t.port)
            client.send(Array("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: 1000000000\r\n\r\n".utf8) + body)
            // A document that keeps coming for longer than the server lingers.
            let fd = client.fd
            let stop = Atomic<Bool>(false)
            let feeder = Thread {
                let piece = [UInt8](repeating: 0x42, count: 16 * 1024)
                let until = now() + 4
                while !stop.load(ordering: .relaxed) && now() < until {
                    let n = piece.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                    if n < 0 && errno != EAGAIN { break }
                    var ts = timespec(tv_sec: 0, tv_nsec: 5_000_000)
                    nanosleep(&ts, nil)
                }
            }
            feeder.start()
            let response = client.readResponse()
            stop.store(true, ordering: .relaxed)
            let r = try #require(response)
            #expect(r.status == 200)
            #expect(r.header("Connection")?.lowercased() == "close")
            #expect(r.ipp?.code == expected)
            #expect(client.waitForClose(within: 5))
        }
    }

    // MARK: Hostile and broken clients (raw sockets)

    @Test func garbageIPPGetsBadRequestNamingTheByte() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try RawClient(port: t.port)
        // A valid header, then an integer attribute "x" whose value is 3 bytes long.
        let garbage = hex("""
            01 01 00 0b 00 00 00 63   # IPP/1.1 Get-Printer-Attributes, request-id 99
            01                        # operation-attributes-tag
            21 00 01 "x" 00 03 00 00 01
            03
            """)
        client.send(post(garbage))
        let response = try #require(client.readResponse())
        #expect(response.status == 200)
        let message = try #require(response.ipp)
        #expect(message.code == 0x0400)
        #expect(message.version == .v1_1)
        #expect(message.requestID == 99)
        #expect(text(message, "attributes-charset") == "utf-8")
        #expect(text(message, "attributes-natural-language") == "en")
        let statusMessage = try #require(text(message, "status-message"))
        #expect(statusMessage.contains("byte"))
        #expect(statusMessage.contains("\"x\""))
        #expect(client.waitForClose(within: 5))
        // The server is fine.
        #expect(try CupsClient(port: t.port).doRequest(CupsClient.getPrinterAttributes())?.status == 0)
        #expect(t.log.contains("status=client-error-bad-request"))
    }

    @Test func tinyGarbageGetsVersion2AndRequestID0() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let client = try RawClient(port: t.port)
        client.send(post([0x47, 0x45, 0x54]))
        let response = try #require(client.readResponse())
        let message = try #require(response.ipp)
        #expect(message.code == 0x0400)
        #expect(message.version == .v2_0)
        #expect(message.requestID == 0)
        #expect(text(message, "status-message")?.contains("byte") == true)
    }

    @Test func truncatedIPPThenClose() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        let full = ippRequest(id: 12)
        let cut = Array(full[0..<(full.count - 9)])

        // The body is complete as HTTP goes, but the IPP message is cut short.
        let a = try RawClient(port: t.port)
        a.send(post(cut))
        a.shutdownWrite()
        let response = try #require(a.readResponse())
        let message = try #require(response.ipp)
        #expect(message.code == 0x0400)
        #expect(message.requestID == 12)
        #expect(text(message, "status-message")?.contains("byte") == true)

        // The client hangs up in mid-body: nobody to answer, and nothing breaks.
        let b = try RawClient(port: t.port)
        b.send(Array("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: \(full.count)\r\n\r\n".utf8) + cut)
        b.shutdownWrite()
        #expect(b.waitForClose(within: 5))
        #expect(eventually { t.log.contains("closed the connection mid-request") })
        #expect(try CupsClient(port: t.port).doRequest(CupsClient.getPrinterAttributes())?.status == 0)
    }

    @Test func oversizedAttributeSectionIsRefusedAndClosed() throws {
        var limits = ServerLimits()
        limits.decoder.maxMessageBytes = 4096
        let t = try TestServer(limits: limits)
        defer { t.server.stop() }
        let client = try RawClient(port: t.port)
        let big = ippRequest(id: 77, extra: (0..<200).map { Attribute("x-filler-\($0)", .text(String(repeating: "f", count: 100))) })
        #expect(big.count > 4096 * 4)
        client.send(post(big))
        let response = try #require(client.readResponse())
        let message = try #require(response.ipp)
        #expect(message.code == StatusCode.clientErrorRequestEntityTooLarge.rawValue)
        #expect(message.requestID == 77)
        #expect(response.header("Connection")?.lowercased() == "close")
        #expect(client.waitForClose(within: 5))
    }

    @Test func stalledClientIsCutOffWhileOthersAreServed() throws {
        var limits = ServerLimits()
        limits.readTimeout = 1
        let t = try TestServer(limits: limits)
        defer { t.server.stop() }
        let body = ippRequest(.printJob, id: 3) + Array(repeating: 1, count: 1000)
        let slow = try RawClient(port: t.port)
        let started = now()
        slow.send(Array("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body[0..<(body.count / 2)])

        // Served meanwhile, several times over.
        let other = try CupsClient(port: t.port)
        for _ in 0..<20 {
            #expect(other.doRequest(CupsClient.getPrinterAttributes())?.status == 0)
        }
        #expect(now() - started < 1, "the other client waited for the stalled one")

        #expect(slow.waitForClose(within: 5))
        let elapsed = now() - started
        #expect(elapsed >= 0.9 && elapsed < 4, "cut off after \(elapsed) s")
        #expect(eventually { t.log.contains("stalled mid-request") })

        // A client that connects and never sends a request line is cut off too.
        let silent = try RawClient(port: t.port)
        #expect(silent.waitForClose(within: 5))
    }

    @Test func stalledHeadersAreCutOff() throws {
        var limits = ServerLimits()
        limits.readTimeout = 1
        let t = try TestServer(limits: limits)
        defer { t.server.stop() }
        let slow = try RawClient(port: t.port)
        slow.send("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Ty")
        let started = now()
        #expect(slow.waitForClose(within: 5))
        #expect(now() - started < 4)
    }

    /// Trickles `bytes` one every 0.1 s (well inside the read timeout) until the server
    /// closes the connection; returns how long that took, or nil if it did not within 10 s.
    func trickle(_ client: RawClient, _ bytes: [UInt8]) -> Double? {
        let started = now()
        for b in bytes {
            guard client.send([b]), !client.waitForClose(within: 0.1) else { return now() - started }
            if now() - started > 10 { return nil }
        }
        return client.waitForClose(within: 10 - (now() - started)) ? now() - started : nil
    }

    /// A request trickled in a byte at a time never trips the per-read timeout; its head
    /// (request line, header fields, IPP attributes) must still be in within
    /// requestHeadTimeout, or the connection is cut. Others are served meanwhile.
    @Test func aTrickledRequestHeadIsCutOff() throws {
        var limits = ServerLimits()
        limits.readTimeout = 1
        limits.requestHeadTimeout = 1
        let t = try TestServer(limits: limits)
        defer { t.server.stop() }
        let attributes = ippRequest(.printJob, id: 5)
        let head = "POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: \(attributes.count + 10)\r\n\r\n"
        let cases: [(sent: [UInt8], trickled: [UInt8], limit: Double)] = [
            ([], Array((head + String(repeating: "a", count: 200)).utf8), 2 + 1.5),    // the request line (after idling)
            (Array("POST /ipp/print/test HTTP/1.1\r\n".utf8), Array(String(repeating: "X-Slow: a\r\n", count: 20).utf8), 1 + 1.5),
            (Array(head.utf8), attributes + Array(repeating: 0, count: 10), 1 + 1.5), // the IPP attributes
        ]
        for c in cases {
            let slow = try RawClient(port: t.port)
            if !c.sent.isEmpty { slow.send(c.sent) }
            let other = try CupsClient(port: t.port)
            #expect(other.doRequest(CupsClient.getPrinterAttributes())?.status == 0)
            let took = trickle(slow, c.trickled)
            #expect(took != nil && took! < c.limit, "cut after \(took.map { "\($0) s" } ?? "never")")
        }
        #expect(eventually { t.log.all.filter { $0.contains("the client is too slow") }.count == 3 }, "\(t.log.all)")
    }

    /// A document trickled in below minimumDocumentRate is cut off (the handler sees the
    /// failure); one at a modest steady rate is not.
    @Test func aDocumentBelowTheMinimumRateIsCutOff() throws {
        var limits = ServerLimits()
        limits.readTimeout = 0.5
        limits.minimumDocumentRate = 2000
        let t = try TestServer(limits: limits)
        defer { t.server.stop() }
        let attributes = ippRequest(.printJob, id: 9)

        let slow = try RawClient(port: t.port)
        slow.send(Array(post(attributes + Array(repeating: 7, count: 1000)).dropLast(1000)))
        let took = trickle(slow, Array(repeating: 7, count: 1000)) // 10 bytes/s
        #expect(took != nil && took! < 3, "cut after \(took.map { "\($0) s" } ?? "never")")
        #expect(eventually { t.log.contains("arrives at under 2000 bytes/s") }, "\(t.log.all)")

        // 20 KB/s for 1.5 s: ten times the minimum, served whole.
        let steady = try RawClient(port: t.port)
        let document = Array(repeating: UInt8(3), count: 30_000)
        steady.send(Array(post(attributes + document).dropLast(document.count)))
        for i in stride(from: 0, to: document.count, by: 2000) {
            #expect(steady.send(Array(document[i..<(i + 2000)])))
            usleep(100_000) // pacing the sender, not waiting for the server
        }
        let r = try #require(steady.readResponse())
        #expect(r.ipp.flatMap { integer($0, "x-document-bytes") } == Int32(document.count))
        #expect(r.ipp.flatMap { text($0, "x-document-error") } == nil)
    }

    /// A client that does not read its (large) response is cut off once the response is
    /// overdue at minimumDocumentRate, instead of holding its thread for readTimeout per write.
    @Test func aClientThatDoesNotReadItsResponseIsCutOff() throws {
        var limits = ServerLimits()
        limits.readTimeout = 30
        limits.requestHeadTimeout = 1
        limits.minimumDocumentRate = 10_000_000
        let t = try TestServer(limits: limits, handler: EchoHandler(padding: 30_000)) // a 30 MB response
        defer { t.server.stop() }
        let idle = try RawClient(port: t.port)
        idle.send(post(ippRequest(.getPrinterAttributes, id: 4)))
        // 1 s + 30.5 MB at 10 MB/s: 4.1 s allowed; the per-write timeout alone would wait 30 s.
        #expect(eventually(within: 12) { t.log.contains("response was not read within 4.1 s") }, "\(t.log.all.suffix(3))")
        #expect(eventually(within: 5) { t.server.connectionCount == 0 })
    }

    @Test func otherMethodsAndBadRequestsGet4xx() throws {
        let t = try TestServer()
        defer { t.server.stop() }
        func status(_ request: String) throws -> RawResponse {
            let c = try RawClient(port: t.port)
            c.send(request)
            return try #require(c.readResponse())
        }
        let put = try status("PUT /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        #expect(put.status == 405)
        #expect(put.header("Allow")?.contains("POST") == true)
        #expect(try status("DELETE /ipp/print/test HTTP/1.1\r\nHost: x\r\n\r\n").status == 405)
        #expect(try status("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n").status == 501)
        #expect(try status("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n").status == 404)
        #expect(try status("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi").status == 415)
        #expect(try status("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\n\r\n").status == 411)
        #expect(try status("POST /ipp/print/test HTTP/1.1\r\nContent-Type: application/ipp\r\nContent-Length: 0\r\n\r\n").status == 400)
        #expect(try status("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: -4\r\n\r\n").status == 400)
        #expect(try status("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nTransfer-Encoding: gzip\r\n\r\n").status == 501)
        #expect(try status("POST /ipp/print/test HTTP/1.1\r\nHost: x\r\nContent-Type: application/ipp\r\nContent-Length: 5\r\nExpect: 200-ok\r\n\r\n").status == 417)
        #expect(try status("GARBAGE\r\n\r\n").status == 400)
        #expect(try status("GET / HTTP/3.0\r\nHost: x\r\n\r\n").status == 505)

        let home = try status("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(home.status == 200)
        #expect(String(decoding: home.body, as: UTF8.self) == "ippgate\n")
        let options = try status("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(options.status == 200)
        #expect(options.header("Allow")?.contains("POST") == true)
        // After all that, the server still answers IPP.
        #expect(try CupsClient(port: t.port).doRequest(CupsClient.getPrinterAttributes())?.status == 0)
    }

    @Test func resourcesAreServedOverGetWithKeepAlive() throws {
        struct Icons: HTTPResourceProvider {
            func resource(at path: String) -> HTTPResource? {
                switch path {
                case "/icon.png": return HTTPResource(contentType: "image/png", body: Array(repeating: 0x89, count: 70_000))
                case "/empty": return HTTPResource(contentType: "text/plain", body: [])
                default: return nil
                }
            }
        }
        let t = try TestServer(resources: Icons())
        defer { t.server.stop() }
        let c = try RawClient(port: t.port)
        c.send("GET /icon.png HTTP/1.1\r\nHost: x\r\n\r\n")
        let icon = try #require(c.readResponse())
        #expect(icon.status == 200)
        #expect(icon.header("Content-Type") == "image/png")
        #expect(icon.body.count == 70_000)
        c.send("HEAD /icon.png HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try #require(c.readResponseHeadOnly())
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "70000")
        c.send("GET /empty HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse()?.body.isEmpty == true)
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse().map { String(decoding: $0.body, as: UTF8.self) } == "ippgate\n")
        // Then IPP on the same connection.
        c.send(post(ippRequest(id: 9)))
        #expect(c.readResponse()?.ipp?.requestID == 9)
        c.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.readResponse()?.status == 404)
    }

    @Test func connectionsOverTheCapGet503() throws {
        var limits = ServerLimits()
        limits.maxConnections = 2
        let t = try TestServer(limits: limits)
        defer { t.server.stop() }
        let a = try RawClient(port: t.port)
        let b = try RawClient(port: t.port)
        #expect(eventually { t.server.connectionCount == 2 })
        let c = try RawClient(port: t.port)
        let refused = try #require(c.readResponse())
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(c.waitForClose(within: 5))
        // libcups clients (which send their request at once) see the 503 too, not a reset.
        for _ in 0..<10 {
            let refusedClient = try CupsClient(port: t.port)
            #expect(refusedClient.doRequest(CupsClient.getPrinterAttributes()) == nil)
            #expect(httpGetStatus(refusedClient.http) == HTTP_STATUS_SERVICE_UNAVAILABLE)
        }
        // The admitted connections work.
        a.send(post(ippRequest(id: 1)))
        #expect(a.readResponse()?.ipp?.requestID == 1)
        b.send(post(ippRequest(id: 2)))
        #expect(b.readResponse()?.ipp?.requestID == 2)
        // Once one leaves, a new connection is admitted.
        a.send(post(ippRequest(id: 3), extraHeaders: "Connection: close\r\n"))
        let last = try #require(a.readResponse())
        #expect(last.header("Connection")?.lowercased() == "close")
        #expect(a.waitForClose(within: 5))
        #expect(eventually { t.server.connectionCount == 1 })
        let d = try RawClient(port: t.port)
        d.send(post(ippRequest(id: 4)))
        #expect(d.readResponse()?.ipp?.requestID == 4)
    }

    @Test func clientVanishingMidResponseHurtsNothing() throws {
        // A response of about 2 MB; the client leaves without reading it.
        let t = try TestServer(handler: EchoHandler(padding: 2000))
        defer { t.server.stop() }
        for _ in 0..<5 {
            let c = try RawClient(port: t.port)
            c.send(post(ippRequest()))
            var one: UInt8 = 0
            _ = recv(c.fd, &one, 1, 0)  // the response has started
            var lingerOption = linger(l_onoff: 1, l_linger: 0)
            setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lingerOption, socklen_t(MemoryLayout<linger>.size))
        }  // closed with a reset
        #expect(eventually { t.server.connectionCount == 0 })
        let response = try #require(try CupsClient(port: t.port).doRequest(CupsClient.getPrinterAttributes()))
        #expect(response.status == 0)
    }

    @Test func documentReadAfterTheAnswerIsRefused() throws {
        final class Keeper: @unchecked Sendable { var source: DocumentSource? }
        struct KeepingHandler: IPPHandler {
            let keeper: Keeper
            func handle(_ request: IPPRequest) -> IPPResponse {
                keeper.source = request.document
                return IPPResponse(message: Message(status: .successfulOk, requestID: request.message.requestID))
            }
        }
        let keeper = Keeper()
        let t = try TestServer(handler: KeepingHandler(keeper: keeper))
        defer { t.server.stop() }
        let c = try RawClient(port: t.port)
        c.send(post(ippRequest(id: 8) + [1, 2, 3]))
        #expect(c.readResponse()?.ipp?.requestID == 8)
        let source = try #require(keeper.source)
        var byte: UInt8 = 0
        #expect(throws: TransportError.documentClosed) {
            _ = try withUnsafeMutableBytes(of: &byte) { try source.read(into: $0) }
        }
    }

    // MARK: Stopping

    @Test func stopClosesIdleConnectionsAndFinishesRequestsInFlight() throws {
        let release = Mutex(false)
        let entered = Mutex(false)
        let handler = EchoHandler(beforeAnswer: {
            entered.withLock { $0 = true }
            _ = eventually(within: 10) { release.withLock { $0 } }
        })
        let t = try TestServer(handler: handler)
        let idle = try RawClient(port: t.port)
        let busy = try RawClient(port: t.port)
        #expect(eventually { t.server.connectionCount == 2 })
        busy.send(post(ippRequest(id: 55)))
        #expect(eventually { entered.withLock { $0 } })

        let stopped = Mutex(false)
        let stopper = Thread { t.server.stop(); stopped.withLock { $0 = true } }
        stopper.start()
        #expect(idle.waitForClose(within: 5), "the idle connection is closed at once")
        #expect(!stopped.withLock { $0 }, "stop waits for the request in flight")
        // New connections are no longer accepted.
        #expect(eventually { (try? RawClient(port: t.port)) == nil })

        release.withLock { $0 = true }
        let response = try #require(busy.readResponse())
        #expect(response.ipp?.requestID == 55)
        #expect(response.header("Connection")?.lowercased() == "close")
        #expect(busy.waitForClose(within: 5))
        #expect(eventually { stopped.withLock { $0 } })
        #expect(t.server.connectionCount == 0)
    }

    @Test func stopCutsRequestsThatOutlastTheGracePeriod() throws {
        let release = Mutex(false)
        let entered = Mutex(false)
        let handler = EchoHandler(beforeAnswer: {
            entered.withLock { $0 = true }
            _ = eventually(within: 10) { release.withLock { $0 } }
        })
        let t = try TestServer(handler: handler, gracePeriod: 0.3)
        defer { release.withLock { $0 = true } }
        let busy = try RawClient(port: t.port)
        busy.send(post(ippRequest()))
        #expect(eventually { entered.withLock { $0 } })
        let started = now()
        t.server.stop()
        let elapsed = now() - started
        #expect(elapsed >= 0.3 && elapsed < 2.5, "stop took \(elapsed) s")
        #expect(t.log.contains("cutting 1 connection"))
        #expect(busy.waitForClose(within: 5))
        t.server.stop()  // again: harmless
    }
}

extension Array {
    /// The elements repeated forever.
    func cycled() -> AnySequence<Element> {
        AnySequence { () -> AnyIterator<Element> in
            var i = 0
            return AnyIterator {
                defer { i = (i + 1) % count }
                return self[i]
            }
        }
    }
}
