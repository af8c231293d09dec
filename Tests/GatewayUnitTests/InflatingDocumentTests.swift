import Foundation
@testable import Gateway
import Testing
import TestSupport
import Transport

/// Hands out its bytes in reads of at most `step` bytes, as a slow connection does.
final class BytesSource: DocumentSource {
    let bytes: [UInt8]
    let step: Int
    var offset = 0
    init(_ bytes: [UInt8], step: Int = 1000) { self.bytes = bytes; self.step = step }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(step, buffer.count, bytes.count - offset)
        buffer.copyBytes(from: bytes[offset..<(offset + n)])
        offset += n
        return n
    }
}

@Suite struct InflatingDocumentTests {
    /// The document, compressed by Python's zlib (another implementation than the reader's
    /// use of it): "gzip" (RFC 1952), "raw" (RFC 1951) or "zlib" (RFC 1950).
    static func compressed(_ bytes: [UInt8], _ kind: String) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory
        let name = "ippgate-inflate-\(UUID().uuidString)-\(kind)"
        let input = dir.appendingPathComponent(name + ".in")
        let output = dir.appendingPathComponent(name + ".out")
        try Data(bytes).write(to: input)
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: output) }
        let code = """
            import gzip, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            kind = sys.argv[3]
            if kind == 'gzip': out = gzip.compress(data)
            elif kind == 'zlib': out = zlib.compress(data)
            else:
                c = zlib.compressobj(9, zlib.DEFLATED, -15); out = c.compress(data) + c.flush()
            open(sys.argv[2], 'wb').write(out)
            """
        let run = try runCommand("python3", ["-c", code, input.path, output.path, kind])
        #expect(run.status == 0, "\(run.output)")
        return [UInt8](try Data(contentsOf: output))
    }

    func inflate(_ source: DocumentSource, _ compression: InflatingDocument.Compression, chunk: Int = 777) throws -> [UInt8] {
        let reader = InflatingDocument(source, compression)
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try reader.read(into: buffer)
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    static let document: [UInt8] = {
        var rng = SplitMix64(state: 7)
        // Compressible (text) and incompressible (random) parts, 600 KB in all.
        return Array(String(repeating: "ippgate inflates what it is sent. ", count: 10_000).utf8)
            + (0..<260_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }()

    @Test(arguments: [("gzip", InflatingDocument.Compression.gzip), ("raw", .deflate), ("zlib", .deflate)])
    func inflatesWhatOthersCompressed(kind: String, compression: InflatingDocument.Compression) throws {
        let packed = try Self.compressed(Self.document, kind)
        #expect(packed.count < Self.document.count)
        #expect(try inflate(BytesSource(packed), compression) == Self.document)
        #expect(try inflate(BytesSource(packed, step: 1), compression, chunk: 1 << 16) == Self.document, "one byte at a time")
    }

    @Test func anEmptyDocumentIsEmpty() throws {
        #expect(try inflate(BytesSource([]), .gzip).isEmpty)
    }

    @Test func aCutOrCorruptStreamIsAnError() throws {
        let packed = try Self.compressed(Self.document, "gzip")
        #expect(throws: InflatingDocument.Failure.truncated) { try inflate(BytesSource(Array(packed[..<(packed.count / 2)])), .gzip) }
        var corrupt = packed
        corrupt[0] = 0x00  // not a gzip header
        #expect(throws: InflatingDocument.Failure.self) { try inflate(BytesSource(corrupt), .gzip) }
        #expect(throws: InflatingDocument.Failure.self) { try inflate(BytesSource(Array("plain text, not deflate at all".utf8)), .deflate) }
    }
}
