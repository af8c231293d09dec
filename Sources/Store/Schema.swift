// The database schema. The version lives in PRAGMA user_version; each migration moves the
// database from one version to the next inside the setup transaction.

enum Schema {
    static let version: Int32 = 2

    /// migrations[n] takes a database from version n to n+1.
    static let migrations: [String] = [
        // 0 → 1
        """
        CREATE TABLE meta(
            key   TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO meta(key, value) VALUES ('printers-version', 0);

        CREATE TABLE printers(
            name       TEXT PRIMARY KEY NOT NULL,
            target     TEXT NOT NULL,
            uuid       TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            settings   TEXT NOT NULL DEFAULT '{}'
        );
        -- Any change to printers, from any process (the CLI, or sqlite3 by hand), bumps the
        -- counter that a running server polls through changeCounter().
        CREATE TRIGGER printers_inserted AFTER INSERT ON printers BEGIN
            UPDATE meta SET value = value + 1 WHERE key = 'printers-version';
        END;
        CREATE TRIGGER printers_updated AFTER UPDATE ON printers BEGIN
            UPDATE meta SET value = value + 1 WHERE key = 'printers-version';
        END;
        CREATE TRIGGER printers_deleted AFTER DELETE ON printers BEGIN
            UPDATE meta SET value = value + 1 WHERE key = 'printers-version';
        END;

        -- AUTOINCREMENT: ids are never reused, even after the highest job is deleted
        -- (the high-water mark lives in sqlite_sequence).
        CREATE TABLE jobs(
            id                    INTEGER PRIMARY KEY AUTOINCREMENT,
            printer               TEXT NOT NULL,
            uuid                  TEXT NOT NULL,
            state                 INTEGER NOT NULL,
            state_reasons         TEXT NOT NULL DEFAULT '[]',
            state_message         TEXT NOT NULL DEFAULT '',
            name                  TEXT NOT NULL DEFAULT '',
            user_name             TEXT NOT NULL DEFAULT '',
            originating_host      TEXT NOT NULL DEFAULT '',
            priority              INTEGER NOT NULL DEFAULT 50,
            hold_until            TEXT NOT NULL DEFAULT 'no-hold',
            accepted              INTEGER NOT NULL,
            documents_complete    INTEGER NOT NULL,
            created_at            INTEGER NOT NULL,
            processing_at         INTEGER NOT NULL DEFAULT 0,
            completed_at          INTEGER NOT NULL DEFAULT 0,
            impressions_completed INTEGER NOT NULL DEFAULT 0,
            attributes            BLOB NOT NULL DEFAULT x''
        );
        CREATE INDEX jobs_by_printer_state ON jobs(printer, state);
        CREATE INDEX jobs_by_state ON jobs(state);

        CREATE TABLE documents(
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            format TEXT NOT NULL,
            name   TEXT NOT NULL DEFAULT '',
            path   TEXT NOT NULL,
            size   INTEGER NOT NULL,
            PRIMARY KEY (job_id, number)
        ) WITHOUT ROWID;
        """,
        // 1 → 2: the job's id and URI at its target, recorded before any document byte is
        // sent, so that after a crash the gateway can find the job there instead of resending.
        """
        ALTER TABLE jobs ADD COLUMN target_job_id INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE jobs ADD COLUMN target_job_uri TEXT NOT NULL DEFAULT '';
        """,
    ]
}
