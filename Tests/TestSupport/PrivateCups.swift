import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private CUPS scheduler (`cupsd -f -c … -s …`) on a free 127.0.0.1 port, in a
/// temporary folder laid out as TESTBED.md says, so it never clashes with a system cupsd.
///
/// - The folder is mode 755 (filters run as user `lp` and must reach the PPDs), its
///   TempDir 1777 (filters create temporary files there), its spool `root:lp` 0710.
/// - Its default policy lets every operation through without a password, so `lpadmin`
///   works over TCP.
/// - Logs go to `log/` inside the folder; `errorLog` reads the scheduler's error_log.
///
/// Needs root (cupsd drops to user `lp` for filters), as in CI. Stopped by `stop()`, by
/// its PID, or when released; the folder is removed when released.
public final class PrivateCups: @unchecked Sendable {
    // Immutable after `start`, except `process`, which only `stop()` touches (under `lock`).
    public let port: Int
    /// The scheduler's ServerRoot (config, spool, logs).
    public let directory: URL
    private var process: Child?
    private let lock = NSLock()

    /// 127.0.0.1:PORT, the value for `CUPS_SERVER`.
    public var server: String { "127.0.0.1:\(port)" }
    /// ipp://127.0.0.1:PORT/printers/NAME
    public func uri(_ queue: String) -> String { "ipp://127.0.0.1:\(port)/printers/\(queue)" }

    /// Starts cupsd and waits until `lpstat -r` says the scheduler is running.
    public static func start(seconds: Double = 30) throws -> PrivateCups {
        guard let cupsd = Peers.executable("cupsd") else { throw Peers.Failure("cupsd is not installed (apt-get install cups)") }
        guard Peers.executable("lpstat") != nil else { throw Peers.Failure("lpstat is not installed (apt-get install cups-client)") }
        var lastFailure = ""
        // The free port can be taken between our check and cupsd's bind; retry.
        for _ in 0..<3 {
            let port = try Peers.freePort()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-cups-\(port)-\(UInt32.random(in: 0...UInt32.max))")
            try layOut(dir, port: port)
            let log = dir.appendingPathComponent("log/cupsd.out").path
            let child = try Child(cupsd, ["-f", "-c", dir.appendingPathComponent("cupsd.conf").path,
                                          "-s", dir.appendingPathComponent("cups-files.conf").path], output: log)
            let cups = PrivateCups(port: port, directory: dir, process: child)
            do {
                try Peers.poll(seconds: seconds, what: "cupsd on port \(port)") {
                    guard child.isRunning else { return true }
                    // `lpstat -r` exits 0 even when the scheduler is down: read what it says.
                    let r = try? runCommand("lpstat", ["-h", cups.server, "-r"])
                    return r?.output.contains("is running") == true && !(r?.output.contains("not running") ?? true)
                }
                if child.isRunning { return cups }
                lastFailure = "cupsd exited with status \(child.exitCode ?? -1): \(cups.output)\n\(cups.errorLog)"
            } catch {
                lastFailure = "\(error): \(cups.output)\n\(cups.errorLog)"
            }
            cups.stop()
            try? FileManager.default.removeItem(at: dir)
        }
        throw Peers.Failure(lastFailure)
    }

    private init(port: Int, directory: URL, process: Child) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Writes cupsd.conf and cups-files.conf and makes the folders with the modes above.
    private static func layOut(_ dir: URL, port: Int) throws {
        let fm = FileManager.default
        for sub in ["spool", "cache", "state", "log", "tmp", "ppd"] {
            try fm.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        func mode(_ path: String, _ m: mode_t) throws {
            guard chmod(path, m) == 0 else { throw Peers.Failure("chmod \(path): \(String(cString: strerror(errno)))") }
        }
        try mode(dir.path, 0o755)
        try mode(dir.appendingPathComponent("tmp").path, 0o1777)
        let spool = dir.appendingPathComponent("spool").path
        guard let group = getgrnam("lp") else { throw Peers.Failure("there is no group lp (is CUPS installed?)") }
        guard chown(spool, uid_t.max, group.pointee.gr_gid) == 0 else {   // uid_t.max: -1, owner unchanged
            throw Peers.Failure("chgrp lp \(spool): \(String(cString: strerror(errno))) (cupsd needs root)")
        }
        try mode(spool, 0o710)

        let d = dir.path
        let cupsdConf = """
            Listen 127.0.0.1:\(port)
            Browsing No
            WebInterface No
            LogLevel info
            # A failing job ends at once (aborted) instead of stopping the queue.
            ErrorPolicy abort-job
            <Location />
            Order allow,deny
            Allow all
            </Location>
            <Policy default>
            <Limit All>
            Order deny,allow
            </Limit>
            </Policy>

            """
        let filesConf = """
            ServerRoot \(d)
            RequestRoot \(d)/spool
            CacheDir \(d)/cache
            StateDir \(d)/state
            TempDir \(d)/tmp
            ErrorLog \(d)/log/error_log
            AccessLog \(d)/log/access_log
            PageLog \(d)/log/page_log
            ServerBin /usr/lib/cups
            DataDir /usr/share/cups

            """
        try cupsdConf.write(to: dir.appendingPathComponent("cupsd.conf"), atomically: true, encoding: .utf8)
        try filesConf.write(to: dir.appendingPathComponent("cups-files.conf"), atomically: true, encoding: .utf8)
        for f in ["cupsd.conf", "cups-files.conf"] { try mode(dir.appendingPathComponent(f).path, 0o644) }
    }

    /// Runs a CUPS command (lp, lpstat, lpadmin, …) against this scheduler
    /// (`CUPS_SERVER=127.0.0.1:PORT`); stdout and stderr together.
    @discardableResult
    public func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCommand(program, arguments, environment: ["CUPS_SERVER": server])
    }

    /// The scheduler's error_log so far.
    public var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("log/error_log"), encoding: .utf8)) ?? ""
    }

    /// What cupsd wrote to stdout and stderr.
    public var output: String {
        (try? String(contentsOf: directory.appendingPathComponent("log/cupsd.out"), encoding: .utf8)) ?? ""
    }

    /// Stops cupsd (SIGTERM, then SIGKILL after 5 s), by its PID. Safe to call more than once.
    public func stop() {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        p?.stop(grace: 5)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
