import CupsBridge
import Foundation
import IPP
import Store
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

    /// Removing a printer cancels its unfinished jobs (they stay as history, their spool
    /// files go), with the server running and with it stopped; finished jobs are untouched.
    @Test func removingAPrinterCancelsItsUnfinishedJobs() throws {
        // A target nobody listens on: jobs wait for it.
        let down = "ipp://127.0.0.1:\(try Peers.freePort())/ipp/print"
        let server = try GatewayServer.forwarding(to: down, name: "far").start()
        let state = server.state.path
        let client = try IPPClient(uri: server.uri("far"))
        var ids: [Int32] = []
        for _ in 0..<2 {
            let r = try client.send(ippRequest(.printJob, server.uri("far")), document: Documents.text())
            ids.append(try #require(r.value("job-id")?.integerValue))
        }
        // The live state, through the admin socket: both jobs wait, the device is down.
        try eventually(10, "printers list shows the device down") {
            let lines = try ippgate(["printers", "list", "--state", state]).output.split(separator: "\n")
            guard let row = lines.firstIndex(where: { $0.hasPrefix("far ") }), row + 1 < lines.count else { return false }
            return lines[row].split(separator: " ").prefix(3) == ["far", "idle", "2"] && lines[row + 1].contains("offline-report: printer unreachable")
        }
        let removed = try ippgate(["printers", "remove", "far", "--state", state])
        #expect(removed.status == 0, "\(removed.output)")
        #expect(removed.output.contains("removed printer far; 2 unfinished jobs canceled (applied by the running server)"), "\(removed.output)")
        let store = try StateStore(directory: state)
        for id in ids {
            let job = try #require(try store.job(id: id))
            #expect(job.state == JobState.canceled.rawValue)
            #expect(job.stateReasons == ["job-canceled-by-operator"])
            #expect(job.stateMessage == "Canceled: printer far was removed.")
        }
        let spool = server.state.appendingPathComponent("spool").path
        try eventually(10, "the spool emptied") { try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty }

        // Stopped: the same, straight into the database.
        server.stop()
        #expect(try ippgate(["printers", "add", "far", "--target", down, "--state", state]).status == 0)
        var job = JobRecord(printer: "far", uuid: "urn:uuid:1")
        job.id = try store.insertJob(job)
        var done = JobRecord(printer: "far", uuid: "urn:uuid:2")
        done.state = JobState.completed.rawValue
        done.id = try store.insertJob(done)
        let listed = try ippgate(["printers", "list", "--state", state]).output
        #expect(listed.contains("(the server is not running: no live state)"), "\(listed)")
        let offline = try ippgate(["printers", "remove", "far", "--state", state])
        #expect(offline.output.trimmingCharacters(in: .whitespacesAndNewlines) == "removed printer far; 1 unfinished job canceled", "\(offline.output)")
        #expect(try store.job(id: job.id)?.state == JobState.canceled.rawValue)
        #expect(try store.job(id: done.id)?.state == JobState.completed.rawValue)
    }

    /// A printer whose target is ippgate itself would only wait on its own answer: its jobs
    /// are aborted with a message that says so, nothing cascades, and adding it did not
    /// hold up the server.
    @Test func aPrinterForwardingToItselfAbortsItsJobs() throws {
        let server = try GatewayServer().start()
        let state = server.state.path
        let started = Date()
        let added = try ippgate(["printers", "add", "loop", "--target", server.uri("loop"), "--state", state])
        #expect(added.status == 0, "\(added.output)")
        #expect(Date().timeIntervalSince(started) < 3, "adding took \(Date().timeIntervalSince(started)) s")
        let client = try IPPClient(uri: server.uri("loop"))
        let r = try client.send(ippRequest(.printJob, server.uri("loop")), document: Documents.text())
        let id = try #require(r.value("job-id")?.integerValue)
        var message = ""
        try eventually(20, "the job aborted") {
            let job = try client.send(ippRequest(.getJobAttributes, server.uri("loop"), operationAttributes: [Attribute("job-id", .integer(id))]))
            message = job.value("job-state-message")?.stringValue ?? ""
            return job.value("job-state")?.integerValue == JobState.aborted.rawValue
        }
        #expect(message.contains("forwards to ippgate itself (loop → loop)"), "\(message)")
        let all = try client.send(ippRequest(.getJobs, server.uri("loop"), operationAttributes: [Attribute("which-jobs", .keyword("all"))]))
        #expect(all.groups.filter { $0.tag == .job }.count == 1, "jobs cascaded")
    }
}
