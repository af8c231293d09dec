// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ippgate",
    products: [
        .executable(name: "ippgate", targets: ["ippgate"]),
        .library(name: "IPP", targets: ["IPP"]),
    ],
    targets: [
        // Pure-Swift IPP codec (RFC 8010). No Foundation, no C.
        .target(
            name: "IPP",
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),

        // C libraries from Debian, wrapped as system libraries. Only thin wrapper modules import them.
        .systemLibrary(name: "CCups", path: "Sources/CCups"),
        .systemLibrary(name: "CAvahi", path: "Sources/CAvahi", pkgConfig: "avahi-client"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),

        // libcups's own codec, used as the reference oracle in tests and as the baseline in `ippgate bench`.
        .target(name: "CupsBridge", dependencies: ["CCups", "IPP"]),

        .executableTarget(name: "ippgate", dependencies: ["IPP", "CupsBridge"]),

        // Shared by the test targets: fixture loading, annotated hex, a seeded PRNG.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "IPPTests", dependencies: ["IPP", "TestSupport"]),
        .testTarget(name: "CupsBridgeTests", dependencies: ["IPP", "CupsBridge", "TestSupport"]),
        // Runs the built binary: `swift build` makes it before the tests run.
        .testTarget(name: "CLITests", dependencies: ["IPP", "TestSupport", "ippgate"]),
    ]
)
