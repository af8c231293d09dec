import CupsBridge
import Foundation
import IPP
import Store
import Synchronization

/// `ipp://` and `ipps://`: a real printer, reached over IPP with libcups.
///
/// Capabilities are mirrored from the device's Get-Printer-Attributes by `refresh()`, which
/// the gateway calls when it loads the printer (making the target does not ask the device:
/// validating a URI must not wait on a sleeping printer), and again periodically. A delivery
/// creates the job at the device (Create-Job), reports the device's job id before any
/// document byte goes out, streams each document from the spool (Send-Document), then
/// follows the job at the device until it ends: completion *at the printer* completes
/// the job. Busy, unavailable, refused and timed-out are temporary: the job waits.
public final class IPPTarget: Target, Sendable {
    public let uri: String
    private let mirrored = Mutex<Capabilities?>(nil)
    private let deviceOperations = Mutex<Set<UInt16>>([])
    /// How often a job is polled at the device while it prints.
    let pollInterval: Double
    /// For `ipps://`: the device's certificate is trusted on first use and pinned here.
    let pin: TLSPin?

    /// - Parameter trustDirectory: where `ipps://` devices' certificates are pinned
    ///   (`TLSPin`); nil trusts whatever certificate the device presents.
    public init(uri: String, pollInterval: Double = 1, trustDirectory: String? = nil) throws {
        guard let endpoint = try? IPPEndpoint(uri) else { throw TargetError.invalid("not a usable printer URI: \(uri)") }
        self.uri = uri
        self.pollInterval = pollInterval
        pin = trustDirectory.map { TLSPin(directory: $0, host: endpoint.host, port: endpoint.port) }
    }

    private func connect(connectTimeout: Double, timeout: Double) throws -> IPPClient {
        try IPPClient(uri: uri, connectTimeout: connectTimeout, timeout: timeout, pin: pin)
    }

    /// The device's capabilities, or a conservative default until it has answered once.
    public var capabilities: Capabilities { mirrored.withLock { $0 } ?? .unknownDevice }

    public func refresh() throws {
        let response: Message
        do {
            response = try connect(connectTimeout: 3, timeout: 10).send(request(.getPrinterAttributes, user: "ippgate", extra: [
                Attribute("requested-attributes", [.keyword("all"), .keyword("media-col-database")])]))
        } catch {
            throw TargetError.unreachable("\(error)")
        }
        guard response.status.isSuccess else {
            throw TargetError.unreachable("it answered Get-Printer-Attributes with \(response.status.name ?? "status \(response.status.rawValue)")")
        }
        mirrored.withLock { $0 = Capabilities(mirroring: response) }
        let supplies = Capabilities.supplies(from: response)
        supplyReading.withLock { $0.supplies = supplies; $0.at = DispatchTime.now().uptimeNanoseconds }
        let ops = response.groups.first { $0.tag == .printer }?["operations-supported"]?.values.compactMap(\.integerValue) ?? []
        deviceOperations.withLock { $0 = Set(ops.map { UInt16(truncatingIfNeeded: $0) }) }
    }

    /// Asks the device for its attributes. Returns false if it did not answer.
    @discardableResult
    public func refreshCapabilities() -> Bool { (try? refresh()) != nil }

    /// The device's supply levels as last read: a client's Get-Printer-Attributes never
    /// waits on the device (an unreachable one would hold every status request for
    /// seconds, and a target that is ippgate itself would ask itself without end). A
    /// reading older than `suppliesMaxAge` is renewed in the background, one at a time.
    public func supplies() -> [Supply] {
        let now = DispatchTime.now().uptimeNanoseconds
        let (current, renew) = supplyReading.withLock { r -> ([Supply], Bool) in
            let stale = r.at == 0 || Double(now - r.at) / 1e9 >= Self.suppliesMaxAge
            guard stale, !r.renewing else { return (r.supplies, false) }
            r.renewing = true
            return (r.supplies, true)
        }
        if renew { Thread.detachNewThread { self.readSupplies() } }
        return current
    }

    /// How old a supply reading may be before a client's request renews it (seconds).
    static let suppliesMaxAge = 10.0

    private struct SupplyReading {
        var supplies: [Supply] = []
        /// When read (uptime ns); 0: never.
        var at: UInt64 = 0
        var renewing = false
    }
    private let supplyReading = Mutex(SupplyReading())

    private func readSupplies() {
        let response = try? connect(connectTimeout: 2, timeout: 5).send(request(.getPrinterAttributes, user: "ippgate", extra: [
            Attribute("requested-attributes", [.keyword("printer-supply"), .keyword("printer-supply-description")])]))
        supplyReading.withLock { r in
            // A device that did not answer keeps its last reading, tried again after the max age.
            if let response, response.status.isSuccess { r.supplies = Capabilities.supplies(from: response) }
            r.at = DispatchTime.now().uptimeNanoseconds
            r.renewing = false
        }
    }

    // MARK: Delivery

    public func deliver(_ job: DeliveryJob) -> DeliveryOutcome {
        let client: IPPClient
        do { client = try connect(connectTimeout: 5, timeout: 60) } catch {
            return .retry("printer unreachable: \(error)")
        }
        if mirrored.withLock({ $0 == nil }) { refreshCapabilities() }
        var remoteID = job.record.targetJobID
        if remoteID == 0, job.record.processingAt != 0, let found = findByUUID(client, job) {
            // Tried before without the id being recorded (a crash right after Create-Job, or
            // during a Print-Job upload): the device's job carries our job-uuid.
            job.report(.created(id: found.id, uri: found.uri))
            remoteID = found.id
        }
        if remoteID != 0 {
            // Created there before a restart: reconcile with the device before any resend.
            switch reconcile(client, remoteID, job) {
            case .follow: return follow(client, remoteID, job)
            case .done(let outcome): return outcome
            case .recreate: remoteID = 0
            }
        }
        do {
            remoteID = try create(client, job)
        } catch let outcome as OutcomeError {
            return outcome.outcome
        } catch {
            return .retry("\(error)")
        }
        return follow(client, remoteID, job)
    }

    /// An outcome raised from deep inside a delivery step.
    struct OutcomeError: Error { let outcome: DeliveryOutcome }

    /// Whether the device lists Create-Job (unknown until it has answered: assume it does).
    var deviceHasCreateJob: Bool {
        deviceOperations.withLock { $0.isEmpty || $0.contains(IPP.Operation.createJob.rawValue) }
    }

    /// Job template attributes ippgate applies itself and does not pass on.
    static let appliedHere: Set<String> = ["job-hold-until", "job-hold-until-time"]

    /// Whether Create-Job and Print-Job carry the job's job-uuid: true until the device
    /// refuses a request for it (it is a description attribute a device may call read-only).
    let sendsJobUUID = Mutex(true)
    /// The device refused a job creation because of its job-uuid.
    private struct JobUUIDRefused: Error {}

    /// One document to send: its format and a way to read it from its start.
    private struct Outgoing {
        var format: String
        var open: () throws -> any OutgoingDocument
    }

    private func outgoing(_ job: DeliveryJob) -> [Outgoing] {
        if let arriving = job.arriving { return [Outgoing(format: arriving.format, open: arriving.reader)] }
        return job.documents.map { d in Outgoing(format: formatToSend(d), open: { try FileDocument(path: d.path) }) }
    }

    /// A document kept as application/octet-stream (typed at submission as a format the
    /// device was not known to take: it was down, or not yet asked) is typed again from
    /// the spool file now that the device's formats are known. A device's own typing is
    /// narrower than ippgate's (ippeveprinter's does not know text/plain).
    private func formatToSend(_ d: DocumentRecord) -> String {
        guard d.format == DocumentFormatDetection.octetStream, let formats = mirrored.withLock({ $0?.documentFormats }),
              let file = FileHandle(forReadingAtPath: d.path) else { return d.format }
        defer { try? file.close() }
        let prefix = (try? file.read(upToCount: DocumentFormatDetection.prefixLength)) ?? Data()
        let detected = prefix.withUnsafeBytes { DocumentFormatDetection.detect($0) }
        return DocumentFormatDetection.formatToPrint(supplied: d.format, detected: detected, deviceFormats: formats) ?? d.format
    }

    /// Create-Job, record the id, then Send-Document for each document. A device without
    /// Create-Job gets Print-Job (one document); its job id is then known only after the
    /// upload, so after a crash during that upload the job is found by its job-uuid, when
    /// the device keeps the one it was sent (ippeveprinter does), or it may print twice.
    private func create(_ client: IPPClient, _ job: DeliveryJob) throws -> Int32 {
        // Holding is ippgate's: a released job prints on arrival (a device would hold it
        // again, or refuse the keyword, as ippeveprinter does).
        var template = job.attributes.filter { PrinterDescription.jobTemplateNames.contains($0.name) && !Self.appliedHere.contains($0.name) }
        // The job's job-uuid goes with it, so that after a crash its job there can be found
        // even if its id was never recorded (`findByUUID`).
        let withUUID = sendsJobUUID.withLock { $0 }
        if withUUID { template.append(Attribute("job-uuid", .uri(job.record.uuid))) }
        do {
            return try create(client, job, template: template, uuid: withUUID)
        } catch is JobUUIDRefused {
            template.removeAll { $0.name == "job-uuid" }
            let id = try create(client, job, template: template, uuid: false)
            sendsJobUUID.withLock { $0 = false }  // refused with it, taken without: leave it off
            return id
        }
    }

    private func create(_ client: IPPClient, _ job: DeliveryJob, template: [Attribute], uuid: Bool) throws -> Int32 {
        let documents = outgoing(job)
        var operation = [Attribute("job-name", .name(job.record.name.isEmpty ? "job \(job.record.id)" : job.record.name))]
        if documents.count == 1 { operation.append(Attribute("document-format", .mimeMediaType(documents[0].format))) }
        if !deviceHasCreateJob && documents.count == 1 {
            let response = try sendRetryingBusy(client, request(.printJob, user: job.record.user, extra: operation, job: template),
                                                document: documents[0], job: job, remoteID: nil, carriesUUID: uuid)
            guard let id = response.groups.first(where: { $0.tag == .job })?["job-id"]?.firstValue?.integerValue else {
                throw OutcomeError(outcome: .aborted("the printer created no job-id"))
            }
            job.report(.created(id: id, uri: response.groups.first { $0.tag == .job }?["job-uri"]?.firstValue?.stringValue ?? ""))
            return id
        }
        let response = try send(client, request(.createJob, user: job.record.user, extra: operation, job: template), carriesUUID: uuid)
        guard let id = response.groups.first(where: { $0.tag == .job })?["job-id"]?.firstValue?.integerValue else {
            throw OutcomeError(outcome: .aborted("the printer created no job-id"))
        }
        let jobURI = response.groups.first { $0.tag == .job }?["job-uri"]?.firstValue?.stringValue ?? ""
        job.report(.created(id: id, uri: jobURI))
        do {
            for (i, document) in documents.enumerated() {
                let last = i == documents.count - 1
                let sendRequest = request(.sendDocument, user: job.record.user, extra: [
                    Attribute("job-id", .integer(id)),
                    Attribute("document-format", .mimeMediaType(document.format)),
                    Attribute("last-document", .boolean(last)),
                ])
                _ = try sendRetryingBusy(client, sendRequest, document: document, job: job, remoteID: id)
            }
            if documents.isEmpty {
                _ = try send(client, request(.closeJob, user: job.record.user, extra: [Attribute("job-id", .integer(id))]))
            }
        } catch let refused as OutcomeError {
            // Given up here: the job there would wait for its documents, and hold the
            // printer (ippeveprinter stays busy until it times out).
            if case .aborted = refused.outcome { _ = cancelRemoteJob(id, user: job.record.user) }
            throw refused
        }
        return id
    }

    public var deliversWhileArriving: Bool { true }

    public var knowsDevice: Bool { mirrored.withLock { $0 != nil } }

    public func cancelRemoteJob(_ id: Int32, user: String) -> Bool {
        guard let client = try? connect(connectTimeout: 3, timeout: 10),
              let response = try? client.send(request(.cancelJob, user: user, extra: [Attribute("job-id", .integer(id))]))
        else { return false }
        // Already ended or gone there is as good as canceled.
        return response.status.isSuccess || response.status == .clientErrorNotPossible || response.status == .clientErrorNotFound
    }

    /// Follows the job at the device until it ends, mirroring its state; cancels it there
    /// if it is canceled here.
    private func follow(_ client: IPPClient, _ id: Int32, _ job: DeliveryJob) -> DeliveryOutcome {
        var lastReport: DeliveryEvent? = nil
        var failures = 0
        // Whether the device stopped answering at some point: a job it then no longer
        // knows was lost in a restart, not purged after it completed.
        var wasAway = false
        // Ask at once, then back off gently to `pollInterval`: a fast printer is often
        // done within milliseconds, each job waits for the one before it, and the client
        // sees "completed" only once this loop has seen it (2, 3, 4.5 … ms: ~20 asks
        // before the interval reaches a second).
        var wait = 0.002
        while true {
            if job.isCanceled() {
                _ = try? client.send(request(.cancelJob, user: job.record.user, extra: [Attribute("job-id", .integer(id))]))
                return .aborted("canceled")
            }
            let response: Message
            do {
                response = try client.send(request(.getJobAttributes, user: job.record.user, extra: [
                    Attribute("job-id", .integer(id)),
                    Attribute("requested-attributes", ["job-state", "job-state-reasons", "job-state-message",
                                                       "job-impressions-completed", "job-uuid"].map(Value.keyword))]))
            } catch {
                failures += 1
                wasAway = true
                // Twice in a row is not a hiccup: the printer shows it while the job waits.
                if failures == Self.unreachableAfter { job.deviceUnreachable("\(error)") }
                Thread.sleep(forTimeInterval: min(5, pollInterval * Double(failures)))
                continue
            }
            if failures >= Self.unreachableAfter { job.deviceUnreachable(nil) }
            failures = 0
            let group = response.groups.first { $0.tag == .job }
            let foreign = response.status.isSuccess && !isOurs(group, job)
            if response.status == .clientErrorNotFound || foreign {
                // Gone. After a time away the device restarted and lost it (a printer
                // switched off mid-job), and so did one that now gives the id to another
                // job: deliver it again. Otherwise it was purged once completed, as some
                // devices do (CUPS's backend takes not-found as done).
                guard wasAway || foreign else { return .completed }
                // Learned again from the next answer that shows ours: a device that stopped
                // keeping job-uuids costs one resend, never a loop of them.
                if foreign { deviceKeepsJobUUID.withLock { $0 = false } }
                job.report(.lost)
                return .retry("the printer lost job \(id) (it restarted); the job will be sent again")
            }
            let state = group?["job-state"]?.firstValue?.integerValue ?? 0
            let reasons = group?["job-state-reasons"]?.values.compactMap(\.stringValue) ?? []
            let message = group?["job-state-message"]?.firstValue?.stringValue ?? ""
            let event = DeliveryEvent.status(reasons: reasons, message: message,
                                             impressions: group?["job-impressions-completed"]?.firstValue?.integerValue ?? 0)
            if event != lastReport { job.report(event); lastReport = event }
            switch state {
            case JobState.completed.rawValue: return .completed
            case JobState.canceled.rawValue: return .aborted("canceled at the printer")
            case JobState.aborted.rawValue: return .aborted(message.isEmpty ? "aborted by the printer" : message)
            default:
                Thread.sleep(forTimeInterval: wait)
                wait = min(wait * 1.5, pollInterval)
            }
        }
    }

    /// Whether the device keeps the job-uuid it is sent: learned from the first of its
    /// answers that shows ours. Until then a job-uuid of its own proves nothing.
    let deviceKeepsJobUUID = Mutex(false)

    /// Failed status requests in a row after which a device following a job counts as unreachable.
    static let unreachableAfter = 2

    /// Sends, turning temporary refusals into a retry and other errors into an abort.
    private func send(_ client: IPPClient, _ message: Message, carriesUUID: Bool = false) throws -> Message {
        let response: Message
        do { response = try client.send(message) } catch {
            throw OutcomeError(outcome: .retry("printer unreachable: \(error)"))
        }
        return try check(response, carriesUUID: carriesUUID)
    }

    /// - Parameter carriesUUID: the request carried job-uuid; a refusal that may be
    ///   because of it throws `JobUUIDRefused`, so that it is sent again without.
    private func check(_ response: Message, carriesUUID: Bool = false) throws -> Message {
        let status = response.status
        if status.isSuccess { return response }
        if carriesUUID, status == .clientErrorBadRequest
            || (status == .clientErrorAttributesOrValuesNotSupported
                && response.groups.contains { $0.tag == .unsupported && $0["job-uuid"] != nil }) {
            throw JobUUIDRefused()
        }
        let text = response.groups.first?["status-message"]?.firstValue?.stringValue ?? status.name ?? "error"
        if status == .serverErrorBusy || status == .serverErrorServiceUnavailable || status == .serverErrorTemporaryError
            || status == .serverErrorNotAcceptingJobs {
            throw OutcomeError(outcome: .retry("printer busy: \(text)"))
        }
        throw OutcomeError(outcome: .aborted("the printer refused the job: \(text)"))
    }

    /// Sends a request with a document, waiting out a busy printer a few times (after
    /// Create-Job the job exists there already). A document that stops arriving (its
    /// client's upload broke) abandons the request unfinished and cancels the job there.
    private func sendRetryingBusy(_ client: IPPClient, _ message: Message, document: Outgoing,
                                  job: DeliveryJob, remoteID: Int32?, carriesUUID: Bool = false) throws -> Message {
        var delay = 0.2
        for _ in 0..<20 {
            let response: Message
            do {
                var source: any OutgoingDocument
                do { source = try document.open() } catch {
                    // The job there would wait for a document that is not coming; a spool
                    // file that cannot be opened will not open later either.
                    if let remoteID { _ = cancelRemoteJob(remoteID, user: job.record.user) }
                    if job.arriving == nil { throw OutcomeError(outcome: .aborted("its document is missing from the spool: \(error)")) }
                    throw error
                }
                if let remoteID {
                    source = CancelingOnFailure(source) { [self] in _ = cancelRemoteJob(remoteID, user: job.record.user) }
                }
                // A document still arriving: the device gets the request once its first
                // bytes are here, not a request left idle while a slow client starts.
                do { try source.ready() } catch { throw IPPClientError.documentSource("\(error)") }
                response = try client.send(message, document: source)
            } catch let decided as OutcomeError {
                throw decided
            } catch IPPClientError.documentSource(let why) {
                throw OutcomeError(outcome: .retry("the document stopped arriving: \(why)"))
            } catch let error as SourceError {
                throw OutcomeError(outcome: .retry("the document cannot be read: \(error)"))
            } catch {
                throw OutcomeError(outcome: .retry("printer unreachable while sending a document: \(error)"))
            }
            if response.status == .serverErrorBusy {
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 5)
                continue
            }
            return try check(response, carriesUUID: carriesUUID)
        }
        throw OutcomeError(outcome: .retry("printer busy for too long while sending a document"))
    }

    /// A document whose failure first cancels the job at the device, then cuts the upload:
    /// the device's job ends canceled, not aborted by the cut (ippeveprinter aborts a job
    /// whose Send-Document breaks off).
    private final class CancelingOnFailure: OutgoingDocument {
        let inner: any OutgoingDocument
        let cancel: () -> Void
        init(_ inner: any OutgoingDocument, cancel: @escaping () -> Void) { self.inner = inner; self.cancel = cancel }
        var length: Int? { inner.length }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            do { return try inner.read(into: buffer) } catch {
                cancel()
                throw error
            }
        }
        func next(_ buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
            do { return try inner.next(buffer) } catch {
                cancel()
                throw error
            }
        }
        func ready() throws {
            do { try inner.ready() } catch {
                cancel()
                throw error
            }
        }
    }

    func request(_ operation: IPP.Operation, user: String, extra: [Attribute] = [], job: [Attribute] = []) -> Message {
        var m = Message.request(operation, printerURI: uri, user: user.isEmpty ? "ippgate" : user)
        for a in extra { m.append(a, to: .operation) }
        if !job.isEmpty { m.groups.append(AttributeGroup(tag: .job, attributes: job)) }
        return m
    }
}

extension Capabilities {
    /// Until a device has answered: what nearly every IPP Everywhere printer accepts.
    static var unknownDevice: Capabilities {
        var c = Capabilities.folder
        c.makeAndModel = "IPP printer (not reached yet)"
        c.documentFormats = ["application/pdf", "image/jpeg", "image/pwg-raster", "application/octet-stream"]
        return c
    }
}
