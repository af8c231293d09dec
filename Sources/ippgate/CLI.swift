import Foundation

/// Dispatches `ippgate <command> …` to the command's implementation.
enum CLI {
    static let usage = """
        usage: ippgate <command> [options]

        commands:
          ipp decode FILE [--reencode OUT] [--document-info]
                                  print an IPP message as text (libcups's notation)
          bench codec [--seconds S] [--json] FILE...
                                  decode/encode throughput against libcups
          help                    this text

        """

    static func run(_ args: [String]) -> Int32 {
        guard let command = args.first else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        let rest = Array(args.dropFirst())
        do {
            switch command {
            case "ipp":
                guard rest.first == "decode" else { throw UsageError("usage: ippgate ipp decode FILE [--reencode OUT]") }
                return try DecodeCommand.run(Array(rest.dropFirst()))
            case "bench":
                guard rest.first == "codec" else { throw UsageError("usage: ippgate bench codec [--seconds S] [--json] FILE...") }
                return try BenchCodecCommand.run(Array(rest.dropFirst()))
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
    var switches: Set<String> = []
    var positionals: [String] = []

    init(_ args: [String], valued: Set<String>, switches known: Set<String>) throws {
        var i = 0
        while i < args.count {
            let a = args[i]
            if valued.contains(a) {
                guard i + 1 < args.count else { throw UsageError("\(a) needs a value") }
                values[a] = args[i + 1]
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
