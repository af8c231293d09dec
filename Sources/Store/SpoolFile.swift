#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A document's spool file while it is being written. Used by one thread at a time.
///
/// Write the document with `write`, then `commit` (fsync of the file and of the spool
/// directory) before recording it with `StateStore.addDocument`. `abandon` closes and
/// removes it. A spool file dropped without `commit` or `abandon` is abandoned (removed):
/// a file that was never committed holds no job's document.
public final class SpoolFile {
    public let path: String
    /// Bytes written so far.
    public private(set) var size: Int64 = 0
    private let directory: String
    private var fd: Int32
    private var state: State = .open

    private enum State { case open, committed, abandoned, failed }

    /// Creates the file with O_CREAT|O_EXCL, mode 0600.
    init(path: String, directory: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.posix("cannot create spool file \(path)", errno: errno) }
        self.path = path
        self.directory = directory
        self.fd = fd
    }

    deinit {
        if state == .open || state == .failed { abandon() }
    }

    /// Appends bytes (write(2), retried on EINTR and short writes).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard state == .open else { throw StoreError("spool file \(path) is already \(state == .committed ? "committed" : "closed")", kind: .invalid) }
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            #if canImport(Darwin)
            let n = Darwin.write(fd, p, left)
            #elseif canImport(Musl)
            let n = Musl.write(fd, p, left)
            #else
            let n = Glibc.write(fd, p, left)
            #endif
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                throw StoreError.posix("cannot write spool file \(path)", errno: err)
            }
            p += n
            left -= n
            size += Int64(n)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Makes the file durable: fsync of the file, close, then fsync of the spool directory
    /// (so the file's name survives a power loss too). After a failure the file is closed
    /// and should be abandoned: its contents on disk are unknown.
    public func commit() throws {
        guard state == .open else { throw StoreError("spool file \(path) is already \(state == .committed ? "committed" : "closed")", kind: .invalid) }
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
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if state != .abandoned {
            unlink(path)
            state = .abandoned
        }
    }
}
