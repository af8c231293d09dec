import Foundation
import Testing
import TestSupport

/// ipptool's conformance suites, run fully (scripts/conformance.sh: every document and
/// PWG raster sample generated, the one typo corrected) against an ippgate printer with
/// a folder target. Not one FAIL is allowed.
@Suite(.serialized) struct ConformanceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/conformance.sh").path

    @Test(arguments: ["ipp-1.1", "ipp-2.0", "ipp-everywhere"])
    func suitePassesWithNoFailure(suite: String) throws {
        let server = try GatewayServer().start()
        let out = server.state.appendingPathComponent("conformance").path
        let run = try runCommand("/bin/bash", [Self.script, server.uri, suite], environment: ["CONFORMANCE_OUT": out])
        let summary = run.output.split(separator: "\n").filter { $0.hasPrefix("\(suite):") || $0.contains("FAIL ") }
        #expect(run.status == 0, "\(summary.joined(separator: "\n"))\n\(run.output.suffix(3000))")
        // The suite ran to its end: a PASS count, and FAIL 0.
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("\(suite): PASS") })
        #expect(line.contains("FAIL 0"), "\(line)")
        let passed = Int(line.split(separator: " ")[2]) ?? 0
        #expect(passed >= 40, "\(line)")
    }

    /// The same suites against an ippgate printer forwarding to ippeveprinter: ippgate
    /// queues where ippeveprinter alone answers Create-Job with server-error-busy.
    @Test(arguments: ["ipp-1.1", "ipp-2.0", "ipp-everywhere"])
    func suitePassesThroughTheGateway(suite: String) throws {
        let eve = try EvePrinter.start(formats: ["application/pdf", "image/pwg-raster", "image/jpeg"])
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let out = server.state.appendingPathComponent("conformance").path
        let run = try runCommand("/bin/bash", [Self.script, server.uri("eve"), suite], environment: ["CONFORMANCE_OUT": out])
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("\(suite): PASS") }, "\(run.output.suffix(3000))")
        #expect(run.status == 0 && line.contains("FAIL 0"), "\(run.output.suffix(3000))")
        // The harness already fails a suite that stops early; this guards the count too.
        #expect((Int(line.split(separator: " ")[2]) ?? 0) >= 35, "\(line)")
        // What the suites printed reached the printer.
        #expect(!eve.documents().isEmpty)
    }
}
