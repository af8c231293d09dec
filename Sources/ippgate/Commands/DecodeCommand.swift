import Foundation
import IPP

/// `ippgate ipp decode FILE [--reencode OUT] [--document-info]`
///
/// Standard output holds only the message's text form. Notes (document data size)
/// go to stderr with --document-info. Malformed input: one line on stderr, exit 1.
enum DecodeCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let options = try Options(args, valued: ["--reencode"], switches: ["--document-info"])
        guard options.positionals.count == 1 else {
            throw UsageError("usage: ippgate ipp decode FILE [--reencode OUT] [--document-info]")
        }
        let path = options.positionals[0]
        let bytes = try readFile(path)
        let message: Message
        let documentOffset: Int
        do {
            (message, documentOffset) = try Message.decode(bytes, limits: .default)
        } catch {
            stderr("ippgate: \(path): malformed IPP at \(error)")
            return 1
        }
        print(message.formatted(), terminator: "")
        if let out = options.values["--reencode"] {
            let encoded = message.encoded()
            guard FileManager.default.createFile(atPath: out, contents: Data(encoded)) else {
                throw UsageError("cannot write \(out)")
            }
        }
        if options.switches.contains("--document-info") {
            stderr("document data: \(bytes.count - documentOffset) bytes at offset \(documentOffset)")
        }
        return 0
    }
}
