import CSQLite

// A thin layer over the SQLite C API: one connection, a cache of prepared statements,
// typed bind and column helpers. Not thread-safe; StateStore serialises access.

/// SQLITE_TRANSIENT is a macro ((sqlite3_destructor_type)-1); Swift cannot import it.
@inline(__always) private var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(-1 as Int, to: sqlite3_destructor_type.self)
}

final class Connection {
    let db: OpaquePointer
    let path: String
    private var cache: [String: OpaquePointer] = [:]

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let detail = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError("cannot open database \(path): \(detail)", code: rc, kind: Connection.kind(rc))
        }
        db = handle
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        for stmt in cache.values { sqlite3_finalize(stmt) }
        sqlite3_close_v2(db)
    }

    static func kind(_ rc: Int32) -> StoreError.Kind {
        switch rc & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_FULL: return .full
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
        case SQLITE_CONSTRAINT: return .exists
        case SQLITE_RANGE, SQLITE_MISMATCH, SQLITE_TOOBIG: return .invalid
        default: return .io
        }
    }

    /// "<what>: <sqlite message>" with the extended result code.
    func error(_ rc: Int32, _ what: String) -> StoreError {
        var detail = String(cString: sqlite3_errmsg(db))
        if rc & 0xFF == SQLITE_BUSY {
            detail += " (database \(path) is held by another process for longer than the busy timeout)"
        }
        return StoreError("\(what): \(detail)", code: rc, kind: Connection.kind(rc))
    }

    /// Runs SQL text that returns no rows (may hold several statements).
    func exec(_ sql: String, _ what: String? = nil) throws {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, what ?? "database error in \(sql.prefix(60))") }
    }

    /// Runs `body` with a cached prepared statement for `sql`, reset and cleared afterwards.
    func with<T>(_ sql: String, _ body: (Statement) throws -> T) throws -> T {
        let stmt: OpaquePointer
        if let cached = cache[sql] {
            stmt = cached
        } else {
            var s: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
            guard rc == SQLITE_OK, let s else { throw error(rc, "cannot prepare \"\(sql.prefix(80))\"") }
            cache[sql] = s
            stmt = s
        }
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        return try body(Statement(stmt: stmt, conn: self))
    }

    /// A write transaction. BEGIN IMMEDIATE takes the write lock up front (waiting up to the
    /// busy timeout), so a transaction never fails half-way with SQLITE_BUSY_SNAPSHOT when
    /// another process wrote in between. With synchronous=FULL in WAL mode, COMMIT returns
    /// after the WAL is fsynced.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE", "cannot begin a transaction on \(path)")
        let result: T
        do {
            result = try body()
        } catch {
            _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
        let rc = sqlite3_exec(db, "COMMIT", nil, nil, nil)
        if rc != SQLITE_OK {
            let err = error(rc, "cannot commit to \(path)")
            if sqlite3_get_autocommit(db) == 0 { _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil) }
            throw err
        }
        return result
    }

    var changes: Int32 { sqlite3_changes(db) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }
}

struct Statement {
    let stmt: OpaquePointer
    unowned let conn: Connection

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw conn.error(rc, "cannot bind a parameter") }
    }

    func bind(_ i: Int32, _ v: Int64) throws { try check(sqlite3_bind_int64(stmt, i, v)) }
    func bind(_ i: Int32, _ v: Int32) throws { try check(sqlite3_bind_int64(stmt, i, Int64(v))) }
    func bind(_ i: Int32, _ v: Bool) throws { try check(sqlite3_bind_int64(stmt, i, v ? 1 : 0)) }

    func bind(_ i: Int32, _ v: String) throws {
        var v = v
        let rc = v.withUTF8 { buf -> Int32 in
            // A nil pointer would bind NULL, not "".
            guard let base = buf.baseAddress, buf.count > 0 else { return sqlite3_bind_text(stmt, i, "", 0, nil) }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                sqlite3_bind_text(stmt, i, $0, Int32(buf.count), sqliteTransient)
            }
        }
        try check(rc)
    }

    func bind(_ i: Int32, _ v: [UInt8]) throws {
        let rc = v.withUnsafeBytes { buf -> Int32 in
            guard let base = buf.baseAddress, buf.count > 0 else { return sqlite3_bind_zeroblob(stmt, i, 0) }
            return sqlite3_bind_blob(stmt, i, base, Int32(buf.count), sqliteTransient)
        }
        try check(rc)
    }

    /// Steps once: true when a row is available, false when done.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw conn.error(rc, "database error")
        }
    }

    /// Steps once, naming what was being done in the error.
    func step(_ what: @autoclosure () -> String) throws -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw conn.error(rc, what())
        }
    }

    func int64(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }
    func int32(_ col: Int32) -> Int32 { Int32(truncatingIfNeeded: sqlite3_column_int64(stmt, col)) }
    func bool(_ col: Int32) -> Bool { sqlite3_column_int64(stmt, col) != 0 }

    func string(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func bytes(_ col: Int32) -> [UInt8] {
        // sqlite3_column_blob before sqlite3_column_bytes, as SQLite documents.
        let p = sqlite3_column_blob(stmt, col)
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard n > 0, let p else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: p, count: n))
    }
}

// Extended result codes are macros with expressions, which Swift does not import.
let sqliteConstraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)   // SQLITE_CONSTRAINT_FOREIGNKEY
let sqliteConstraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)   // SQLITE_CONSTRAINT_PRIMARYKEY
let sqliteConstraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)       // SQLITE_CONSTRAINT_UNIQUE
