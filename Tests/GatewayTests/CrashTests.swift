import CupsBridge
import Foundation
import IPP
import Synchronization
import Testing
import TestSupport

/// SIGKILL the gateway while it accepts and while it holds a queue: after a restart every
/// job that got successful-ok is delivered exactly once, and job ids go on from where they were.
@Suite(.serialized) struct CrashTests {
    /// Document files in the folder, by job id.
    func deliveredIDs(_ server: GatewayServer) -> [Int32] {
        server.outputFiles().filter { $0.contains("-doc-1.") }.compactMap { Int32($0.split(separator: "-")[1]) }.sorted()
    }

    @Test func killedWithAQueueLosesNothing() throws {
        let server = try GatewayServer().start()
        let client = try IPPClient(uri: server.uri)
        #expect(try client.send(ippRequest(.pausePrinter, server.uri)).status == .successfulOk)
        var accepted: [Int32] = []
        for n in 1...20 {
            let r = try client.send(ippRequest(.printJob, server.uri), document: Documents.text(n))
            #expect(r.status == .successfulOk)
            accepted.append(try #require(r.value("job-id")?.integerValue))
        }
        #expect(deliveredIDs(server).isEmpty)
        server.kill()

        try server.start() // paused state is not kept: the queue prints
        try eventually(20, "20 queued jobs delivered") { deliveredIDs(server).count >= 20 }
        #expect(deliveredIDs(server) == accepted)
        let next = try IPPClient(uri: server.uri).send(ippRequest(.printJob, server.uri), document: Documents.text())
        #expect(next.value("job-id")?.integerValue == accepted.max()! + 1)
    }

    @Test func killedWhileAcceptingLosesNoAcknowledgedJob() throws {
        let server = try GatewayServer().start()
        let acknowledged = Mutex<[Int32]>([])
        let stop = Atomic<Bool>(false)
        let uri = server.uri
        let threads = (0..<4).map { _ in
            Thread {
                guard let client = try? IPPClient(uri: uri, timeout: 3) else { return }
                while !stop.load(ordering: .relaxed) {
                    guard let r = try? client.send(ippRequest(.printJob, uri), document: Documents.pdf) else { return }
                    if r.status == .successfulOk, let id = r.value("job-id")?.integerValue {
                        acknowledged.withLock { $0.append(id) }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        try eventually(20, "some jobs accepted") { acknowledged.withLock { $0.count } >= 15 }
        server.kill() // mid-stream: requests in flight on four connections
        stop.store(true, ordering: .relaxed)
        usleep(200_000)
        let acked = acknowledged.withLock { $0 }

        try server.start()
        try eventually(30, "every acknowledged job delivered") { Set(deliveredIDs(server)).isSuperset(of: acked) }
        let delivered = deliveredIDs(server)
        #expect(Set(delivered).count == delivered.count, "a job was delivered twice")
        for id in acked {
            let name = server.outputFiles().first { $0.hasPrefix("job-\(id)-doc-1.") } ?? "missing"
            let bytes = [UInt8](FileManager.default.contents(atPath: server.output.appendingPathComponent(name).path) ?? Data())
            #expect(bytes == Documents.pdf, "job \(id): \(name) holds \(bytes.count) bytes")
        }
        let next = try IPPClient(uri: server.uri).send(ippRequest(.createJob, server.uri))
        #expect((next.value("job-id")?.integerValue ?? 0) > (delivered.max() ?? 0))
    }
}

/// SIGTERM: the server stops promptly with status 0, and a queued job survives it.
@Suite(.serialized) struct ShutdownTests {
    @Test func sigtermStopsCleanlyAndKeepsTheQueue() throws {
        let server = try GatewayServer().start()
        let client = try IPPClient(uri: server.uri)
        #expect(try client.send(ippRequest(.pausePrinter, server.uri)).status == .successfulOk)
        let job = try client.send(ippRequest(.printJob, server.uri), document: Documents.text())
        let id = try #require(job.value("job-id")?.integerValue)
        let child = try #require(server.child)
        kill(child.pid, SIGTERM)
        try eventually(10, "ippgate to exit") { !child.isRunning }
        #expect(child.exitCode == 0)
        #expect(server.log.contains("shutting down"))
        try server.start()
        try eventually(10, "the queued job after restart") { server.outputFiles().contains("job-\(id).json") }
    }
}
