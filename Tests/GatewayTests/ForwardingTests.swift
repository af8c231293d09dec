import CupsBridge
import Foundation
import Gateway
import IPP
import Synchronization
import Testing
import TestSupport

/// ippgate printers whose target is a real IPP printer (ippeveprinter).
@Suite(.serialized) struct ForwardingTests {
    /// An ippgate with one printer, "eve", forwarding to `eve`.
    func gateway(to eve: EvePrinter) throws -> GatewayServer { try GatewayServer.forwarding(to: eve.uri).start() }

    /// The documents the printer kept (ippeveprinter -k), without its empty .prn outputs.
    func documents(_ eve: EvePrinter) -> [URL] { eve.documents().filter { $0.pathExtension != "prn" } }

    func state(_ client: IPPClient, _ uri: String, _ id: Int32) throws -> (Int32, [String]) {
        let r = try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
        return (r.value("job-state")?.integerValue ?? 0,
                r.groups.first { $0.tag == .job }?["job-state-reasons"]?.values.compactMap(\.stringValue) ?? [])
    }

    @Test func documentArrivesAtThePrinterAndCompletesThere() throws {
        let eve = try EvePrinter.start()
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)

        // Capabilities are the device's.
        let attrs = try client.send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
            Attribute("requested-attributes", [.keyword("document-format-supported"), .keyword("printer-make-and-model")])]))
        let formats = Set(attrs.groups.first { $0.tag == .printer }?["document-format-supported"]?.values.compactMap(\.stringValue) ?? [])
        #expect(formats.isSuperset(of: ["application/pdf", "image/pwg-raster", "image/jpeg"]))

        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))]),
                                document: Documents.pdf)
        #expect(r.status == .successfulOk)
        let id = try #require(r.value("job-id")?.integerValue)
        try eventually(20, "job completed at the printer") { try state(client, uri, id).0 == JobState.completed.rawValue }
        let arrived = documents(eve)
        #expect(arrived.count == 1)
        let bytes = arrived.first.flatMap { FileManager.default.contents(atPath: $0.path) }.map { [UInt8]($0) } ?? []
        #expect(bytes == Documents.pdf, "the printer got \(bytes.count) bytes")

        // The printer's job carries ippgate's job-uuid (how it is found after a crash).
        let ours = try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [
            Attribute("job-id", .integer(id)), Attribute("requested-attributes", [.keyword("job-uuid")])])).value("job-uuid")?.stringValue
        let theirs = try IPPClient(uri: eve.uri).send(ippRequest(.getJobs, eve.uri, operationAttributes: [
            Attribute("which-jobs", .keyword("completed")), Attribute("requested-attributes", [.keyword("job-uuid")])]))
            .groups.filter { $0.tag == .job }.flatMap { $0.attributes.filter { $0.name == "job-uuid" } }.compactMap { $0.firstValue?.stringValue }
        #expect(ours?.hasPrefix("urn:uuid:") == true)
        #expect(theirs.contains(ours ?? "-"), "the printer's job has \(theirs), ippgate's \(ours ?? "none")")
    }

    @Test func burstOfConcurrentJobsArrivesExactlyOnce() throws {
        let eve = try EvePrinter.start(formats: ["application/pdf", "text/plain", "image/pwg-raster", "image/jpeg"])
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let count = 50
        let ok = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        for n in 0..<count {
            Thread.detachNewThread {
                defer { done.add(1, ordering: .relaxed) }
                guard let client = try? IPPClient(uri: uri),
                      let r = try? client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("text/plain"))]),
                                               document: Documents.text(n)) else { return }
                if r.status == .successfulOk { ok.add(1, ordering: .relaxed) }
            }
        }
        try eventually(30, "all clients answered") { done.load(ordering: .relaxed) == count }
        #expect(ok.load(ordering: .relaxed) == count)
        do {
            try eventually(60, "\(count) documents at the printer") { documents(eve).count >= count }
        } catch {
            Issue.record("\(error)\n\(server.log.suffix(3000))")
            return
        }
        usleep(500_000)
        let contents = Set(documents(eve).compactMap { FileManager.default.contents(atPath: $0.path) }.map { [UInt8]($0) })
        #expect(documents(eve).count == count)
        #expect(contents == Set((0..<count).map { Documents.text($0) }))
    }

    @Test func jobsWaitWhileThePrinterIsDownAndPrintWhenItReturns() throws {
        var eve = try EvePrinter.start(formats: ["application/pdf", "text/plain", "image/pwg-raster", "image/jpeg"])
        let port = eve.port
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        eve.stop()

        let client = try IPPClient(uri: uri)
        var ids: [Int32] = []
        for n in 0..<3 {
            let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("text/plain"))]),
                                    document: Documents.text(n))
            #expect(r.status == .successfulOk)  // never "busy" because the printer is
            ids.append(try #require(r.value("job-id")?.integerValue))
        }
        try eventually(20, "offline-report") {
            let a = try client.send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [Attribute("requested-attributes", .keyword("printer-state-reasons"))]))
            return a.groups.first { $0.tag == .printer }?["printer-state-reasons"]?.values.contains { $0.stringValue == "offline-report" } ?? false
        }

        eve = try EvePrinter.start(formats: ["application/pdf", "text/plain", "image/pwg-raster", "image/jpeg"], port: port)
        do {
            try eventually(90, "all jobs delivered after the printer returns") {
                try ids.allSatisfy { try state(client, uri, $0).0 == JobState.completed.rawValue }
            }
        } catch {
            Issue.record("\(error)\n\(server.log.suffix(3000))")
            return
        }
        let contents = documents(eve).compactMap { FileManager.default.contents(atPath: $0.path) }.map { [UInt8]($0) }
        #expect(contents.count == 3)
        #expect(Set(contents) == Set((0..<3).map { Documents.text($0) }))
    }
}

/// Cancel and crash while a job is at, or on its way to, a real printer.
@Suite(.serialized) struct ForwardingControlTests {
    func gateway(to eve: EvePrinter) throws -> GatewayServer { try GatewayServer.forwarding(to: eve.uri).start() }

    @Test func cancelReachesTheJobAtThePrinter() throws {
        let eve = try EvePrinter.start(printCommand: nil) // about 5 s per job: time to cancel
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))]),
                                document: Documents.pdf)
        let id = try #require(r.value("job-id")?.integerValue)
        try eventually(20, "the job printing at the printer") { try printerJobs(eve).values.contains(JobState.processing.rawValue) }
        #expect(try client.send(ippRequest(.cancelJob, uri, operationAttributes: [Attribute("job-id", .integer(id))])).status == .successfulOk)
        try eventually(20, "the printer's job canceled") { try printerJobs(eve).values.contains(JobState.canceled.rawValue) }
        let mine = try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
        #expect(mine.value("job-state")?.integerValue == JobState.canceled.rawValue)
    }

    /// A printer that stops answering while it prints a job shows as offline-report at
    /// once (not only at the next delivery); back, the reason goes, and the job it lost is
    /// printed again.
    @Test func aPrinterLostMidJobShowsOffline() throws {
        let eve = try EvePrinter.start(printCommand: nil) // about 5 s per job
        let port = eve.port
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        func printer() throws -> (reasons: [String], message: String) {
            let p = try client.send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
                Attribute("requested-attributes", [.keyword("printer-state-reasons"), .keyword("printer-state-message")])]))
            return (p.groups.first { $0.tag == .printer }?["printer-state-reasons"]?.values.compactMap(\.stringValue) ?? [],
                    p.value("printer-state-message")?.stringValue ?? "")
        }
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))]),
                                document: Documents.pdf)
        let id = try #require(r.value("job-id")?.integerValue)
        try eventually(20, "the job printing at the printer") { try printerJobs(eve).values.contains(JobState.processing.rawValue) }
        eve.stop()
        try eventually(15, "offline-report while the job is at the lost printer") {
            let p = try printer()
            return p.reasons.contains("offline-report") && p.message.contains("printer unreachable")
        }
        let job = try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
        #expect(job.value("job-state")?.integerValue == JobState.processing.rawValue)

        // Back, it has forgotten the job (a printer switched off mid-job): the job is sent
        // again and completes there, not taken for done.
        let back = try EvePrinter.start(printCommand: nil, port: port)
        defer { back.stop() }
        try eventually(20, "the printer answering again") { try !printer().reasons.contains("offline-report") }
        try eventually(30, "the job completed after it was sent again") {
            try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
                .value("job-state")?.integerValue == JobState.completed.rawValue
        }
        let again = back.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(again.count == 1 && again.first.map { [UInt8]($0) } == Documents.pdf, "the returned printer got \(again.count) documents")
        #expect(try printerJobs(back).values.map { $0 } == [JobState.completed.rawValue])
    }

    /// A held job, once released, prints at the printer: holding is ippgate's, so
    /// job-hold-until does not go on (ippeveprinter refuses "indefinite").
    @Test func aReleasedJobPrintsWithoutBeingHeldAgainAtThePrinter() throws {
        let eve = try EvePrinter.start()
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        func state(_ id: Int32) throws -> Int32? {
            try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
                .value("job-state")?.integerValue
        }
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))],
                                           job: [Attribute("job-hold-until", .keyword("indefinite"))]),
                                document: Documents.pdf)
        let id = try #require(r.value("job-id")?.integerValue)
        #expect(try state(id) == JobState.pendingHeld.rawValue)
        #expect(try printerJobs(eve).isEmpty)
        #expect(try client.send(ippRequest(.releaseJob, uri, operationAttributes: [Attribute("job-id", .integer(id))])).status == .successfulOk)
        try eventually(20, "the released job completed") { try state(id) == JobState.completed.rawValue }
        #expect(try printerJobs(eve).values.map { $0 } == [JobState.completed.rawValue])
        let arrived = eve.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(arrived.map { [UInt8]($0) } == [Documents.pdf])
    }

    /// A job whose spool file is gone (deleted by hand while it was held) is aborted with
    /// a message that says so, and leaves no job waiting at the printer.
    @Test func aJobWhoseDocumentVanishedIsAborted() throws {
        let eve = try EvePrinter.start()
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))],
                                           job: [Attribute("job-hold-until", .keyword("indefinite"))]),
                                document: Documents.pdf)
        let id = try #require(r.value("job-id")?.integerValue)
        let spool = server.state.appendingPathComponent("spool")
        for name in try FileManager.default.contentsOfDirectory(atPath: spool.path) {
            try FileManager.default.removeItem(at: spool.appendingPathComponent(name))
        }
        #expect(try client.send(ippRequest(.releaseJob, uri, operationAttributes: [Attribute("job-id", .integer(id))])).status == .successfulOk)
        var message = ""
        try eventually(20, "the job aborted") {
            let job = try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
            message = job.value("job-state-message")?.stringValue ?? ""
            return job.value("job-state")?.integerValue == JobState.aborted.rawValue
        }
        #expect(message.contains("missing from the spool"), "\(message)")
        #expect(try printerJobs(eve).values.allSatisfy { $0 == JobState.canceled.rawValue })
    }

    @Test func killedWhileForwardingPrintsEveryJobExactlyOnce() throws {
        let eve = try EvePrinter.start(formats: ["application/pdf", "text/plain", "image/pwg-raster", "image/jpeg"], printCommand: nil)
        let server = try gateway(to: eve)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        var ids: [Int32] = []
        for n in 0..<3 {
            let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("text/plain"))]),
                                    document: Documents.text(n))
            ids.append(try #require(r.value("job-id")?.integerValue))
        }
        // The first job is printing at the printer (5 s of it), the others queued: kill.
        // (Killed while its document was still on its way, the printer's job would be
        // waiting for it, and is canceled and created again after the restart: four jobs
        // there, three printed. That race is not what this test is about.)
        try eventually(20, "the first job printing at the printer") { try printerJobs(eve).values.contains(JobState.processing.rawValue) }
        server.kill()
        try server.start()
        let restarted = try IPPClient(uri: uri)
        try eventually(60, "every job completed after the restart") {
            try ids.allSatisfy { id in
                try restarted.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
                    .value("job-state")?.integerValue == JobState.completed.rawValue
            }
        }
        let arrived = eve.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }.map { [UInt8]($0) }
        #expect(arrived.count == 3, "the printer got \(arrived.count) documents")
        #expect(Set(arrived) == Set((0..<3).map { Documents.text($0) }))
        #expect(try printerJobs(eve).count == 3, "a job was created twice at the printer")
    }
}

/// The device's attributes are re-read: a printer that changes is mirrored anew.
@Suite(.serialized) struct MirrorRefreshTests {
    @Test func capabilitiesFollowTheDevice() throws {
        var eve = try EvePrinter.start(formats: ["application/pdf", "image/jpeg"])
        let port = eve.port
        let server = try GatewayServer.forwarding(to: eve.uri).start(["--refresh-interval", "0.5"])
        let uri = server.uri("eve")
        func formats() throws -> Set<String> {
            let r = try IPPClient(uri: uri).send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
                Attribute("requested-attributes", .keyword("document-format-supported"))]))
            return Set(r.groups.first { $0.tag == .printer }?["document-format-supported"]?.values.compactMap(\.stringValue) ?? [])
        }
        #expect(try !formats().contains("image/pwg-raster"))
        eve.stop()
        eve = try EvePrinter.start(formats: ["application/pdf", "image/jpeg", "image/pwg-raster"], port: port)
        try eventually(20, "the new format mirrored") { try formats().contains("image/pwg-raster") }
        // And validation follows: a PWG raster job is accepted now.
        let v = try IPPClient(uri: uri).send(ippRequest(.validateJob, uri, operationAttributes: [
            Attribute("document-format", .mimeMediaType("image/pwg-raster"))]))
        #expect(v.status == .successfulOk)
        _ = eve
    }
}

extension MirrorRefreshTests {
    /// A device that was down when ippgate loaded the printer is mirrored within seconds
    /// of coming up, not at the next refresh interval (300 s by default).
    @Test func aDeviceDownAtStartIsMirroredWhenItComesUp() throws {
        var eve = try EvePrinter.start(formats: ["application/pdf", "image/jpeg"])
        let port = eve.port
        let server = try GatewayServer.forwarding(to: eve.uri)
        eve.stop()
        try server.start()
        let uri = server.uri("eve")
        func formats() throws -> Set<String> {
            let r = try IPPClient(uri: uri).send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
                Attribute("requested-attributes", .keyword("document-format-supported"))]))
            return Set(r.groups.first { $0.tag == .printer }?["document-format-supported"]?.values.compactMap(\.stringValue) ?? [])
        }
        func reasons() throws -> [String] {
            let r = try IPPClient(uri: uri).send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
                Attribute("requested-attributes", .keyword("printer-state-reasons"))]))
            return r.groups.first { $0.tag == .printer }?["printer-state-reasons"]?.values.compactMap(\.stringValue) ?? []
        }
        #expect(try !formats().contains("text/plain"))
        // Idle, with no job to find out: the printer shows its device is unreachable.
        #expect(try reasons() == ["offline-report"])
        eve = try EvePrinter.start(formats: ["application/pdf", "image/jpeg", "text/plain"], port: port)
        try eventually(15, "the device mirrored once it is up") { try formats().contains("text/plain") }
        #expect(try reasons() == ["none"])
        _ = eve
    }
}

/// `ippgate bench forward` runs both paths and reports them side by side.
@Suite(.serialized) struct BenchForwardTests {
    @Test func reportsDirectAndGatewayTimes() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let file = Documents.write(Documents.pdf, name: "bench-forward.pdf")
        defer { unlink(file) }
        let run = try runCommand(GatewayServer.binary, ["bench", "forward", "--printer", eve.uri, "--via", server.uri("eve"),
                                                        "--file", file, "--format", "application/pdf", "--runs", "1",
                                                        "--gateway-pid", String(server.child!.pid), "--json"])
        #expect(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double])
        #expect((object["direct_ms"] ?? 0) > 0 && (object["gateway_ms"] ?? 0) > 0 && (object["ratio"] ?? 0) > 0)
        #expect((object["gateway_peak_rss_mb"] ?? 0) > 1)
        // Both documents arrived.
        #expect(eve.documents().filter { $0.pathExtension != "prn" }.count == 2)
    }
}

/// An `ipps://` target: the same delivery over TLS (ippeveprinter's self-signed certificate).
@Suite(.serialized) struct SecureTargetTests {
    /// An ipps:// device's certificate is trusted on first use and pinned (STATE/tls): a
    /// device on the same address with another certificate gets nothing, the printer
    /// shows why, and once the pin is deleted the waiting job prints.
    @Test func anIPPSDeviceWithAnotherCertificateGetsNothing() throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-eve-keys-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: keys) }
        for dir in ["a", "b"] { try FileManager.default.createDirectory(at: keys.appendingPathComponent(dir), withIntermediateDirectories: true) }
        let first = try EvePrinter.start(extraArguments: ["-K", keys.appendingPathComponent("a").path])
        let port = first.port
        let server = try GatewayServer.forwarding(to: "ipps://localhost:\(port)/ipp/print").start()
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        func job(_ id: Int32) throws -> Message {
            try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
        }
        func print() throws -> Int32 {
            let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))]),
                                    document: Documents.pdf)
            return try #require(r.value("job-id")?.integerValue)
        }
        let one = try print()
        try eventually(20, "the first job completed over TLS") { try job(one).value("job-state")?.integerValue == JobState.completed.rawValue }
        let pins = try FileManager.default.contentsOfDirectory(atPath: server.state.appendingPathComponent("tls").path)
        #expect(pins == ["localhost_\(port).crt"])

        // Another device (another key) at the same address.
        first.stop()
        let second = try EvePrinter.start(extraArguments: ["-K", keys.appendingPathComponent("b").path], port: port)
        defer { second.stop() }
        let two = try print()
        try eventually(20, "the printer says the device is not trusted") {
            let p = try client.send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
                Attribute("requested-attributes", [.keyword("printer-state-reasons"), .keyword("printer-state-message")])]))
            return p.value("printer-state-message")?.stringValue?.contains("not the one trusted") == true
                && p.groups.first { $0.tag == .printer }?["printer-state-reasons"]?.values.compactMap(\.stringValue) == ["offline-report"]
        }
        #expect(try job(two).value("job-state")?.integerValue == JobState.pending.rawValue)
        #expect(try printerJobs(second).isEmpty, "the untrusted device got a job")

        try FileManager.default.removeItem(at: server.state.appendingPathComponent("tls/localhost_\(port).crt"))
        try eventually(30, "the waiting job completed once the pin was removed") {
            try job(two).value("job-state")?.integerValue == JobState.completed.rawValue
        }
        let arrived = second.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(arrived.map { [UInt8]($0) } == [Documents.pdf])
    }

    @Test func printsOverIPPS() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: "ipps://localhost:\(eve.port)/ipp/print").start()
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/pdf"))]),
                                document: Documents.pdf)
        let id = try #require(r.value("job-id")?.integerValue)
        try eventually(20, "job completed over TLS") {
            try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
                .value("job-state")?.integerValue == JobState.completed.rawValue
        }
        let arrived = eve.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(arrived.map { [UInt8]($0) } == [Documents.pdf])
    }
}

/// Supply levels come from the device, and reading them never holds up a client.
@Suite(.serialized) struct SupplyTests {
    func supplies(_ uri: String) throws -> [Supply] {
        let r = try IPPClient(uri: uri).send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
            Attribute("requested-attributes", [.keyword("printer-supply"), .keyword("printer-supply-description")])]))
        return Capabilities.supplies(from: r)
    }

    @Test func theDevicesSuppliesAreShown() throws {
        let eve = try EvePrinter.start(formats: ["application/pdf"])
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let direct = try supplies(eve.uri)
        #expect(!direct.isEmpty, "ippeveprinter reports supplies")
        let via = try supplies(server.uri("eve"))
        #expect(via.map(\.description) == direct.map(\.description))
        #expect(via.map(\.level) == direct.map(\.level))
        #expect(via.map(\.type) == direct.map(\.type))
    }

    /// A device that takes the connection and never answers (asleep, firewalled) used to
    /// hold each Get-Printer-Attributes for its time-out; the last reading is answered at once.
    @Test func aSilentDeviceDoesNotHoldStatusRequests() throws {
        let device = try SilentDevice()
        let server = try GatewayServer.forwarding(to: device.uri, name: "silent").start()
        let uri = server.uri("silent")
        let started = Date()
        for _ in 0..<3 {
            let r = try IPPClient(uri: uri).send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
                Attribute("requested-attributes", .keyword("all"))]))
            #expect(r.status == .successfulOk)
        }
        // The device's time-outs are 5 s per request; three requests waiting on it would take 15 s or more.
        #expect(Date().timeIntervalSince(started) < 4, "\(Date().timeIntervalSince(started)) s")
        _ = device
    }
}
