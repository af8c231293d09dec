import CupsBridge
import Foundation
@testable import Gateway
import IPP
import Store
import Synchronization
import Testing
import TestSupport
import Transport

/// A device that does not list Create-Job: it takes Print-Job only and keeps, per
/// request, the operation, the document and whether the document arrived whole.
final class PrintJobOnlyDevice: IPPHandler, Sendable {
    struct Received: Sendable { var operation: UInt16; var document: [UInt8]; var whole: Bool; var jobUUID: String? = nil }
    let received = Mutex<[Received]>([])
    /// Jobs it already has (job-id 7 and up): what Get-Jobs answers.
    let jobs = Mutex<[(uuid: String, state: JobState)]>([])
    /// Refuses a Print-Job carrying job-uuid, as a device that calls it read-only might.
    let refusesJobUUID: Bool

    init(refusesJobUUID: Bool = false) { self.refusesJobUUID = refusesJobUUID }
    /// Requests whose attributes have arrived (their documents may still be arriving).
    let started = Mutex(0)
    private var server: HTTPServer? { serverBox.withLock { $0 } }
    private let serverBox = Mutex<HTTPServer?>(nil)

    var uri: String {
        guard case .tcp(_, let port) = server?.boundAddresses.first else { return "" }
        return "ipp://127.0.0.1:\(port)/ipp/print"
    }

    func start() throws {
        let s = HTTPServer(listen: [.tcp(host: "127.0.0.1", port: 0)], limits: ServerLimits(), handler: self, log: { _ in })
        try s.start()
        serverBox.withLock { $0 = s }
    }

    func stop() { server?.stop() }

    var printJobs: [Received] { received.withLock { $0.filter { $0.operation == IPP.Operation.printJob.rawValue } } }

    func handle(_ request: IPPRequest) -> IPPResponse {
        if request.message.code == IPP.Operation.printJob.rawValue { started.withLock { $0 += 1 } }
        var document: [UInt8] = []
        var whole = true
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            guard let n = try? request.document.read(into: buffer) else { whole = false; break }
            if n == 0 { break }
            document += buffer[0..<n]
        }
        let operation = request.message.code
        let uuid = request.message.groups.first { $0.tag == .job }?["job-uuid"]?.firstValue?.stringValue
        received.withLock { $0.append(Received(operation: operation, document: document, whole: whole, jobUUID: uuid)) }
        var response = Message(status: .successfulOk, requestID: request.message.requestID)
        response.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
        response.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        if refusesJobUUID, uuid != nil {
            response = Message(status: .clientErrorAttributesOrValuesNotSupported, requestID: request.message.requestID)
            response.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
            response.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
            response.groups.append(AttributeGroup(tag: .unsupported, attributes: [Attribute("job-uuid", .outOfBand(.unsupported))]))
            return IPPResponse(message: response)
        }
        switch IPP.Operation(rawValue: operation) {
        case .getPrinterAttributes:
            let operations: [IPP.Operation] = [.printJob, .validateJob, .cancelJob, .getJobAttributes, .getJobs, .getPrinterAttributes]
            response.groups.append(AttributeGroup(tag: .printer, attributes: [
                Attribute("operations-supported", operations.map { .enum(Int32($0.rawValue)) }),
                Attribute("document-format-supported", [.mimeMediaType("application/pdf"), .mimeMediaType("application/octet-stream")]),
                Attribute("printer-make-and-model", .text("Print-Job Only Printer")),
            ]))
        case .getJobs:
            let completed = request.message.groups.first?["which-jobs"]?.firstValue?.stringValue == "completed"
            for (n, job) in jobs.withLock({ $0 }).enumerated() where (job.state.rawValue >= 7) == completed {
                response.groups.append(AttributeGroup(tag: .job, attributes: [
                    Attribute("job-id", .integer(Int32(7 + n))), Attribute("job-uuid", .uri(job.uuid)),
                    Attribute("job-state", .enum(job.state.rawValue))]))
            }
        case .printJob:
            if whole { jobs.withLock { $0.append((uuid ?? "", .completed)) } }
            response.groups.append(AttributeGroup(tag: .job, attributes: [
                Attribute("job-id", .integer(7)),
                Attribute("job-uri", .uri("ipp://127.0.0.1/ipp/print/7")),
                Attribute("job-state", .enum(JobState.pending.rawValue)),
            ]))
        case .getJobAttributes:
            response.groups.append(AttributeGroup(tag: .job, attributes: [
                Attribute("job-state", .enum(JobState.completed.rawValue)),
                Attribute("job-state-reasons", .keyword("job-completed-successfully")),
            ]))
        default:
            response = Message(status: .serverErrorOperationNotSupported, requestID: request.message.requestID)
            response.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
            response.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        }
        return IPPResponse(message: response)
    }
}

@Suite(.serialized) struct IPPTargetTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    final class Events: Sendable { let list = Mutex<[DeliveryEvent]>([]) }

    func job(_ documents: [DocumentRecord] = [], uuid: String = "urn:uuid:00000000-0000-0000-0000-000000000001",
             triedBefore: Bool = false) -> (DeliveryJob, Events) {
        let events = Events()
        let record = JobRecord(id: 1, printer: "p", uuid: uuid, name: "t", user: "tester", processingAt: triedBefore ? 1 : 0)
        var delivery = DeliveryJob(record: record, documents: documents, attributes: [])
        delivery.report = { e in events.list.withLock { $0.append(e) } }
        return (delivery, events)
    }

    @Test func aDeviceWithoutCreateJobGetsPrintJob() throws {
        let device = PrintJobOnlyDevice()
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        #expect(target.deviceHasCreateJob, "assumed until the device has answered")
        try target.refresh()
        #expect(!target.deviceHasCreateJob)
        let document = Self.bytes(200_000, seed: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-unit-\(getpid())-print-job-only.pdf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(document))
        defer { unlink(path) }
        let (delivery, events) = job([DocumentRecord(jobID: 1, number: 1, format: "application/pdf", path: path, size: Int64(document.count))])
        #expect(target.deliver(delivery) == .completed)
        #expect(device.printJobs.count == 1)
        #expect(device.printJobs.first?.document == document)
        #expect(!device.received.withLock { $0 }.contains { $0.operation == IPP.Operation.createJob.rawValue })
        #expect(events.list.withLock { $0 }.first == .created(id: 7, uri: "ipp://127.0.0.1/ipp/print/7"))
    }

    /// A document of `count` bytes in a temporary spool-like file, removed after `body`.
    func withDocument(_ name: String, _ count: Int, _ body: (DocumentRecord, [UInt8]) throws -> Void) throws {
        let document = Self.bytes(count, seed: 5)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-unit-\(getpid())-\(name).pdf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(document))
        defer { unlink(path) }
        try body(DocumentRecord(jobID: 1, number: 1, format: "application/pdf", path: path, size: Int64(count)), document)
    }

    /// A job sent by Print-Job whose id was never recorded (a crash mid-upload) is found
    /// at the device by its job-uuid after the restart, and not sent again; another job
    /// tried before, that the device does not have, is sent.
    @Test func aJobTriedBeforeIsFoundByItsJobUUID() throws {
        let device = PrintJobOnlyDevice()
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        try target.refresh()
        try withDocument("uuid", 10_000) { document, bytes in
            // An earlier attempt that was given up (canceled there) is not the job.
            device.jobs.withLock { $0.append(("urn:uuid:00000000-0000-0000-0000-000000000001", .canceled)) }
            let (first, _) = job([document], triedBefore: true)
            #expect(target.deliver(first) == .completed)
            #expect(device.printJobs.map(\.jobUUID) == [first.record.uuid], "the Print-Job carries the job's job-uuid")

            let (again, events) = job([document], triedBefore: true)
            #expect(target.deliver(again) == .completed)
            #expect(device.printJobs.count == 1, "a job the device has was sent again")
            #expect(events.list.withLock { $0 }.first == .created(id: 8, uri: ""))

            let (other, _) = job([document], uuid: "urn:uuid:00000000-0000-0000-0000-000000000002", triedBefore: true)
            #expect(target.deliver(other) == .completed)
            #expect(device.printJobs.count == 2)
            #expect(device.printJobs.last?.document == bytes)
        }
    }

    /// A device that refuses job-uuid gets the job without it, and no job-uuid after that.
    @Test func aDeviceThatRefusesJobUUIDGetsTheJobWithout() throws {
        let device = PrintJobOnlyDevice(refusesJobUUID: true)
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        try target.refresh()
        try withDocument("refuses-uuid", 10_000) { document, bytes in
            #expect(target.deliver(job([document]).0) == .completed)
            #expect(target.deliver(job([document]).0) == .completed)
            #expect(device.printJobs.map { $0.jobUUID != nil } == [true, false, false])
            #expect(device.printJobs.last?.document == bytes)
        }
    }

    /// A delivery of a document that arrives into a spool file, running on its own thread.
    final class ArrivingDelivery: @unchecked Sendable {  // the file is used by the test thread only
        let file: SpoolFile
        let arriving: ArrivingDocument
        let outcome = Mutex<DeliveryOutcome?>(nil)

        init(_ target: IPPTarget, store: StateStore, length: Int) throws {
            let file = try store.createSpoolFile(jobID: 1, number: 1)
            let arriving = ArrivingDocument(jobID: 1, format: "application/pdf", path: file.path, length: Int64(length))
            file.onChunkWritten = { arriving.add($0) }
            self.file = file
            self.arriving = arriving
            var delivery = DeliveryJob(record: JobRecord(id: 1, printer: "p", uuid: "urn:uuid:00000000-0000-0000-0000-000000000001",
                                                         name: "t", user: "tester"), documents: [], attributes: [])
            delivery.arriving = arriving
            let d = delivery
            Thread.detachNewThread { [self] in
                let o = target.deliver(d)
                outcome.withLock { $0 = o }
            }
        }

        var result: DeliveryOutcome? { outcome.withLock { $0 } }
    }

    /// An arriving document is sent as it comes, and the device gets the request's end
    /// only once the document is finished (accepted at ippgate).
    @Test func anArrivingDocumentReachesItsEndOnlyWhenFinished() throws {
        let device = PrintJobOnlyDevice()
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        try withTemporaryDirectory { dir in
            let document = Self.bytes(3 * SpoolFile.stagingSize + 12_345, seed: 2)
            let delivery = try ArrivingDelivery(target, store: try StateStore(directory: dir), length: document.count)
            try document.withUnsafeBytes { try delivery.file.write($0) }
            try delivery.file.commit()
            delivery.arriving.advance(to: delivery.file.size)
            // Everything is written, but the job is not accepted yet: no end at the device.
            usleep(300_000)
            #expect(device.printJobs.isEmpty, "the device saw the document's end before ippgate accepted the job")
            #expect(delivery.result == nil)

            delivery.arriving.finish()
            try eventually(10, "the delivery to end") { delivery.result != nil }
            #expect(delivery.result == .completed)
            #expect(device.printJobs.count == 1)
            #expect(device.printJobs.first?.whole == true)
            #expect(device.printJobs.first?.document == document)
        }
    }

    @Test func anUploadThatBreaksLeavesTheDeviceWithoutAnEnd() throws {
        let device = PrintJobOnlyDevice()
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        try withTemporaryDirectory { dir in
            let delivery = try ArrivingDelivery(target, store: try StateStore(directory: dir), length: 5 * SpoolFile.stagingSize)
            try Self.bytes(2 * SpoolFile.stagingSize, seed: 3).withUnsafeBytes { try delivery.file.write($0) }
            try eventually(10, "the device to get the request") { device.started.withLock { $0 } > 0 }
            delivery.arriving.fail("the client went away")
            delivery.file.abandon()
            try eventually(10, "the delivery to end") { delivery.result != nil }
            guard case .retry(let why) = delivery.result else {
                Issue.record("expected a retry, got \(String(describing: delivery.result))")
                return
            }
            #expect(why.contains("stopped arriving"))
            try eventually(10, "the device to see the request cut") { !device.printJobs.isEmpty }
            #expect(device.printJobs.allSatisfy { !$0.whole }, "the device got a whole document")
        }
    }
}

func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-unit-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(dir)
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw Peers.Failure("timed out after \(seconds) s waiting for \(what)") }
        usleep(20_000)
    }
}
