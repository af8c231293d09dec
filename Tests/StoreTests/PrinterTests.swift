import Testing
@testable import Store

@Suite struct PrinterTests {
    @Test func crud() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            #expect(try store.printers() == [])
            #expect(try store.printer(named: "b") == nil)

            let b = PrinterRecord(name: "b", target: "file:///tmp/out", uuid: "urn:uuid:2", createdAt: 20,
                                  settings: ["location": "Room 1", "info": "Second"])
            let a = PrinterRecord(name: "a", target: "ipp://192.0.2.5/ipp/print", uuid: "urn:uuid:1", createdAt: 10)
            try store.addPrinter(b)
            try store.addPrinter(a)
            #expect(try store.printers() == [a, b])          // sorted by name
            #expect(try store.printer(named: "b") == b)

            var b2 = b
            b2.target = "cups://queue"
            b2.settings["location"] = "Room 2"
            b2.settings["info"] = nil
            try store.updatePrinter(b2)
            #expect(try store.printer(named: "b") == b2)

            #expect(try store.removePrinter(named: "a") == true)
            #expect(try store.removePrinter(named: "a") == false)
            #expect(try store.printers() == [b2])
        }
    }

    @Test func duplicateNameIsAClearError() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let p = PrinterRecord(name: "office", target: "file:///x", uuid: "urn:uuid:1", createdAt: 1)
            try store.addPrinter(p)
            let error = #expect(throws: StoreError.self) { try store.addPrinter(p) }
            #expect(error?.message == "printer 'office' already exists")
            #expect(error?.kind == .exists)
            #expect(error?.code == 1555)   // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(try store.printers().count == 1)
        }
    }

    @Test func updatingAMissingPrinterFails() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let error = #expect(throws: StoreError.self) {
                try store.updatePrinter(PrinterRecord(name: "ghost", target: "file:///x", uuid: "u", createdAt: 1))
            }
            #expect(error?.kind == .notFound)
            #expect(error?.message == "printer 'ghost' does not exist")
        }
    }

    @Test func settingsSurviveAnyText() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let settings = [
                "location": "Büro \"3\" \\ 2nd floor\n\ttab",
                "emoji": "🖨️ ok",
                "": "empty key",
                "control": "\u{01}\u{1F}",
                "empty": "",
            ]
            let p = PrinterRecord(name: "x", target: "", uuid: "", createdAt: 0, settings: settings)
            try store.addPrinter(p)
            #expect(try store.printer(named: "x")?.settings == settings)
            // Reopened from disk, too.
            #expect(try StateStore(directory: dir).printer(named: "x") == p)
        }
    }

    @Test func changeCounterMovesOnPrinterChangesOnly() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let c0 = try store.changeCounter()
            try store.addPrinter(PrinterRecord(name: "p", target: "file:///x", uuid: "u", createdAt: 1))
            let c1 = try store.changeCounter()
            #expect(c1 != c0)
            _ = try store.insertJob(makeJob(printer: "p"))
            #expect(try store.changeCounter() == c1)
            try store.updatePrinter(PrinterRecord(name: "p", target: "file:///y", uuid: "u", createdAt: 1))
            let c2 = try store.changeCounter()
            #expect(c2 != c1)
            try store.removePrinter(named: "p")
            #expect(try store.changeCounter() != c2)
        }
    }
}
