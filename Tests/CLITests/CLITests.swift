import Foundation
import IPP
import Testing
import TestSupport

/// Runs the built `ippgate` binary the way a user would, and checks its output.
@Suite struct CLITests {
    /// The ippgate executable, built beside the test bundle.
    static let binary: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("ippgate").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("ippgate")
    }()

    struct Run { var status: Int32; var stdout: [UInt8]; var stderr: String }

    func ippgate(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting, so a large output cannot block the child.
        let errData = PipeReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: [UInt8](outData), stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    func tempFile(_ bytes: [UInt8]) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-cli-\(UInt64.random(in: 0...UInt64.max)).ipp").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @Test func decodePrintsTextFormOnlyOnStdout() throws {
        let fixture = try #require(Fixtures.all.first { $0.name.contains("get-printer-attributes-response") })
        let path = Fixtures.directory.appendingPathComponent(fixture.name).path
        let run = try ippgate(["ipp", "decode", path])
        #expect(run.status == 0)
        #expect(run.stderr.isEmpty)
        let (message, _) = try Message.decode(fixture.bytes)
        #expect(String(decoding: run.stdout, as: UTF8.self) == message.formatted())
        #expect(String(decoding: run.stdout, as: UTF8.self).hasPrefix("version="))
    }

    @Test func reencodeWritesTheAttributeSection() throws {
        // A request with document data: the re-encoded file holds the attributes only.
        let fixture = try #require(Fixtures.all.first { f in
            (try? Message.decode(f.bytes)).map { $0.documentOffset < f.bytes.count } ?? false
        })
        let (_, offset) = try Message.decode(fixture.bytes)
        let out = tempFile([])
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try ippgate(["ipp", "decode", Fixtures.directory.appendingPathComponent(fixture.name).path,
                               "--reencode", out, "--document-info"])
        #expect(run.status == 0)
        #expect([UInt8](FileManager.default.contents(atPath: out)!) == Array(fixture.bytes[..<offset]))
        #expect(run.stderr.contains("document data: \(fixture.bytes.count - offset) bytes at offset \(offset)"))
    }

    @Test func malformedInputExitsOneWithOffset() throws {
        let bytes = hex("02 00 00 0b 00 00 00 01 01 21 00 01 \"x\" 00 03 00 00 01 03")
        let path = tempFile(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try ippgate(["ipp", "decode", path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(run.stderr.contains("byte 9 (0x9)"))
        #expect(run.stderr.contains("\"x\""))
    }

    @Test func garbageNeverCrashes() throws {
        var rng = SplitMix64(state: 7)
        for n in [0, 1, 7, 8, 9, 100, 5000] {
            let path = tempFile((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
            defer { try? FileManager.default.removeItem(atPath: path) }
            let run = try ippgate(["ipp", "decode", path])
            #expect(run.status == 1 || run.status == 0, "size \(n): status \(run.status)")
            if run.status == 1 { #expect(run.stderr.contains("byte ")) }
        }
    }

    @Test func benchCodecJSON() throws {
        let paths = Fixtures.all.prefix(5).map { Fixtures.directory.appendingPathComponent($0.name).path }
        let run = try ippgate(["bench", "codec", "--seconds", "0.05", "--json"] + paths)
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Double])
        for key in ["decode_msgs_per_s", "encode_msgs_per_s", "libcups_decode_msgs_per_s", "libcups_encode_msgs_per_s"] {
            #expect((object[key] ?? 0) > 0, "\(key)")
        }
    }

    @Test func usageErrors() throws {
        #expect(try ippgate(["ipp", "decode"]).status == 2)
        #expect(try ippgate(["no-such-command"]).status == 2)
        #expect(try ippgate(["ipp", "decode", "/nonexistent/file"]).status != 0)
    }

    /// `ippgate COMMAND --help` shows that command's part of the usage, on stdout, exit 0.
    @Test func eachCommandHasHelp() throws {
        for (command, expected, unexpected) in [(["serve", "--help"], "--refresh-interval", "printers add"),
                                                (["printers", "add", "-h"], "printers remove NAME", "serve ["),
                                                (["bench", "--help"], "bench forward", "printers list")] {
            let run = try ippgate(command)
            let text = String(decoding: run.stdout, as: UTF8.self)
            #expect(run.status == 0, "\(command)")
            #expect(text.contains(expected), "\(command): \(text)")
            #expect(!text.contains(unexpected), "\(command): \(text)")
        }
    }
}

/// Reads a pipe to its end on another thread.
final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }
    func wait() -> Data { done.wait(); return data }
}
