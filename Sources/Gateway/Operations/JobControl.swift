import Foundation
import IPP
import Store

/// Changing jobs: Cancel-Job, Cancel-Jobs, Cancel-My-Jobs, Hold-Job, Release-Job,
/// Set-Job-Attributes. Every change goes through the job table's lock.
extension Gateway {
    func handleCancelJob(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        try existingJob(id, on: p)
        try cancel(id, by: r.userName)
        engine.wake(p.name)
        log.info("job \(id) canceled by \(r.userName)")
        return Response(to: r.message)
    }

    /// Cancel-Jobs (all jobs, or the listed job-ids) and Cancel-My-Jobs (the requester's).
    func handleCancelJobs(_ r: Request, _ p: Printer, onlyMine: Bool) throws -> Response {
        let listed = r.operationAttribute("job-ids")?.values.compactMap(\.integerValue)
        var candidates = try store.jobs(printer: p.name, filter: .notCompleted, user: onlyMine ? r.userName : nil, acceptedOnly: true)
        if let listed {
            let known = Set(candidates.map(\.id))
            if let missing = listed.first(where: { !known.contains($0) }) {
                var response = Response.error(.clientErrorNotPossible, "job \(missing) cannot be canceled", to: r.message)
                response.reject(Attribute("job-ids", listed.map { .integer($0) }))
                return response
            }
            candidates = candidates.filter { listed.contains($0.id) }
        }
        for job in candidates { try? cancel(job.id, by: r.userName) }
        engine.wake(p.name)
        log.info("\(candidates.count) jobs canceled on \(p.name) by \(r.userName)")
        return Response(to: r.message)
    }

    func handleHoldJob(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        try existingJob(id, on: p)
        let until = r.string("job-hold-until") ?? "indefinite"
        guard PrinterDescription.holdUntil.contains(until), until != "no-hold" else {
            var response = Response.error(.clientErrorAttributesOrValuesNotSupported, "job-hold-until \(until) is not supported", to: r.message)
            response.reject(Attribute("job-hold-until", .keyword(until)))
            return response
        }
        try jobs.update(id) { current throws(IPPError) in try JobLifecycle.hold(current, until: until) }
        return Response(to: r.message)
    }

    func handleReleaseJob(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        try existingJob(id, on: p)
        try jobs.update(id) { current throws(IPPError) in try JobLifecycle.release(current) }
        engine.wake(p.name)
        return Response(to: r.message)
    }

    /// Set-Job-Attributes: job-priority, job-hold-until and job-name, on a job not yet finished.
    func handleSetJobAttributes(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        try existingJob(id, on: p)
        guard let group = r.jobGroup, !group.attributes.isEmpty else {
            throw IPPError(.clientErrorBadRequest, "Set-Job-Attributes needs a job attributes group")
        }
        var response = Response(to: r.message)
        var priority: Int32? = nil, hold: String? = nil, name: String? = nil
        for a in group.attributes {
            let v = a.values
            switch a.name {
            case "job-priority" where v.count == 1 && v[0].tag == .integer && (1...100).contains(v[0].integerValue ?? 0):
                priority = v[0].integerValue
            case "job-hold-until" where v.count == 1 && PrinterDescription.holdUntil.contains(v[0].stringValue ?? ""):
                hold = v[0].stringValue
            case "job-name" where v.count == 1 && (v[0].tag == .nameWithoutLanguage || v[0].tag == .nameWithLanguage):
                name = v[0].stringValue
            default:
                response.reject(a)
            }
        }
        if response.hasUnsupported {
            response.status = .clientErrorAttributesOrValuesNotSupported
            response.statusMessage = "only job-priority, job-hold-until and job-name can be set"
            return response
        }
        try jobs.update(id) { current throws(IPPError) in
            guard current.state == JobState.pending.rawValue || current.state == JobState.pendingHeld.rawValue else {
                throw IPPError(.clientErrorNotPossible, "job \(id) is \(JobLifecycle.stateName(current.state)); only pending jobs can change")
            }
            var j = current
            if let priority { j.priority = priority }
            if let name { j.name = name }
            if let hold {
                if hold == "no-hold" {
                    if j.state == JobState.pendingHeld.rawValue { j = try JobLifecycle.release(j) }
                } else {
                    j = try JobLifecycle.hold(j, until: hold)
                }
            }
            return j
        }
        engine.wake(p.name)
        return response
    }

    /// Cancels a job. Its documents go at once unless a delivery is reading them, in
    /// which case the engine removes them when the delivery ends.
    private func cancel(_ id: Int32, by user: String) throws {
        var wasProcessing = false
        let now = clock.now()
        try jobs.update(id) { current throws(IPPError) in
            wasProcessing = current.state == JobState.processing.rawValue
            return try JobLifecycle.cancel(current, at: now, by: user)
        }
        jobs.forget(id)
        engine.arriving[id]?.cancel() // a forwarding under way stops now, not when the upload ends
        if !wasProcessing && !engine.keepDocuments {
            for d in (try? store.documents(jobID: id)) ?? [] { unlink(d.path) }
        }
    }

    @discardableResult
    private func existingJob(_ id: Int32, on p: Printer) throws -> JobRecord {
        guard let job = try jobs.job(id), job.printer == p.name, job.accepted else {
            throw IPPError(.clientErrorNotFound, "job \(id) does not exist on \(p.name)")
        }
        return job
    }
}
