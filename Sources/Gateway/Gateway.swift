import Foundation
import IPP
import Store
import Synchronization
import Transport

/// The gateway core: the printers, the job table and the engine, and the IPP entry
/// point the transport calls. Operations live in Operations/, one file per object.
public final class Gateway: IPPHandler {
    let store: StateStore
    let jobs: JobTable
    let engine: JobEngine
    let clock: any Clock
    let log: Logger
    let startedAt: Int64
    private let printerTable = Mutex<[String: Printer]>([:])
    /// The store's printer change counter when last seen.
    private let storeVersion = Mutex<Int64>(-1)
    /// One reload at a time (a reload asks devices, outside the table's lock).
    private let reloading = Mutex<Void>(())

    /// - Parameter keepDocuments: keep each job's spool files (`STATE/spool/job-ID-N.doc`)
    ///   after the job ends instead of removing them (`ippgate serve --keep-documents`).
    /// - Parameter refreshInterval: seconds between re-reads of each device's attributes.
    public init(store: StateStore, clock: any Clock = SystemClock(), log: Logger, keepDocuments: Bool = false,
                refreshInterval: Double = 300) {
        self.store = store
        self.clock = clock
        self.log = log
        self.startedAt = clock.now()
        self.jobs = JobTable(store: store)
        self.engine = JobEngine(jobs: jobs, clock: clock, log: log, refreshInterval: refreshInterval, keepDocuments: keepDocuments)
        engine.ownPrinter.withLock {
            $0 = { [weak self] uuid in self?.printerTable.withLock { $0.values.first { $0.record.uuid == uuid } } }
        }
    }

    /// Recovers after a restart, loads the printers and starts their workers.
    public func start() throws {
        let abandoned = try recover()
        try reloadPrinters()
        cancelRemoteJobs(of: abandoned)
        // Printers added behind the server's back (the CLI writing the database) start
        // within a second even when no request comes.
        let watcher = Thread { [weak self] in
            while let self, !self.stopped.load(ordering: .relaxed) {
                self.reloadIfChanged()
                Thread.sleep(forTimeInterval: 1)
            }
        }
        watcher.name = "printer config watcher"
        watcher.start()
    }

    private let stopped = Atomic<Bool>(false)

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        engine.stopAll()
    }

    /// Jobs whose client never got successful-ok are dropped; jobs that were printing go back to the queue.
    /// - Returns: the dropped jobs that their target had created already.
    private func recover() throws -> [JobRecord] {
        let discarded = try store.discardUnacceptedJobs()
        for job in discarded {
            log.info("recovery: dropped job \(job.id) (its document never finished arriving; the client was not answered)")
        }
        let abandoned = discarded.filter { $0.targetJobID != 0 }
        for path in try store.removeOrphanSpoolFiles() {
            log.info("recovery: removed stray spool file \(path)")
        }
        for job in try store.jobs(printer: nil, filter: .notCompleted) {
            if job.state == JobState.processing.rawValue || job.state == JobState.processingStopped.rawValue {
                try store.updateJob(JobLifecycle.requeueAfterRestart(job))
                log.info("recovery: job \(job.id) requeued")
            }
        }
        return abandoned
    }

    /// Cancels, in the background, the targets' jobs of jobs dropped at recovery (they
    /// were forwarded while their document arrived). Those jobs can never print whole: a
    /// target sees a document's end only once its job is accepted here. Cancelling frees
    /// the device from waiting for the rest until its own time-out.
    private func cancelRemoteJobs(of abandoned: [JobRecord]) {
        let work = abandoned.compactMap { job in printer(named: job.printer).map { (job, $0.target) } }
        guard !work.isEmpty else { return }
        let thread = Thread { [log] in
            for (job, target) in work {
                let done = target.cancelRemoteJob(job.targetJobID, user: job.user)
                log.info("recovery: job \(job.targetJobID) at \(target.uri) (for dropped job \(job.id)) \(done ? "canceled" : "could not be canceled")")
            }
        }
        thread.name = "recovery: cancel abandoned jobs"
        thread.start()
    }

    // MARK: Printers

    public var printers: [Printer] { printerTable.withLock { Array($0.values) }.sorted { $0.name < $1.name } }

    /// Changes made through the admin socket apply at once; changes written to the
    /// database by another process are picked up by the watcher within a second.
    func printer(named name: String) -> Printer? {
        printerTable.withLock { $0[name] }
    }

    /// Reloads printers when another process (the CLI) changed them in the database.
    func reloadIfChanged() {
        guard let version = try? store.changeCounter() else { return }
        let changed = storeVersion.withLock { v -> Bool in
            if v == version { return false }
            v = version
            return true
        }
        if changed { try? reloadPrinters() }
    }

    /// How long loading printers waits for their devices' attributes, all asked at once.
    static let deviceWait = 5.0

    /// Asks each new printer's device what it can do, in parallel, so that a client
    /// (CUPS's `lpadmin -m everywhere`) sees the device's capabilities from the start. A
    /// device slower than `deviceWait` (asleep, or a firewall that drops packets) does not
    /// hold the server up: its answer, when it comes, rebuilds the printer's attributes,
    /// and until then the printer's worker asks again every few seconds.
    private func askDevices(_ printers: [Printer]) {
        let pending = printers.filter { !$0.target.knowsDevice }
        guard !pending.isEmpty else { return }
        let group = DispatchGroup()
        for printer in pending {
            group.enter()
            Thread.detachNewThread {
                printer.refreshFromTarget()
                group.leave()
            }
        }
        if group.wait(timeout: .now() + Self.deviceWait) == .timedOut {
            let late = pending.filter { !$0.target.knowsDevice }.map(\.name)
            log.info("devices of \(late.joined(separator: ", ")) not answering yet; their printers are served with default capabilities until they do")
        }
    }

    /// Makes the live printer table match the database: adds, replaces and removes.
    func reloadPrinters() throws {
        try reloading.withLock { _ in try reloadPrintersNow() }
    }

    private func reloadPrintersNow() throws {
        let version = (try? store.changeCounter()) ?? -1
        storeVersion.withLock { $0 = version }
        let records = try store.printers()
        // Targets are made outside the table's lock: making one asks its device (seconds,
        // for a slow one), and requests need the table meanwhile (a target that is ippgate
        // itself would even wait on its own answer).
        let changed = printerTable.withLock { table in records.filter { table[$0.name]?.record != $0 } }
        var made: [String: Printer] = [:]
        for record in changed {
            do {
                let target = try Targets.make(uri: record.target, trustDirectory: "\(store.directory)/tls")
                made[record.name] = Printer(record: record, target: target, clock: clock)
            } catch {
                log.error("printer \(record.name): \(error)")
            }
        }
        askDevices(Array(made.values))
        var started: [Printer] = []
        var stopped: [String] = []
        printerTable.withLock { table in
            let wanted = Set(records.map(\.name))
            for name in table.keys where !wanted.contains(name) {
                table[name] = nil
                stopped.append(name)
            }
            for (name, printer) in made.sorted(by: { $0.key < $1.key }) {
                if table[name] != nil { stopped.append(name) }
                table[name] = printer
                started.append(printer)
            }
        }
        for name in stopped { engine.stop(name); log.info("printer \(name) stopped") }
        for p in started { engine.start(p); log.info("printer \(p.name) ready, target \(p.record.target)") }
    }

    /// The printer named by a request's printer-uri (or the HTTP resource).
    func defaultPrinter() -> Printer? {
        printerTable.withLock { $0["default"] ?? $0.values.min { $0.name < $1.name } }
    }

    // MARK: IPPHandler

    public func handle(_ request: IPPRequest) -> IPPResponse {
        let response = route(Request(ipp: request)).build()
        // A document refused for its size is not read to its end (it may be gigabytes):
        // the connection closes after the answer instead.
        return IPPResponse(message: response, closeConnection: response.status == .clientErrorRequestEntityTooLarge)
    }

    /// printer-up-time: seconds since 1970, the clock CUPS clients expect (see JobAttributes.epoch).
    var upTime: Int64 { clock.now() }
}
