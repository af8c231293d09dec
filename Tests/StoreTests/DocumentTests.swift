import Testing
import Foundation
@testable import Store

@Suite struct DocumentTests {
    @Test func directoryLayoutAndModes() throws {
        try withTemporaryDirectory { dir in
            let stateDir = dir + "/a/b/state"
            let store = try StateStore(directory: stateDir)
            #expect(store.directory == stateDir)
            #expect(store.spoolDirectory == stateDir + "/spool")
            #expect(fileExists(stateDir + "/ippgate.db"))
            #expect(fileMode(stateDir) == 0o700)
            #expect(fileMode(store.spoolDirectory) == 0o700)
            let f = try store.createSpoolFile(jobID: 1, number: 1)
            #expect(f.path == stateDir + "/spool/job-1-1.doc")
            #expect(fileMode(f.path) == 0o600)
            f.abandon()
        }
    }

    @Test func relativeDirectoryBecomesAbsolute() throws {
        try withTemporaryDirectory { dir in
            // A path relative to the current directory (without chdir: tests run in parallel).
            let cwd = FileManager.default.currentDirectoryPath
            let up = String(repeating: "../", count: cwd.split(separator: "/").count)
            let store = try StateStore(directory: up + String(dir.dropFirst()) + "/rel/state")
            #expect(store.directory.hasPrefix("/"))
            #expect(store.directory == dir + "/rel/state")
        }
    }

    /// A state directory moved (or restored from a backup elsewhere) keeps its jobs'
    /// documents: spool files are stored by name, and absolute paths from before that are
    /// found in the new spool directory too.
    @Test func aMovedStateDirectoryKeepsItsDocuments() throws {
        try withTemporaryDirectory { dir in
            let old = dir + "/old"
            var id: Int32 = 0
            do {
                let store = try StateStore(directory: old)
                id = try store.insertJob(makeJob())
                for number in [Int32(1), 2] {
                    let file = try store.createSpoolFile(jobID: id, number: number)
                    try [UInt8]("doc \(number)".utf8).withUnsafeBytes { try file.write($0) }
                    try file.commit()
                    // Number 2 as a database from before relative paths holds it: absolute,
                    // somewhere the directory no longer is.
                    let path = number == 1 ? file.path : "/nowhere/state/spool/job-\(id)-2.doc"
                    try store.addDocument(DocumentRecord(jobID: id, number: number, format: "text/plain", name: "", path: path, size: 5))
                }
            }
            try FileManager.default.moveItem(atPath: old, toPath: dir + "/new")
            let store = try StateStore(directory: dir + "/new")
            let documents = try store.documents(jobID: id)
            #expect(documents.map(\.path) == [1, 2].map { dir + "/new/spool/job-\(id)-\($0).doc" })
            #expect(documents.map { (try? String(contentsOfFile: $0.path, encoding: .utf8)) ?? "" } == ["doc 1", "doc 2"])
            #expect(try store.removeOrphanSpoolFiles().isEmpty)
            #expect(try store.deleteJob(id: id))
            #expect(!fileExists(documents[0].path) && !fileExists(documents[1].path))
        }
    }

    @Test func spoolWriteCommitRecordAndDelete() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let id = try store.insertJob(makeJob(accepted: false))
            let file = try store.createSpoolFile(jobID: id, number: 1)
            var expected: [UInt8] = []
            for chunk in 0..<50 {
                let bytes = [UInt8](repeating: UInt8(chunk), count: 1000 + chunk)
                expected += bytes
                try file.write(bytes)
            }
            try file.write(UnsafeRawBufferPointer(start: nil, count: 0))
            #expect(file.size == Int64(expected.count))
            try file.commit()
            #expect(throws: StoreError.self) { try file.write([1]) }
            #expect(FileManager.default.contents(atPath: file.path).map { [UInt8]($0) } == expected)

            var job = try #require(try store.job(id: id))
            job.accepted = true
            job.documentsComplete = true
            let doc = DocumentRecord(jobID: id, number: 1, format: "application/pdf", name: "a.pdf", path: file.path, size: file.size)
            try store.addDocument(doc, updating: job)
            #expect(try store.documents(jobID: id) == [doc])
            #expect(try store.job(id: id) == job)

            let doc2 = try spoolDocument(store, jobID: id, number: 2, bytes: [1, 2, 3], format: "text/plain")
            try store.addDocument(doc2)
            #expect(try store.documents(jobID: id) == [doc, doc2])
            #expect(fileSize(doc2.path) == 3)

            let dup = #expect(throws: StoreError.self) { try store.addDocument(doc2) }
            #expect(dup?.kind == .exists)

            #expect(try store.deleteJob(id: id))
            #expect(!fileExists(doc.path))
            #expect(!fileExists(doc2.path))
            #expect(try store.documents(jobID: id) == [])
        }
    }

    @Test func documentForAMissingJobIsRefused() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let error = #expect(throws: StoreError.self) {
                try store.addDocument(DocumentRecord(jobID: 42, number: 1, format: "x", path: "/nowhere", size: 0))
            }
            #expect(error?.kind == .notFound)
            #expect(error?.message == "cannot add document 1: job 42 does not exist")
        }
    }

    @Test func addDocumentUpdatingIsAtomic() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let id = try store.insertJob(makeJob(accepted: false))
            var job = try #require(try store.job(id: id))
            let doc = try spoolDocument(store, jobID: id, bytes: [1])
            try store.addDocument(doc)
            // The document insert fails (duplicate), so the job update must not happen either.
            job.accepted = true
            #expect(throws: StoreError.self) { try store.addDocument(doc, updating: job) }
            #expect(try store.job(id: id)?.accepted == false)
        }
    }

    @Test func spoolFilesAreExclusiveAndAbandonable() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let f = try store.createSpoolFile(jobID: 7, number: 1)
            let again = #expect(throws: StoreError.self) { _ = try store.createSpoolFile(jobID: 7, number: 1) }
            #expect(again?.kind == .exists)
            #expect(again?.code == EEXIST)
            #expect(again?.message.contains("job-7-1.doc") == true)
            try f.write([1, 2])
            f.abandon()
            f.abandon()
            #expect(!fileExists(f.path))

            // Dropped without commit: removed.
            var path = ""
            do {
                let g = try store.createSpoolFile(jobID: 7, number: 2)
                path = g.path
                try g.write([3])
            }
            #expect(!path.isEmpty && !fileExists(path))

            // Dropped after commit: kept.
            do {
                let h = try store.createSpoolFile(jobID: 7, number: 3)
                path = h.path
                try h.commit()
            }
            #expect(fileExists(path))
        }
    }

    @Test func spoolNamesParse() {
        #expect(StateStore.parseSpoolName("job-12-3.doc")! == (12, 3))
        #expect(StateStore.parseSpoolName("job-12.doc") == nil)
        #expect(StateStore.parseSpoolName("job-x-1.doc") == nil)
        #expect(StateStore.parseSpoolName("other") == nil)
    }

    /// Several chunks, a tail, and the chunks handed over as they are written.
    @Test func largeDocumentIsWrittenInChunksAndHandedOver() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let id = try store.insertJob(makeJob(accepted: false))
            let file = try store.createSpoolFile(jobID: id, number: 1)
            let chunks = ChunkLog()
            file.onChunkWritten = { chunk in
                let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: chunk.bytes[0..<chunk.count]))
                chunks.add(chunk.offset, bytes)
            }
            let size = 3 * SpoolFile.stagingSize + 4321
            let expected = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 13) }
            var at = 0
            while at < size {   // uneven pieces, as a network delivers them
                let n = min(size - at, 70_001)
                _ = try file.append { free in
                    let m = min(n, free.count)
                    expected[at..<at + m].withUnsafeBytes { free.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: m) }
                    return m
                }
                at = Int(file.size)
            }
            try file.commit()
            #expect(FileManager.default.contents(atPath: file.path).map { [UInt8]($0) } == expected)
            let handed = chunks.all
            #expect(handed.map(\.0) == [0, Int64(SpoolFile.stagingSize), Int64(2 * SpoolFile.stagingSize)])
            #expect(handed.flatMap(\.1) == Array(expected[0..<(3 * SpoolFile.stagingSize)]))
        }
    }

    /// A file system without O_DIRECT (tmpfs) gets ordinary writes.
    @Test func spoolOnTmpfsWorks() throws {
        guard access("/dev/shm", W_OK) == 0 else { return }
        var template = Array("/dev/shm/ippgate-store-XXXXXX".utf8CString)
        let dir = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(directory: dir)
        let id = try store.insertJob(makeJob(accepted: false))
        let file = try store.createSpoolFile(jobID: id, number: 1)
        let bytes = (0..<(SpoolFile.stagingSize + 99)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try file.write(bytes)
        try file.commit()
        #expect(FileManager.default.contents(atPath: file.path).map { [UInt8]($0) } == bytes)
    }

    @Test func abandonWhileChunksAreBeingWrittenRemovesTheFile() throws {
        try withTemporaryDirectory { dir in
            let store = try StateStore(directory: dir)
            let id = try store.insertJob(makeJob(accepted: false))
            let file = try store.createSpoolFile(jobID: id, number: 1)
            try file.write([UInt8](repeating: 0x5A, count: 5 * SpoolFile.stagingSize))
            file.abandon()
            #expect(!fileExists(file.path))
            #expect(throws: StoreError.self) { try file.write([1]) }
        }
    }
}

/// The chunks a spool file handed over, in order (filled on its writer thread).
final class ChunkLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(Int64, [UInt8])] = []
    func add(_ offset: Int64, _ bytes: [UInt8]) { lock.lock(); list.append((offset, bytes)); lock.unlock() }
    var all: [(Int64, [UInt8])] { lock.lock(); defer { lock.unlock() }; return list }
}
