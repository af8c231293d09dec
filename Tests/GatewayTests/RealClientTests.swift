import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// CUPS's own command-line clients against a running ippgate.
@Suite(.serialized) struct RealClientTests {
    @Test func lpstatListsTheDefaultPrinterAndLpPrints() throws {
        let server = try GatewayServer().start()
        let host = "127.0.0.1:\(server.port)"

        let lpstat = try runCommand("lpstat", ["-h", host, "-p"])
        #expect(lpstat.status == 0, "\(lpstat.output)")
        #expect(lpstat.output.contains("printer default is idle"), "\(lpstat.output)")

        let document = Documents.text(7)
        let path = Documents.write(document, name: "lp.txt")
        defer { unlink(path) }
        let lp = try runCommand("lp", ["-h", host, "-d", "default", path])
        #expect(lp.status == 0, "\(lp.output)")
        #expect(lp.output.contains("request id is default-1"), "\(lp.output)")

        // The exact bytes arrive in the folder, with the metadata file beside them.
        try eventually(10, "job 1 in the folder") { server.outputFiles().contains("job-1.json") }
        let files = server.outputFiles()
        let doc = try #require(files.first { $0.hasPrefix("job-1-doc-1.") })
        let arrived = [UInt8](FileManager.default.contents(atPath: server.output.appendingPathComponent(doc).path)!)
        #expect(arrived == document, "\(doc) holds \(arrived.count) bytes")
        let metadata = String(decoding: FileManager.default.contents(atPath: server.output.appendingPathComponent("job-1.json").path)!, as: UTF8.self)
        #expect(metadata.contains("\"job-id\" : 1"))

        let completed = try runCommand("lpstat", ["-h", host, "-W", "completed", "-o", "default"])
        #expect(completed.output.contains("default-1"), "\(completed.output)")
    }

    @Test func ipptoolPrintJobDeliversTheBytes() throws {
        let server = try GatewayServer().start()
        let path = Documents.write(Documents.pdf, name: "doc.pdf")
        defer { unlink(path) }
        let run = try runCommand("ipptool", ["-t", "-f", path, server.uri, "print-job.test"])
        #expect(run.status == 0, "\(run.output)")
        try eventually(10, "job 1 delivered") { server.outputFiles().contains("job-1-doc-1.pdf") }
        let arrived = [UInt8](FileManager.default.contents(atPath: server.output.appendingPathComponent("job-1-doc-1.pdf").path)!)
        #expect(arrived == Documents.pdf, "job-1-doc-1.pdf holds \(arrived.count) bytes")
    }
}
