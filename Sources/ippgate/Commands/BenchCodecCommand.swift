import CupsBridge
import Dispatch
import Foundation
import IPP

/// `ippgate bench codec [--seconds S] [--json] FILE...`
///
/// Decodes and encodes the attribute sections of the given messages in a loop, with
/// ippgate's codec and with libcups's ippReadIO/ippWriteIO on the same bytes, and
/// reports both side by side. Each measurement runs for S seconds (default 2).
enum BenchCodecCommand {
    struct Rate {
        var messagesPerSecond: Double
        var megabytesPerSecond: Double
    }

    static func run(_ args: [String]) throws -> Int32 {
        let options = try Options(args, valued: ["--seconds"], switches: ["--json"])
        guard !options.positionals.isEmpty else {
            throw UsageError("usage: ippgate bench codec [--seconds S] [--json] FILE...")
        }
        let seconds = Double(options.values["--seconds"] ?? "2") ?? 2
        guard seconds > 0 else { throw UsageError("--seconds must be positive") }
        let json = options.switches.contains("--json")

        // The attribute section of each message: document data is not the codec's work.
        var inputs: [[UInt8]] = []
        var decoded: [Message] = []
        for path in options.positionals {
            let bytes = try readFile(path)
            do {
                let (message, end) = try Message.decode(bytes)
                inputs.append(Array(bytes[..<end]))
                decoded.append(message)
            } catch {
                throw UsageError("\(path): malformed IPP at \(error)")
            }
        }
        let passBytes = inputs.reduce(0) { $0 + $1.count }
        let libcupsMessages = try inputs.map { try LibcupsMessage.decode($0).0 }
        let maxSize = inputs.map(\.count).max()! * 2 + 64
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: maxSize, alignment: 16)
        defer { scratch.deallocate() }

        progress(json, "bench codec: \(inputs.count) messages, \(passBytes) bytes per pass, \(seconds) s per measurement")

        progress(json, "  ippgate decode…")
        let decode = measure(seconds, passBytes: passBytes, count: inputs.count) {
            for input in inputs { blackHole(try? Message.decode(input)) }
        }
        // ippgate's decoder validates every value but makes values on demand; this row
        // also makes every attribute's values, as libcups's reader does, for a like-for-like view.
        progress(json, "  ippgate decode + make every value…")
        let decodeAll = measure(seconds, passBytes: passBytes, count: inputs.count) {
            for input in inputs {
                guard let (message, _) = try? Message.decode(input) else { continue }
                for group in message.groups { for attribute in group.attributes { blackHole(attribute.values) } }
            }
        }
        progress(json, "  libcups decode…")
        let cupsDecode = measure(seconds, passBytes: passBytes, count: inputs.count) {
            for input in inputs { input.withUnsafeBytes { blackHole(LibcupsMessage.decodeOnly($0)) } }
        }
        progress(json, "  ippgate encode…")
        let encode = measure(seconds, passBytes: passBytes, count: inputs.count) {
            for message in decoded { blackHole(message.encode(into: scratch)) }
        }
        progress(json, "  libcups encode…")
        let cupsEncode = measure(seconds, passBytes: passBytes, count: inputs.count) {
            for message in libcupsMessages { blackHole(message.encode(into: scratch)) }
        }

        if json {
            let fields: [(String, Double)] = [
                ("decode_msgs_per_s", decode.messagesPerSecond), ("encode_msgs_per_s", encode.messagesPerSecond),
                ("libcups_decode_msgs_per_s", cupsDecode.messagesPerSecond), ("libcups_encode_msgs_per_s", cupsEncode.messagesPerSecond),
                ("decode_mb_per_s", decode.megabytesPerSecond), ("encode_mb_per_s", encode.megabytesPerSecond),
                ("libcups_decode_mb_per_s", cupsDecode.megabytesPerSecond), ("libcups_encode_mb_per_s", cupsEncode.megabytesPerSecond),
                ("decode_all_values_msgs_per_s", decodeAll.messagesPerSecond),
                ("decode_ratio", decode.messagesPerSecond / cupsDecode.messagesPerSecond),
                ("decode_all_values_ratio", decodeAll.messagesPerSecond / cupsDecode.messagesPerSecond),
                ("encode_ratio", encode.messagesPerSecond / cupsEncode.messagesPerSecond),
                ("messages", Double(inputs.count)), ("bytes_per_pass", Double(passBytes)), ("seconds", seconds),
            ]
            print("{" + fields.map { "\"\($0.0)\": \(format($0.1, 2))" }.joined(separator: ", ") + "}")
        } else {
            print("")
            print(pad("", 10) + pad("ippgate", 18) + pad("libcups", 18) + "ratio")
            row("decode", decode, cupsDecode)
            row("+values", decodeAll, cupsDecode)
            row("encode", encode, cupsEncode)
        }
        return 0
    }

    static func row(_ label: String, _ ours: Rate, _ theirs: Rate) {
        print(pad(label, 10) + pad(format(ours.messagesPerSecond, 0) + " msg/s", 18)
              + pad(format(theirs.messagesPerSecond, 0) + " msg/s", 18)
              + format(ours.messagesPerSecond / theirs.messagesPerSecond, 2) + "x")
        print(pad("", 10) + pad(format(ours.megabytesPerSecond, 1) + " MB/s", 18)
              + pad(format(theirs.megabytesPerSecond, 1) + " MB/s", 18))
    }

    /// Runs `pass` repeatedly for about `seconds` (after a short warm-up) and returns the rate.
    static func measure(_ seconds: Double, passBytes: Int, count: Int, _ pass: () -> Void) -> Rate {
        let warmUntil = DispatchTime.now().uptimeNanoseconds + 100_000_000
        while DispatchTime.now().uptimeNanoseconds < warmUntil { pass() }
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1e9)
        var passes = 0
        var now = start
        repeat {
            pass()
            passes += 1
            now = DispatchTime.now().uptimeNanoseconds
        } while now < deadline
        let elapsed = Double(now - start) / 1e9
        return Rate(messagesPerSecond: Double(passes * count) / elapsed,
                    megabytesPerSecond: Double(passes * passBytes) / elapsed / 1e6)
    }

    static func progress(_ json: Bool, _ line: String) {
        // Progress goes to stderr so that --json output stays one clean object.
        stderr(line)
    }
}

/// Keeps the optimizer from deleting work whose result is unused.
@inline(never) func blackHole<T>(_ value: T) { _ = value }

func format(_ v: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", v) }
func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
