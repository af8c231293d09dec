import Foundation
import IPP
import Store
import Synchronization

/// The one place where job records change. Every read-modify-write of a job goes
/// through `update`, under one lock, so a Cancel-Job racing the engine's completion
/// is decided once, and the store always holds the winner.
final class JobTable: Sendable {
    let store: StateStore
    private let lock = Mutex<Void>(())
    /// Job id → last client activity (for multiple-operation-time-out). Its own lock: an
    /// upload touches it per chunk and must not wait for another job's commit.
    private let activity = Mutex<[Int32: Int64]>([:])

    init(store: StateStore) { self.store = store }

    func job(_ id: Int32) throws -> JobRecord? { try store.job(id: id) }

    /// Applies `change` to the stored job and stores the result. With `document`, records
    /// it in the same transaction (one fsync: the end of Print-Job and Send-Document); if
    /// `change` refuses, the document is not recorded. `durable: false` is for changes that
    /// recovery redoes anyway (see `StateStore.updateJob(_:durable:)`).
    @discardableResult
    func update(_ id: Int32, recording document: DocumentRecord? = nil, durable: Bool = true,
                _ change: (JobRecord) throws(IPPError) -> JobRecord) throws -> JobRecord {
        try lock.withLock { _ in
            guard let current = try store.job(id: id) else {
                throw IPPError(.clientErrorNotFound, "job \(id) does not exist")
            }
            let next = try change(current)
            if let document {
                try store.addDocument(document, updating: next)
            } else if next != current {
                try store.updateJob(next, durable: durable)
            }
            return next
        }
    }

    func insert(_ job: JobRecord) throws -> Int32 {
        let id = try lock.withLock { _ in try store.insertJob(job) }
        touch(id, at: job.createdAt)
        return id
    }

    func touch(_ id: Int32, at now: Int64) { activity.withLock { $0[id] = now } }
    func forget(_ id: Int32) { activity.withLock { $0[id] = nil } }
    func lastActivity(_ id: Int32) -> Int64? { activity.withLock { $0[id] } }
}
