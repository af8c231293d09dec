import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// Documents sent compressed (compression = gzip or deflate) through ippgate to a printer.
@Suite(.serialized) struct CompressionTests {
    static let printJob = """
        { NAME "Print-Job, compressed" OPERATION Print-Job
          GROUP operation-attributes-tag
          ATTR charset attributes-charset utf-8
          ATTR naturalLanguage attributes-natural-language en
          ATTR uri printer-uri $uri
          ATTR name requesting-user-name tester
          ATTR mimeMediaType document-format application/pdf
          ATTR keyword compression $compression
          COMPRESSION $compression
          FILE $filename
          STATUS successful-ok
          EXPECT job-id }
        """

    /// ipptool compresses the document itself; the printer gets the plain PDF, once each.
    @Test func ipptoolsCompressedDocumentsArrivePlain() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let test = Documents.write(Array(Self.printJob.utf8), name: "compressed.test")
        let pdf = Documents.write(Documents.pdf, name: "compressed.pdf")
        defer { unlink(test); unlink(pdf) }
        for compression in ["gzip", "deflate"] {
            let run = try runCommand("ipptool", ["-t", "-d", "compression=\(compression)", "-f", pdf, server.uri("eve"), test])
            #expect(run.status == 0, "\(compression): \(run.output)")
        }
        try eventually(20, "both documents at the printer") { eve.documents().filter { $0.pathExtension == "pdf" }.count == 2 }
        let arrived = eve.documents().filter { $0.pathExtension == "pdf" }.compactMap { FileManager.default.contents(atPath: $0.path) }
        #expect(arrived.allSatisfy { [UInt8]($0) == Documents.pdf }, "sizes \(arrived.map(\.count)), sent \(Documents.pdf.count)")
    }

    /// A document declared larger than job-k-octets-supported (2 GiB) is refused at once,
    /// without waiting for its bytes, and nothing is kept.
    @Test func aDocumentTooLargeIsRefusedAtOnce() throws {
        let server = try GatewayServer().start()
        let request = ippRequest(.printJob, server.uri, operationAttributes: [
            Attribute("document-format", .mimeMediaType("application/pdf"))]).encoded()
        let connection = try RawHTTPConnection(port: server.port, timeout: 10)
        connection.post("/ipp/print/default", contentLength: request.count + (3 << 30))
        #expect(connection.send(request + Documents.pdf))
        let reply = try connection.readIPPReply()
        #expect(reply.code == StatusCode.clientErrorRequestEntityTooLarge.rawValue, "\(reply)")
        #expect(reply.value("status-message")?.stringValue?.contains("larger than 2048 MiB") == true, "\(reply)")
        let client = try IPPClient(uri: server.uri)
        let jobs = try client.send(ippRequest(.getJobs, server.uri, operationAttributes: [Attribute("which-jobs", .keyword("all"))]))
        #expect(jobs.groups.filter { $0.tag == .job }.isEmpty, "a refused job was kept")
    }

    /// A document that says gzip but is not: client-error-bad-request naming the problem,
    /// no job kept; an unknown compression: client-error-compression-not-supported.
    @Test func aBrokenCompressedDocumentIsRefused() throws {
        let eve = try EvePrinter.start()
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        let broken = try client.send(ippRequest(.printJob, uri, operationAttributes: [
            Attribute("compression", .keyword("gzip")), Attribute("document-format", .mimeMediaType("application/pdf"))]),
            document: Documents.pdf)
        #expect(broken.status == .clientErrorBadRequest)
        #expect(broken.value("status-message")?.stringValue?.contains("compressed document") == true, "\(broken)")
        let unknown = try client.send(ippRequest(.printJob, uri, operationAttributes: [Attribute("compression", .keyword("compress"))]),
                                      document: Documents.pdf)
        #expect(unknown.status == .clientErrorCompressionNotSupported)
        let jobs = try client.send(ippRequest(.getJobs, uri, operationAttributes: [Attribute("which-jobs", .keyword("all"))]))
        #expect(jobs.groups.filter { $0.tag == .job }.isEmpty, "a refused job was kept")
        let supported = try client.send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
            Attribute("requested-attributes", .keyword("compression-supported"))]))
            .groups.first { $0.tag == .printer }?["compression-supported"]?.values.compactMap(\.stringValue) ?? []
        #expect(supported == ["none", "gzip", "deflate"])
    }
}
