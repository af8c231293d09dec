import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// Documents sent as application/octet-stream (lp's default when it has no local
/// scheduler to type them) to a printer whose device does not take octet-stream.
@Suite(.serialized) struct DocumentTypingTests {
    static let formats = ["application/pdf", "text/plain", "image/pwg-raster", "image/jpeg"]  // no octet-stream
    /// Starts with NUL: no format ippgate knows.
    static let binary: [UInt8] = (0..<5000).map { UInt8($0 % 251) }

    func documents(_ eve: EvePrinter) -> [URL] { eve.documents().filter { $0.pathExtension != "prn" } }

    func jobState(_ client: IPPClient, _ uri: String, _ id: Int32) throws -> (state: Int32, message: String) {
        let r = try client.send(ippRequest(.getJobAttributes, uri, operationAttributes: [Attribute("job-id", .integer(id))]))
        return (r.value("job-state")?.integerValue ?? 0, r.value("job-state-message")?.stringValue ?? "")
    }

    @Test func untypedDocumentsReachThePrinterAsWhatTheyAre() throws {
        let eve = try EvePrinter.start(formats: Self.formats)
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)

        let supported = try client.send(ippRequest(.getPrinterAttributes, uri, operationAttributes: [
            Attribute("requested-attributes", .keyword("document-format-supported"))]))
            .groups.first { $0.tag == .printer }?["document-format-supported"]?.values.compactMap(\.stringValue) ?? []
        #expect(supported.contains("application/octet-stream"), "ippgate types documents itself: \(supported)")

        // A PDF with no document-format at all.
        let pdf = try client.send(ippRequest(.printJob, uri), document: Documents.pdf)
        #expect(pdf.status == .successfulOk)
        let pdfID = try #require(pdf.value("job-id")?.integerValue)
        try eventually(20, "the PDF completed at the printer") { try jobState(client, uri, pdfID).state == JobState.completed.rawValue }

        // A text file from lp, which sends application/octet-stream.
        let text = Documents.text(3)
        let path = Documents.write(text, name: "typing.txt")
        defer { unlink(path) }
        let lp = try runCommand("lp", ["-h", "127.0.0.1:\(server.port)", "-d", "eve", path])
        #expect(lp.status == 0, "\(lp.output)")
        try eventually(20, "the text completed at the printer") { try jobState(client, uri, pdfID + 1).state == JobState.completed.rawValue }

        let bytes = Set(documents(eve).compactMap { FileManager.default.contents(atPath: $0.path) }.map { [UInt8]($0) })
        #expect(bytes == [Documents.pdf, text])
        #expect(try formatsAtThePrinter(eve) == ["application/pdf", "text/plain"])
    }

    /// document-format-supplied of every job at the printer.
    func formatsAtThePrinter(_ eve: EvePrinter) throws -> [String] {
        try IPPClient(uri: eve.uri).send(ippRequest(.getJobs, eve.uri, operationAttributes: [
            Attribute("which-jobs", .keyword("all")), Attribute("requested-attributes", [.keyword("document-format-supplied")])]))
            .groups.filter { $0.tag == .job }.compactMap { $0["document-format-supplied"]?.firstValue?.stringValue }.sorted()
    }

    /// A device that does not take application/octet-stream. (ippeveprinter always adds it
    /// to its formats; an attribute file makes it answer a list without it first, and the
    /// mirror takes the first document-format-supported.)
    @Test func aDocumentOfNoKnownFormatIsRefusedBeforeItIsAccepted() throws {
        let attributes = Documents.write(Array("ATTR mimeMediaType document-format-supported application/pdf,text/plain\n".utf8),
                                         name: "no-octet-stream.conf")
        defer { unlink(attributes) }
        let eve = try EvePrinter.start(formats: [], extraArguments: ["-a", attributes])
        let server = try GatewayServer.forwarding(to: eve.uri).start()
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [
            Attribute("document-format", .mimeMediaType("application/octet-stream"))]), document: Self.binary)
        #expect(r.status == .clientErrorDocumentFormatNotSupported, "\(server.log.suffix(2000))")
        #expect(r.value("status-message")?.stringValue?.contains("send document-format") == true, "\(r)")
        let jobs = try client.send(ippRequest(.getJobs, uri, operationAttributes: [Attribute("which-jobs", .keyword("all"))]))
        #expect(jobs.groups.filter { $0.tag == .job }.isEmpty, "a refused job was kept")
        // The connection and the printer carry on; a document it can tell goes as what it is.
        let next = try client.send(ippRequest(.printJob, uri), document: Documents.text(4))
        #expect(next.status == .successfulOk)
        let id = try #require(next.value("job-id")?.integerValue)
        try eventually(20, "the text completed at the printer") { try jobState(client, uri, id).state == JobState.completed.rawValue }
        #expect(try formatsAtThePrinter(eve) == ["text/plain"])
    }

    /// Accepted while the device was down and unknown (when ippgate cannot yet tell), then
    /// refused by the device after Create-Job: the job is aborted with the device's
    /// reason, its job at the device is canceled rather than left holding the printer,
    /// and the next job prints.
    @Test func aJobTheDeviceRefusesAfterCreateJobIsCanceledThere() throws {
        var eve = try EvePrinter.start(formats: Self.formats)
        let port = eve.port
        eve.stop()
        let server = try GatewayServer.forwarding(to: "ipp://127.0.0.1:\(port)/ipp/print").start()
        let uri = server.uri("eve")
        let client = try IPPClient(uri: uri)
        let r = try client.send(ippRequest(.printJob, uri, operationAttributes: [
            Attribute("document-format", .mimeMediaType("application/octet-stream"))]), document: Self.binary)
        #expect(r.status == .successfulOk)
        let id = try #require(r.value("job-id")?.integerValue)
        // Typed again at delivery: text accepted while the device was unknown goes as text/plain.
        let text = try client.send(ippRequest(.printJob, uri), document: Documents.text(9))
        let textID = try #require(text.value("job-id")?.integerValue)

        eve = try EvePrinter.start(formats: Self.formats, port: port)
        try eventually(30, "the first job aborted") { try jobState(client, uri, id).state == JobState.aborted.rawValue }
        let message = try jobState(client, uri, id).message
        #expect(message.contains("document-format"), "\(message)")
        try eventually(30, "the text job completed") { try jobState(client, uri, textID).state == JobState.completed.rawValue }
        let atPrinter = try printerJobs(eve)
        #expect(atPrinter.count == 2)
        #expect(atPrinter.values.sorted() == [JobState.canceled.rawValue, JobState.completed.rawValue], "\(atPrinter)")
        let bytes = documents(eve).compactMap { FileManager.default.contents(atPath: $0.path) }.map { [UInt8]($0) }
        #expect(bytes == [Documents.text(9)])
    }
}
