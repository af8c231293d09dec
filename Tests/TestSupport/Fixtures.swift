import Foundation

/// The real captured messages in fixtures/ipp (see fixtures/ipp/README.md).
enum Fixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/ipp")

    /// (file name, bytes) for every fixture, sorted by name.
    static let all: [(name: String, bytes: [UInt8])] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".ipp") }.sorted().map { name in
            (name, [UInt8](FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)!))
        }
    }()
}

/// A small deterministic PRNG (SplitMix64), so fuzz smoke runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
