import Foundation
@testable import Store

/// A fresh temporary directory, removed when the test's body returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    var template = Array(((try POSIX.realPath(NSTemporaryDirectory())) + "/store-test-XXXXXX").utf8CString)
    guard let p = mkdtemp(&template) else { throw StoreError("mkdtemp failed", code: errno) }
    let dir = String(cString: p)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

func makeJob(printer: String = "p1", state: Int32 = 3, priority: Int32 = 50, user: String = "alice",
             completedAt: Int64 = 0, accepted: Bool = true) -> JobRecord {
    JobRecord(printer: printer, uuid: "urn:uuid:\(UUID().uuidString.lowercased())", state: state,
              name: "job", user: user, originatingHost: "192.0.2.1", priority: priority,
              accepted: accepted, createdAt: 1_700_000_000, completedAt: completedAt)
}

func fileExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func fileSize(_ path: String) -> Int64? {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : nil
}

func fileMode(_ path: String) -> mode_t? {
    var st = stat()
    return stat(path, &st) == 0 ? st.st_mode & 0o7777 : nil
}

/// Writes a spool file with `bytes`, commits it, and returns the document record.
func spoolDocument(_ store: StateStore, jobID: Int32, number: Int32 = 1, bytes: [UInt8],
                   format: String = "application/pdf") throws -> DocumentRecord {
    let file = try store.createSpoolFile(jobID: jobID, number: number)
    try file.write(bytes)
    try file.commit()
    return DocumentRecord(jobID: jobID, number: number, format: format, name: "doc\(number)", path: file.path, size: file.size)
}

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
