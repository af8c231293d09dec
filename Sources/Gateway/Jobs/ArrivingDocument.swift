import CupsBridge
import Foundation
import Store
import Synchronization

/// A job's only document while it is still arriving from its client, so that a target
/// can forward it as it arrives ("cut-through") instead of after the last byte.
///
/// The connection thread writes the spool file a chunk at a time (`SpoolFile`) and hands
/// each written chunk here (`add`); the last few stay in memory, so a reader keeping up
/// takes them from memory and one that falls behind reads the file. After `commit` the
/// thread calls `advance` for the tail; once the job is accepted, `finish`; if the upload
/// breaks, `fail`. A reader never runs ahead of what was written and gets the document's
/// last byte only after `finish`: a target cannot complete a job, and the printer cannot
/// have the whole document, before ippgate has durably accepted it.
///
/// Only a document whose length is known (the client's Content-Length) arrives this way,
/// and it is sent on with that length: a conforming printer that loses the connection
/// mid-document (ippgate crashed) sees a short body, an error. Sent chunked, a cut looked
/// like the end to ippeveprinter, which printed the truncated document every time (with
/// a length it did so once, under load; see docs/ARCHITECTURE.md).
public final class ArrivingDocument: @unchecked Sendable {
    // Invariant: `written`, `window` and `end` are read and written only under `condition`.
    public let jobID: Int32
    public let format: String
    public let path: String
    /// The document's length, as its client declared it.
    public let length: Int64
    private let condition = NSCondition()
    private var written: Int64 = 0
    /// The most recent chunks, in order; at most `windowChunks`.
    private var window: [SpoolChunk] = []
    private var end: End? = nil
    private var yieldedFlag = false

    /// Chunks kept in memory per document (1 MiB each).
    static let windowChunks = 8

    /// Seconds a forwarding may spend waiting for its client, in all, before it gives way
    /// to other jobs (see `shouldYield`).
    let patience: Double
    /// Asked once the reader has waited `patience` seconds for the client: true when other
    /// jobs are waiting for the printer. A slow client then does not hold the printer:
    /// the forwarding stops (the device's job is canceled) and the job is forwarded once
    /// its document is whole. Set by the engine before the delivery (`yield(when:)`).
    private var shouldYield: @Sendable () -> Bool = { false }

    func yield(when othersWait: @escaping @Sendable () -> Bool) {
        condition.lock(); shouldYield = othersWait; condition.unlock()
    }

    private enum End { case finished, failed(String), canceled }

    init(jobID: Int32, format: String, path: String, length: Int64, patience: Double = 2) {
        self.length = length
        self.patience = patience
        self.jobID = jobID
        self.format = format
        self.path = path
    }

    /// A chunk is in the file.
    func add(_ chunk: SpoolChunk) {
        condition.lock()
        defer { condition.unlock() }
        window.append(chunk)
        if window.count > Self.windowChunks { window.removeFirst() }
        written = max(written, chunk.end)
        condition.broadcast()
    }

    /// `total` bytes are in the file now.
    func advance(to total: Int64) {
        condition.lock()
        if total > written { written = total; condition.broadcast() }
        condition.unlock()
    }

    func finish() { settle(.finished) }

    func fail(_ why: String) { settle(.failed(why)) }

    /// The job was canceled while its document arrives: the forwarding stops now (and
    /// cancels the printer's job), not when the upload ends.
    func cancel() { settle(.canceled) }

    private func settle(_ outcome: End) {
        condition.lock()
        if end == nil { end = outcome }
        window = []
        condition.broadcast()
        condition.unlock()
    }

    /// True once a forwarding gave way to other jobs: it is not forwarded while it arrives again.
    public var yielded: Bool {
        condition.lock(); defer { condition.unlock() }
        return yieldedFlag
    }

    /// Why the upload broke (or that the job was canceled); nil while it goes on and after it finished.
    public var failure: String? {
        condition.lock(); defer { condition.unlock() }
        switch end {
        case .failed(let why): return why
        case .canceled: return "the job was canceled"
        default: return nil
        }
    }

    /// Where the bytes at `offset` can be read from.
    fileprivate enum Piece {
        case end
        /// A chunk, readable up to `visible`.
        case memory(SpoolChunk, visible: Int64)
        /// The file, up to this offset.
        case file(upTo: Int64)
    }

    /// Blocks until there are bytes beyond `offset` or the document has ended. A reader that
    /// has waited `patience` seconds in all (counted in `waited`) gives way when
    /// `shouldYield` says so, and throws.
    fileprivate func piece(at offset: Int64, waited: inout Double) throws -> Piece {
        condition.lock(); defer { condition.unlock() }
        while true {
            if case .failed(let why) = end { throw SourceError("the client's upload broke: \(why)") }
            if case .canceled = end { throw SourceError("the job was canceled") }
            var visible = written
            if end == nil { visible = min(visible, length - 1) } // the last byte waits for `finish`
            if visible > offset {
                if let chunk = window.first(where: { $0.offset <= offset && offset < $0.end }) { return .memory(chunk, visible: visible) }
                let windowStart = window.first?.offset ?? written
                return .file(upTo: offset < windowStart ? windowStart : visible)
            }
            if case .finished = end { return .end }
            let started = DispatchTime.now().uptimeNanoseconds
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.25))
            waited += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if waited >= patience && end == nil && written <= offset {
                let check = shouldYield
                condition.unlock()
                let give = check()
                condition.lock()
                if give {
                    yieldedFlag = true
                    throw SourceError("the client is slow and other jobs are waiting: forwarded once whole")
                }
                waited = 0 // asked again after another `patience`
            }
        }
    }

    /// A reader from the start of the document (each delivery attempt takes a new one).
    public func reader() -> any OutgoingDocument { Reader(self) }

    private final class Reader: OutgoingDocument {
        var length: Int? { Int(document.length) }
        let document: ArrivingDocument
        /// Opened when first needed: a reader that keeps up never reads the file, and one
        /// made just as the upload broke learns that from `piece`, not from a missing file.
        var file: FileReader? = nil
        var offset: Int64 = 0
        var waited = 0.0

        init(_ document: ArrivingDocument) { self.document = document }

        func ready() throws {
            _ = try document.piece(at: offset, waited: &waited)
        }

        /// The chunk the last `next` pointed into: held so that its buffer is not reused meanwhile.
        var lent: SpoolChunk? = nil

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let piece = try next(buffer)
            if let base = piece.baseAddress, base != UnsafeRawPointer(buffer.baseAddress) {
                buffer.baseAddress!.copyMemory(from: base, byteCount: piece.count)
            }
            return piece.count
        }

        /// A chunk still in memory is lent, not copied (a tenth of the forwarding's CPU).
        func next(_ buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
            lent = nil
            let piece: UnsafeRawBufferPointer
            switch try document.piece(at: offset, waited: &waited) {
            case .end:
                return UnsafeRawBufferPointer(start: nil, count: 0)
            case .memory(let chunk, let visible):
                // Chunks are immutable once added: lent without the lock.
                let start = Int(offset - chunk.offset)
                let n = min(buffer.count, Int(min(chunk.end, visible) - offset))
                piece = UnsafeRawBufferPointer(start: chunk.bytes.baseAddress! + start, count: n)
                lent = chunk
            case .file(let limit):
                if file == nil { file = try FileReader(path: document.path) }
                let n = try file!.read(into: buffer, at: offset, limit: Int(min(limit - offset, Int64(buffer.count))))
                if n == 0 { throw SourceError("\(document.path) is shorter than what was written") }
                piece = UnsafeRawBufferPointer(rebasing: buffer[..<n])
            }
            offset += Int64(piece.count)
            return piece
        }
    }
}

/// The documents being forwarded while they arrive, by job id.
final class ArrivingDocuments: Sendable {
    private let table = Mutex<[Int32: ArrivingDocument]>([:])

    func add(_ d: ArrivingDocument) { table.withLock { $0[d.jobID] = d } }
    func remove(_ jobID: Int32) { table.withLock { $0[jobID] = nil } }
    subscript(jobID: Int32) -> ArrivingDocument? { table.withLock { $0[jobID] } }
}
