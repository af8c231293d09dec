import CupsBridge
import Foundation
@testable import Gateway
import IPP
import Store
import Synchronization
import Testing
import TestSupport
import Transport

/// A device that answers as told: busy a number of times per operation (Send-Document's
/// busy comes before it reads the document, and closes the connection, as a device that
/// cannot take it does), or with attributes far past what ippgate holds.
final class ScriptedDevice: IPPHandler, Sendable {
    struct Script: Sendable {
        var busyCreateJobs = 0
        var busySendDocuments = 0
        /// Bytes of attributes in each Get-Printer-Attributes answer beyond the usual ones.
        var attributePadding = 0
        /// Get-Job-Attributes: processing with the job-uuid it was sent, then the job id
        /// belongs to another job (another job-uuid, completed), as after the device restarted.
        var reusesTheJobID = false
        /// Get-Job-Attributes answers server-error-busy.
        var busyJobAttributes = false
    }
    /// The job-uuid the last Create-Job carried.
    let createdUUID = Mutex<String?>(nil)
    let script: Script
    /// Operation codes in the order they came; the documents that arrived whole.
    let operations = Mutex<[UInt16]>([])
    let documents = Mutex<[[UInt8]]>([])
    let log = Mutex<[String]>([])
    private let serverBox = Mutex<HTTPServer?>(nil)

    init(_ script: Script) { self.script = script }

    var uri: String {
        guard case .tcp(_, let port) = serverBox.withLock({ $0 })?.boundAddresses.first else { return "" }
        return "ipp://127.0.0.1:\(port)/ipp/print"
    }

    func start() throws {
        var limits = ServerLimits()
        limits.readTimeout = 2
        let s = HTTPServer(listen: [.tcp(host: "127.0.0.1", port: 0)], limits: limits, handler: self,
                           log: { line in self.log.withLock { $0.append(line) } })
        try s.start()
        serverBox.withLock { $0 = s }
    }

    func stop() { serverBox.withLock { $0 }?.stop() }

    private func count(_ op: IPP.Operation) -> Int { operations.withLock { $0.filter { $0 == op.rawValue }.count } }

    func handle(_ request: IPPRequest) -> IPPResponse {
        let code = request.message.code
        operations.withLock { $0.append(code) }
        var response = Message(status: .successfulOk, requestID: request.message.requestID)
        response.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
        response.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        func busy(close: Bool) -> IPPResponse {
            response.code = StatusCode.serverErrorBusy.rawValue
            return IPPResponse(message: response, closeConnection: close)
        }
        switch IPP.Operation(rawValue: code) {
        case .getPrinterAttributes:
            let ops: [IPP.Operation] = [.printJob, .createJob, .sendDocument, .cancelJob, .getJobAttributes, .getPrinterAttributes]
            var attributes = [
                Attribute("operations-supported", ops.map { .enum(Int32($0.rawValue)) }),
                Attribute("document-format-supported", [.mimeMediaType("application/pdf")]),
            ]
            let value = Value.octetString([UInt8](repeating: 0x61, count: 30_000))
            for i in 0..<(script.attributePadding / 30_000) { attributes.append(Attribute("x-padding-\(i)", value)) }
            response.groups.append(AttributeGroup(tag: .printer, attributes: attributes))
        case .createJob:
            if count(.createJob) <= script.busyCreateJobs { return busy(close: false) }
            createdUUID.withLock { $0 = request.message.groups.first { $0.tag == .job }?["job-uuid"]?.firstValue?.stringValue }
            response.groups.append(AttributeGroup(tag: .job, attributes: [
                Attribute("job-id", .integer(5)), Attribute("job-uri", .uri("ipp://127.0.0.1/ipp/print/5")),
                Attribute("job-state", .enum(JobState.pending.rawValue))]))
        case .sendDocument:
            if count(.sendDocument) <= script.busySendDocuments { return busy(close: true) }
            var document: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { buffer.deallocate() }
            while let n = try? request.document.read(into: buffer), n > 0 { document += buffer[0..<n] }
            documents.withLock { $0.append(document) }
            response.groups.append(AttributeGroup(tag: .job, attributes: [Attribute("job-id", .integer(5))]))
        case .getJobAttributes where script.busyJobAttributes:
            return busy(close: false)
        case .getJobAttributes where script.reusesTheJobID:
            let first = count(.getJobAttributes) == 1
            let uuid = first ? createdUUID.withLock { $0 } ?? "" : "urn:uuid:99999999-0000-0000-0000-000000000000"
            let state = first ? JobState.processing : JobState.completed
            response.groups.append(AttributeGroup(tag: .job, attributes: [
                Attribute("job-state", .enum(state.rawValue)), Attribute("job-uuid", .uri(uuid))]))
        case .getJobAttributes:
            response.groups.append(AttributeGroup(tag: .job, attributes: [Attribute("job-state", .enum(JobState.completed.rawValue))]))
        default:
            response.code = StatusCode.serverErrorOperationNotSupported.rawValue
        }
        return IPPResponse(message: response)
    }
}

@Suite(.serialized) struct DeviceAnswersTests {
    /// Busy answers make the delivery wait and try again; the document arrives once, whole.
    /// Send-Document's busy comes while the document is still being sent.
    @Test func busyAnswersAreWaitedOut() throws {
        let device = ScriptedDevice(.init(busyCreateJobs: 2, busySendDocuments: 2))
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        let document = IPPTargetTests.bytes(8 << 20, seed: 9)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-unit-\(getpid())-busy.pdf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(document))
        defer { unlink(path) }
        let (delivery, _) = IPPTargetTests().job([DocumentRecord(jobID: 1, number: 1, format: "application/pdf", path: path, size: Int64(document.count))])
        var outcomes: [DeliveryOutcome] = []
        for _ in 0..<5 {
            let outcome = target.deliver(delivery)
            outcomes.append(outcome)
            if outcome == .completed { break }
        }
        // Create-Job busy twice: the engine's retry (twice); Send-Document busy: waited out inside.
        #expect(outcomes.count == 3 && outcomes.last == .completed, "\(outcomes)")
        #expect(outcomes.dropLast().allSatisfy { if case .retry(let why) = $0 { why.contains("busy") } else { false } })
        #expect(device.operations.withLock { $0 }.filter { $0 == IPP.Operation.sendDocument.rawValue }.count == 3)
        #expect(device.documents.withLock { $0 } == [document])
    }

    /// A job whose id at the device comes to show another job-uuid (the device restarted
    /// and gave the id to another job) was lost there: it is delivered again, not followed
    /// as if it were ours, and its recorded id is dropped; once, not in a loop.
    @Test func aJobWhoseIdGoesToAnotherJobIsDeliveredAgain() throws {
        let device = ScriptedDevice(.init(reusesTheJobID: true))
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        let document = IPPTargetTests.bytes(10_000, seed: 10)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-unit-\(getpid())-reused.pdf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(document))
        defer { unlink(path) }
        let (delivery, events) = IPPTargetTests().job([DocumentRecord(jobID: 1, number: 1, format: "application/pdf", path: path, size: Int64(document.count))])
        let outcome = target.deliver(delivery)
        guard case .retry(let why) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(why.contains("lost job 5"), "\(why)")
        #expect(events.list.withLock { $0 }.last == .lost)
        // From then on this device shows only job-uuids of its own: that is not taken for
        // another loss (a loop of resends), until it shows ours again.
        #expect(target.deliver(delivery) == .completed)
    }

    /// After a restart, a job created at the device is not sent again while the device
    /// does not say what became of it (a busy answer): the delivery waits.
    @Test func aJobIsNotSentAgainWhileTheDeviceDoesNotSayWhatBecameOfIt() throws {
        let device = ScriptedDevice(.init(busyJobAttributes: true))
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        var (delivery, _) = IPPTargetTests().job([])
        delivery.record.targetJobID = 5
        delivery.record.processingAt = 1
        let outcome = target.deliver(delivery)
        guard case .retry(let why) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(why.contains("Get-Job-Attributes"), "\(why)")
        #expect(!device.operations.withLock { $0 }.contains(IPP.Operation.createJob.rawValue), "sent again")
    }

    /// A document still arriving: the device gets Create-Job at once, but Send-Document
    /// only once the first bytes are in (not a request left idle while the client starts).
    @Test func sendDocumentWaitsForTheFirstBytes() throws {
        let device = ScriptedDevice(.init())
        try device.start()
        defer { device.stop() }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        try withTemporaryDirectory { dir in
            let document = IPPTargetTests.bytes(2 * SpoolFile.stagingSize, seed: 4)
            let delivery = try IPPTargetTests.ArrivingDelivery(target, store: try StateStore(directory: dir), length: document.count)
            let ops = { device.operations.withLock { $0 } }
            try eventually(10, "Create-Job at the device") { ops().contains(IPP.Operation.createJob.rawValue) }
            usleep(300_000)
            #expect(!ops().contains(IPP.Operation.sendDocument.rawValue), "Send-Document went out before any byte was here")

            try document.withUnsafeBytes { try delivery.file.write($0) }
            try eventually(10, "Send-Document once the first chunk is in") { ops().contains(IPP.Operation.sendDocument.rawValue) }
            try delivery.file.commit()
            delivery.arriving.advance(to: delivery.file.size)
            delivery.arriving.finish()
            try eventually(10, "the delivery to end") { delivery.result != nil }
            #expect(delivery.result == .completed)
            #expect(device.documents.withLock { $0 } == [document])
        }
    }

    /// A device whose attributes run past ippgate's response limit (16 MiB) is not
    /// believed: the read stops at the limit (the device cannot finish sending its 64 MB),
    /// with an error, and the printer keeps its conservative defaults.
    @Test func aResponseBeyondTheLimitIsRefused() throws {
        let device = ScriptedDevice(.init(attributePadding: 64 << 20))
        try device.start()
        defer { device.stop() }
        let client = try IPPClient(uri: device.uri)
        var request = Message.request(.getPrinterAttributes, printerURI: device.uri, user: "tester")
        request.append(Attribute("requested-attributes", .keyword("all")), to: .operation)
        let error = #expect(throws: IPPClientError.self) { try client.send(request) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("16777216-byte message limit"))
        try eventually(10, "the device's answer cut short") {
            device.log.withLock { $0 }.contains { $0.contains("op=Get-Printer-Attributes") && $0.contains("response not sent") }
        }
        let target = try IPPTarget(uri: device.uri, pollInterval: 0.05)
        #expect(!target.refreshCapabilities())
        #expect(!target.knowsDevice)
    }
}
