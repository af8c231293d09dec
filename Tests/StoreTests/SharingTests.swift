import Testing
import Foundation
@testable import Store

/// Two StateStores on one directory behave like the server and the CLI in two processes:
/// two SQLite connections to the same WAL database.
@Suite struct SharingTests {
    @Test func aSecondInstanceSeesChangesAndTheCounterMoves() throws {
        try withTemporaryDirectory { dir in
            let server = try StateStore(directory: dir)
            let cli = try StateStore(directory: dir)

            let counter0 = try server.changeCounter()
            let data0 = try server.dataVersion()
            try cli.addPrinter(PrinterRecord(name: "new", target: "file:///x", uuid: "urn:uuid:1", createdAt: 5))
            let counter1 = try server.changeCounter()
            #expect(counter1 != counter0)
            #expect(try server.dataVersion() != data0)
            #expect(try server.printers().map(\.name) == ["new"])

            // A job written by the server is visible to the CLI, and ids stay shared.
            let a = try server.insertJob(makeJob(printer: "new"))
            let b = try cli.insertJob(makeJob(printer: "new"))
            #expect(b == a + 1)
            #expect(try cli.job(id: a)?.printer == "new")
            // Job changes do not move the printer counter.
            #expect(try server.changeCounter() == counter1)

            try cli.removePrinter(named: "new")
            #expect(try server.changeCounter() != counter1)
            #expect(try server.printer(named: "new") == nil)

            // The server's own writes do not move its data_version.
            let data1 = try server.dataVersion()
            _ = try server.insertJob(makeJob())
            #expect(try server.dataVersion() == data1)
        }
    }

    @Test func writersInTwoInstancesWaitForEachOther() throws {
        try withTemporaryDirectory { dir in
            let one = try StateStore(directory: dir)
            let two = try StateStore(directory: dir)
            let results = ResultBox()
            DispatchQueue.concurrentPerform(iterations: 4) { i in
                let store = i % 2 == 0 ? one : two
                for _ in 0..<15 {
                    do { results.append(try store.insertJob(makeJob())) } catch { results.fail("\(error)") }
                }
            }
            #expect(results.errors == [])
            #expect(results.ids.sorted() == Array(1...60))
        }
    }

    @Test func aNewerSchemaIsRefused() throws {
        try withTemporaryDirectory { dir in
            _ = try StateStore(directory: dir)
            let sqlite = Process()
            sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            try #require(FileManager.default.isExecutableFile(atPath: sqlite.executableURL!.path), "sqlite3 is installed by scripts/setup.sh")
            sqlite.arguments = [dir + "/ippgate.db", "PRAGMA user_version=99"]
            try sqlite.run()
            sqlite.waitUntilExit()
            let error = #expect(throws: StoreError.self) { _ = try StateStore(directory: dir) }
            #expect(error?.message.hasPrefix("cannot open database \(dir)/ippgate.db: schema version 99 is newer than this ippgate supports") == true)
        }
    }

    @Test func notADatabaseIsAClearError() throws {
        try withTemporaryDirectory { dir in
            _ = FileManager.default.createFile(atPath: dir + "/ippgate.db", contents: Data(repeating: 0x41, count: 4096))
            let error = #expect(throws: StoreError.self) { _ = try StateStore(directory: dir) }
            #expect(error?.kind == .corrupt)
            #expect(error?.message.hasPrefix("cannot open database \(dir)/ippgate.db: ") == true, "\(String(describing: error))")
            #expect(error?.message.hasSuffix("file is not a database") == true)
        }
    }

    @Test func unusableDirectoryIsAClearError() throws {
        try withTemporaryDirectory { dir in
            _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data())
            let error = #expect(throws: StoreError.self) { _ = try StateStore(directory: dir + "/file/state") }
            #expect(error?.message.hasPrefix("cannot create directory \(dir)/file") == true)
        }
    }

    @Test func jsonTextRoundTripsAndRejectsGarbage() {
        #expect(JSONText.encode(["a", "b\"c"]) == #"["a","b\"c"]"#)
        #expect(JSONText.decodeArray(#" [ "x" , "\u00e9\ud83d\udda8" ] "#) == ["x", "é🖨"])
        #expect(JSONText.decodeArray("[") == nil)
        #expect(JSONText.decodeArray(#"["a",]"#) == nil)
        #expect(JSONText.decodeArray(#"[1]"#) == nil)
        #expect(JSONText.decodeArray(#"["\ud800"]"#) == nil)
        #expect(JSONText.encode(["b": "1", "a": "2"]) == #"{"a":"2","b":"1"}"#)
        #expect(JSONText.decodeObject(#"{"k":"v","k2":"\n"}"#) == ["k": "v", "k2": "\n"])
        #expect(JSONText.decodeObject(#"{"k":1}"#) == nil)
        #expect(JSONText.decodeObject(#"{"k":"v"} x"#) == nil)
    }
}
