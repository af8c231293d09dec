import Testing
import TestSupport
import IPP

/// Properties that must hold on every real captured message.
@Suite struct FixtureTests {
    @Test func thereAreEnoughFixtures() {
        #expect(Fixtures.all.count >= 60)
        #expect(Fixtures.all.contains { $0.name.contains("request") })
        #expect(Fixtures.all.contains { $0.name.contains("response") })
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func roundTripIsByteIdentical(name: String) throws {
        let bytes = Fixtures.all.first { $0.name == name }!.bytes
        let (message, offset) = try Message.decode(bytes)
        #expect(message.encoded() == Array(bytes[..<offset]))
        #expect(message.encodedSize == offset)
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func everyPrefixFailsCleanly(name: String) throws {
        let bytes = Fixtures.all.first { $0.name == name }!.bytes
        let (_, end) = try Message.decode(bytes)
        let attributes = Array(bytes[..<end])
        for n in 0..<end {
            do {
                _ = try Message.decode(Array(attributes[..<n]))
                Issue.record("prefix of \(n) bytes decoded without error")
            } catch {
                #expect(error.kind == .truncated, "prefix \(n): \(error)")
                #expect(error.offset <= n)
            }
        }
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func everyChunkSizeGivesTheSameMessage(name: String) throws {
        let bytes = Fixtures.all.first { $0.name == name }!.bytes
        let (message, end) = try Message.decode(bytes)
        let expected = message.encoded()
        // Every chunk size up to the whole attribute section (and one past it).
        for size in 1...(end + 1) {
            var decoder = IncrementalDecoder()
            var i = 0
            var done = false
            while i < bytes.count && !done {
                let chunk = bytes[i..<min(i + size, bytes.count)]
                if case let .message(m, offset, consumed) = try decoder.feed(chunk) {
                    #expect(offset == end)
                    #expect(i + consumed == end, "chunk size \(size)")
                    #expect(m.encoded() == expected, "chunk size \(size)")
                    done = true
                }
                i += size
            }
            #expect(done, "chunk size \(size): message never completed")
        }
    }
}
