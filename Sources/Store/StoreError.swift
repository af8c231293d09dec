#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the store: a human message, the SQLite result code or errno behind it,
/// and a coarse kind that callers map to an IPP status code.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// The named object exists already (a duplicate printer name, a spool file name).
        case exists
        /// The named object does not exist (updating a missing printer or job).
        case notFound
        /// Another process held the database longer than the busy timeout.
        case busy
        /// The disk (or a quota) is full.
        case full
        /// The database file is damaged or is not an ippgate database.
        case corrupt
        /// Bad input from the caller (an id out of range, a newer schema version).
        case invalid
        /// Any other I/O or SQLite failure.
        case io
    }

    public var message: String
    /// The SQLite (extended) result code, or errno for file-system errors.
    public var code: Int32
    public var kind: Kind

    public init(_ message: String, code: Int32 = 0, kind: Kind = .io) {
        self.message = message
        self.code = code
        self.kind = kind
    }

    public var description: String { message }

    /// An error from a failed POSIX call: "<what>: <strerror(errno)>".
    static func posix(_ what: String, errno err: Int32) -> StoreError {
        let kind: Kind
        switch err {
        case EEXIST: kind = .exists
        case ENOENT: kind = .notFound
        case ENOSPC, EDQUOT: kind = .full
        default: kind = .io
        }
        return StoreError("\(what): \(String(cString: strerror(err)))", code: err, kind: kind)
    }
}
