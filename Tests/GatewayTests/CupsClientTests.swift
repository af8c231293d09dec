import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// CUPS as a client of ippgate (TESTBED.md): a private cupsd with a driverless queue
/// pointing at an ippgate printer, which forwards to ippeveprinter. CUPS reads the
/// printer's attributes, builds a PPD, and prints with Create-Job/Send-Document while it
/// polls the job, as it does for any IPP Everywhere printer.
@Suite(.serialized) struct CupsClientTests {
    @Test func cupsPrintsThroughIppgateToThePrinter() throws {
        let eve = try EvePrinter.start(formats: ["application/pdf", "image/pwg-raster", "image/jpeg", "text/plain"])
        let server = try GatewayServer.forwarding(to: eve.uri).start(["--keep-documents"])
        let cups = try PrivateCups.start()
        // CUPS builds its PPD from what ippgate advertises: wait until ippgate mirrors the
        // device (a loaded machine can make the first read at start-up time out).
        try eventually(30, "ippgate advertising the device's text/plain") {
            let r = try IPPClient(uri: server.uri("eve")).send(ippRequest(.getPrinterAttributes, server.uri("eve"), operationAttributes: [
                Attribute("requested-attributes", .keyword("document-format-supported"))]))
            return r.groups.first { $0.tag == .printer }?["document-format-supported"]?.values.contains { $0.stringValue == "text/plain" } ?? false
        }

        let lpadmin = try cups.run("lpadmin", ["-p", "viagw", "-E", "-v", server.uri("eve"), "-m", "everywhere"])
        try #require(lpadmin.status == 0, "lpadmin: \(lpadmin.output)\n\(cups.errorLog.suffix(3000))")

        // The documents, readable by anyone (user lp) in a folder anyone can enter.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-cupsclient-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        chmod(folder.path, 0o755)
        var cupsJobs: [Int32] = []
        for (name, bytes) in [("document.pdf", Documents.pdf), ("document.txt", Documents.text(7))] {
            let path = folder.appendingPathComponent(name).path
            try #require(FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o644]))
            let lp = try cups.run("lp", ["-d", "viagw", path])
            try #require(lp.status == 0, "lp \(name): \(lp.output)\n\(cups.errorLog.suffix(3000))")
            // "request id is viagw-1 (1 file(s))"
            let id = lp.output.split(whereSeparator: { $0 == " " || $0 == "\n" })
                .first { $0.hasPrefix("viagw-") }.flatMap { Int32($0.dropFirst("viagw-".count)) }
            cupsJobs.append(try #require(id, "no job id in lp's answer: \(lp.output)"))
        }

        // Both jobs end in CUPS; a job that ends any other way fails at once, with the log.
        let client = try IPPClient(uri: cups.uri("viagw"))
        func cupsState(_ id: Int32) throws -> (state: Int32, reasons: [String]) {
            let r = try client.send(ippRequest(.getJobAttributes, cups.uri("viagw"), operationAttributes: [
                Attribute("job-id", .integer(id)),
                Attribute("requested-attributes", [.keyword("job-state"), .keyword("job-state-reasons"), .keyword("job-printer-state-message")])]))
            return (r.value("job-state")?.integerValue ?? 0,
                    r.groups.first { $0.tag == .job }?["job-state-reasons"]?.values.compactMap(\.stringValue) ?? [])
        }
        func diagnosis() -> String {
            let queue = (try? cups.run("lpstat", ["-l", "-p", "viagw"]).output) ?? ""
            return "\(queue)\ncupsd error_log:\n\(cups.errorLog.suffix(4000))\nippgate log:\n\(server.log.suffix(2000))"
        }
        do {
            try eventually(60, "CUPS jobs \(cupsJobs) completed") {
                var done = true
                for id in cupsJobs {
                    let s = try cupsState(id)
                    if s.state == JobState.canceled.rawValue || s.state == JobState.aborted.rawValue {
                        throw Peers.Failure("CUPS job \(id) ended in state \(s.state) \(s.reasons)")
                    }
                    if s.state != JobState.completed.rawValue { done = false }
                }
                return done
            }
        } catch {
            Issue.record("\(error)\n\(diagnosis())")
            return
        }
        let completed = try cups.run("lpstat", ["-W", "completed", "-o", "viagw"])
        for id in cupsJobs {
            #expect(completed.output.contains("viagw-\(id) "), "lpstat -W completed: \(completed.output)")
        }

        // What ippgate spooled (kept with --keep-documents) is what the printer received.
        let spool = server.state.appendingPathComponent("spool")
        func spooled() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []).filter { $0.hasSuffix(".doc") }.sorted()
        }
        func arrived() -> [URL] { eve.documents().filter { $0.pathExtension != "prn" } }
        do {
            try eventually(60, "two documents in ippgate's spool and at the printer") {
                spooled().count >= 2 && arrived().count >= 2
            }
        } catch {
            Issue.record("\(error): spool \(spooled()), printer \(arrived().map(\.lastPathComponent))\n\(diagnosis())")
            return
        }
        #expect(spooled() == ["job-1-1.doc", "job-2-1.doc"], "ippgate's spool: \(spooled())")
        #expect(arrived().count == 2, "at the printer: \(arrived().map(\.lastPathComponent))")
        let sent = spooled().compactMap { FileManager.default.contents(atPath: spool.appendingPathComponent($0).path) }
        let received = arrived().compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(sent.count == 2 && sent.allSatisfy { !$0.isEmpty })
        #expect(Set(sent) == Set(received),
                "ippgate spooled \(sent.map(\.count)) bytes, the printer received \(received.map(\.count)) bytes")
        cups.stop()
        server.stop()
        eve.stop()
    }
}
