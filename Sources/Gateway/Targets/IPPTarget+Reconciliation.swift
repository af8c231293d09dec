import CupsBridge
import IPP
import Store

/// Who a job at the device is, after something went wrong: a restart of ippgate (the
/// recorded device id, or none yet) or of the device (the id lost, or given to another
/// job). The rule throughout: nothing prints twice that can be told apart, nothing is
/// dropped.
extension IPPTarget {
    /// A device's job carrying this job's job-uuid, looked for with Get-Jobs (completed,
    /// then not-completed: the two values every printer supports). A completed one wins
    /// (nothing is left to print), else the newest one still open. Canceled and aborted
    /// ones are earlier attempts ippgate gave up (a slow upload that gave way, a cut
    /// one), not the job. Nil when there is none, or the device does not say.
    func findByUUID(_ client: IPPClient, _ job: DeliveryJob) -> (id: Int32, uri: String)? {
        for which in ["completed", "not-completed"] {
            guard let response = try? client.send(request(.getJobs, user: job.record.user, extra: [
                Attribute("which-jobs", .keyword(which)),
                Attribute("requested-attributes", ["job-id", "job-uri", "job-uuid", "job-state"].map(Value.keyword))])),
                  response.status.isSuccess else { return nil }
            var found: (id: Int32, uri: String)? = nil
            for group in response.groups where group.tag == .job {
                // All of them: a device may keep ours beside one of its own (ippeveprinter does).
                let uuids = group.attributes.filter { $0.name == "job-uuid" }.compactMap { $0.firstValue?.stringValue }
                let state = group["job-state"]?.firstValue?.integerValue ?? 0
                guard uuids.contains(job.record.uuid), state != JobState.canceled.rawValue, state != JobState.aborted.rawValue,
                      let id = group["job-id"]?.firstValue?.integerValue, id > (found?.id ?? 0) else { continue }
                found = (id, group["job-uri"]?.firstValue?.stringValue ?? "")
            }
            if let found { return found }
        }
        return nil
    }

    /// False when the device's job is provably someone else's: the device keeps the
    /// job-uuid it is sent, and this job shows other ones only (an id reused after the
    /// device restarted).
    func isOurs(_ group: AttributeGroup?, _ job: DeliveryJob) -> Bool {
        // Jobs are no longer sent with their job-uuid: nothing to compare.
        guard sendsJobUUID.withLock({ $0 }) else { return true }
        let uuids = group?.attributes.filter { $0.name == "job-uuid" }.compactMap { $0.firstValue?.stringValue } ?? []
        if uuids.contains(job.record.uuid) {
            deviceKeepsJobUUID.withLock { $0 = true }
            return true
        }
        return uuids.isEmpty || !deviceKeepsJobUUID.withLock { $0 }
    }

    enum Reconciliation { case follow, done(DeliveryOutcome), recreate }

    /// What to do with a job created at the device before a restart. The rule: nothing
    /// prints twice, nothing is dropped.
    /// - completed there: done. Canceled there (by someone at the device): aborted here.
    /// - still waiting for documents there (job-incoming): our upload was cut; cancel it
    ///   there and deliver again. Aborted there, unknown there (a client error, or the id
    ///   now another job's by its job-uuid): deliver again.
    /// - no answer, or a server error: ask again later (nothing is sent meanwhile).
    /// - otherwise (pending with all documents, processing): follow it.
    func reconcile(_ client: IPPClient, _ id: Int32, _ job: DeliveryJob) -> Reconciliation {
        let response: Message
        do {
            response = try client.send(request(.getJobAttributes, user: job.record.user, extra: [
                Attribute("job-id", .integer(id)),
                Attribute("requested-attributes", [.keyword("job-state"), .keyword("job-state-reasons"), .keyword("job-uuid")])]))
        } catch {
            // Not an answer: ask again later rather than send a job that may be there.
            return .done(.retry("printer unreachable: \(error)"))
        }
        if response.status.rawValue >= 0x0500 {
            // A server error (busy, …) says nothing about the job: ask again later.
            return .done(.retry("printer busy: it answered Get-Job-Attributes with \(response.status.name ?? "\(response.status.rawValue)")"))
        }
        guard response.status.isSuccess,
              let group = response.groups.first(where: { $0.tag == .job }), isOurs(group, job),
              let state = group["job-state"]?.firstValue?.integerValue else { return .recreate }
        let reasons = Set(group["job-state-reasons"]?.values.compactMap(\.stringValue) ?? [])
        switch state {
        case JobState.completed.rawValue: return .done(.completed)
        case JobState.canceled.rawValue: return .done(.aborted("canceled at the printer"))
        case JobState.aborted.rawValue: return .recreate
        default:
            if reasons.contains("job-incoming") || reasons.contains("job-data-insufficient") {
                _ = try? client.send(request(.cancelJob, user: job.record.user, extra: [Attribute("job-id", .integer(id))]))
                return .recreate
            }
            return .follow
        }
    }
}
