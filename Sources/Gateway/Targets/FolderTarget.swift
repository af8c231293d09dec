import Foundation
import IPP

/// `file:///ABS/DIR`: writes each document into DIR with a small metadata file
/// beside it, then completes the job.
///
/// Exactly once: files are written under a temporary name, fsynced and renamed, and
/// their names depend only on the job, so delivering the same job again after a crash
/// replaces the files instead of adding new ones.
public struct FolderTarget: Target {
    public let uri: String
    public let directory: String
    public var capabilities: Capabilities { .folder }

    public init(uri: String) throws {
        guard let url = URL(string: uri), url.scheme == "file", url.host == nil || url.host == "" || url.host == "localhost" else {
            throw TargetError.invalid("folder target must be file:///ABSOLUTE/DIR, not \(uri)")
        }
        let path = url.path
        guard path.hasPrefix("/") else { throw TargetError.invalid("folder target path must be absolute: \(uri)") }
        self.uri = uri
        self.directory = path
    }

    /// Creates the folder if needed.
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func deliver(_ job: DeliveryJob) -> DeliveryOutcome {
        do {
            try prepare()
            let id = job.record.id
            for doc in job.documents {
                let name = "job-\(id)-doc-\(doc.number).\(Self.fileExtension(doc.format))"
                try copyDurably(from: doc.path, to: (directory as NSString).appendingPathComponent(name))
            }
            let metadata = Self.metadata(job)
            try writeDurably(metadata, to: (directory as NSString).appendingPathComponent("job-\(id).json"))
            return .completed
        } catch {
            // A full disk or a vanished folder is worth retrying; the job waits.
            return .retry("cannot write to \(directory): \(error)")
        }
    }

    /// A folder's one supply: the free space of the file system it is on.
    public func supplies() -> [Supply] {
        var info = statvfs()
        var level: Int32 = -2 // unknown
        if statvfs(directory, &info) == 0, info.f_blocks > 0 {
            level = Int32(Double(info.f_bavail) / Double(info.f_blocks) * 100)
        }
        return [Supply(type: "other", level: level, description: "Free space for \(directory)")]
    }

    static func fileExtension(_ format: String) -> String {
        switch format {
        case "application/pdf": return "pdf"
        case "image/jpeg": return "jpg"
        case "image/pwg-raster": return "pwg"
        case "image/urf": return "urf"
        case "application/postscript": return "ps"
        case "text/plain": return "txt"
        default: return "bin"
        }
    }

    static func metadata(_ job: DeliveryJob) -> [UInt8] {
        var attributes: [String: String] = [:]
        for a in job.attributes { attributes[a.name] = a.formattedValue }
        let object: [String: Any] = [
            "job-id": Int(job.record.id),
            "job-uuid": job.record.uuid,
            "printer": job.record.printer,
            "job-name": job.record.name,
            "job-originating-user-name": job.record.user,
            "job-originating-host-name": job.record.originatingHost,
            "time-at-creation": Int(job.record.createdAt),
            "documents": job.documents.map { ["number": Int($0.number), "document-format": $0.format,
                                              "document-name": $0.name, "size": Int($0.size)] as [String: Any] },
            "attributes": attributes,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return [UInt8](data) + [0x0A]
    }

    private func copyDurably(from source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw POSIXError.current("open \(source)") }
        defer { close(input) }
        try writeAtomically(to: destination) { fd in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError.current("read \(source)")
                }
                try buffer.withUnsafeBytes { try writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    private func writeDurably(_ bytes: [UInt8], to destination: String) throws {
        try writeAtomically(to: destination) { fd in try bytes.withUnsafeBytes { try writeAll(fd, $0) } }
    }

    /// Writes to DEST.tmp, fsyncs, renames over DEST, fsyncs the folder.
    private func writeAtomically(to destination: String, _ body: (Int32) throws -> Void) throws {
        let temporary = destination + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError.current("create \(temporary)") }
        do {
            try body(fd)
            guard fsync(fd) == 0 else { throw POSIXError.current("fsync \(temporary)") }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, destination) == 0 else { throw POSIXError.current("rename \(temporary)") }
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}

func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            throw POSIXError.current("write")
        }
        offset += n
    }
}

extension POSIXError {
    static func current(_ what: String) -> Error {
        let code = errno
        return TargetError.invalid("\(what): \(String(cString: strerror(code)))")
    }
}
