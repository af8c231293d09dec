import Foundation
import IPP
import Store
import Synchronization

/// Runs jobs: one worker thread per printer takes the next printable job (highest
/// priority, then oldest), hands it to the printer's target, and records the outcome.
/// IPP handlers never call targets; they only change records and wake the worker.
final class JobEngine: Sendable {
    let jobs: JobTable
    let clock: any Clock
    let log: Logger
    /// Keep each job's spool files after the job ends (`serve --keep-documents`), for
    /// inspection and tests; the job's record and history are unchanged either way.
    let keepDocuments: Bool
    /// When a delivery that could not be done now is tried again.
    struct RetryTiming: Sendable {
        /// Retry delays for a target that is busy or away: short at first (a busy printer
        /// is usually free again in moments), doubling up to `maxBackoff`.
        var firstBackoff: Double
        var maxBackoff: Double
        /// Seconds between attempts to read the attributes of a device never reached, and
        /// between questions to an unreachable device while a job waits for it.
        var deviceQuestionInterval: Double

        /// Up to 15 s: a printer busy with someone else's long job gets one Create-Job per
        /// 15 s, and is left idle at most that long after it. A device that was away is
        /// asked every 2 s, so jobs go out within about 2 s of its return.
        static let standard = RetryTiming(firstBackoff: 0.25, maxBackoff: 15, deviceQuestionInterval: 2)
    }
    let retry: RetryTiming

    /// Seconds a Create-Job may wait for its documents (multiple-operation-time-out).
    let incomingTimeout: Int64 = 300
    private let workers = Mutex<[String: Worker]>([:])
    /// Documents being forwarded while they arrive (registered by the IPP handlers).
    let arriving = ArrivingDocuments()

    /// Seconds between re-reads of a printer's device attributes while it is idle.
    let refreshInterval: Double

    init(jobs: JobTable, clock: any Clock, log: Logger, refreshInterval: Double = 300, keepDocuments: Bool = false,
         retry: RetryTiming = .standard) {
        self.retry = retry
        self.jobs = jobs
        self.clock = clock
        self.log = log
        self.refreshInterval = refreshInterval
        self.keepDocuments = keepDocuments
    }

    /// A printer's worker: a thread and the condition it sleeps on.
    final class Worker: @unchecked Sendable {
        // Invariant: `stopped` and `pokes` are read and written only under `condition`.
        let printer: Printer
        let condition = NSCondition()
        var stopped = false
        var pokes = 0
        init(printer: Printer) { self.printer = printer }

        func poke() {
            condition.lock(); pokes += 1; condition.signal(); condition.unlock()
        }

        enum Wake { case poked, timedOut, stopped }

        /// Sleeps until poked, stopped, or `seconds` pass.
        func sleep(seconds: Double) -> Wake {
            condition.lock()
            defer { condition.unlock() }
            if pokes == 0 && !stopped { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
            let poked = pokes > 0
            pokes = 0
            return stopped ? .stopped : poked ? .poked : .timedOut
        }

        /// Sleeps until poked, stopped, or `seconds` pass. Returns false once stopped.
        func wait(seconds: Double) -> Bool { sleep(seconds: seconds) != .stopped }

        var isStopped: Bool { condition.lock(); defer { condition.unlock() }; return stopped }
    }

    func start(_ printer: Printer) {
        let worker = Worker(printer: printer)
        workers.withLock { $0[printer.name] = worker }
        let thread = Thread { [self] in run(worker) }
        thread.name = "printer \(printer.name)"
        thread.start()
    }

    func stop(_ name: String) {
        guard let w = workers.withLock({ $0.removeValue(forKey: name) }) else { return }
        w.condition.lock(); w.stopped = true; w.condition.signal(); w.condition.unlock()
    }

    func stopAll() {
        for name in workers.withLock({ Array($0.keys) }) { stop(name) }
    }

    /// Something changed for this printer (new job, release, resume): look again.
    func wake(_ name: String) { workers.withLock { $0[name] }?.poke() }

    private func run(_ worker: Worker) {
        let printer = worker.printer
        var backoff = retry.firstBackoff
        var lastRefresh = DispatchTime.now().uptimeNanoseconds
        while !worker.isStopped {
            // A device not reached yet (down when the printer was loaded) is asked again soon.
            let due = printer.target.knowsDevice ? refreshInterval : min(refreshInterval, retry.deviceQuestionInterval)
            if Double(DispatchTime.now().uptimeNanoseconds - lastRefresh) / 1e9 >= due {
                lastRefresh = DispatchTime.now().uptimeNanoseconds
                if printer.refreshFromTarget() { log.info("printer \(printer.name): the device's capabilities changed; attributes rebuilt") }
            }
            // One read of the printer's open jobs serves the count, the time-outs and the choice.
            let open = openJobs(printer)
            printer.setQueuedJobCount(open.count)
            abandonStaleIncomingJobs(open)
            guard !printer.isPaused, let job = open.first(where: { isReady($0, on: printer) }) else {
                if !worker.wait(seconds: min(1, refreshInterval)) { break }
                continue
            }
            let outcome = process(job, on: printer)
            if case .retry(let why) = outcome {
                log.info("job \(job.id) on \(printer.name) will be retried in \(backoff) s: \(why)")
                let unreachable = why.hasPrefix("printer unreachable")
                if !waitBeforeRetry(backoff, worker, askingTheDevice: unreachable) { break }
                backoff = min(backoff * 2, retry.maxBackoff)
            } else {
                backoff = retry.firstBackoff
            }
        }
        printer.setProcessing(false, at: clock.now())
    }

    /// Waits `seconds` before a delivery is tried again, or less: a poke (a new job, a
    /// release) ends the wait, and a device that was unreachable is asked every
    /// `retry.deviceQuestionInterval` seconds meanwhile, so that jobs go out as soon as it is back
    /// (and offline-report goes away), not a whole backoff later. False once stopped.
    private func waitBeforeRetry(_ seconds: Double, _ worker: Worker, askingTheDevice: Bool) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return true }
            let left = Double(deadline - now) / 1e9
            switch worker.sleep(seconds: askingTheDevice ? min(left, retry.deviceQuestionInterval) : left) {
            case .stopped: return false
            case .poked: return true
            case .timedOut:
                if askingTheDevice, DispatchTime.now().uptimeNanoseconds < deadline {
                    worker.printer.refreshFromTarget()
                    if worker.printer.targetAnswers { return true }
                }
            }
        }
    }

    /// The printer's jobs not yet finished, in processing order (priority, then age).
    private func openJobs(_ printer: Printer) -> [JobRecord] {
        do {
            return try jobs.store.jobs(printer: printer.name, filter: .notCompleted)
        } catch {
            log.error("cannot read jobs of \(printer.name): \(error)")
            return []
        }
    }

    /// Printable, or its one document is arriving and the target can take it as it comes.
    private func isReady(_ job: JobRecord, on printer: Printer) -> Bool {
        JobLifecycle.isPrintable(job)
            || (JobLifecycle.isPrintableWhileArriving(job) && printer.forwardsWhileArriving
                && arriving[job.id].map { !$0.yielded } ?? false)
    }

    /// Finds one of ippgate's own printers by its printer-uuid (set by the gateway).
    let ownPrinter = Mutex<(@Sendable (String) -> Printer?)?>(nil)

    /// The chain of printers, if `printer`'s target leads back to it through ippgate's own
    /// printers (a target pointed at ippgate itself): "a → b → a". Forwarding there would
    /// only wait on itself.
    func forwardingLoop(from printer: Printer) -> String? {
        guard let lookup = ownPrinter.withLock({ $0 }) else { return nil }
        var chain = [printer.name]
        var current = printer
        for _ in 0..<8 {
            guard let uuid = current.target.capabilities.deviceUUID, let next = lookup(uuid) else { return nil }
            chain.append(next.name)
            if next.name == printer.name { return chain.joined(separator: " → ") }
            current = next
        }
        return nil
    }

    private func process(_ job: JobRecord, on printer: Printer) -> DeliveryOutcome {
        // Who the device is must be known before anything is sent to it.
        if !printer.target.knowsDevice { _ = printer.refreshFromTarget() }
        if let loop = forwardingLoop(from: printer) {
            let message = "Printer \(printer.name) forwards to ippgate itself (\(loop)); change its target."
            _ = try? jobs.update(job.id) { current throws(IPPError) in
                current.isTerminal ? current : JobLifecycle.abort(current, reason: "aborted-by-system", message: message, at: clock.now())
            }
            jobs.forget(job.id)
            log.error("job \(job.id) on \(printer.name) aborted: \(message)")
            return .completed
        }
        // Taken before the job is re-read: if the upload ends meanwhile, the document
        // object still reads whole (or reports the failure).
        let arrivingDocument = job.documentsComplete ? nil : arriving[job.id].flatMap { $0.yielded ? nil : $0 }
        do {
            // Not fsynced: a crash before the target's job id is recorded (durably) delivers afresh.
            let started = try jobs.update(job.id, durable: false) { current throws(IPPError) in
                JobLifecycle.isPrintable(current) || (arrivingDocument != nil && JobLifecycle.isPrintableWhileArriving(current))
                    ? JobLifecycle.startProcessing(current, at: clock.now()) : current
            }
            guard started.state == JobState.processing.rawValue else { return .completed }
            printer.setProcessing(true, message: "Printing job \(job.id).", at: clock.now())
            let documents = try jobs.store.documents(jobID: job.id)
            let attributes = (try? Message(decoding: started.attributes))?.groups.flatMap(\.attributes) ?? []
            var delivery = DeliveryJob(record: started, documents: documents, attributes: attributes)
            // Recorded already if the upload finished between the two reads.
            if documents.isEmpty, let arrivingDocument {
                delivery.arriving = arrivingDocument
                arrivingDocument.yield { [self] in
                    openJobs(printer).contains { $0.id != job.id && JobLifecycle.isPrintable($0) }
                }
                log.info("job \(job.id) on \(printer.name): forwarding while its document arrives (\(arrivingDocument.length) bytes)")
            }
            delivery.report = { [jobs] event in
                // The target's job id must survive anything before a document byte is sent;
                // the printer's view of the job is asked again after a restart.
                let durable = switch event { case .created, .lost: true; case .status: false }
                _ = try? jobs.update(job.id, durable: durable) { current throws(IPPError) in JobLifecycle.apply(event, to: current) }
            }
            delivery.isCanceled = { [jobs] in (try? jobs.job(job.id))?.state == JobState.canceled.rawValue }
            delivery.deviceUnreachable = { why in
                if let why { printer.setTargetReasons(["offline-report"], message: "printer unreachable: \(why)") }
                else { printer.setTargetReasons([], message: nil) }
            }
            let outcome = printer.target.deliver(delivery)
            if let arriving = delivery.arriving, arriving.failure != nil || arriving.yielded {
                // The client's upload broke, or is slow while other jobs wait: the target
                // gave up its job. A broken Print-Job is discarded by its handler; a
                // Create-Job waits for its document again; a slow one is forwarded whole.
                _ = try? jobs.update(job.id) { current throws(IPPError) in JobLifecycle.arrivalFailed(current) }
                printer.setProcessing(false, at: clock.now())
                log.info("job \(job.id) on \(printer.name): forwarding stopped, \(arriving.failure ?? "the client is slow and other jobs are waiting; it will be forwarded once whole")")
                return .completed
            }
            if case .retry(let why) = outcome, why.hasPrefix("printer unreachable") {
                printer.setTargetReasons(["offline-report"], message: why)
            } else {
                printer.setTargetReasons([], message: nil)
            }
            let finished = try jobs.update(job.id) { current throws(IPPError) in
                JobLifecycle.finish(current, outcome: outcome, at: clock.now())
            }
            printer.setProcessing(false, at: clock.now())
            log.info("job \(job.id) on \(printer.name): \(JobLifecycle.stateName(finished.state)) (\(finished.stateMessage))")
            if finished.isTerminal {
                jobs.forget(job.id)
                // The record stays as history; the document is no longer needed
                // (unless the server keeps documents).
                // A document forwarded while it arrived was recorded after `documents` was read.
                let recorded = delivery.arriving == nil ? documents : (try? jobs.store.documents(jobID: job.id)) ?? []
                if !keepDocuments { for d in recorded { unlink(d.path) } }
            }
            return outcome
        } catch {
            printer.setProcessing(false, at: clock.now())
            // A Print-Job whose upload broke is deleted by its handler, maybe mid-delivery.
            if arrivingDocument != nil, (try? jobs.job(job.id)) == .some(nil) { return .completed }
            log.error("job \(job.id) on \(printer.name): \(error)")
            return .retry("\(error)")
        }
    }

    /// Create-Job whose documents never came: abort after multiple-operation-time-out.
    private func abandonStaleIncomingJobs(_ open: [JobRecord]) {
        let now = clock.now()
        // A job whose document is arriving right now is not abandoned.
        for job in open where job.accepted && !job.documentsComplete && arriving[job.id] == nil {
            let last = jobs.lastActivity(job.id) ?? job.createdAt
            guard now - last > incomingTimeout else { continue }
            _ = try? jobs.update(job.id) { current throws(IPPError) in
                current.documentsComplete ? current
                    : JobLifecycle.abort(current, reason: "aborted-by-system", message: "No document arrived within \(incomingTimeout) s.", at: now)
            }
            jobs.forget(job.id)
        }
    }
}
