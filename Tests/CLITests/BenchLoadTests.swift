import Foundation
import Testing
import TestSupport

/// `ippgate bench load` against a real ippeveprinter (started here, with avahi-daemon on
/// loopback if none runs), and its failure modes.
@Suite struct BenchLoadTests {
    let cli = CLITests()

    func json(_ run: CLITests.Run) throws -> [String: Any] {
        let text = String(decoding: run.stdout, as: UTF8.self)
        #expect(text.filter { $0 == "\n" }.count == 1, "exactly one line of JSON: \(text)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any], "\(text)")
    }

    @Test func getPrinterAttributesAgainstIppeveprinter() throws {
        let printer = try EvePrinter.start()
        defer { printer.stop() }
        let run = try cli.ippgate(["bench", "load", printer.uri, "--seconds", "1", "--clients", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try json(run)
        let rate = try #require(object["requests_per_s"] as? Double)
        #expect(rate > 0)
        #expect(object["errors"] as? Int == 0, "\(object["error_kinds"] ?? "")")
        #expect((object["requests"] as? Int ?? 0) > 0)
        #expect((object["p50_ms"] as? Double ?? 0) > 0)
        #expect((object["p99_ms"] as? Double ?? 0) >= (object["p50_ms"] as? Double ?? 0))
        #expect(object["clients"] as? Int == 2)
        #expect(object["op"] as? String == "get-printer-attributes")
        #expect(run.stderr.contains("measuring 1 s with 2 clients"))
    }

    @Test func printJobDeliversTheDocument() throws {
        let printer = try EvePrinter.start()
        defer { printer.stop() }
        // A small document made here (not from ../shared/documents); ippeveprinter with
        // `-c /bin/true` only keeps it.
        let document = Array("%PDF-1.4\n% ippgate bench load test\n".utf8) + [UInt8](repeating: 0x41, count: 4000) + Array("\n%%EOF\n".utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-bench-\(UInt32.random(in: 0...UInt32.max)).pdf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(document))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let run = try cli.ippgate(["bench", "load", printer.uri, "--op", "print-job", "--file", path,
                                   "--seconds", "1", "--clients", "1", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try json(run)
        let requests = try #require(object["requests"] as? Int)
        #expect(requests > 0)
        #expect(object["op"] as? String == "print-job")
        // ippeveprinter prints one job at a time and answers server-error-busy meanwhile;
        // nothing else may go wrong.
        let kinds = try #require(object["error_kinds"] as? [String: Int])
        #expect(Set(kinds.keys).isSubset(of: ["server-error-busy"]), "\(kinds)")
        // Every accepted job (warm-up included) left its document, byte for byte.
        let spooled = printer.documents().filter { $0.pathExtension == "pdf" }
        #expect(spooled.count >= requests)
        if let first = spooled.first {
            #expect([UInt8](FileManager.default.contents(atPath: first.path) ?? Data()) == document)
        }
    }

    @Test func unreachableServerExitsOne() throws {
        let port = try Peers.freePort()
        let run = try cli.ippgate(["bench", "load", "ipp://127.0.0.1:\(port)/ipp/print", "--seconds", "1", "--json"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("cannot connect to 127.0.0.1:\(port): Connection refused"), "\(run.stderr)")
    }

    @Test(arguments: [
        [],
        ["ipp://127.0.0.1:1/ipp/print", "ipp://127.0.0.1:2/ipp/print"],
        ["lpd://127.0.0.1/queue"],
        ["ipp://127.0.0.1:631/", "--clients", "0"],
        ["ipp://127.0.0.1:631/", "--clients", "257"],
        ["ipp://127.0.0.1:631/", "--clients", "many"],
        ["ipp://127.0.0.1:631/", "--seconds", "0"],
        ["ipp://127.0.0.1:631/", "--seconds", "-1"],
        ["ipp://127.0.0.1:631/", "--op", "get-jobs"],
        ["ipp://127.0.0.1:631/", "--op", "print-job"],
        ["ipp://127.0.0.1:631/", "--file", "/etc/hostname"],
        ["ipp://127.0.0.1:631/", "--op", "print-job", "--file", "/nonexistent/doc.pdf"],
        ["ipp://127.0.0.1:631/", "--bogus"],
    ])
    func usageErrorsExitTwo(_ args: [String]) throws {
        let run = try cli.ippgate(["bench", "load"] + args)
        #expect(run.status == 2, "\(args): \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("ippgate: "))
    }
}
