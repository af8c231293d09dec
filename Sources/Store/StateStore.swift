import CSQLite
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The durable printer and job store: a SQLite database (`ippgate.db`) and a spool
/// directory (`spool/`) inside one state directory.
///
/// Durability: the database runs in WAL mode with synchronous=FULL, so every method that
/// writes returns only after its transaction's WAL frames are fsynced. Spool files are
/// fsynced (file and directory) by `SpoolFile.commit`. A job is safe to acknowledge once
/// its row, its spool files and its document rows have all been written through these calls.
///
/// Thread-safe: two SQLite connections, one for writes and one for reads, each behind a
/// mutex (writes are serialised; reads run beside them). Several processes (the server and
/// the CLI) may open the same directory; writers wait for each other up to the busy timeout.
public final class StateStore: Sendable {
    /// The state directory, absolute and canonical.
    public let directory: String
    /// `<directory>/spool`: the documents of jobs, one file per document.
    public let spoolDirectory: String
    /// `<directory>/ippgate.db`
    public let databasePath: String

    private let writer: Mutex<Connection>
    private let reader: Mutex<Connection>

    public static let databaseName = "ippgate.db"

    /// Opens (creating if needed, mode 0700) the state directory and the database inside it.
    public init(directory: String, busyTimeoutMilliseconds: Int32 = 5000) throws {
        try POSIX.makeDirectories(directory, mode: 0o700)
        let dir = try POSIX.realPath(directory)
        let spool = dir == "/" ? "/spool" : dir + "/spool"
        try POSIX.makeDirectories(spool, mode: 0o700)
        let dbPath = (dir == "/" ? "" : dir) + "/" + StateStore.databaseName
        let isNew = access(dbPath, F_OK) != 0

        let conn = try Connection(path: dbPath, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        do {
            try Self.setUp(conn)
        } catch let e as StoreError {
            throw StoreError("cannot open database \(dbPath): \(e.message)", code: e.code, kind: e.kind)
        }
        if isNew {
            // The database and WAL files' names, and the spool directory's, must survive a
            // power loss too (SQLite syncs the directory for the WAL; this covers the rest).
            try POSIX.syncDirectory(dir)
        }

        self.directory = dir
        self.spoolDirectory = spool
        self.databasePath = dbPath
        let readConn = try Connection(path: dbPath, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        do {
            try readConn.exec("PRAGMA query_only=ON", "cannot configure the reading connection")
        } catch let e as StoreError {
            throw StoreError("cannot open database \(dbPath): \(e.message)", code: e.code, kind: e.kind)
        }
        self.writer = Mutex(conn)
        self.reader = Mutex(readConn)
    }

    /// WAL mode, synchronous=FULL, foreign keys, and the schema migrated to `Schema.version`.
    private static func setUp(_ conn: Connection) throws {
        let mode = try conn.with("PRAGMA journal_mode=WAL") { st -> String in
            _ = try st.step("cannot switch to WAL mode")
            return st.string(0)
        }
        guard mode.lowercased() == "wal" else {
            throw StoreError("the file system does not support WAL mode (journal_mode is \(mode))", kind: .io)
        }
        try conn.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "cannot configure the connection")
        try conn.transaction {
            let version = try conn.with("PRAGMA user_version") { st -> Int32 in
                _ = try st.step("cannot read the schema version")
                return st.int32(0)
            }
            if version > Schema.version {
                throw StoreError("schema version \(version) is newer than this ippgate supports (\(Schema.version))", kind: .invalid)
            }
            if version < 0 {
                throw StoreError("invalid schema version \(version)", kind: .corrupt)
            }
            for v in Int(version)..<Int(Schema.version) {
                try conn.exec(Schema.migrations[v], "cannot migrate from schema version \(v)")
            }
            if version != Schema.version {
                try conn.exec("PRAGMA user_version=\(Schema.version)", "cannot set the schema version")
            }
        }
    }

    /// Runs `body` on the writing connection (every write, and reads inside write transactions).
    private func writing<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try writer.withLock { conn throws -> T in try body(conn) }
    }

    /// Runs `body` on the reading connection. In WAL mode readers never wait for the writer,
    /// so Get-Jobs and friends do not queue behind a commit's fsync; each read sees every
    /// transaction committed before it started (including this store's own writes).
    private func reading<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try reader.withLock { conn throws -> T in try body(conn) }
    }

    // MARK: - Printers

    private static let printerColumns = "name, target, uuid, created_at, settings"

    private static func readPrinter(_ st: Statement) throws -> PrinterRecord {
        let name = st.string(0)
        let settingsText = st.string(4)
        guard let settings = JSONText.decodeObject(settingsText) else {
            throw StoreError("printer '\(name)' has invalid settings (not a JSON object of strings): \(settingsText.prefix(80))", kind: .corrupt)
        }
        return PrinterRecord(name: name, target: st.string(1), uuid: st.string(2), createdAt: st.int64(3), settings: settings)
    }

    /// All printers, sorted by name.
    public func printers() throws -> [PrinterRecord] {
        try reading { conn in
            try conn.with("SELECT \(Self.printerColumns) FROM printers ORDER BY name") { st in
                var result: [PrinterRecord] = []
                while try st.step("cannot list printers") { result.append(try Self.readPrinter(st)) }
                return result
            }
        }
    }

    public func printer(named name: String) throws -> PrinterRecord? {
        try reading { conn in
            try conn.with("SELECT \(Self.printerColumns) FROM printers WHERE name = ?1") { st in
                try st.bind(1, name)
                return try st.step("cannot read printer '\(name)'") ? try Self.readPrinter(st) : nil
            }
        }
    }

    /// Binds ?1…?5 in `printerColumns` order.
    private static func bindPrinter(_ st: Statement, _ p: PrinterRecord) throws {
        try st.bind(1, p.name)
        try st.bind(2, p.target)
        try st.bind(3, p.uuid)
        try st.bind(4, p.createdAt)
        try st.bind(5, JSONText.encode(p.settings))
    }

    /// Adds a printer; `StoreError` (kind `.exists`) if the name is taken.
    public func addPrinter(_ p: PrinterRecord) throws {
        try writing { conn in
            try conn.with("INSERT INTO printers(\(Self.printerColumns)) VALUES (?1, ?2, ?3, ?4, ?5)") { st in
                try Self.bindPrinter(st, p)
                do {
                    _ = try st.step("cannot add printer '\(p.name)'")
                } catch let e as StoreError where e.code == sqliteConstraintPrimaryKey {
                    throw StoreError("printer '\(p.name)' already exists", code: e.code, kind: .exists)
                }
            }
        }
    }

    /// Replaces the printer with the same name; `StoreError` (kind `.notFound`) if there is none.
    public func updatePrinter(_ p: PrinterRecord) throws {
        try writing { conn in
            try conn.with("UPDATE printers SET target = ?2, uuid = ?3, created_at = ?4, settings = ?5 WHERE name = ?1") { st in
                try Self.bindPrinter(st, p)
                _ = try st.step("cannot update printer '\(p.name)'")
            }
            if conn.changes == 0 { throw StoreError("printer '\(p.name)' does not exist", kind: .notFound) }
        }
    }

    /// Removes a printer (its jobs stay). Returns false if there was no such printer.
    @discardableResult
    public func removePrinter(named name: String) throws -> Bool {
        try removePrinter(named: name, cancelingJobs: nil, at: 0) != nil
    }

    /// Removes a printer and, in the same transaction, cancels its unfinished jobs with
    /// `message` (job-canceled-by-operator); they stay as history. Returns the ids of the
    /// jobs canceled, or nil if there was no such printer. With a nil message jobs are
    /// left as they are.
    public func removePrinter(named name: String, cancelingJobs message: String?, at now: Int64) throws -> [Int32]? {
        try writing { conn in
            try conn.transaction {
                try conn.with("DELETE FROM printers WHERE name = ?1") { st in
                    try st.bind(1, name)
                    _ = try st.step("cannot remove printer '\(name)'")
                }
                guard conn.changes > 0 else { return nil }
                guard let message else { return [] }
                // Unfinished: pending (3) to processing-stopped (6); 7 is canceled.
                var ids: [Int32] = []
                try conn.with("SELECT id FROM jobs WHERE printer = ?1 AND state BETWEEN 3 AND 6 ORDER BY id") { st in
                    try st.bind(1, name)
                    while try st.step("cannot list the jobs of '\(name)'") { ids.append(st.int32(0)) }
                }
                try conn.with("""
                    UPDATE jobs SET state = 7, state_reasons = ?2, state_message = ?3, completed_at = ?4 \
                    WHERE printer = ?1 AND state BETWEEN 3 AND 6
                    """) { st in
                    try st.bind(1, name)
                    try st.bind(2, JSONText.encode(["job-canceled-by-operator"]))
                    try st.bind(3, message)
                    try st.bind(4, now)
                    _ = try st.step("cannot cancel the jobs of '\(name)'")
                }
                return ids
            }
        }
    }

    // MARK: - Jobs

    private static let jobColumns = """
        id, printer, uuid, state, state_reasons, state_message, name, user_name, originating_host, \
        priority, hold_until, accepted, documents_complete, created_at, processing_at, completed_at, \
        impressions_completed, attributes, target_job_id, target_job_uri
        """
    private static let jobValueColumns = """
        printer, uuid, state, state_reasons, state_message, name, user_name, originating_host, \
        priority, hold_until, accepted, documents_complete, created_at, processing_at, completed_at, \
        impressions_completed, attributes, target_job_id, target_job_uri
        """

    private static func readJob(_ st: Statement) throws -> JobRecord {
        let id = st.int32(0)
        let reasonsText = st.string(4)
        guard let reasons = JSONText.decodeArray(reasonsText) else {
            throw StoreError("job \(id) has invalid state reasons (not a JSON array of strings): \(reasonsText.prefix(80))", kind: .corrupt)
        }
        return JobRecord(
            id: id, printer: st.string(1), uuid: st.string(2), state: st.int32(3),
            stateReasons: reasons, stateMessage: st.string(5), name: st.string(6), user: st.string(7),
            originatingHost: st.string(8), priority: st.int32(9), holdUntil: st.string(10),
            accepted: st.bool(11), documentsComplete: st.bool(12), createdAt: st.int64(13),
            processingAt: st.int64(14), completedAt: st.int64(15), impressionsCompleted: st.int32(16),
            attributes: st.bytes(17), targetJobID: st.int32(18), targetJobURI: st.string(19))
    }

    /// Binds the 19 value columns (everything but id) to parameters 1…19.
    private static func bindJob(_ st: Statement, _ j: JobRecord) throws {
        guard (3...9).contains(j.state) else {
            throw StoreError("job-state \(j.state) is not a valid IPP job state (3…9)", kind: .invalid)
        }
        try st.bind(1, j.printer)
        try st.bind(2, j.uuid)
        try st.bind(3, j.state)
        try st.bind(4, JSONText.encode(j.stateReasons))
        try st.bind(5, j.stateMessage)
        try st.bind(6, j.name)
        try st.bind(7, j.user)
        try st.bind(8, j.originatingHost)
        try st.bind(9, j.priority)
        try st.bind(10, j.holdUntil)
        try st.bind(11, j.accepted)
        try st.bind(12, j.documentsComplete)
        try st.bind(13, j.createdAt)
        try st.bind(14, j.processingAt)
        try st.bind(15, j.completedAt)
        try st.bind(16, j.impressionsCompleted)
        try st.bind(17, j.attributes)
        try st.bind(18, j.targetJobID)
        try st.bind(19, j.targetJobURI)
    }

    /// Inserts a job (its `id` is ignored) and returns the id assigned: one more than the
    /// highest id ever assigned in this database, never reused. Durable when it returns.
    public func insertJob(_ job: JobRecord) throws -> Int32 {
        try writing { conn in
            try conn.transaction {
                try conn.with("INSERT INTO jobs(\(Self.jobValueColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)") { st in
                    try Self.bindJob(st, job)
                    _ = try st.step("cannot add a job to printer '\(job.printer)'")
                }
                let id = conn.lastInsertRowID
                guard id > 0, id <= Int64(Int32.max) else {
                    throw StoreError("job ids are exhausted (next id \(id) exceeds \(Int32.max))", kind: .full)
                }
                return Int32(id)
            }
        }
    }

    /// Rewrites every field of the job with `job.id`. Durable when it returns.
    /// Rewrites a job. `durable: false` commits without waiting for the fsync: the change
    /// survives a crash of the process but maybe not of the machine, until the next durable
    /// write (the WAL is one ordered log, so that write's fsync carries this one too). For
    /// changes that recovery redoes anyway: a job marked processing, the printer's view of
    /// a job mirrored while it prints.
    public func updateJob(_ job: JobRecord, durable: Bool = true) throws {
        try writing { conn in
            guard !durable else { return try Self.updateJob(conn, job) }
            try conn.exec("PRAGMA synchronous=NORMAL", "cannot relax synchronous")
            defer { try? conn.exec("PRAGMA synchronous=FULL", "cannot restore synchronous") }
            try Self.updateJob(conn, job)
        }
    }

    /// The writing connection's `PRAGMA synchronous` (2 is FULL): for tests.
    func writerSynchronous() throws -> Int32 {
        try writing { conn in
            try conn.with("PRAGMA synchronous") { st in
                _ = try st.step("cannot read synchronous")
                return st.int32(0)
            }
        }
    }

    private static func updateJob(_ conn: Connection, _ job: JobRecord) throws {
        try conn.with("""
            UPDATE jobs SET printer = ?1, uuid = ?2, state = ?3, state_reasons = ?4, state_message = ?5, \
            name = ?6, user_name = ?7, originating_host = ?8, priority = ?9, hold_until = ?10, accepted = ?11, \
            documents_complete = ?12, created_at = ?13, processing_at = ?14, completed_at = ?15, \
            impressions_completed = ?16, attributes = ?17, target_job_id = ?18, target_job_uri = ?19 WHERE id = ?20
            """) { st in
            try bindJob(st, job)
            try st.bind(20, job.id)
            _ = try st.step("cannot update job \(job.id)")
        }
        if conn.changes == 0 { throw StoreError("job \(job.id) does not exist", kind: .notFound) }
    }

    public func job(id: Int32) throws -> JobRecord? {
        try reading { conn in
            try conn.with("SELECT \(Self.jobColumns) FROM jobs WHERE id = ?1") { st in
                try st.bind(1, id)
                return try st.step("cannot read job \(id)") ? try Self.readJob(st) : nil
            }
        }
    }

    /// Jobs of one printer (or of all when `printer` is nil), optionally of one user, at most `limit`.
    ///
    /// Order: `.notCompleted` by priority descending then id ascending (the processing order);
    /// `.completed` by completedAt descending then id descending (most recent first);
    /// `.all` by id ascending. Jobs whose document is still arriving (`accepted == false`)
    /// are included unless `acceptedOnly` is true.
    public func jobs(printer: String?, filter: JobFilter, user: String? = nil, limit: Int? = nil, acceptedOnly: Bool = false) throws -> [JobRecord] {
        var sql = "SELECT \(Self.jobColumns) FROM jobs"
        var conditions: [String] = []
        var parameter: Int32 = 0
        if printer != nil { parameter += 1; conditions.append("printer = ?\(parameter)") }
        if user != nil { parameter += 1; conditions.append("user_name = ?\(parameter)") }
        switch filter {
        case .notCompleted: conditions.append("state BETWEEN 3 AND 6")
        case .completed: conditions.append("state BETWEEN 7 AND 9")
        case .all: break
        }
        if acceptedOnly { conditions.append("accepted = 1") }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        switch filter {
        case .notCompleted: sql += " ORDER BY priority DESC, id ASC"
        case .completed: sql += " ORDER BY completed_at DESC, id DESC"
        case .all: sql += " ORDER BY id ASC"
        }
        if limit != nil { parameter += 1; sql += " LIMIT ?\(parameter)" }
        let query = sql
        return try reading { conn in
            try conn.with(query) { st in
                var i: Int32 = 0
                if let printer { i += 1; try st.bind(i, printer) }
                if let user { i += 1; try st.bind(i, user) }
                if let limit { i += 1; try st.bind(i, Int64(max(limit, 0))) }
                var result: [JobRecord] = []
                while try st.step("cannot list jobs") { result.append(try Self.readJob(st)) }
                return result
            }
        }
    }

    /// Jobs whose document never finished arriving (`accepted == false`), by id.
    public func unacceptedJobs() throws -> [JobRecord] {
        try reading { conn in
            try conn.with("SELECT \(Self.jobColumns) FROM jobs WHERE accepted = 0 ORDER BY id") { st in
                var result: [JobRecord] = []
                while try st.step("cannot list jobs") { result.append(try Self.readJob(st)) }
                return result
            }
        }
    }

    /// Deletes a job and its document rows, then removes its spool files (after the
    /// deletion is durable, so a crash in between leaves only orphan files, which
    /// `removeOrphanSpoolFiles` collects). Returns false if there was no such job.
    @discardableResult
    public func deleteJob(id: Int32) throws -> Bool {
        let (existed, paths) = try writing { conn in
            try conn.transaction { () throws -> (Bool, [String]) in
                let paths = try conn.with("SELECT job_id, number, path FROM documents WHERE job_id = ?1") { st in
                    try st.bind(1, id)
                    var paths: [String] = []
                    while try st.step("cannot read the documents of job \(id)") {
                        paths.append(resolve(st.string(2), jobID: st.int32(0), number: st.int32(1)))
                    }
                    return paths
                }
                try conn.with("DELETE FROM documents WHERE job_id = ?1") { st in
                    try st.bind(1, id)
                    _ = try st.step("cannot delete the documents of job \(id)")
                }
                try conn.with("DELETE FROM jobs WHERE id = ?1") { st in
                    try st.bind(1, id)
                    _ = try st.step("cannot delete job \(id)")
                }
                return (conn.changes > 0, paths)
            }
        }
        for path in paths { unlink(path) }
        return existed
    }

    /// The last id ever assigned (0 if none), whether or not that job still exists.
    public func maxJobID() throws -> Int32 {
        try reading { conn in
            try conn.with("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'") { st in
                try st.step("cannot read the job id counter") ? st.int32(0) : 0
            }
        }
    }

    // MARK: - Documents and spool files

    /// How a document's path is stored: a spool file by its name alone, so that the state
    /// directory can be moved (or restored elsewhere from a backup) with its jobs.
    private func storedPath(_ path: String) -> String {
        path.hasPrefix(spoolDirectory + "/") ? String(path.dropFirst(spoolDirectory.count + 1)) : path
    }

    /// A stored path made whole: a spool file's name, or an absolute path to one (as
    /// databases before relative paths hold), is in this store's spool directory.
    private func resolve(_ stored: String, jobID: Int32, number: Int32) -> String {
        let name = stored.split(separator: "/").last.map(String.init) ?? stored
        if let (id, n) = Self.parseSpoolName(name), id == jobID, n == number { return "\(spoolDirectory)/\(name)" }
        return stored
    }

    /// The spool path of document `number` of job `jobID`: `<spool>/job-<id>-<n>.doc`.
    public func spoolPath(jobID: Int32, number: Int32) -> String {
        "\(spoolDirectory)/job-\(jobID)-\(number).doc"
    }

    /// Creates the spool file for a document (O_CREAT|O_EXCL, mode 0600).
    public func createSpoolFile(jobID: Int32, number: Int32) throws -> SpoolFile {
        try SpoolFile(path: spoolPath(jobID: jobID, number: number), directory: spoolDirectory)
    }

    /// `path`: the document's path as stored (`storedPath`).
    private static func insertDocument(_ conn: Connection, _ d: DocumentRecord, path: String) throws {
        try conn.with("INSERT INTO documents(job_id, number, format, name, path, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") { st in
            try st.bind(1, d.jobID)
            try st.bind(2, d.number)
            try st.bind(3, d.format)
            try st.bind(4, d.name)
            try st.bind(5, path)
            try st.bind(6, d.size)
            do {
                _ = try st.step("cannot add document \(d.number) of job \(d.jobID)")
            } catch let e as StoreError where e.code == sqliteConstraintPrimaryKey {
                throw StoreError("document \(d.number) of job \(d.jobID) already exists", code: e.code, kind: .exists)
            } catch let e as StoreError where e.code == sqliteConstraintForeignKey {
                throw StoreError("cannot add document \(d.number): job \(d.jobID) does not exist", code: e.code, kind: .notFound)
            }
        }
    }

    /// Records a document (commit its spool file first). Durable when it returns.
    public func addDocument(_ d: DocumentRecord) throws {
        try writing { conn in try Self.insertDocument(conn, d, path: storedPath(d.path)) }
    }

    /// Records a document and rewrites its job in one transaction (one fsync instead of two):
    /// the usual end of Print-Job (`accepted = true, documentsComplete = true`) and Send-Document.
    public func addDocument(_ d: DocumentRecord, updating job: JobRecord) throws {
        guard d.jobID == job.id else {
            throw StoreError("document for job \(d.jobID) cannot update job \(job.id)", kind: .invalid)
        }
        try writing { conn in
            try conn.transaction {
                try Self.insertDocument(conn, d, path: storedPath(d.path))
                try Self.updateJob(conn, job)
            }
        }
    }

    /// The documents of a job, by number.
    public func documents(jobID: Int32) throws -> [DocumentRecord] {
        try reading { conn in
            try conn.with("SELECT job_id, number, format, name, path, size FROM documents WHERE job_id = ?1 ORDER BY number") { st in
                try st.bind(1, jobID)
                var result: [DocumentRecord] = []
                while try st.step("cannot read the documents of job \(jobID)") {
                    result.append(DocumentRecord(jobID: st.int32(0), number: st.int32(1), format: st.string(2),
                                                 name: st.string(3), path: resolve(st.string(4), jobID: st.int32(0), number: st.int32(1)),
                                                 size: st.int64(5)))
                }
                return result
            }
        }
    }

    // MARK: - Recovery (at server startup only)

    /// Deletes every job whose document never finished arriving (the client was never
    /// answered), with its spool files, recorded or not. Returns them as they were (a
    /// job forwarded while it arrived may have a job at its target to cancel).
    /// Call only at server startup, before accepting connections: it would discard
    /// Print-Jobs that are arriving right now.
    @discardableResult
    public func discardUnacceptedJobs() throws -> [JobRecord] {
        let discarded = try unacceptedJobs()
        let ids = discarded.map(\.id)
        guard !ids.isEmpty else { return [] }
        for id in ids { try deleteJob(id: id) }
        let doomed = Set(ids)
        for name in try POSIX.listDirectory(spoolDirectory) {
            if let (jobID, _) = Self.parseSpoolName(name), doomed.contains(jobID) {
                unlink("\(spoolDirectory)/\(name)")
            }
        }
        return discarded
    }

    /// Removes spool files (`job-<id>-<n>.doc`) that no document row refers to: left by a
    /// crash between creating a file and recording it, or between deleting a job and its
    /// files. Returns the paths removed. Call only at server startup: a document being
    /// received right now is such a file too.
    @discardableResult
    public func removeOrphanSpoolFiles() throws -> [String] {
        let referenced = try reading { conn in
            try conn.with("SELECT job_id, number, path FROM documents") { st in
                var paths = Set<String>()
                while try st.step("cannot list documents") { paths.insert(resolve(st.string(2), jobID: st.int32(0), number: st.int32(1))) }
                return paths
            }
        }
        var removed: [String] = []
        for name in try POSIX.listDirectory(spoolDirectory).sorted() where Self.parseSpoolName(name) != nil {
            let path = "\(spoolDirectory)/\(name)"
            if !referenced.contains(path), unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    static func parseSpoolName(_ name: String) -> (Int32, Int32)? {
        guard name.hasPrefix("job-"), name.hasSuffix(".doc") else { return nil }
        let middle = name.dropFirst(4).dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard middle.count == 2, let id = Int32(middle[0]), let n = Int32(middle[1]) else { return nil }
        return (id, n)
    }

    /// SQLite's PRAGMA integrity_check: [] when the database is sound, else the problems found.
    public func integrityCheck() throws -> [String] {
        try reading { conn in
            try conn.with("PRAGMA integrity_check") { st in
                var lines: [String] = []
                while try st.step("cannot check the database") { lines.append(st.string(0)) }
                return lines == ["ok"] ? [] : lines
            }
        }
    }

    // MARK: - Change detection

    /// A counter bumped (by triggers, so also for edits by another process or by hand) on
    /// every change to the printers table. Cheap: one indexed row. Poll it and reload the
    /// printers when it changes.
    public func changeCounter() throws -> Int64 {
        try reading { conn in
            try conn.with("SELECT value FROM meta WHERE key = 'printers-version'") { st in
                try st.step("cannot read the printer change counter") ? st.int64(0) : 0
            }
        }
    }

    /// SQLite's PRAGMA data_version: changes whenever *another* connection (another process,
    /// or another StateStore) commits any change (printers, jobs, documents). Not changed by
    /// this store's own writes.
    public func dataVersion() throws -> Int64 {
        try writing { conn in
            try conn.with("PRAGMA data_version") { st in
                try st.step("cannot read the data version") ? st.int64(0) : 0
            }
        }
    }
}
