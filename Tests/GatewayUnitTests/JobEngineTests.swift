import Foundation
@testable import Gateway
import IPP
import Store
import Synchronization
import Testing

/// A target that is away (unreachable) until told otherwise, then delivers at once.
final class AwayTarget: Target {
    let uri = "ipp://away.invalid/ipp/print"
    var capabilities: Capabilities { .folder }
    let away = Mutex(true)
    let attempts = Mutex(0)
    let delivered = Mutex<[Int32]>([])

    func deliver(_ job: DeliveryJob) -> DeliveryOutcome {
        attempts.withLock { $0 += 1 }
        if away.withLock({ $0 }) { return .retry("printer unreachable: it is away") }
        delivered.withLock { $0.append(job.record.id) }
        return .completed
    }

    func refresh() throws {
        if away.withLock({ $0 }) { throw TargetError.unreachable("it is away") }
    }
}

@Suite(.serialized) struct JobEngineTests {
    /// A job waiting for an unreachable device goes out as soon as the device answers
    /// again, not a whole backoff later (here the backoff is 60 s, the question every 0.1 s).
    @Test func aJobGoesOutAsSoonAsItsDeviceIsBack() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let record = PrinterRecord(name: "p", target: "ipp://away.invalid/ipp/print",
                                       uuid: "urn:uuid:00000000-0000-0000-0000-0000000000aa", createdAt: 0)
            try store.addPrinter(record)
            let id = try store.insertJob(JobRecord(printer: "p", uuid: "urn:uuid:00000000-0000-0000-0000-0000000000ab",
                                                   accepted: true, documentsComplete: true))
            let engine = JobEngine(jobs: JobTable(store: store), clock: SystemClock(), log: Logger(minimum: .error) { _ in },
                                   retry: .init(firstBackoff: 60, maxBackoff: 60, deviceQuestionInterval: 0.1))
            let target = AwayTarget()
            let printer = Printer(record: record, target: target, clock: SystemClock())
            engine.start(printer)
            defer { engine.stopAll() }

            try eventually(10, "a first attempt") { target.attempts.withLock { $0 } >= 1 }
            try eventually(10, "offline-report") { !printer.targetAnswers }
            #expect(target.delivered.withLock { $0 }.isEmpty)
            target.away.withLock { $0 = false }
            try eventually(10, "the job delivered once the device is back") { target.delivered.withLock { $0 } == [id] }
            #expect(printer.targetAnswers, "offline-report stays after the device answered")
            try eventually(10, "the job completed") { try store.job(id: id)?.state == JobState.completed.rawValue }
        }
    }
}
