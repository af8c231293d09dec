import Foundation
import IPP
import Store
import Transport

/// Job creation: Print-Job, Validate-Job, Create-Job, Send-Document, Close-Job.
///
/// Durability: a job is answered successful-ok only after its record and its document
/// are both in the store and fsynced. A Print-Job whose document does not arrive whole
/// leaves a record marked not-accepted, which is removed (here, or at restart).
extension Gateway {
    /// What Print-Job, Validate-Job and Create-Job check before anything is stored.
    struct Submission {
        var name: String
        var format: String
        var documentName: String
        var template: [Attribute]
        var priority: Int32
        var holdUntil: String
        /// nil: the document is sent plain.
        var compression: InflatingDocument.Compression?
    }

    func checkSubmission(_ r: Request, _ p: Printer, response: inout Response) throws(IPPError) -> Submission {
        guard p.snapshot().isAcceptingJobs else {
            throw IPPError(.serverErrorNotAcceptingJobs, "printer \(p.name) is not accepting jobs")
        }
        let fidelity = r.boolean("ipp-attribute-fidelity") ?? false
        let compression = try compression(r, response: &response)
        let format = try documentFormat(r, p, response: &response)
        if let nameAttribute = r.operationAttribute("job-name"),
           nameAttribute.tag != .nameWithoutLanguage && nameAttribute.tag != .nameWithLanguage {
            throw IPPError(.clientErrorBadRequest, "job-name must be a name")
        }
        let template = try JobTemplatePolicy(capabilities: p.description.capabilities)
            .check(r.jobGroup, fidelity: fidelity, response: &response)
        func value(_ name: String) -> Value? { template.first { $0.hasName(name) }?.firstValue }
        return Submission(
            name: r.string("job-name") ?? r.string("document-name") ?? "Untitled",
            format: format,
            documentName: r.string("document-name") ?? "",
            template: template,
            priority: value("job-priority")?.integerValue ?? 50,
            holdUntil: value("job-hold-until")?.stringValue ?? "no-hold",
            compression: compression)
    }

    /// compression: absent or none (nil), gzip or deflate, which the document is inflated
    /// from as it is spooled (`InflatingDocument`); anything else is refused.
    func compression(_ r: Request, response: inout Response) throws(IPPError) -> InflatingDocument.Compression? {
        guard let attribute = r.operationAttribute("compression") else { return nil }
        guard attribute.tag == .keyword, attribute.values.count == 1, let value = attribute.firstValue?.stringValue else {
            throw IPPError(.clientErrorBadRequest, "compression must be one keyword")
        }
        if value == "none" { return nil }
        guard let compression = InflatingDocument.Compression(rawValue: value) else {
            response.reject(attribute)
            throw IPPError(.clientErrorCompressionNotSupported, "compression \(value) is not supported (gzip, deflate or none)")
        }
        return compression
    }

    /// document-format, defaulting to application/octet-stream; refused if not supported.
    func documentFormat(_ r: Request, _ p: Printer, response: inout Response) throws(IPPError) -> String {
        guard let attribute = r.operationAttribute("document-format") else { return "application/octet-stream" }
        guard attribute.tag == .mimeMediaType, let format = attribute.firstValue?.stringValue else {
            throw IPPError(.clientErrorBadRequest, "document-format must be a mimeMediaType")
        }
        guard p.description.capabilities.formatsAccepted.contains(format) else {
            response.reject(attribute)
            throw IPPError(.clientErrorDocumentFormatNotSupported, "document-format \(format) is not supported")
        }
        return format
    }

    func handleValidateJob(_ r: Request, _ p: Printer) throws -> Response {
        var response = Response(to: r.message)
        do {
            _ = try checkSubmission(r, p, response: &response)
        } catch {
            return response.failing(error)
        }
        return response
    }

    func handlePrintJob(_ r: Request, _ p: Printer) throws -> Response {
        var response = Response(to: r.message)
        let submission: Submission
        do { submission = try checkSubmission(r, p, response: &response) } catch {
            return response.failing(error)
        }
        var job = newJob(r, p, submission, accepted: false)
        job.id = try jobs.insert(job)
        let document: SpooledDocument
        do {
            document = try spool(r, p, jobID: job.id, number: 1, format: submission.format, compression: submission.compression,
                                 name: submission.documentName,
                                 forwardWhileArriving: true)
            guard document.size > 0 else { throw IPPError(.clientErrorBadRequest, "Print-Job carried no document data") }
        } catch {
            _ = try? store.deleteJob(id: job.id)
            throw error
        }
        defer { document.release(engine) }
        do {
            job = try jobs.update(job.id, recording: document.record) { current throws(IPPError) in
                var j = JobLifecycle.documentsComplete(current)
                j.accepted = true
                return j
            }
        } catch {
            unlink(document.path) // not recorded: no job will ever read it
            _ = try? store.deleteJob(id: job.id)
            throw error
        }
        document.accepted(engine, job)
        engine.wake(p.name)
        log.info("job \(job.id) accepted on \(p.name) from \(job.user)@\(job.originatingHost)")
        response.addGroup(.job, jobResponseAttributes(job, p, r))
        return response
    }

    func handleCreateJob(_ r: Request, _ p: Printer) throws -> Response {
        var response = Response(to: r.message)
        let submission: Submission
        do { submission = try checkSubmission(r, p, response: &response) } catch {
            return response.failing(error)
        }
        var job = newJob(r, p, submission, accepted: true)
        job.stateReasons = job.state == JobState.pendingHeld.rawValue ? ["job-hold-until-specified", "job-incoming"] : ["job-incoming"]
        job.id = try jobs.insert(job)
        log.info("job \(job.id) created on \(p.name) by \(job.user), waiting for documents")
        response.addGroup(.job, jobResponseAttributes(job, p, r))
        return response
    }

    func handleSendDocument(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        var response = Response(to: r.message)
        guard let lastAttribute = r.operationAttribute("last-document"), let last = lastAttribute.firstValue?.booleanValue else {
            throw IPPError(.clientErrorBadRequest, "last-document (boolean) is required")
        }
        try openJob(id, on: p)
        let format: String
        let compression: InflatingDocument.Compression?
        do {
            format = try documentFormat(r, p, response: &response)
            compression = try self.compression(r, response: &response)
        } catch {
            return response.failing(error)
        }
        let number = Int32(try store.documents(jobID: id).count + 1)
        // A job's only document may be forwarded while it arrives.
        let document = try spool(r, p, jobID: id, number: number, format: format, compression: compression,
                                 name: r.string("document-name") ?? "",
                                 forwardWhileArriving: last && number == 1)
        defer { document.release(engine) }
        jobs.touch(id, at: clock.now())
        let updated: JobRecord
        do {
            updated = try jobs.update(id, recording: document.record) { current throws(IPPError) in
                guard !current.isTerminal else { throw IPPError(.clientErrorNotPossible, "job \(id) was \(JobLifecycle.stateName(current.state)) meanwhile") }
                return last ? JobLifecycle.documentsComplete(current) : current
            }
        } catch {
            unlink(document.path) // not recorded: no job will ever read it
            throw error
        }
        document.accepted(engine, updated)
        if last { engine.wake(p.name) }
        log.info("job \(id): document \(number) received (\(document.size) bytes)\(last ? ", last" : "")")
        response.addGroup(.job, jobResponseAttributes(updated, p, r))
        return response
    }

    func handleCloseJob(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        try openJob(id, on: p)
        let job = try jobs.update(id) { current throws(IPPError) in JobLifecycle.documentsComplete(current) }
        engine.wake(p.name)
        var response = Response(to: r.message)
        response.addGroup(.job, jobResponseAttributes(job, p, r))
        return response
    }

    /// A job of this printer still waiting for documents.
    @discardableResult
    private func openJob(_ id: Int32, on p: Printer) throws -> JobRecord {
        guard let job = try jobs.job(id), job.printer == p.name, job.accepted else {
            throw IPPError(.clientErrorNotFound, "job \(id) does not exist on \(p.name)")
        }
        guard !job.isTerminal, !job.documentsComplete else {
            throw IPPError(.clientErrorNotPossible, "job \(id) is not waiting for documents")
        }
        return job
    }

    private func newJob(_ r: Request, _ p: Printer, _ s: Submission, accepted: Bool) -> JobRecord {
        var template = Message(code: 0, requestID: 1)
        for a in s.template { template.append(a, to: .job) }
        if template.groups.isEmpty { template.groups = [AttributeGroup(tag: .job)] }
        let held = s.holdUntil != "no-hold"
        return JobRecord(
            printer: p.name, uuid: "urn:uuid:" + UUID().uuidString.lowercased(),
            state: held ? JobState.pendingHeld.rawValue : JobState.pending.rawValue,
            stateReasons: held ? ["job-hold-until-specified"] : ["none"],
            name: s.name, user: r.userName, originatingHost: hostOnly(r.ipp.peer.address),
            priority: s.priority, holdUntil: s.holdUntil, accepted: accepted, documentsComplete: false,
            createdAt: clock.now(), attributes: template.encoded())
    }

    /// A document received into the spool, durable, to be recorded with its job's change
    /// (`record`, nil when it is empty). While it arrived it may have been forwarded
    /// already (`arriving`); that forwarding sees its end only at `accepted`.
    struct SpooledDocument {
        var size: Int64
        var path: String
        var arriving: ArrivingDocument?
        var record: DocumentRecord?

        /// The job is durably accepted with this document: let the forwarding finish.
        /// A job that ended meanwhile (the printer refused it) keeps no document.
        func accepted(_ engine: JobEngine, _ job: JobRecord) {
            arriving?.finish()
            if job.isTerminal && !engine.keepDocuments { unlink(path) }
        }

        /// The handler is done: a forwarding not told `accepted` learns the upload failed.
        func release(_ engine: JobEngine) {
            guard let arriving else { return }
            arriving.fail("the job was not accepted")
            engine.arriving.remove(arriving.jobID)
        }
    }

    /// Streams the request's document into the spool, durably. With
    /// `forwardWhileArriving`, a printer whose target can take it starts forwarding as it
    /// arrives, if the client declared the document's length (see
    /// ArrivingDocument); the caller then calls `accepted` and `release` on the result.
    /// If this throws, any forwarding has been told.
    private func spool(_ r: Request, _ p: Printer, jobID: Int32, number: Int32, format: String,
                       compression: InflatingDocument.Compression?, name: String,
                       forwardWhileArriving: Bool) throws -> SpooledDocument {
        // A compressed document is inflated before anything else looks at it.
        let received = compression.map { InflatingDocument(r.ipp.document, $0) as DocumentSource } ?? r.ipp.document
        let (source, format) = try typed(received, format, for: p)
        let file = try store.createSpoolFile(jobID: jobID, number: number)
        var arriving: ArrivingDocument? = nil
        // Only a document of declared length (see ArrivingDocument for why), and of a
        // chunk or more: a shorter one is in the file only at commit, and is simply
        // forwarded once accepted. It is offered to the printer's worker at once, so that
        // the target's job is created while the first chunk arrives.
        if forwardWhileArriving && p.forwardsWhileArriving, let length = source.remainingLength,
           length >= SpoolFile.stagingSize {
            let a = ArrivingDocument(jobID: jobID, format: format, path: file.path, length: Int64(length))
            file.onChunkWritten = { chunk in a.add(chunk) }
            engine.arriving.add(a)
            engine.wake(p.name)
            arriving = a
        }
        do {
            if let length = source.remainingLength, length > Self.maxDocumentBytes { throw TooLarge() }
            // Straight from the connection into the spool file's staging buffer. A long
            // upload counts as activity (a Create-Job's multiple-operation-time-out).
            while try file.append({ try source.read(into: $0) }) > 0 {
                if file.size % Int64(SpoolFile.stagingSize) == 0 { jobs.touch(jobID, at: clock.now()) }
                if file.size > Self.maxDocumentBytes { throw TooLarge() }  // a compressed one can grow without end
            }
            try file.commit()
            arriving?.advance(to: file.size)
        } catch {
            file.abandon()
            SpooledDocument(size: 0, path: file.path, arriving: arriving).release(engine)
            if error is TooLarge {
                throw IPPError(.clientErrorRequestEntityTooLarge,
                               "the document is larger than \(Self.maxDocumentBytes >> 20) MiB (job-k-octets-supported)")
            }
            throw IPPError(.clientErrorBadRequest, "document data could not be read: \(error)")
        }
        guard file.size > 0 else {
            unlink(file.path)
            return SpooledDocument(size: 0, path: file.path, arriving: arriving, record: nil)
        }
        return SpooledDocument(size: file.size, path: file.path, arriving: arriving,
                               record: DocumentRecord(jobID: jobID, number: number, format: format, name: name,
                                                      path: file.path, size: file.size))
    }

    /// The largest document taken, as job-k-octets-supported says (2 GiB); a larger one,
    /// declared or (compressed) inflated, is refused with client-error-request-entity-too-large.
    static let maxDocumentBytes = Int64(PrinterDescription.maxJobKOctets) * 1024
    private struct TooLarge: Error {}

    /// The document and the format it is printed as. An application/octet-stream one is
    /// typed from its first bytes (`DocumentFormatDetection`); one the device can take
    /// neither as what it is nor as octet-stream is refused before anything is stored.
    private func typed(_ document: DocumentSource, _ format: String, for p: Printer) throws -> (DocumentSource, String) {
        guard format == DocumentFormatDetection.octetStream else { return (document, format) }
        let peeking: PeekingDocument
        do { peeking = try PeekingDocument(document, peeking: DocumentFormatDetection.prefixLength) } catch {
            throw IPPError(.clientErrorBadRequest, "document data could not be read: \(error)")
        }
        if peeking.withPrefix({ $0.isEmpty }) { return (peeking, format) }  // no document: the caller refuses it
        let detected = peeking.withPrefix(DocumentFormatDetection.detect)
        let deviceFormats = p.description.capabilities.documentFormats
        guard let printable = DocumentFormatDetection.formatToPrint(supplied: format, detected: detected, deviceFormats: deviceFormats) else {
            let takes = deviceFormats.joined(separator: ", ")
            throw IPPError(.clientErrorDocumentFormatNotSupported, detected.map {
                "the document is \($0), which printer \(p.name) cannot print (it takes \(takes))"
            } ?? "the document's format cannot be told from its first bytes and printer \(p.name) needs one of \(takes): send document-format")
        }
        if printable != format { log.debug("document typed as \(printable) for \(p.name)") }
        return (peeking, printable)
    }

    /// The job attributes a job creation response carries (RFC 8011 §4.2.1.2).
    func jobResponseAttributes(_ job: JobRecord, _ p: Printer, _ r: Request) -> [Attribute] {
        let uri = printerURI(p, r)
        return [
            Attribute("job-id", .integer(job.id)),
            Attribute("job-uri", .uri(JobAttributes.jobURI(uri, job.id))),
            Attribute("job-state", .enum(job.state)),
            Attribute("job-state-reasons", job.stateReasons.map(Value.keyword)),
            Attribute("job-state-message", .text(job.stateMessage)),
        ]
    }

    func hostOnly(_ address: String) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        return String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    }
}
