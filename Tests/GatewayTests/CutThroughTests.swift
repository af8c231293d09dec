import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// A large Print-Job is forwarded to the real printer (ippeveprinter) while it still
/// arrives; the printer gets the document's end only once ippgate has accepted the job.
@Suite(.serialized) struct CutThroughTests {
    /// 6 MiB of pseudo-random bytes (ippeveprinter -c /bin/true does not look inside).
    static let document: [UInt8] = {
        var rng = SplitMix64(state: 42)
        return (0..<(6 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }()
    static let half = 3 << 20

    /// The printer's jobs and their states, asked of the printer itself.
    func printerJobs(_ eve: EvePrinter) throws -> [Int32: Int32] {
        let r = try IPPClient(uri: eve.uri).send(ippRequest(.getJobs, eve.uri, operationAttributes: [
            Attribute("which-jobs", .keyword("all")), Attribute("requested-attributes", [.keyword("job-id"), .keyword("job-state")])]))
        var jobs: [Int32: Int32] = [:]
        for g in r.groups where g.tag == .job {
            if let id = g["job-id"]?.firstValue?.integerValue { jobs[id] = g["job-state"]?.firstValue?.integerValue ?? 0 }
        }
        return jobs
    }

    /// Starts a Print-Job of `document` and sends its first half.
    func startUpload(_ server: GatewayServer) throws -> RawHTTPConnection {
        let request = ippRequest(.printJob, server.uri("eve"), operationAttributes: [
            Attribute("document-format", .mimeMediaType("application/pdf"))]).encoded()
        let connection = try RawHTTPConnection(port: server.port, timeout: 30)
        connection.post("/ipp/print/eve", contentLength: request.count + Self.document.count)
        #expect(connection.send(request + Self.document[..<Self.half]))
        return connection
    }

    func gatewayJobs(_ server: GatewayServer) throws -> [Message] {
        let uri = server.uri("eve")
        let r = try IPPClient(uri: uri).send(ippRequest(.getJobs, uri, operationAttributes: [Attribute("which-jobs", .keyword("all"))]))
        return r.groups.filter { $0.tag == .job }.map { Message(status: .successfulOk, requestID: 1, groups: [$0]) }
    }

    @Test func theDocumentGoesToThePrinterWhileItArrives() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let upload = try startUpload(server)
        // Half the document is in: the printer has the job already, and cannot have finished it.
        try eventually(20, "the job created at the printer before the upload ends") { try !printerJobs(eve).isEmpty }
        #expect(try printerJobs(eve).values.allSatisfy { $0 != JobState.completed.rawValue })

        #expect(upload.send(Array(Self.document[Self.half...])))
        let reply = try upload.readIPPReply()
        #expect(reply.code == StatusCode.successfulOk.rawValue, "\(reply.statusMessage)")
        let id = try #require(reply.value("job-id")?.integerValue)
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        try eventually(30, "the job completed") {
            try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
                .value("job-state")?.integerValue == JobState.completed.rawValue
        }
        let arrived = eve.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(arrived.count == 1)
        #expect(arrived.first.map { [UInt8]($0) } == Self.document, "the printer got other bytes")
        #expect(try printerJobs(eve).count == 1)
    }

    @Test func aClientThatDropsMidUploadGetsThePrintersJobCanceled() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let upload = try startUpload(server)
        try eventually(20, "the job created at the printer") { try !printerJobs(eve).isEmpty }
        upload.drop()
        do {
            try eventually(20, "the printer's job canceled") { try printerJobs(eve).values.allSatisfy { $0 == JobState.canceled.rawValue } }
        } catch {
            Issue.record("\(error); printer's jobs \(try printerJobs(eve))\n\(server.log.suffix(2000))")
        }
        // Nothing was accepted, nothing is kept.
        #expect(try gatewayJobs(server).isEmpty)
        try eventually(10, "the spool emptied") {
            (try? FileManager.default.contentsOfDirectory(atPath: server.state.appendingPathComponent("spool").path))?.isEmpty ?? true
        }
        // And the printer carries on: the next job prints.
        let uri = server.uri("eve")
        let r = try IPPClient(uri: uri).send(ippRequest(.printJob, uri, operationAttributes: [
            Attribute("document-format", .mimeMediaType("application/pdf"))]), document: Documents.pdf)
        #expect(r.status == .successfulOk)
        try eventually(20, "the next job completed at the printer") {
            try printerJobs(eve).values.contains(JobState.completed.rawValue)
        }
    }

    /// What ippgate guarantees when it dies mid-document: the printer never gets the whole
    /// document, and after the restart ippgate cancels the printer's job and keeps nothing.
    /// (ippeveprinter may still finish the truncated job before the cancel arrives: it
    /// takes a connection cut short of Content-Length for the end. A conforming server
    /// does not; see docs/ARCHITECTURE.md.)
    @Test func aJobCutByACrashIsCanceledAtThePrinterAfterTheRestart() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let upload = try startUpload(server)
        try eventually(20, "the job created at the printer") { try !printerJobs(eve).isEmpty }
        server.kill()
        upload.drop()
        try server.start()
        try eventually(20, "the printer's job canceled by the recovery") { server.log.contains("(for dropped job") }
        #expect(server.log.contains("recovery: dropped job"), "\(server.log.suffix(2000))")
        #expect(try gatewayJobs(server).isEmpty)
        try eventually(20, "the printer's job ended") {
            try printerJobs(eve).values.allSatisfy { $0 >= JobState.canceled.rawValue }
        }
        #expect(eve.documents().filter { $0.pathExtension != "prn" }.compactMap { FileManager.default.contents(atPath: $0.path) }
            .allSatisfy { [UInt8]($0) != Self.document }, "the printer has the whole document")
    }
}
