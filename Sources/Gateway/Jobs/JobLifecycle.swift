import IPP
import Store

/// The job state machine (RFC 8011 §5.3.7), as pure functions on a record.
/// Each returns the new record or the IPP error that refuses the change; callers
/// store the result. No threads, no I/O: tested on its own.
public enum JobLifecycle {
    /// Documents are complete (Print-Job, last Send-Document, Close-Job): the job may print.
    public static func documentsComplete(_ job: JobRecord) -> JobRecord {
        var j = job
        j.documentsComplete = true
        j.stateReasons = j.stateReasons.filter { $0 != "job-incoming" }
        if j.stateReasons.isEmpty { j.stateReasons = [j.state == JobState.pendingHeld.rawValue ? "job-hold-until-specified" : "none"] }
        return j
    }

    public static func hold(_ job: JobRecord, until: String = "indefinite") throws(IPPError) -> JobRecord {
        guard job.state == JobState.pending.rawValue || job.state == JobState.pendingHeld.rawValue else {
            throw IPPError(.clientErrorNotPossible, "job \(job.id) is \(stateName(job.state)); only pending jobs can be held")
        }
        var j = job
        j.state = JobState.pendingHeld.rawValue
        j.holdUntil = until
        j.stateReasons = ["job-hold-until-specified"] + (j.documentsComplete ? [] : ["job-incoming"])
        j.stateMessage = "Held."
        return j
    }

    public static func release(_ job: JobRecord) throws(IPPError) -> JobRecord {
        guard job.state == JobState.pendingHeld.rawValue else {
            throw IPPError(.clientErrorNotPossible, "job \(job.id) is \(stateName(job.state)), not held")
        }
        var j = job
        j.state = JobState.pending.rawValue
        j.holdUntil = "no-hold"
        j.stateReasons = j.documentsComplete ? ["none"] : ["job-incoming"]
        j.stateMessage = ""
        return j
    }

    public static func cancel(_ job: JobRecord, at now: Int64, by user: String) throws(IPPError) -> JobRecord {
        guard !job.isTerminal else {
            throw IPPError(.clientErrorNotPossible, "job \(job.id) is already \(stateName(job.state))")
        }
        var j = job
        j.state = JobState.canceled.rawValue
        j.stateReasons = ["job-canceled-by-user"]
        j.stateMessage = "Canceled by \(user)."
        j.completedAt = now
        return j
    }

    public static func startProcessing(_ job: JobRecord, at now: Int64) -> JobRecord {
        var j = job
        j.state = JobState.processing.rawValue
        j.stateReasons = ["job-printing"]
        j.stateMessage = "Printing."
        if j.processingAt == 0 { j.processingAt = now }
        return j
    }

    /// The end of a delivery. A job canceled meanwhile stays canceled.
    public static func finish(_ job: JobRecord, outcome: DeliveryOutcome, at now: Int64) -> JobRecord {
        guard !job.isTerminal else { return job }
        var j = job
        switch outcome {
        case .completed:
            j.state = JobState.completed.rawValue
            j.stateReasons = ["job-completed-successfully"]
            j.stateMessage = "Completed."
            j.completedAt = now
        case .aborted(let why):
            j.state = JobState.aborted.rawValue
            j.stateReasons = ["aborted-by-system"]
            j.stateMessage = why.truncatedUTF8(255)
            j.completedAt = now
        case .retry(let why):
            j.state = JobState.pending.rawValue
            j.stateReasons = ["printer-stopped"]
            j.stateMessage = why.truncatedUTF8(255)
        }
        return j
    }

    /// A job abandoned by its client (Create-Job with no documents before the time-out).
    public static func abort(_ job: JobRecord, reason: String, message: String, at now: Int64) -> JobRecord {
        var j = job
        j.state = JobState.aborted.rawValue
        j.stateReasons = [reason]
        j.stateMessage = message
        j.completedAt = now
        return j
    }

    /// What a target reported while delivering: its job id there, or its view of the job.
    public static func apply(_ event: DeliveryEvent, to job: JobRecord) -> JobRecord {
        guard !job.isTerminal else { return job }
        var j = job
        switch event {
        case .created(let id, let uri):
            j.targetJobID = id
            j.targetJobURI = uri
        case .status(let reasons, let message, let impressions):
            let mirrored = reasons.filter { $0 != "none" }
            j.stateReasons = mirrored.isEmpty ? ["job-printing"] : mirrored
            if !message.isEmpty { j.stateMessage = message.truncatedUTF8(255) }
            j.impressionsCompleted = impressions
        case .lost:
            j.targetJobID = 0
            j.targetJobURI = ""
        }
        return j
    }

    /// After a restart, a job that was processing goes back to the queue.
    public static func requeueAfterRestart(_ job: JobRecord) -> JobRecord {
        guard job.state == JobState.processing.rawValue || job.state == JobState.processingStopped.rawValue else { return job }
        var j = job
        j.state = JobState.pending.rawValue
        j.stateReasons = [j.documentsComplete ? "none" : "job-incoming"]
        j.stateMessage = "Requeued after restart."
        return j
    }

    /// Ready for the engine: pending, documents complete.
    public static func isPrintable(_ job: JobRecord) -> Bool {
        job.state == JobState.pending.rawValue && job.documentsComplete && job.accepted
    }

    /// Pending, and its only document is still arriving: a target that forwards while
    /// the document arrives may start (the engine also checks there is such a document).
    /// A Print-Job's job is not accepted yet; a Create-Job's waits for its document.
    public static func isPrintableWhileArriving(_ job: JobRecord) -> Bool {
        job.state == JobState.pending.rawValue && !job.documentsComplete
    }

    /// The document a target was forwarding while it arrived did not arrive whole: the
    /// job goes back to waiting for it (a Create-Job's client may send it again). The
    /// target canceled its job, so the job has none there any more: a later delivery
    /// creates a new one instead of finding the canceled one.
    public static func arrivalFailed(_ job: JobRecord) -> JobRecord {
        guard job.state == JobState.processing.rawValue, !job.documentsComplete else { return job }
        var j = job
        j.state = JobState.pending.rawValue
        j.stateReasons = ["job-incoming"]
        j.stateMessage = ""
        j.targetJobID = 0
        j.targetJobURI = ""
        return j
    }

    public static func stateName(_ state: Int32) -> String { JobState(state).name ?? "state \(state)" }
}
