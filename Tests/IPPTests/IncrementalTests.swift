import Testing
import TestSupport
import IPP

@Suite struct IncrementalTests {
    static let message = hex("""
        02 00 00 02 00 00 00 2a
        01 47 00 12 "attributes-charset" 00 05 "utf-8"
           48 00 1b "attributes-natural-language" 00 02 "en"
        02 34 00 09 "media-col" 00 00
             4a 00 00 00 0a "media-type" 44 00 00 00 0a "stationery"
           37 00 00 00 00
        03
        """)
    static let document: [UInt8] = Array("%PDF-1.7 fake document".utf8)

    /// Feeds `bytes` in chunks of `size`; returns the message, document offset and the
    /// document bytes the caller would stream on.
    func feed(_ bytes: [UInt8], chunk size: Int) throws -> (Message, Int, [UInt8]) {
        var decoder = IncrementalDecoder()
        var i = 0
        while i < bytes.count {
            let chunk = bytes[i..<min(i + size, bytes.count)]
            if case let .message(m, offset, consumed) = try decoder.feed(chunk) {
                #expect(consumed <= chunk.count)
                let rest = Array(chunk.dropFirst(consumed)) + bytes[(i + chunk.count)...]
                return (m, offset, rest)
            }
            i += size
        }
        try decoder.finish()
        Issue.record("finish did not throw for an incomplete message")
        throw DecodeError(.truncated, at: bytes.count, "incomplete")
    }

    @Test func everyChunkSizeGivesTheSameMessage() throws {
        let stream = Self.message + Self.document
        for size in 1...stream.count {
            let (m, offset, rest) = try feed(stream, chunk: size)
            #expect(offset == Self.message.count)
            #expect(rest == Self.document, "chunk size \(size)")
            #expect(m.encoded() == Self.message, "chunk size \(size)")
        }
    }

    @Test func truncatedStreamFails() throws {
        for n in 0..<Self.message.count {
            var decoder = IncrementalDecoder()
            let r = try decoder.feed(Self.message[..<n])
            guard case .needMoreBytes = r else { Issue.record("complete at \(n)"); continue }
            #expect(throws: DecodeError.self) { try decoder.finish() }
        }
    }

    @Test func sizeLimitStopsBuffering() throws {
        var decoder = IncrementalDecoder(limits: DecoderLimits(maxMessageBytes: 64))
        _ = try decoder.feed(Self.message[..<40])
        #expect(throws: DecodeError.self) { _ = try decoder.feed([UInt8](repeating: 0x41, count: 100)) }
    }
}
