import Testing
import Foundation
@testable import Store

/// Measures the durable path of a Print-Job on this machine and prints it. Asserts only
/// that it completes; the numbers go into the report (and docs/BENCHMARKS.md).
@Suite struct LatencyTests {
    @Test func printJobPathLatency() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let document = [UInt8](repeating: 0x25, count: 64 * 1024)
            var insert: [Double] = [], spool: [Double] = [], record: [Double] = [], total: [Double] = []
            for i in 0..<40 {
                let t0 = monotonicNanoseconds()
                var job = makeJob(accepted: false)
                job.id = try store.insertJob(job)
                let t1 = monotonicNanoseconds()
                let file = try store.createSpoolFile(jobID: job.id, number: 1)
                try file.write(document)
                try file.commit()
                let t2 = monotonicNanoseconds()
                job.accepted = true
                job.documentsComplete = true
                try store.addDocument(DocumentRecord(jobID: job.id, number: 1, format: "application/pdf",
                                                     path: file.path, size: file.size), updating: job)
                let t3 = monotonicNanoseconds()
                if i >= 5 {   // skip warm-up
                    insert.append(Double(t1 - t0) / 1e6)
                    spool.append(Double(t2 - t1) / 1e6)
                    record.append(Double(t3 - t2) / 1e6)
                    total.append(Double(t3 - t0) / 1e6)
                }
            }
            func summary(_ xs: [Double]) -> String {
                let s = xs.sorted()
                return String(format: "median %.2f ms, p90 %.2f ms", s[s.count / 2], s[s.count * 9 / 10])
            }
            print("""
                Store latency (64 KiB document, \(total.count) jobs):
                  insertJob                       \(summary(insert))
                  spool create+write+commit       \(summary(spool))
                  addDocument(updating:)          \(summary(record))
                  total (job durable, ack-able)   \(summary(total))
                """)
            #expect(total.count == 35)
        }
    }
}
