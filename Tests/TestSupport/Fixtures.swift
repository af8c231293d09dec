import Foundation

/// The real captured messages in fixtures/ipp (see fixtures/ipp/README.md).
public enum Fixtures {
    /// fixtures/ipp in the repository (IPPGATE_FIXTURES overrides, for trying new captures).
    public static let directory: URL = ProcessInfo.processInfo.environment["IPPGATE_FIXTURES"].map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/ipp")

    /// (file name, bytes) for every fixture, sorted by name.
    public static let all: [(name: String, bytes: [UInt8])] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".ipp") }.sorted().map { name in
            (name, [UInt8](FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)!))
        }
    }()
}

/// A small deterministic PRNG (SplitMix64), so fuzz smoke runs are reproducible.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
