import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// Hostile and wrong requests get the right IPP status, and the server keeps serving.
@Suite(.serialized) struct BadInputTests {
    let server: GatewayServer
    init() throws { server = try GatewayServer().start() }

    func send(_ m: Message, document: [UInt8] = []) throws -> Message {
        try IPPClient(uri: server.uri).send(m, document: document)
    }

    @Test func malformedIPPIsBadRequest() throws {
        // A raw POST whose integer value has 3 bytes.
        let body = hex("02 00 00 0b 00 00 00 01 01 21 00 01 \"x\" 00 03 00 00 01 03")
        let reply = try rawPost(body)
        #expect(reply.status == 0x0400)
        #expect(reply.text.contains("byte"))
        #expect(Peers.ippStatus(port: server.port, resource: "/ipp/print/default") == 0)
    }

    @Test func wrongPrinterURIIsNotFound() throws {
        let r = try send(ippRequest(.getPrinterAttributes, server.uri("nosuchprinter")))
        #expect(r.status == .clientErrorNotFound)
        #expect(r.statusMessage.contains("no printer"))
    }

    @Test func unsupportedOperation() throws {
        let r = try send(ippRequest(IPP.Operation(0x0032), server.uri))
        #expect(r.status == .serverErrorOperationNotSupported)
    }

    @Test func missingRequiredAttributes() throws {
        var noCharset = Message(operation: .getPrinterAttributes, requestID: 1)
        noCharset.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        noCharset.append(Attribute("printer-uri", .uri(server.uri)), to: .operation)
        #expect(try rawPost(noCharset.encoded()).status == 0x0400)

        var noURI = Message(operation: .getPrinterAttributes, requestID: 1)
        noURI.append(Attribute("attributes-charset", .charset("utf-8")), to: .operation)
        noURI.append(Attribute("attributes-natural-language", .naturalLanguage("en")), to: .operation)
        #expect(try rawPost(noURI.encoded()).status == 0x0400)

        var zeroID = ippRequest(.getPrinterAttributes, server.uri)
        zeroID.requestID = 0
        #expect(try rawPost(zeroID.encoded()).status == 0x0400)

        var badVersion = ippRequest(.getPrinterAttributes, server.uri)
        badVersion.version = Version(major: 9, minor: 0)
        #expect(try rawPost(badVersion.encoded()).status == StatusCode.serverErrorVersionNotSupported.rawValue)

        // Send-Document without last-document.
        let r = try send(ippRequest(.sendDocument, server.uri, operationAttributes: [Attribute("job-id", .integer(1))]))
        #expect(r.status == .clientErrorBadRequest)
    }

    @Test func unsupportedValuesGoToTheUnsupportedGroup() throws {
        let request = ippRequest(.validateJob, server.uri, operationAttributes: [Attribute("ipp-attribute-fidelity", .boolean(true))],
                                 job: [Attribute("sides", .keyword("three-sided")), Attribute("copies", .integer(1))])
        let r = try send(request)
        #expect(r.status == .clientErrorAttributesOrValuesNotSupported)
        let unsupported = try #require(r.groups.first { $0.tag == .unsupported })
        #expect(unsupported["sides"]?.firstValue?.stringValue == "three-sided")
        #expect(unsupported["copies"] == nil)

        let format = try send(ippRequest(.validateJob, server.uri, operationAttributes: [Attribute("document-format", .mimeMediaType("application/x-nope"))]))
        #expect(format.status == .clientErrorDocumentFormatNotSupported)
    }

    @Test func overridesAreCheckedLikeTheJob() throws {
        let fidelity = Attribute("ipp-attribute-fidelity", .boolean(true))
        let good = Attribute("overrides", .collection([Attribute("pages", .rangeOfInteger(2, 3)), Attribute("sides", .keyword("one-sided"))]))
        #expect(try send(ippRequest(.validateJob, server.uri, operationAttributes: [fidelity], job: [good])).status == .successfulOk)
        let noSelector = Attribute("overrides", .collection([Attribute("sides", .keyword("one-sided"))]))
        let badValue = Attribute("overrides", .collection([Attribute("pages", .rangeOfInteger(1, 1)), Attribute("sides", .keyword("spiral"))]))
        for bad in [noSelector, badValue] {
            let r = try send(ippRequest(.validateJob, server.uri, operationAttributes: [fidelity], job: [bad]))
            #expect(r.status == .clientErrorAttributesOrValuesNotSupported)
            #expect(r.groups.first { $0.tag == .unsupported }?["overrides"] != nil)
        }
    }

    @Test func oversizedRequestIsRefusedAndOthersCarryOn() throws {
        // 2 MiB of attributes: over the 1 MiB request limit.
        var big = ippRequest(.getPrinterAttributes, server.uri)
        for i in 0..<70 { big.append(Attribute("x-filler-\(i)", .text(String(repeating: "a", count: 30000))), to: .operation) }
        let reply = try rawPost(big.encoded())
        #expect(reply.status == StatusCode.clientErrorRequestEntityTooLarge.rawValue)
        #expect(Peers.ippStatus(port: server.port, resource: "/ipp/print/default") == 0)
    }

    /// POSTs raw bytes and returns the IPP status and status-message of the answer.
    func rawPost(_ body: [UInt8]) throws -> (status: UInt16, text: String) {
        let connection = try RawHTTPConnection(port: server.port)
        connection.post("/ipp/print/default", contentLength: body.count)
        connection.send(body) // the server may stop reading an oversized request and answer early
        let m = try connection.readIPPReply()
        return (m.code, m.statusMessage)
    }
}
