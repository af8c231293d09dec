import Foundation

/// Dispatches `ippgate <command> …` to the command's implementation.
enum CLI {
    static let usage = """
        usage: ippgate <command> [options]

        commands:
          ipp decode FILE [--reencode OUT] [--document-info]
                                  print an IPP message as text (libcups's notation)
          serve [--listen HOST:PORT]... [--state DIR] [--keep-documents] [--refresh-interval S] [--max-connections N] [--log-level L]
                                  run the gateway (default 127.0.0.1:8631, state ~/.local/state/ippgate or /var/lib/ippgate as root);
                                  --keep-documents keeps each job's spool files (STATE/spool) after the job ends;
                                  --refresh-interval re-reads each printer device's attributes every S seconds (300);
                                  --max-connections caps concurrent client connections (256; beyond it, HTTP 503)
          printers add NAME --target URI [--store-then-forward] [--state DIR]
          printers remove NAME [--state DIR]
          printers list [--state DIR]
                                  manage printers (applied at once if the server is running); remove cancels
                                  the printer's unfinished jobs; list shows each one's state, queued jobs and
                                  reasons (offline-report: its device is unreachable) when the server runs
          bench codec [--seconds S] [--json] FILE...
                                  decode/encode throughput against libcups
          bench load URI [--clients N] [--seconds S] [--op get-printer-attributes|print-job] [--file F] [--json]
                                  requests/s and latency of an IPP server
          bench forward --printer URI --via URI --file F [--format MIME] [--runs N] [--gateway-pid PID] [--empty DIR] [--json]
                                  a document straight to a printer and through an ippgate printer, side by side
          help                    this text

        """

    static func run(_ args: [String]) -> Int32 {
        guard let command = args.first else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        let rest = Array(args.dropFirst())
        if rest.contains("--help") || rest.contains("-h"), let text = help(for: command) {
            print(text, terminator: "")
            return 0
        }
        do {
            switch command {
            case "serve":
                return try ServeCommand.run(rest)
            case "printers":
                return try PrintersCommand.run(rest)
            case "ipp":
                guard rest.first == "decode" else { throw UsageError("usage: ippgate ipp decode FILE [--reencode OUT]") }
                return try DecodeCommand.run(Array(rest.dropFirst()))
            case "bench":
                switch rest.first {
                case "codec": return try BenchCodecCommand.run(Array(rest.dropFirst()))
                case "load": return try BenchLoadCommand.run(Array(rest.dropFirst()))
                case "forward": return try BenchForwardCommand.run(Array(rest.dropFirst()))
                default: throw UsageError("usage: ippgate bench codec|load|forward …  (see ippgate help)")
                }
            case "help", "-h", "--help":
                print(usage, terminator: "")
                return 0
            default:
                throw UsageError("unknown command '\(command)'\n\n" + usage)
            }
        } catch let error as UsageError {
            stderr("ippgate: \(error.message)")
            return 2
        } catch {
            stderr("ippgate: \(error)")
            return 1
        }
    }
}

extension CLI {
    /// The lines of `usage` about one command: its synopses and their explanations.
    static func help(for command: String) -> String? {
        var out: [Substring] = []
        var inside = false
        for line in usage.split(separator: "\n", omittingEmptySubsequences: false) {
            let synopsis = line.hasPrefix("  ") && !line.hasPrefix("   ")
            if synopsis { inside = line.dropFirst(2).hasPrefix(command + " ") || line.dropFirst(2) == command }
            else if !line.hasPrefix("   ") { inside = false }
            if inside { out.append(line) }
        }
        return out.isEmpty ? nil : "usage:\n" + out.joined(separator: "\n") + "\n"
    }
}

struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

func stderr(_ line: String) {
    FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
}

/// A tiny option parser: flags with values, boolean switches, positionals.
struct Options {
    var values: [String: String] = [:]
    /// Every value of an option given more than once (e.g. --listen).
    var lists: [String: [String]] = [:]
    var switches: Set<String> = []
    var positionals: [String] = []

    init(_ args: [String], valued: Set<String>, switches known: Set<String>) throws {
        var i = 0
        while i < args.count {
            let a = args[i]
            if valued.contains(a) {
                guard i + 1 < args.count else { throw UsageError("\(a) needs a value") }
                values[a] = args[i + 1]
                lists[a, default: []].append(args[i + 1])
                i += 2
            } else if known.contains(a) {
                switches.insert(a)
                i += 1
            } else if a.hasPrefix("--") {
                throw UsageError("unknown option \(a)")
            } else {
                positionals.append(a)
                i += 1
            }
        }
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw UsageError("cannot read \(path)")
    }
    return [UInt8](data)
}
