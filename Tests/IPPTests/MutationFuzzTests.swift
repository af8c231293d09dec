import Testing
import TestSupport
import IPP

/// A deterministic mutation fuzz smoke test over the fixtures: thousands of damaged
/// messages, each of which must either decode and round-trip exactly, or fail with a
/// DecodeError inside the input. Never a crash, never a hang.
@Suite struct MutationFuzzTests {
    static let iterations = 6000

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))       // flip a bit
            case 1: b[i] = UInt8.random(in: 0...255, using: &rng)                  // random byte
            case 2: b[i] = [0x00, 0x03, 0x10, 0x34, 0x37, 0x4a, 0x7f, 0xff].randomElement(using: &rng)! // interesting tag
            case 3: b.remove(at: i)                                                // delete
            case 4: b.insert(UInt8.random(in: 0...255, using: &rng), at: i)        // insert
            case 5: if i + 1 < b.count { b[i] = 0xff; b[i + 1] = 0xff }            // huge length
            default: b.removeSubrange(i...)                                        // truncate
            }
        }
        return b
    }

    @Test func mutatedFixturesNeverCrash() throws {
        let seeds = Fixtures.all.map { f -> [UInt8] in
            let end = (try? Message.decode(f.bytes).documentOffset) ?? f.bytes.count
            return Array(f.bytes[..<end])
        }
        try #require(!seeds.isEmpty)
        var rng = SplitMix64(state: 20261203)
        var decoded = 0, rejected = 0
        for n in 0..<Self.iterations {
            let input = Self.mutate(seeds[n % seeds.count], &rng)
            do {
                let (message, offset) = try Message.decode(input)
                #expect(message.encoded() == Array(input[..<offset]), "iteration \(n)")
                decoded += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= input.count, "iteration \(n): \(error)")
                rejected += 1
            }
        }
        #expect(decoded + rejected == Self.iterations)
        #expect(rejected > Self.iterations / 10, "mutations should mostly break messages")
    }
}
