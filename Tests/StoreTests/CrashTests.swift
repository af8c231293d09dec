import Testing
import Foundation
@testable import Store

/// The process is killed (SIGKILL) at an arbitrary point while it stores jobs; every job
/// whose insertJob, spool commit and addDocument had returned must be there afterwards.
///
/// The child is this test binary again, running only `crashChild` with STORE_CRASH_CHILD
/// set to the state directory. It reports progress on stdout, one line per completed step,
/// written with write(2) only after the step returned.
@Suite(.serialized) struct CrashTests {
    static let childVariable = "STORE_CRASH_CHILD"

    static func documentBytes(_ id: Int32) -> [UInt8] {
        (0..<(1000 + Int(id) * 7)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(id)) }
    }

    /// The child's body. Does nothing in a normal test run.
    @Test func crashChild() throws {
        guard let dir = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        let store = try StateStore(directory: dir)
        func say(_ line: String) {
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }
        for _ in 0..<100_000 {
            var job = makeJob(printer: "crash", accepted: false)
            job.id = try store.insertJob(job)
            say("INSERTED \(job.id)")
            let doc = try spoolDocument(store, jobID: job.id, bytes: Self.documentBytes(job.id))
            job.accepted = true
            job.documentsComplete = true
            try store.addDocument(doc, updating: job)
            say("ACCEPTED \(job.id)")
        }
        _exit(3)   // should have been killed long before
    }

    @Test func killedMidStreamLosesNothing() throws {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        try withTemporaryDirectory { dir in
            var highestSeen: Int32 = 0
            var generator = SystemRandomNumberGenerator()
            for (round, threshold) in [3, 11, 25, 40].enumerated() {
                let child = Process()
                child.executableURL = URL(fileURLWithPath: executable)
                child.arguments = ["--testing-library", "swift-testing", "--filter", "StoreTests.CrashTests/crashChild"]
                var env = ProcessInfo.processInfo.environment
                env[Self.childVariable] = dir
                child.environment = env
                let out = Pipe()
                child.standardOutput = out
                child.standardError = FileHandle.nullDevice
                try child.run()
                // A child that never reaches the threshold (it failed, or ran no test) must not
                // hang the run: kill it after a minute at the latest.
                let pid = child.processIdentifier
                let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
                DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
                defer { watchdog.cancel() }

                var text = ""
                var killed = false
                while true {
                    let data = out.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                    if !killed, text.components(separatedBy: "ACCEPTED ").count - 1 >= threshold {
                        usleep(UInt32.random(in: 0..<20_000, using: &generator))   // land anywhere in the loop
                        kill(child.processIdentifier, SIGKILL)
                        killed = true
                    }
                }
                child.waitUntilExit()
                #expect(killed, "round \(round): the child stopped by itself: \(text.suffix(300))")
                #expect(child.terminationReason == .uncaughtSignal)

                // Only complete lines count: a line cut by the kill was not (fully) reported.
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                let inserted = lines.compactMap { $0.hasPrefix("INSERTED ") ? Int32($0.dropFirst(9)) : nil }
                let accepted = lines.compactMap { $0.hasPrefix("ACCEPTED ") ? Int32($0.dropFirst(9)) : nil }
                #expect(accepted.count >= threshold)
                #expect((inserted.first ?? 0) > highestSeen, "round \(round): an id was reused")

                let store = try StateStore(directory: dir)
                #expect(try store.integrityCheck() == [])
                for id in inserted {
                    #expect(try store.job(id: id) != nil, "round \(round): inserted job \(id) was lost")
                }
                for id in accepted {
                    let job = try #require(try store.job(id: id), "round \(round): accepted job \(id) was lost")
                    #expect(job.accepted && job.documentsComplete)
                    let docs = try store.documents(jobID: id)
                    #expect(docs.count == 1)
                    if let doc = docs.first {
                        let bytes = FileManager.default.contents(atPath: doc.path).map { [UInt8]($0) }
                        #expect(bytes == Self.documentBytes(id), "round \(round): document of job \(id) is damaged")
                        #expect(doc.size == Int64(Self.documentBytes(id).count))
                    }
                }
                // At most the one job in flight is unaccepted; recovery removes it and any stray file.
                let discarded = try store.discardUnacceptedJobs().map(\.id)
                #expect(discarded.count <= 1)
                for id in discarded { #expect(!accepted.contains(id)) }
                _ = try store.removeOrphanSpoolFiles()
                let remaining = try store.jobs(printer: "crash", filter: .all)
                #expect(Set(remaining.map(\.id)).isSuperset(of: accepted))
                let spool = try FileManager.default.contentsOfDirectory(atPath: store.spoolDirectory)
                #expect(spool.count == remaining.count)   // one document per job, no strays
                print("crash round \(round): killed after \(inserted.count) inserted, \(accepted.count) accepted; discarded \(discarded), \(remaining.count) jobs kept")
                highestSeen = max(try store.maxJobID(), inserted.max() ?? 0)
            }
        }
    }
}
