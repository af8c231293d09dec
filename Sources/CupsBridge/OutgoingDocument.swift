import Glibc

/// Where a request's document comes from, read piece by piece so that it is never held
/// whole (`IPPClient.send(_:document:)`).
public protocol OutgoingDocument: AnyObject {
    /// The length in bytes if it is known before sending (sent as Content-Length);
    /// nil sends the document chunked.
    var length: Int? { get }
    /// Fills the front of `buffer`; returns how many bytes, 0 at the end. Throws when the
    /// document cannot be had whole: the request is then abandoned before its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// The next bytes, at most `buffer.count`: read into `buffer`, or, where the source
    /// holds them in memory already, pointing there (valid until the next call), which
    /// saves copying them. Empty at the end; throws like `read(into:)`.
    func next(_ buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer
    /// Blocks until the first bytes can be read (a document still arriving), or throws
    /// like `read(into:)`. Called before the request goes out, so that a server is not
    /// left holding a request whose body has not begun.
    func ready() throws
}

extension OutgoingDocument {
    public func ready() throws {}

    public func next(_ buffer: UnsafeMutableRawBufferPointer) throws -> UnsafeRawBufferPointer {
        let n = try read(into: buffer)
        return UnsafeRawBufferPointer(rebasing: buffer[..<n])
    }
}

/// A file, read from its start.
public final class FileDocument: OutgoingDocument {
    public let length: Int?
    private let file: FileReader
    private var offset: Int64 = 0

    public init(path: String) throws {
        var info = stat()
        // Only a file of a chunk or more was written with O_DIRECT (SpoolFile); a smaller
        // one went through the page cache and is best read from there.
        let large = stat(path, &info) == 0 && info.st_size >= 1 << 20
        file = try FileReader(path: path, direct: large)
        length = Int(file.size)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try file.read(into: buffer, at: offset, limit: buffer.count)
        offset += Int64(n)
        return n
    }
}

/// Reads a file by offset, with O_DIRECT where the offset, the length and the buffer's
/// address are block-aligned, through the page cache otherwise. Spool files are written
/// with O_DIRECT and read once: reading them into the page cache would cost the copying
/// that writing them without it saved (see `SpoolFile`).
public final class FileReader {
    public let path: String
    private let fd: Int32
    private var directFD: Int32
    static let alignment = 4096

    /// - Parameter direct: read aligned ranges with O_DIRECT (false: always the page cache).
    public init(path: String, direct: Bool = true) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.fd = fd
        self.directFD = Self.oDirect == 0 || !direct ? -1 : open(path, O_RDONLY | O_CLOEXEC | Self.oDirect)
    }

    deinit {
        close(fd)
        if directFD >= 0 { close(directFD) }
    }

    /// The file's current size.
    public var size: Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Reads up to `limit` bytes (at most `buffer.count`) at `offset`; 0 at the end.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, limit: Int) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        let limit = min(limit, buffer.count)
        let whole = limit - limit % Self.alignment
        let aligned = directFD >= 0 && whole > 0 && offset % Int64(Self.alignment) == 0
            && Int(bitPattern: base) % Self.alignment == 0
        var direct = aligned
        while true {
            let n = direct ? pread(directFD, base, whole, off_t(offset)) : pread(fd, base, limit, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EINVAL && direct {
                // The file system opened it with O_DIRECT but will not read that way.
                close(directFD)
                directFD = -1
                direct = false
                continue
            }
            throw SourceError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// O_DIRECT (Glibc's module map hides it behind _GNU_SOURCE); its value is per
    /// architecture. Also in Store/SpoolFile.swift: the two modules share no dependency to hold it.
    #if os(Linux) && arch(x86_64)
    static let oDirect: Int32 = 0o40000
    #elseif os(Linux) && (arch(arm64) || arch(arm))
    static let oDirect: Int32 = 0o200000
    #else
    static let oDirect: Int32 = 0
    #endif
}

/// Why a document source failed.
public struct SourceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
