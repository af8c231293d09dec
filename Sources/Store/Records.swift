#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A printer (queue) that ippgate serves.
public struct PrinterRecord: Sendable, Hashable {
    /// Unique. The caller validates it ([A-Za-z0-9_.-]{1,127}).
    public var name: String
    /// The target URI, e.g. "ipp://host/ipp/print", "cups://queue", "file:///var/spool/out".
    public var target: String
    /// "urn:uuid:…", stable for the printer's life.
    public var uuid: String
    /// Unix seconds.
    public var createdAt: Int64
    /// Free-form per-printer settings (location, info, …). Stored as a JSON object.
    public var settings: [String: String]

    public init(name: String, target: String, uuid: String, createdAt: Int64, settings: [String: String] = [:]) {
        self.name = name
        self.target = target
        self.uuid = uuid
        self.createdAt = createdAt
        self.settings = settings
    }
}

/// A job, as stored. The IPP attributes the store does not interpret travel in `attributes`.
public struct JobRecord: Sendable, Hashable {
    /// Assigned by `StateStore.insertJob`; ignored on insert.
    public var id: Int32
    public var printer: String
    /// "urn:uuid:…"
    public var uuid: String
    /// IPP job-state: 3 pending, 4 pending-held, 5 processing, 6 processing-stopped,
    /// 7 canceled, 8 aborted, 9 completed.
    public var state: Int32
    public var stateReasons: [String]
    public var stateMessage: String
    public var name: String
    public var user: String
    public var originatingHost: String
    /// 1…100.
    public var priority: Int32
    /// "no-hold", "indefinite", …
    public var holdUntil: String
    /// False while a Print-Job's document is still arriving and the client has not been
    /// answered. Such jobs are discarded at restart (`discardUnacceptedJobs`).
    public var accepted: Bool
    /// True once the last document arrived (Print-Job, Send-Document last-document=true, Close-Job).
    public var documentsComplete: Bool
    /// Unix seconds (time-at-creation).
    public var createdAt: Int64
    /// Unix seconds; 0 = not yet.
    public var processingAt: Int64
    /// Unix seconds; 0 = not yet.
    public var completedAt: Int64
    public var impressionsCompleted: Int32
    /// The job's Job Template / description attributes as encoded IPP bytes; opaque to the store.
    public var attributes: [UInt8]
    /// The job's id at its target (0: not created there yet), recorded before any document byte is sent.
    public var targetJobID: Int32
    /// The job's URI at its target ("" until created there).
    public var targetJobURI: String

    /// Defaults: a pending (3), accepted job with no documents yet, priority 50, "no-hold",
    /// state reasons ["none"], created now. `accepted` defaults to true so that a caller who
    /// forgets it can never have a job discarded at restart; Print-Job passes `accepted: false`.
    public init(
        id: Int32 = 0,
        printer: String,
        uuid: String,
        state: Int32 = 3,
        stateReasons: [String] = ["none"],
        stateMessage: String = "",
        name: String = "",
        user: String = "",
        originatingHost: String = "",
        priority: Int32 = 50,
        holdUntil: String = "no-hold",
        accepted: Bool = true,
        documentsComplete: Bool = false,
        createdAt: Int64 = Int64(time(nil)),
        processingAt: Int64 = 0,
        completedAt: Int64 = 0,
        impressionsCompleted: Int32 = 0,
        attributes: [UInt8] = [],
        targetJobID: Int32 = 0,
        targetJobURI: String = ""
    ) {
        self.id = id
        self.printer = printer
        self.uuid = uuid
        self.state = state
        self.stateReasons = stateReasons
        self.stateMessage = stateMessage
        self.name = name
        self.user = user
        self.originatingHost = originatingHost
        self.priority = priority
        self.holdUntil = holdUntil
        self.accepted = accepted
        self.documentsComplete = documentsComplete
        self.createdAt = createdAt
        self.processingAt = processingAt
        self.completedAt = completedAt
        self.impressionsCompleted = impressionsCompleted
        self.attributes = attributes
        self.targetJobID = targetJobID
        self.targetJobURI = targetJobURI
    }

    /// States 7…9 (canceled, aborted, completed).
    public var isTerminal: Bool { state >= 7 }
}

/// One document of a job; its bytes are in the spool file at `path`.
public struct DocumentRecord: Sendable, Hashable {
    public var jobID: Int32
    /// 1, 2, … within the job.
    public var number: Int32
    /// document-format
    public var format: String
    /// document-name ("" if none)
    public var name: String
    /// Absolute spool path.
    public var path: String
    public var size: Int64

    public init(jobID: Int32, number: Int32, format: String, name: String = "", path: String, size: Int64) {
        self.jobID = jobID
        self.number = number
        self.format = format
        self.name = name
        self.path = path
        self.size = size
    }
}

/// IPP which-jobs.
public enum JobFilter: Sendable, Hashable {
    /// States 3…6 (pending, pending-held, processing, processing-stopped).
    case notCompleted
    /// States 7…9 (canceled, aborted, completed).
    case completed
    case all
}
