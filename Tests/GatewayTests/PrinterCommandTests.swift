import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// `ippgate printers add|remove|list`, with the server stopped and running.
@Suite(.serialized) struct PrinterCommandTests {
    func ippgate(_ args: [String]) throws -> (status: Int32, output: String) {
        try runCommand(GatewayServer.binary, args)
    }

    @Test func addListRemoveWithAndWithoutTheServer() throws {
        let server = try GatewayServer()
        let state = server.state.path
        let folder = server.state.appendingPathComponent("office-out").path

        // Stopped: written to the database.
        let add = try ippgate(["printers", "add", "office", "--target", "file://" + folder, "--state", state])
        #expect(add.status == 0, "\(add.output)")
        #expect(try ippgate(["printers", "add", "office", "--target", "file://" + folder, "--state", state]).status == 1)
        #expect(try ippgate(["printers", "add", "bad name", "--target", "file:///tmp/x", "--state", state]).status != 0)
        #expect(try ippgate(["printers", "add", "web", "--target", "gopher://x", "--state", state]).status != 0)
        let list = try ippgate(["printers", "list", "--state", state])
        #expect(list.output.contains("office") && list.output.contains(folder))

        // With printers configured, serve does not add "default": office is served.
        try server.start([])
        #expect(Peers.ippStatus(port: server.port, resource: "/ipp/print/office") == 0)

        // Running: applied at once through the admin socket.
        let live = try ippgate(["printers", "add", "lab", "--target", "file://" + folder + "-lab", "--state", state])
        #expect(live.status == 0, "\(live.output)")
        #expect(live.output.contains("served now"))
        let printed = try IPPClient(uri: server.uri("lab")).send(ippRequest(.printJob, server.uri("lab")), document: Documents.text())
        #expect(printed.status == .successfulOk)
        try eventually(10, "lab printed") { FileManager.default.fileExists(atPath: folder + "-lab/job-1.json") }

        let removed = try ippgate(["printers", "remove", "lab", "--state", state])
        #expect(removed.status == 0, "\(removed.output)")
        let gone = try IPPClient(uri: server.uri("lab")).send(ippRequest(.getPrinterAttributes, server.uri("lab")))
        #expect(gone.status == .clientErrorNotFound)
        #expect(try ippgate(["printers", "remove", "lab", "--state", state]).status == 1)
    }
}
