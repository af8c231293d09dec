import IPP
import Store

/// Job queries: Get-Job-Attributes and Get-Jobs (RFC 8011 §4.3.4, §4.2.6).
extension Gateway {
    func handleGetJobAttributes(_ r: Request, _ p: Printer, _ id: Int32) throws -> Response {
        guard let job = try jobs.job(id), job.printer == p.name, job.accepted else {
            throw IPPError(.clientErrorNotFound, "job \(id) does not exist on \(p.name)")
        }
        var response = Response(to: r.message)
        response.addGroup(.job, try describe(job, p, r, requested: r.requestedAttributes, defaults: ["all"]))
        return response
    }

    func handleGetJobs(_ r: Request, _ p: Printer) throws -> Response {
        var response = Response(to: r.message)
        let which = r.string("which-jobs") ?? "not-completed"
        let states: Set<Int32>
        switch which {
        case "not-completed": states = [3, 4, 5, 6]
        case "completed": states = [7, 8, 9]
        case "all": states = [3, 4, 5, 6, 7, 8, 9]
        case "pending": states = [3]
        case "pending-held": states = [4]
        case "processing": states = [5]
        case "processing-stopped": states = [6]
        case "canceled": states = [7]
        case "aborted": states = [8]
        default:
            response.status = .clientErrorAttributesOrValuesNotSupported
            response.reject(r.operationAttribute("which-jobs")!)
            response.statusMessage = "which-jobs \(which) is not supported"
            return response
        }
        var limit = Int.max
        if let l = r.operationAttribute("limit") {
            guard l.tag == .integer, let v = l.firstValue?.integerValue, v > 0 else {
                throw IPPError(.clientErrorBadRequest, "limit must be a positive integer")
            }
            limit = Int(v)
        }
        let mine = r.boolean("my-jobs") ?? false
        let filter: JobFilter = states.isSubset(of: [3, 4, 5, 6]) ? .notCompleted : states.isSubset(of: [7, 8, 9]) ? .completed : .all
        let records = try store.jobs(printer: p.name, filter: filter, user: mine ? r.userName : nil, acceptedOnly: true)
            .filter { states.contains($0.state) }
        for job in records.prefix(limit) {
            response.addGroup(.job, try describe(job, p, r, requested: r.requestedAttributes, defaults: ["job-id", "job-uri"]))
        }
        return response
    }

    /// A job's attributes, filtered by requested-attributes.
    func describe(_ job: JobRecord, _ p: Printer, _ r: Request, requested: Set<String>?, defaults: Set<String>) throws -> [Attribute] {
        let documents = try store.documents(jobID: job.id)
        let all = JobAttributes.all(job, printerURI: printerURI(p, r), upTime: upTime, documents: documents)
        return JobAttributes.select(all, requested: requested, defaults: defaults)
    }
}
