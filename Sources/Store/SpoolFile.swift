import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A document's spool file while it is being written. Its API is used by one thread at
/// a time.
///
/// Write the document with `append` or `write`, then `commit` (fsync of the file and of
/// the spool directory) before recording it with `StateStore.addDocument`. `abandon`
/// closes and removes it. A spool file dropped without `commit` or `abandon` is abandoned
/// (removed): a file that was never committed holds no job's document.
///
/// How bytes reach the disk, and why: they are staged in block-aligned 1 MiB chunks,
/// and each full chunk is written with O_DIRECT where the file system allows it, by a
/// writer thread of the file's own, so that receiving the next chunk overlaps writing
/// the last one. A spooled document is read once, so putting it in the page cache only
/// costs: measured here, a buffered write of 100 MB spent 50–210 ms of kernel CPU copying
/// into fresh page-cache pages, an O_DIRECT one 30 ms. The tail (less than a chunk) is
/// written at `commit`, through the page cache. A document under 1 MiB is written whole
/// at `commit` and never starts a thread.
public final class SpoolFile {
    public let path: String
    /// Bytes appended so far.
    public private(set) var size: Int64 = 0
    private let directory: String
    private var fd: Int32
    private var staging: SpoolChunk? = nil
    private var writer: ChunkWriter? = nil
    private var state: State = .open
    /// Called, on the writer thread, with each full chunk once it is in the file; the
    /// chunk is then the callee's (a reader forwarding the document keeps recent ones).
    /// Set it before the first `append`.
    public var onChunkWritten: (@Sendable (SpoolChunk) -> Void)? = nil

    /// Bytes per chunk; a multiple of the block size O_DIRECT needs.
    public static let stagingSize = 1 << 20
    public static let alignment = 4096
    /// Full chunks that may wait for the writer before `append` waits for it.
    static let queueLimit = 4

    private enum State { case open, committed, abandoned, failed }

    /// Creates the file with O_CREAT|O_EXCL, mode 0600.
    init(path: String, directory: String) throws {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var fd = open(path, flags | Self.oDirect, 0o600)
        if fd < 0 && errno == EINVAL {  // the file system has no O_DIRECT (tmpfs)
            fd = open(path, flags, 0o600)
        }
        guard fd >= 0 else { throw StoreError.posix("cannot create spool file \(path)", errno: errno) }
        self.path = path
        self.directory = directory
        self.fd = fd
    }

    deinit {
        if state == .open || state == .failed { abandon() }
    }

    /// Lets `fill` put bytes straight into the free part of the staging chunk (no extra
    /// copy) and appends what it put there. Returns `fill`'s count; 0 means `fill` had none.
    @discardableResult
    public func append(_ fill: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        try checkOpen()
        let chunk = staging ?? SpoolChunk(offset: size, capacity: Self.stagingSize)
        staging = chunk
        let n = try fill(UnsafeMutableRawBufferPointer(rebasing: chunk.bytes[chunk.count...]))
        precondition(n >= 0 && n <= chunk.bytes.count - chunk.count, "append: fill reported \(n) bytes")
        chunk.count += n
        size += Int64(n)
        if chunk.count == chunk.bytes.count {
            staging = nil
            if writer == nil { writer = ChunkWriter(fd: fd, path: path, onWritten: onChunkWritten) }
            do { try writer!.enqueue(chunk) } catch {
                state = .failed
                throw error
            }
        }
        return n
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try checkOpen()
        var rest = bytes
        while !rest.isEmpty {
            let n = try append { free in
                let n = min(free.count, rest.count)
                free.baseAddress!.copyMemory(from: rest.baseAddress!, byteCount: n)
                return n
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Makes the file durable: the chunks written, then the tail, fsync of the file,
    /// close, then fsync of the spool directory (so the file's name survives a power loss
    /// too). After a failure the file is closed and should be abandoned: its contents are
    /// unknown.
    public func commit() throws {
        try checkOpen()
        do {
            try writer?.finish()
            writer = nil
            if let tail = staging, tail.count > 0 {
                // O_DIRECT needs whole blocks: the tail goes through the page cache.
                try Self.leaveDirect(fd, path)
                try Self.writeFully(fd, tail.bytes.baseAddress!, tail.count, at: tail.offset, path: path)
            }
            staging = nil
        } catch {
            state = .failed
            throw error
        }
        while fsync(fd) != 0 {
            let err = errno
            if err == EINTR { continue }
            // After a failed fsync the page cache may have dropped the dirty pages:
            // retrying would falsely succeed, so the file is given up.
            close(fd)
            fd = -1
            state = .failed
            throw StoreError.posix("cannot sync spool file \(path)", errno: err)
        }
        let rc = close(fd)
        let closeErr = errno
        fd = -1
        if rc != 0 && closeErr != EINTR {
            state = .failed
            throw StoreError.posix("cannot close spool file \(path)", errno: closeErr)
        }
        do {
            try POSIX.syncDirectory(directory)
        } catch {
            state = .failed
            throw error
        }
        state = .committed
    }

    /// Closes and removes the file. Harmless to call twice; after `commit` it removes the
    /// committed file (use it when recording the document failed).
    public func abandon() {
        writer?.cancel()
        writer = nil
        staging = nil
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if state != .abandoned {
            unlink(path)
            state = .abandoned
        }
    }

    private func checkOpen() throws {
        guard state == .open else {
            throw StoreError("spool file \(path) is already \(state == .committed ? "committed" : "closed")", kind: .invalid)
        }
    }

    /// pwrite(2) of all `count` bytes, retried on EINTR and short writes. A file system
    /// that accepted O_DIRECT at open but refuses a write with it is written without.
    static func writeFully(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at offset: Int64, path: String) throws {
        var p = bytes
        var left = count
        var at = offset
        while left > 0 {
            let n = pwrite(fd, p, left, off_t(at))
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                if err == EINVAL, (fcntl(fd, F_GETFL) & oDirect) != 0 { try leaveDirect(fd, path); continue }
                throw StoreError.posix("cannot write spool file \(path)", errno: err)
            }
            p += n
            left -= n
            at += Int64(n)
        }
    }

    static func leaveDirect(_ fd: Int32, _ path: String) throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { throw StoreError.posix("cannot read the flags of spool file \(path)", errno: errno) }
        if flags & oDirect == 0 { return }
        guard fcntl(fd, F_SETFL, flags & ~oDirect) == 0 else {
            throw StoreError.posix("cannot clear O_DIRECT on spool file \(path)", errno: errno)
        }
    }

    /// O_DIRECT (Glibc's module map hides it behind _GNU_SOURCE); its value is per
    /// architecture. Also in CupsBridge/OutgoingDocument.swift (FileReader): the two modules share no dependency to hold it.
    #if os(Linux) && arch(x86_64)
    static let oDirect: Int32 = 0o40000
    #elseif os(Linux) && (arch(arm64) || arch(arm))
    static let oDirect: Int32 = 0o200000
    #else
    static let oDirect: Int32 = 0
    #endif
}

/// Up to `SpoolFile.stagingSize` bytes of a document at `offset`, in a block-aligned
/// buffer freed with the chunk. Immutable once full.
public final class SpoolChunk: @unchecked Sendable {
    public let bytes: UnsafeMutableRawBufferPointer
    public let offset: Int64
    public fileprivate(set) var count = 0

    init(offset: Int64, capacity: Int) {
        self.offset = offset
        self.bytes = capacity == SpoolFile.stagingSize
            ? Self.pool.withLock { $0.popLast() } ?? Self.allocate(capacity)
            : Self.allocate(capacity)
    }

    deinit {
        let kept = bytes.count == SpoolFile.stagingSize && Self.pool.withLock { free in
            guard free.count < Self.poolLimit else { return false }
            free.append(bytes)
            return true
        }
        if !kept { bytes.deallocate() }
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: SpoolFile.alignment)
    }

    /// Buffers of freed chunks, reused: a fresh 1 MiB buffer is fresh pages, and faulting
    /// them in cost a fifth of the gateway's CPU while forwarding a large document.
    private static let pool = Mutex<[UnsafeMutableRawBufferPointer]>([])
    static let poolLimit = 16

    /// Offset just past the chunk's bytes.
    public var end: Int64 { offset + Int64(count) }
}

/// A spool file's writer thread: writes full chunks in order, at most
/// `SpoolFile.queueLimit` waiting. The first error stops it and is raised to the file.
private final class ChunkWriter: @unchecked Sendable {
    // Invariant: `queue`, `failure`, `closing` and `busy` change only under `condition`.
    private let condition = NSCondition()
    private var queue: [SpoolChunk] = []
    private var busy = false
    private var failure: Error? = nil
    private var closing = false
    private let fd: Int32
    private let path: String
    private let onWritten: (@Sendable (SpoolChunk) -> Void)?

    init(fd: Int32, path: String, onWritten: (@Sendable (SpoolChunk) -> Void)?) {
        self.fd = fd
        self.path = path
        self.onWritten = onWritten
        let thread = Thread { [self] in run() }
        thread.name = "spool writer"
        thread.start()
    }

    func enqueue(_ chunk: SpoolChunk) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= SpoolFile.queueLimit && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(chunk)
        condition.broadcast()
    }

    /// Waits until every queued chunk is written, then stops the thread.
    func finish() throws {
        condition.lock()
        defer { condition.unlock() }
        while (!queue.isEmpty || busy) && failure == nil { condition.wait() }
        closing = true
        condition.broadcast()
        if let failure { throw failure }
    }

    /// Stops the thread without writing what waits (the file is being removed).
    func cancel() {
        condition.lock()
        queue = []
        closing = true
        condition.broadcast()
        while busy { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closing { condition.wait() }
            if queue.isEmpty || failure != nil {
                condition.unlock()
                return
            }
            let chunk = queue.removeFirst()
            busy = true
            condition.unlock()
            var error: Error? = nil
            do { try SpoolFile.writeFully(fd, chunk.bytes.baseAddress!, chunk.count, at: chunk.offset, path: path) } catch let e { error = e }
            if error == nil { onWritten?(chunk) }
            condition.lock()
            busy = false
            if let error { failure = error }
            condition.broadcast()
            condition.unlock()
        }
    }
}
