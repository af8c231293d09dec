import Transport

/// Auto-typing of documents sent as application/octet-stream (or with no
/// document-format): ippgate looks at the first bytes, as CUPS does, so that a device
/// that lists only real formats still gets the document with its true format, and a
/// document no device of this printer can take is refused before it is accepted.
enum DocumentFormatDetection {
    static let octetStream = "application/octet-stream"
    /// How many leading bytes are looked at.
    static let prefixLength = 4096

    /// The format the leading bytes show, or nil when they show none ippgate knows.
    static func detect(_ prefix: UnsafeRawBufferPointer) -> String? {
        func starts(_ magic: [UInt8]) -> Bool { prefix.count >= magic.count && zip(prefix, magic).allSatisfy { $0 == $1 } }
        func starts(_ text: String) -> Bool { starts(Array(text.utf8)) }
        if starts("%PDF-") { return "application/pdf" }
        if starts("%!") || starts([0x04, 0x25, 0x21]) { return "application/postscript" }  // ^D%! from some Windows drivers
        if starts("RaS2") { return "image/pwg-raster" }
        if starts("UNIRAST") { return "image/urf" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0x1B, 0x45]) || starts([0x1B, 0x25, 0x2D, 0x31, 0x32, 0x33, 0x34, 0x35, 0x58]) {
            return "application/vnd.hp-pcl"  // ESC E (reset) or ESC %-12345X (PJL)
        }
        return isText(prefix) ? "text/plain" : nil
    }

    /// UTF-8 (or ASCII) text with no control characters but tab, newline, carriage return,
    /// form feed and escape; a multi-byte character cut by the end of the prefix is allowed.
    static func isText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return false }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 && ![0x09, 0x0A, 0x0C, 0x0D, 0x1B].contains(b) { return false }
                if b == 0x7F { return false }
                i += 1
                continue
            }
            let length = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0
            guard length > 0, b < 0xF5 else { return false }
            for k in 1..<length {
                if i + k >= bytes.count { return true }  // cut by the prefix's end
                guard bytes[i + k] & 0xC0 == 0x80 else { return false }
            }
            i += length
        }
        return true
    }

    /// The format to print a document as: the one the client named, or for
    /// application/octet-stream the detected one when the device takes it, else
    /// octet-stream itself when the device takes that (and types it itself). Nil: the
    /// device can take neither.
    static func formatToPrint(supplied: String, detected: String?, deviceFormats: [String]) -> String? {
        guard supplied == octetStream else { return supplied }
        if let detected, deviceFormats.contains(detected) { return detected }
        return deviceFormats.contains(octetStream) ? octetStream : nil
    }
}

extension Capabilities {
    /// What the ippgate printer accepts: the device's formats, and application/octet-stream
    /// always (ippgate types such a document itself).
    var formatsAccepted: [String] {
        documentFormats.contains(DocumentFormatDetection.octetStream) ? documentFormats
            : documentFormats + [DocumentFormatDetection.octetStream]
    }
}

/// A document stream whose first bytes can be looked at before it is read: they are
/// read ahead into a buffer of its own and handed out again first.
final class PeekingDocument: DocumentSource {
    private let inner: DocumentSource
    private var head: [UInt8] = []
    private var served = 0

    /// Reads up to `count` bytes ahead (fewer only if the document ends first).
    init(_ inner: DocumentSource, peeking count: Int) throws {
        self.inner = inner
        head = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try head.withUnsafeMutableBytes { try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        head.removeSubrange(filled...)
    }

    /// The bytes read ahead.
    func withPrefix<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try head.withUnsafeBytes(body) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard served < head.count else { return try inner.read(into: buffer) }
        let n = min(buffer.count, head.count - served)
        head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + served, byteCount: n) }
        served += n
        return n
    }

    var remainingLength: Int? { inner.remainingLength.map { $0 + head.count - served } }
}
