import CupsBridge
import Dispatch
import Foundation
import IPP
import Store

/// `ippgate bench load URI [--clients N] [--seconds S] [--op get-printer-attributes|print-job] [--file F] [--json]`
///
/// N threads, each with its own keep-alive libcups connection (`IPPClient`), send
/// requests back to back: a warm-up, then S seconds measured. Only requests that
/// complete inside the measured window count. A request succeeds when an IPP response
/// arrives with a status below 0x0400; a transport failure or an error status counts
/// as an error. Latency (p50/p99) is over the successful requests.
enum BenchLoadCommand {
    static let usageText = "usage: ippgate bench load URI [--clients N] [--seconds S] [--op get-printer-attributes|print-job] [--file F] [--json]"
    static let maxClients = 256
    static let maxSeconds = 3600.0
    static let warmUp = 0.5
    /// The four attributes a status monitor polls (docs/BENCHMARKS.md, TESTBED.md).
    static let requestedAttributes = ["printer-state", "printer-state-reasons", "queued-job-count", "printer-is-accepting-jobs"]

    enum Op: String { case getPrinterAttributes = "get-printer-attributes", printJob = "print-job" }

    static func run(_ args: [String]) throws -> Int32 {
        let options = try Options(args, valued: ["--clients", "--seconds", "--op", "--file"], switches: ["--json"])
        guard options.positionals.count == 1 else { throw UsageError(usageText) }
        let uri = options.positionals[0]
        let endpoint: IPPEndpoint
        do { endpoint = try IPPEndpoint(uri) } catch { throw UsageError("\(error)\n\(usageText)") }

        let clientsText = options.values["--clients"] ?? "8"
        guard let clients = Int(clientsText), (1...maxClients).contains(clients) else {
            throw UsageError("--clients must be a whole number from 1 to \(maxClients), not '\(clientsText)'")
        }
        let secondsText = options.values["--seconds"] ?? "5"
        guard let seconds = Double(secondsText), seconds > 0, seconds <= maxSeconds else {
            throw UsageError("--seconds must be a number above 0 and at most \(Int(maxSeconds)), not '\(secondsText)'")
        }
        let opText = options.values["--op"] ?? Op.getPrinterAttributes.rawValue
        guard let op = Op(rawValue: opText) else {
            throw UsageError("--op must be get-printer-attributes or print-job, not '\(opText)'")
        }
        var document: [UInt8] = []
        var format = "application/octet-stream"
        switch (op, options.values["--file"]) {
        case (.printJob, nil): throw UsageError("--op print-job needs --file F (the document to print)")
        case (.printJob, let path?):
            document = try readFile(path)
            format = documentFormat(path)
        case (.getPrinterAttributes, _?): throw UsageError("--file is only for --op print-job")
        case (.getPrinterAttributes, nil): break
        }
        let json = options.switches.contains("--json")

        // A server that hangs up mid-request must not kill the benchmark.
        signal(SIGPIPE, SIG_IGN)

        // Connect every client first: an unreachable server is reported before any load.
        stderr("bench load: connecting \(clients) client\(clients == 1 ? "" : "s") to \(endpoint.hostPort)…")
        var workers: [Worker] = []
        for _ in 0..<clients { workers.append(Worker(client: try IPPClient(endpoint))) }

        let makeRequest: @Sendable () -> LibcupsMessage
        switch op {
        case .getPrinterAttributes:
            makeRequest = {
                let r = LibcupsMessage.request(.getPrinterAttributes, printerURI: uri)
                r.add("requested-attributes", .keyword, requestedAttributes)
                return r
            }
        case .printJob:
            makeRequest = { [format] in
                let r = LibcupsMessage.request(.printJob, printerURI: uri)
                r.add("job-name", .nameWithoutLanguage, ["bench"])
                r.add("document-format", .mimeMediaType, [format])
                return r
            }
        }

        let now = monotonicNanoseconds()
        let measureFrom = now + UInt64(warmUp * 1e9)
        let measureUntil = measureFrom + UInt64(seconds * 1e9)
        stderr("warming up \(format1(warmUp)) s…")
        for worker in workers {
            let thread = Thread { [document] in
                worker.run(makeRequest: makeRequest, document: document, from: measureFrom, until: measureUntil)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        sleepUntil(measureFrom)
        stderr("measuring \(format1(seconds)) s with \(clients) client\(clients == 1 ? "" : "s")…")

        // Every request is bounded by the client's timeout (10 s), so the workers end soon
        // after the window; give up on any that do not.
        let giveUp = DispatchTime(uptimeNanoseconds: measureUntil + 15_000_000_000)
        for worker in workers where worker.done.wait(timeout: giveUp) == .timedOut {
            throw BenchError("a client did not finish within 15 s after the end of the run (server stalled?)")
        }

        var latencies: [UInt64] = []
        latencies.reserveCapacity(workers.reduce(0) { $0 + $1.latencies.count })
        var errorKinds: [String: Int] = [:]
        for worker in workers {
            latencies.append(contentsOf: worker.latencies)
            errorKinds.merge(worker.errorKinds, uniquingKeysWith: +)
        }
        latencies.sort()
        let requests = latencies.count
        let errors = errorKinds.values.reduce(0, +)
        let result = Result(uri: uri, op: op.rawValue, clients: clients, seconds: seconds, requests: requests,
                            requestsPerSecond: Double(requests) / seconds,
                            p50: percentile(latencies, 0.50), p99: percentile(latencies, 0.99),
                            errors: errors, errorKinds: errorKinds)
        print(json ? result.json() : result.table(), terminator: "")
        if requests == 0 {
            stderr("ippgate: no request succeeded" + (errors > 0 ? " (\(result.kindsText))" : ""))
            return 1
        }
        return 0
    }

    /// `document-format` from the file name's extension.
    static func documentFormat(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "pdf": return "application/pdf"
        case "jpg", "jpeg": return "image/jpeg"
        case "pwg": return "image/pwg-raster"
        case "urf": return "image/urf"
        case "png": return "image/png"
        case "txt": return "text/plain"
        case "ps": return "application/postscript"
        default: return "application/octet-stream"
        }
    }

    /// Nearest-rank percentile of sorted nanoseconds, in milliseconds; 0 when empty.
    static func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1e6
    }

    struct Result {
        var uri: String, op: String, clients: Int, seconds: Double
        var requests: Int, requestsPerSecond: Double, p50: Double, p99: Double
        var errors: Int, errorKinds: [String: Int]

        var kindsText: String {
            errorKinds.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        }

        func table() -> String {
            var rows: [(String, String)] = [
                ("uri", uri), ("op", op), ("clients", "\(clients)"), ("seconds", format1(seconds)),
                ("requests", "\(requests)"), ("requests/s", format(requestsPerSecond, 1)),
                ("p50", format(p50, 3) + " ms"), ("p99", format(p99, 3) + " ms"), ("errors", "\(errors)"),
            ]
            if errors > 0 { rows.append(("", kindsText)) }
            return rows.map { pad($0.0, 12) + $0.1 + "\n" }.joined()
        }

        func json() -> String {
            let kinds = errorKinds.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)): \($0.value)" }.joined(separator: ", ")
            return "{\"uri\": \(JSONText.quoted(uri)), \"op\": \(JSONText.quoted(op)), \"clients\": \(clients), \"seconds\": \(seconds), "
                + "\"requests\": \(requests), \"requests_per_s\": \(format(requestsPerSecond, 1)), "
                + "\"p50_ms\": \(format(p50, 3)), \"p99_ms\": \(format(p99, 3)), "
                + "\"errors\": \(errors), \"error_kinds\": {\(kinds)}}\n"
        }
    }
}

extension BenchLoadCommand {
    /// One client: its connection and what it measured.
    ///
    /// `@unchecked Sendable`: between `Thread.start()` and `done.signal()` only the worker's
    /// own thread touches `client`, `latencies` and `errorKinds`; the main thread reads them
    /// only after `done.wait()` returned, which orders the accesses.
    final class Worker: @unchecked Sendable {
        let client: IPPClient
        var latencies: [UInt64] = []
        var errorKinds: [String: Int] = [:]
        let done = DispatchSemaphore(value: 0)

        init(client: IPPClient) { self.client = client }

        /// Sends requests back to back until `until`. Records the ones that both start at or
        /// after `from` and complete by `until`; the warm-up and the request in flight at the
        /// end are not counted.
        func run(makeRequest: () -> LibcupsMessage, document: [UInt8], from: UInt64, until: UInt64) {
            defer { client.close(); done.signal() }
            latencies.reserveCapacity(1 << 16)
            document.withUnsafeBytes { bytes in
                let body: UnsafeRawBufferPointer? = bytes.isEmpty ? nil : bytes
                while true {
                    let request = makeRequest()
                    let start = monotonicNanoseconds()
                    if start >= until { return }
                    let outcome = client.send(request, document: body)
                    let end = monotonicNanoseconds()
                    // A dead server refuses at once; do not spin.
                    if case .failure = outcome { usleep(10_000) }
                    guard start >= from, end <= until else { continue }
                    switch outcome {
                    case .success(let response):
                        let status = response.statusCode
                        if status.rawValue < 0x0400 {
                            latencies.append(end - start)
                        } else {
                            errorKinds[LibcupsMessage.statusName(status), default: 0] += 1
                        }
                    case .failure(let error):
                        errorKinds["\(error)", default: 0] += 1
                    }
                }
            }
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func sleepUntil(_ deadline: UInt64) {
        while true {
            let now = monotonicNanoseconds()
            guard now < deadline else { return }
            usleep(useconds_t(min(deadline - now, 100_000_000) / 1000))
        }
    }

    static func format1(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }
}
