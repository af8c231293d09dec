import CCups
import Foundation
import Glibc
import IPP
import Synchronization
import Testing
import Transport

/// Throughput of the transport with a canned Get-Printer-Attributes answer, measured with
/// libcups clients (`cupsDoRequest`, each thread on its own keep-alive connection).
/// Runs only when IPPGATE_BENCH is set, e.g.
///   IPPGATE_BENCH=1 swift test -c release --filter TransportBench
/// IPPGATE_BENCH_PORT=N measures a server already running on 127.0.0.1:N instead
/// (e.g. ippeveprinter), IPPGATE_BENCH_THREADS and IPPGATE_BENCH_SECONDS change the load.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["IPPGATE_BENCH"] != nil))
struct TransportBench {
    struct CannedHandler: IPPHandler {
        let answer = Message(status: .successfulOk, requestID: 0, groups: [
            AttributeGroup(tag: .operation, attributes: [
                Attribute("attributes-charset", .charset("utf-8")),
                Attribute("attributes-natural-language", .naturalLanguage("en")),
            ]),
            AttributeGroup(tag: .printer, attributes: [
                Attribute("printer-state", .enum(3)),
                Attribute("printer-state-reasons", .keyword("none")),
                Attribute("printer-is-accepting-jobs", .boolean(true)),
                Attribute("printer-name", .name("bench")),
            ]),
        ])
        func handle(_ request: IPPRequest) -> IPPResponse {
            var m = answer
            m.requestID = request.message.requestID
            return IPPResponse(message: m)
        }
    }

    @Test func getPrinterAttributesThroughput() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = Int(env["IPPGATE_BENCH_THREADS"] ?? "") ?? 8
        let seconds = Double(env["IPPGATE_BENCH_SECONDS"] ?? "") ?? 3
        var server: HTTPServer? = nil
        let port: Int
        if let p = env["IPPGATE_BENCH_PORT"].flatMap(Int.init) {
            port = p
        } else {
            var limits = ServerLimits()
            limits.maxConnections = 64
            let s = HTTPServer(listen: [.tcp(host: "127.0.0.1", port: 0)], limits: limits, handler: CannedHandler(),
                               log: { _ in }, requestLog: env["IPPGATE_BENCH_NOLOG"] == nil)
            try s.start()
            guard case .tcp(_, let p) = s.boundAddresses[0] else { return }
            port = p
            server = s
        }
        defer { server?.stop() }
        let resource = env["IPPGATE_BENCH_RESOURCE"] ?? "/ipp/print"
        let uri = "ipp://127.0.0.1:\(port)\(resource)"

        let results = Mutex<[[UInt64]]>([])
        let failures = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let deadline = now() + seconds
        for _ in 0..<threads {
            Thread {
                var latencies: [UInt64] = []
                latencies.reserveCapacity(200_000)
                if let http = httpConnect2("127.0.0.1", Int32(port), nil, AF_INET, HTTP_ENCRYPTION_NEVER, 1, 30000, nil) {
                    while now() < deadline {
                        let request = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES)!
                        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, uri)
                        let names = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs", "printer-name"]
                        names.withCStringArray { ippAddStrings(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", Int32(names.count), nil, $0) }
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let response = cupsDoRequest(http, request, resource)
                        let t1 = DispatchTime.now().uptimeNanoseconds
                        if let response, ippGetStatusCode(response).rawValue < 0x100 {
                            latencies.append(t1 - t0)
                        } else {
                            failures.add(1, ordering: .relaxed)
                        }
                        if let response { ippDelete(response) }
                    }
                    httpClose(http)
                } else {
                    failures.add(1, ordering: .relaxed)
                }
                results.withLock { $0.append(latencies) }
                done.add(1, ordering: .releasing)
            }.start()
        }
        #expect(eventually(within: seconds + 30) { done.load(ordering: .acquiring) == threads })
        let all = results.withLock { $0.flatMap { $0 } }.sorted()
        let rate = Double(all.count) / seconds
        func pct(_ p: Double) -> Double { all.isEmpty ? 0 : Double(all[min(all.count - 1, Int(Double(all.count) * p))]) / 1e6 }
        let line = "bench transport: \(threads) threads, \(all.count) requests in \(seconds) s = \(Int(rate)) req/s, p50 \(String(format: "%.3f", pct(0.5))) ms, p99 \(String(format: "%.3f", pct(0.99))) ms, failures \(failures.load(ordering: .relaxed))"
        print(line)
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}

extension Array where Element == String {
    /// Calls `body` with a C array of C strings, valid for the call.
    func withCStringArray<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer<CChar>($0) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
