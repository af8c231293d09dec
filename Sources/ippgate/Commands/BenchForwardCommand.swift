import CupsBridge
import Dispatch
import Foundation
import IPP

/// `ippgate bench forward --printer URI --via URI --file F [--format MIME] [--runs N] [--gateway-pid PID] [--empty DIR] [--json]`
///
/// Sends the file with Print-Job straight to the printer, then through an ippgate printer
/// that forwards to it, each time until the job is completed (at the printer, or at ippgate,
/// which completes only when the printer has), and reports both with the ratio. With
/// --gateway-pid it also reports the gateway's peak resident memory (VmHWM). Each send
/// starts after sync(2), so that no run pays for writing back what the one before wrote.
/// --empty DIR removes the files in DIR (the printer's spool) before each send:
/// ippeveprinter keeps every document it receives, and a filling disk slows later runs.
enum BenchForwardCommand {
    static let usage = "usage: ippgate bench forward --printer URI --via URI --file F [--format MIME] [--runs N] [--gateway-pid PID] [--empty DIR] [--json]"

    static func run(_ args: [String]) throws -> Int32 {
        let o = try Options(args, valued: ["--printer", "--via", "--file", "--format", "--runs", "--gateway-pid", "--empty"], switches: ["--json"])
        guard let printer = o.values["--printer"], let via = o.values["--via"], let file = o.values["--file"], o.positionals.isEmpty else {
            throw UsageError(usage)
        }
        guard FileManager.default.isReadableFile(atPath: file) else { throw UsageError("cannot read \(file)") }
        let format = o.values["--format"] ?? "application/octet-stream"
        let runs = Int(o.values["--runs"] ?? "5") ?? 5
        let json = o.switches.contains("--json")
        signal(SIGPIPE, SIG_IGN)

        let empty = o.values["--empty"]
        var direct: [Double] = [], gateway: [Double] = []
        for i in 1...max(1, runs) {
            stderr("run \(i): direct…")
            emptyDirectory(empty)
            direct.append(try timedPrint(file, format: format, to: printer))
            stderr("run \(i): through ippgate…")
            emptyDirectory(empty)
            gateway.append(try timedPrint(file, format: format, to: via))
        }
        emptyDirectory(empty)
        let d = median(direct), g = median(gateway)
        var rss: Double? = nil
        if let pid = o.values["--gateway-pid"], let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
            rss = kb / 1024
        }
        if json {
            var fields = ["\"direct_ms\": \(format1(d))", "\"gateway_ms\": \(format1(g))", "\"ratio\": \(format2(g / d))",
                          "\"runs\": \(runs)"]
            if let rss { fields.append("\"gateway_peak_rss_mb\": \(format1(rss))") }
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            print("file        \(file)")
            print("direct      \(format1(d)) ms (median of \(direct.map(format1).joined(separator: ", ")))")
            print("via ippgate \(format1(g)) ms (median of \(gateway.map(format1).joined(separator: ", ")))")
            print("ratio       \(format2(g / d))x")
            if let rss { print("ippgate peak RSS \(format1(rss)) MB") }
        }
        return 0
    }

    /// Print-Job of the file, then polls the job until it is completed. Milliseconds.
    static func timedPrint(_ file: String, format: String, to uri: String) throws -> Double {
        sync()
        let start = DispatchTime.now().uptimeNanoseconds
        let client = try IPPClient(uri: uri, connectTimeout: 5, timeout: 120)
        var m = request(.printJob, uri)
        m.append(Attribute("document-format", .mimeMediaType(format)), to: .operation)
        let r = try client.send(m, documentFile: file)
        guard r.status.isSuccess, let id = r.groups.first(where: { $0.tag == .job })?["job-id"]?.firstValue?.integerValue else {
            throw UsageError("\(uri) refused the job: \(r.status.name ?? String(r.code))")
        }
        while true {
            var q = request(.getJobAttributes, uri)
            q.append(Attribute("job-id", .integer(id)), to: .operation)
            q.append(Attribute("requested-attributes", .keyword("job-state")), to: .operation)
            let s = try client.send(q).groups.first { $0.tag == .job }?["job-state"]?.firstValue?.integerValue ?? 0
            if s == JobState.completed.rawValue { break }
            if s == JobState.canceled.rawValue || s == JobState.aborted.rawValue { throw UsageError("job \(id) at \(uri) ended in state \(s)") }
            usleep(2_000)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// Removes the regular files directly in `dir`.
    static func emptyDirectory(_ dir: String?) {
        guard let dir, let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names {
            let path = (dir as NSString).appendingPathComponent(name)
            var info = stat()
            if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
        }
    }

    static func request(_ op: IPP.Operation, _ uri: String) -> Message {
        Message.request(op, printerURI: uri, user: "bench")
    }

    static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    static func format1(_ v: Double) -> String { String(format: "%.1f", v) }
    static func format2(_ v: Double) -> String { String(format: "%.2f", v) }
}
