import Testing
import IPP
@testable import Store

@Suite struct JobTests {
    @Test func insertUpdateGetRoundTripsEveryField() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            var job = JobRecord(
                printer: "office", uuid: "urn:uuid:0f0e", state: JobState.pendingHeld.rawValue,
                stateReasons: ["job-hold-until-specified", "job-incoming"], stateMessage: "held \"for\" you",
                name: "Report ✓.pdf", user: "bob", originatingHost: "2001:db8::1", priority: 77,
                holdUntil: "indefinite", accepted: false, documentsComplete: false, createdAt: 1_700_000_123,
                processingAt: 0, completedAt: 0, impressionsCompleted: 0, attributes: [0x42, 0x00, 0x0a, 0xff, 0x00])
            let id = try store.insertJob(job)
            #expect(id == 1)
            job.id = id
            #expect(try store.job(id: id) == job)

            job.state = JobState.completed.rawValue
            job.stateReasons = []
            job.stateMessage = ""
            job.accepted = true
            job.documentsComplete = true
            job.processingAt = 1_700_000_200
            job.completedAt = 1_700_000_300
            job.impressionsCompleted = 12
            job.attributes = []
            try store.updateJob(job)
            #expect(try store.job(id: id) == job)
            #expect(try StateStore(directory: dir).job(id: id) == job)
            #expect(try store.job(id: 99) == nil)
        }
    }

    /// A relaxed update is stored like any other, and leaves later writes fully synced.
    @Test func anUpdateWithoutItsOwnFsyncIsStoredAndLeavesTheStoreSynced() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            var job = makeJob()
            job.id = try store.insertJob(job)
            job.state = JobState.processing.rawValue
            job.processingAt = 1_700_000_200
            try store.updateJob(job, durable: false)
            #expect(try store.job(id: job.id) == job)
            #expect(try StateStore(directory: dir).job(id: job.id) == job)
            #expect(try store.writerSynchronous() == 2)

            var missing = job
            missing.id = 99
            #expect(throws: StoreError.self) { try store.updateJob(missing, durable: false) }
            #expect(try store.writerSynchronous() == 2)
        }
    }

    @Test func defaultsAreSensible() {
        let job = JobRecord(printer: "p", uuid: "u")
        #expect(job.state == 3)
        #expect(job.stateReasons == ["none"])
        #expect(job.priority == 50)
        #expect(job.holdUntil == "no-hold")
        #expect(job.accepted)
        #expect(!job.documentsComplete)
        #expect(job.createdAt > 1_600_000_000)
    }

    @Test func updatingAMissingJobOrABadStateFails() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            var job = makeJob()
            job.id = 5
            let missing = #expect(throws: StoreError.self) { try store.updateJob(job) }
            #expect(missing?.kind == .notFound)
            #expect(missing?.message == "job 5 does not exist")

            job.state = 2
            let bad = #expect(throws: StoreError.self) { _ = try store.insertJob(job) }
            #expect(bad?.kind == .invalid)
            #expect(try store.maxJobID() == 0)    // the failed insert used no id
        }
    }

    @Test func idsAreMonotonicAcrossDeletesAndReopens() throws {
        try withTemporaryDirectory { dir in
            var seen: [Int32] = []
            do {
                let store = try StateStore(directory: dir)
                #expect(try store.maxJobID() == 0)
                for _ in 0..<3 { seen.append(try store.insertJob(makeJob())) }
                #expect(seen == [1, 2, 3])
                // Deleting the newest job must not free its id.
                #expect(try store.deleteJob(id: 3))
                #expect(try store.deleteJob(id: 3) == false)
                seen.append(try store.insertJob(makeJob()))
                #expect(seen.last == 4)
                #expect(try store.maxJobID() == 4)
                // Delete everything, then reopen.
                for id in seen { try store.deleteJob(id: id) }
                #expect(try store.jobs(printer: nil, filter: .all).isEmpty)
                #expect(try store.maxJobID() == 4)
            }
            let reopened = try StateStore(directory: dir)
            #expect(try reopened.maxJobID() == 4)
            let next = try reopened.insertJob(makeJob())
            #expect(next == 5)
        }
    }

    @Test func filtersAndOrdering() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            // id: (printer, state, priority, user, completedAt)
            let specs: [(String, Int32, Int32, String, Int64)] = [
                ("a", 3, 50, "alice", 0),      // 1
                ("a", 5, 50, "bob", 0),        // 2
                ("a", 4, 90, "alice", 0),      // 3
                ("b", 3, 90, "alice", 0),      // 4
                ("a", 9, 50, "alice", 300),    // 5
                ("a", 7, 50, "bob", 500),      // 6
                ("a", 8, 50, "alice", 300),    // 7
                ("a", 6, 10, "alice", 0),      // 8
                ("b", 9, 50, "bob", 100),      // 9
                ("a", 3, 90, "bob", 0),        // 10
            ]
            for s in specs {
                _ = try store.insertJob(makeJob(printer: s.0, state: s.1, priority: s.2, user: s.3, completedAt: s.4))
            }
            func ids(_ printer: String?, _ filter: JobFilter, user: String? = nil, limit: Int? = nil) throws -> [Int32] {
                try store.jobs(printer: printer, filter: filter, user: user, limit: limit).map(\.id)
            }
            // not-completed: priority desc, then id asc
            #expect(try ids("a", .notCompleted) == [3, 10, 1, 2, 8])
            #expect(try ids(nil, .notCompleted) == [3, 4, 10, 1, 2, 8])
            #expect(try ids("a", .notCompleted, limit: 2) == [3, 10])
            #expect(try ids("a", .notCompleted, user: "alice") == [3, 1, 8])
            // completed: completedAt desc, then id desc
            #expect(try ids("a", .completed) == [6, 7, 5])
            #expect(try ids(nil, .completed) == [6, 7, 5, 9])
            #expect(try ids(nil, .completed, user: "bob") == [6, 9])
            #expect(try ids(nil, .completed, limit: 1) == [6])
            // all: id asc
            #expect(try ids("b", .all) == [4, 9])
            #expect(try ids(nil, .all) == Array(1...10))
            #expect(try ids(nil, .all, limit: 0) == [])
            #expect(try ids("nobody", .all) == [])
        }
    }

    @Test func unacceptedJobsAreVisibleAndDiscardedWithTheirFiles() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let done = try store.insertJob(makeJob(accepted: true))
            let arriving = try store.insertJob(makeJob(accepted: false))
            // A Print-Job whose document was half written when the server died:
            let partial = try store.createSpoolFile(jobID: arriving, number: 1)
            try partial.write([1, 2, 3])
            try partial.commit()
            // A Send-Document of an accepted job, interrupted before it was recorded:
            let stray = try store.createSpoolFile(jobID: done, number: 2)
            try stray.write([4])
            try stray.commit()
            let kept = try spoolDocument(store, jobID: done, bytes: [9, 9])
            try store.addDocument(kept)

            #expect(try store.jobs(printer: nil, filter: .all).map(\.id) == [done, arriving])
            #expect(try store.jobs(printer: nil, filter: .all, acceptedOnly: true).map(\.id) == [done])
            #expect(try store.unacceptedJobs().map(\.id) == [arriving])

            #expect(try store.discardUnacceptedJobs().map(\.id) == [arriving])
            #expect(try store.job(id: arriving) == nil)
            #expect(!fileExists(partial.path))
            #expect(try store.removeOrphanSpoolFiles() == [stray.path])
            #expect(!fileExists(stray.path))
            #expect(fileExists(kept.path))
            #expect(try store.unacceptedJobs().isEmpty)
            #expect(try store.insertJob(makeJob()) == 3)
        }
    }

    @Test func manyThreadsInsertingGetDistinctIDs() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let threads = 8, perThread = 10
            let results = ResultBox()
            DispatchQueueShim.concurrentPerform(iterations: threads) { _ in
                for _ in 0..<perThread {
                    do {
                        let id = try store.insertJob(makeJob())
                        results.append(id)
                        // Reads (on the reading connection) see the write at once.
                        if try store.job(id: id) == nil { results.fail("job \(id) not visible after insert") }
                        _ = try store.jobs(printer: "p1", filter: .notCompleted, limit: 5)
                    } catch { results.fail("\(error)") }
                }
            }
            #expect(results.errors == [])
            #expect(results.ids.sorted() == Array(1...Int32(threads * perThread)))
        }
    }
}

import Foundation
import Synchronization

final class ResultBox: Sendable {
    private let state = Mutex<([Int32], [String])>(([], []))
    func append(_ id: Int32) { state.withLock { $0.0.append(id) } }
    func fail(_ e: String) { state.withLock { $0.1.append(e) } }
    var ids: [Int32] { state.withLock { $0.0 } }
    var errors: [String] { state.withLock { $0.1 } }
}

enum DispatchQueueShim {
    static func concurrentPerform(iterations: Int, _ body: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }
}
