import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// The job operations, end to end against the real server.
@Suite(.serialized) struct JobTests {
    let server: GatewayServer
    let client: IPPClient
    init() throws {
        server = try GatewayServer().start()
        client = try IPPClient(uri: server.uri)
    }

    func send(_ m: Message, document: [UInt8] = []) throws -> Message { try client.send(m, document: document) }

    func jobState(_ id: Int32) throws -> Int32? {
        try send(ippRequest(.getJobAttributes, server.uri, operationAttributes: [Attribute("job-id", .integer(id))])).value("job-state")?.integerValue
    }

    @Test func createJobSendDocumentsAndComplete() throws {
        let created = try send(ippRequest(.createJob, server.uri, operationAttributes: [Attribute("job-name", .name("two docs"))]))
        #expect(created.status == .successfulOk)
        let id = try #require(created.value("job-id")?.integerValue)
        #expect(created.value("job-state-reasons")?.stringValue == "job-incoming")

        let first = try send(ippRequest(.sendDocument, server.uri, operationAttributes: [
            Attribute("job-id", .integer(id)), Attribute("document-format", .mimeMediaType("application/pdf")),
            Attribute("last-document", .boolean(false))]), document: Documents.pdf)
        #expect(first.status == .successfulOk)
        #expect(try jobState(id) == JobState.pending.rawValue)   // not printable until the last document
        let second = try send(ippRequest(.sendDocument, server.uri, operationAttributes: [
            Attribute("job-id", .integer(id)), Attribute("last-document", .boolean(true))]), document: Documents.text(2))
        #expect(second.status == .successfulOk)

        try eventually(10, "job \(id) completed") { try jobState(id) == JobState.completed.rawValue }
        let files = server.outputFiles()
        #expect(files.contains("job-\(id)-doc-1.pdf"))
        #expect(files.contains("job-\(id)-doc-2.bin"))
        let described = try send(ippRequest(.getJobAttributes, server.uri, operationAttributes: [
            Attribute("job-id", .integer(id)), Attribute("requested-attributes", [.keyword("job-k-octets"), .keyword("number-of-documents")])]))
        #expect(described.value("number-of-documents")?.integerValue == 2)
        #expect(described.value("job-k-octets")?.integerValue == Int32((Documents.pdf.count + Documents.text(2).count + 1023) / 1024))

        // Documents after the last one are refused.
        let late = try send(ippRequest(.sendDocument, server.uri, operationAttributes: [
            Attribute("job-id", .integer(id)), Attribute("last-document", .boolean(true))]), document: Documents.text(3))
        #expect(late.status == .clientErrorNotPossible)
    }

    @Test func holdReleaseCancelAndHistory() throws {
        let held = try send(ippRequest(.printJob, server.uri, job: [Attribute("job-hold-until", .keyword("indefinite"))]),
                            document: Documents.text())
        let id = try #require(held.value("job-id")?.integerValue)
        #expect(held.value("job-state")?.integerValue == JobState.pendingHeld.rawValue)

        // Set-Job-Attributes on a held job, then release it: it prints.
        let set = try send(ippRequest(.setJobAttributes, server.uri, operationAttributes: [Attribute("job-id", .integer(id))],
                                      job: [Attribute("job-priority", .integer(90)), Attribute("job-name", .name("renamed"))]))
        #expect(set.status == .successfulOk)
        let attrs = try send(ippRequest(.getJobAttributes, server.uri, operationAttributes: [Attribute("job-id", .integer(id))]))
        #expect(attrs.value("job-priority")?.integerValue == 90)
        #expect(attrs.value("job-name")?.stringValue == "renamed")
        #expect(try send(ippRequest(.releaseJob, server.uri, operationAttributes: [Attribute("job-id", .integer(id))])).status == .successfulOk)
        try eventually(10, "released job completes") { try jobState(id) == JobState.completed.rawValue }
        // Releasing or canceling a finished job is not possible.
        #expect(try send(ippRequest(.releaseJob, server.uri, operationAttributes: [Attribute("job-id", .integer(id))])).status == .clientErrorNotPossible)
        #expect(try send(ippRequest(.cancelJob, server.uri, operationAttributes: [Attribute("job-id", .integer(id))])).status == .clientErrorNotPossible)

        // A held job canceled never prints.
        let other = try send(ippRequest(.createJob, server.uri, job: [Attribute("job-hold-until", .keyword("indefinite"))]))
        let otherID = try #require(other.value("job-id")?.integerValue)
        #expect(otherID == id + 1)
        #expect(try send(ippRequest(.cancelJob, server.uri, operationAttributes: [Attribute("job-id", .integer(otherID))])).status == .successfulOk)
        #expect(try jobState(otherID) == JobState.canceled.rawValue)

        // History: which-jobs=completed lists both, not-completed neither.
        let completed = try send(ippRequest(.getJobs, server.uri, operationAttributes: [
            Attribute("which-jobs", .keyword("completed")), Attribute("requested-attributes", [.keyword("job-id"), .keyword("job-state")])]))
        let ids = completed.groups.filter { $0.tag == .job }.compactMap { $0["job-id"]?.firstValue?.integerValue }
        #expect(Set(ids) == [id, otherID])
        let open = try send(ippRequest(.getJobs, server.uri))
        #expect(open.groups.filter { $0.tag == .job }.isEmpty)
        #expect(try send(ippRequest(.getJobAttributes, server.uri, operationAttributes: [Attribute("job-id", .integer(999))])).status == .clientErrorNotFound)
    }

    @Test func myJobsLimitAndCancelMyJobs() throws {
        for user in ["alice", "alice", "bob"] {
            _ = try send(ippRequest(.createJob, server.uri, user: user, job: [Attribute("job-hold-until", .keyword("indefinite"))]))
        }
        let mine = try send(ippRequest(.getJobs, server.uri, user: "alice", operationAttributes: [Attribute("my-jobs", .boolean(true))]))
        #expect(mine.groups.filter { $0.tag == .job }.count == 2)
        let limited = try send(ippRequest(.getJobs, server.uri, operationAttributes: [Attribute("limit", .integer(1))]))
        #expect(limited.groups.filter { $0.tag == .job }.count == 1)
        #expect(try send(ippRequest(.cancelMyJobs, server.uri, user: "alice")).status == .successfulOk)
        let left = try send(ippRequest(.getJobs, server.uri, operationAttributes: [Attribute("requested-attributes", .keyword("job-originating-user-name"))]))
        #expect(left.groups.filter { $0.tag == .job }.compactMap { $0["job-originating-user-name"]?.firstValue?.stringValue } == ["bob"])
        #expect(try send(ippRequest(.cancelJobs, server.uri)).status == .successfulOk)
        #expect(try send(ippRequest(.getJobs, server.uri)).groups.filter { $0.tag == .job }.isEmpty)
    }

    @Test func pauseHoldsTheQueueAndResumeReleasesIt() throws {
        #expect(try send(ippRequest(.pausePrinter, server.uri)).status == .successfulOk)
        let attrs = try send(ippRequest(.getPrinterAttributes, server.uri, operationAttributes: [Attribute("requested-attributes", [.keyword("printer-state"), .keyword("printer-state-reasons")])]))
        #expect(attrs.value("printer-state")?.integerValue == PrinterState.stopped.rawValue)
        #expect(attrs.value("printer-state-reasons")?.stringValue == "paused")
        let job = try send(ippRequest(.printJob, server.uri), document: Documents.text())
        let id = try #require(job.value("job-id")?.integerValue)
        usleep(300_000) // a paused printer must not print: give the worker a chance to do wrong
        #expect(try jobState(id) == JobState.pending.rawValue)
        #expect(try send(ippRequest(.resumePrinter, server.uri)).status == .successfulOk)
        try eventually(10, "job prints after resume") { try jobState(id) == JobState.completed.rawValue }
        #expect(try send(ippRequest(.identifyPrinter, server.uri)).status == .successfulOk)
    }

    @Test func getPrinterAttributesGroups() throws {
        func names(_ requested: [String]) throws -> Set<String> {
            let r = try send(ippRequest(.getPrinterAttributes, server.uri, operationAttributes: requested.isEmpty ? [] :
                                        [Attribute("requested-attributes", requested.map(Value.keyword))]))
            return Set(r.groups.filter { $0.tag == .printer }.flatMap { $0.attributes.map(\.name) })
        }
        let all = try names([])
        #expect(all.isSuperset(of: ["printer-uuid", "printer-up-time", "queued-job-count", "printer-state", "printer-state-reasons",
                                    "printer-more-info", "printer-geo-location", "document-format-supported", "media-col-default"]))
        #expect(!all.contains("media-col-database"))
        #expect(try names(["media-col-database"]) == ["media-col-database"])
        let template = try names(["job-template"])
        #expect(template.contains("copies-supported") && template.contains("sides-default"))
        #expect(!template.contains("printer-name"))
        let description = try names(["printer-description"])
        #expect(description.contains("printer-name") && !description.contains("copies-supported"))
    }
}
