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
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // libcups's own codec, used as the reference oracle in tests and as the baseline in `ippgate bench`.
        .target(name: "CupsBridge", dependencies: ["CCups", "IPP"]),

        // The durable printer and job store: SQLite (WAL, synchronous=FULL) + spool files.
        .target(name: "Store", dependencies: ["CSQLite", "IPP"]),

        // HTTP/IPP server on libcups's http_t: one thread per connection.
        .target(name: "Transport", dependencies: ["CCups", "IPP"]),

        // The gateway core: operations, printers, jobs, targets. Never touches sockets or SQL directly.
        .target(name: "Gateway", dependencies: ["IPP", "Store", "Transport", "CupsBridge", "CZlib"]),

        .executableTarget(name: "ippgate", dependencies: ["IPP", "CupsBridge", "Gateway", "Store", "Transport"]),

        // Shared by the test targets: fixture loading, annotated hex, a seeded PRNG.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "IPPTests", dependencies: ["IPP", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "IPP"]),
        .testTarget(name: "CupsBridgeTests", dependencies: ["IPP", "CupsBridge", "TestSupport"]),
        // Starts HTTPServer on 127.0.0.1 and talks to it with libcups and raw sockets.
        .testTarget(name: "TransportTests", dependencies: ["Transport", "IPP", "CCups", "TestSupport"]),
        // Runs the built binary: `swift build` makes it before the tests run.
        .testTarget(name: "GatewayUnitTests", dependencies: ["Gateway", "Store", "IPP", "TestSupport", "Transport", "CupsBridge"]),
        // Real peers: the ippgate binary, lp/lpstat, ipptool.
        .testTarget(name: "GatewayTests", dependencies: ["IPP", "CupsBridge", "Gateway", "Store", "TestSupport", "ippgate"]),
        .testTarget(name: "CLITests", dependencies: ["IPP", "TestSupport", "ippgate"]),
    ]
)
