import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Real peers for tests (see TESTBED.md): the D-Bus system bus and avahi-daemon, on
/// loopback only, and virtual IPP Everywhere printers (`ippeveprinter`).
///
/// Rules kept here: everything binds 127.0.0.1; a daemon is started only if it is not
/// already running, and only what this process started is stopped, by its PID.
public enum Peers {
    /// A peer could not be started; the message says why (with the peer's log).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    // MARK: D-Bus and Avahi

    /// Makes sure avahi-daemon runs (ippeveprinter refuses to start without it), and the
    /// D-Bus system bus it needs. Starts each only if it is not running; avahi is
    /// restricted to `lo`. What this process started is stopped when the process exits,
    /// not earlier: every ippeveprinter exits when its avahi-daemon goes away, so
    /// stopping it between tests would kill the printers of tests running in parallel.
    public static func ensureAvahi() throws {
        daemons.lock.lock()
        defer { daemons.lock.unlock() }
        if isAvahiRunning() { return }
        if !isSystemBusRunning() { try startSystemBus() }
        try startAvahi()
    }

    /// Whether avahi-daemon answers (`avahi-daemon --check`).
    public static func isAvahiRunning() -> Bool {
        guard let avahi = executable("avahi-daemon") else { return false }
        return (try? run(avahi, ["--check"]).status) == 0
    }

    /// Whether something accepts connections on the D-Bus system bus socket.
    public static func isSystemBusRunning() -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = "/run/dbus/system_bus_socket"
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    private static func startSystemBus() throws {
        guard let dbus = executable("dbus-daemon") else { throw Failure("dbus-daemon is not installed (apt-get install dbus)") }
        try? FileManager.default.createDirectory(atPath: "/run/dbus", withIntermediateDirectories: true)
        // A pid file left by a dead bus makes dbus-daemon refuse to start.
        if let text = try? String(contentsOfFile: "/run/dbus/pid", encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) != 0 {
            try? FileManager.default.removeItem(atPath: "/run/dbus/pid")
        }
        let result = try run(dbus, ["--system", "--fork", "--print-pid"])
        guard result.status == 0, let pid = pid_t(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure("dbus-daemon --system did not start (status \(result.status)): \(result.output)")
        }
        daemons.started.append(pid)
        registerExitCleanup()
        try poll(seconds: 5, what: "the D-Bus system bus") { isSystemBusRunning() }
    }

    private static func startAvahi() throws {
        guard let avahi = executable("avahi-daemon") else {
            throw Failure("avahi-daemon is not installed (apt-get install avahi-daemon)")
        }
        let conf = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-avahi-lo-\(getpid()).conf").path
        let text = """
            [server]
            use-ipv4=yes
            use-ipv6=no
            allow-interfaces=lo
            [wide-area]
            enable-wide-area=no
            [publish]
            publish-hinfo=no
            publish-workstation=no

            """
        try text.write(toFile: conf, atomically: true, encoding: .utf8)
        let result = try run(avahi, ["--daemonize", "--no-drop-root", "-f", conf])
        guard result.status == 0 else { throw Failure("avahi-daemon did not start (status \(result.status)): \(result.output)") }
        try poll(seconds: 5, what: "avahi-daemon") { isAvahiRunning() }
        guard let pidText = try? String(contentsOfFile: "/run/avahi-daemon/pid", encoding: .utf8),
              let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw Failure("avahi-daemon started but wrote no /run/avahi-daemon/pid")
        }
        // Stopped before the bus (the list is stopped last-started first).
        daemons.started.append(pid)
        daemons.files.append(conf)
        registerExitCleanup()
    }

    /// Daemons this process started, stopped at exit in reverse order, and their files.
    private final class Daemons: @unchecked Sendable {
        // Guarded by `lock`.
        let lock = NSLock()
        var started: [pid_t] = []
        var files: [String] = []
        var cleanupRegistered = false
    }
    private static let daemons = Daemons()

    private static func registerExitCleanup() {
        guard !daemons.cleanupRegistered else { return }
        daemons.cleanupRegistered = true
        atexit {
            for pid in Peers.daemons.started.reversed() {
                kill(pid, SIGTERM)
                for _ in 0..<50 where kill(pid, 0) == 0 { usleep(20_000) }
            }
            for file in Peers.daemons.files { unlink(file) }
        }
    }

    // MARK: Small tools

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw Failure("bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends one Get-Printer-Attributes over a plain socket (not libcups, not ippgate)
    /// and returns the IPP status code, or nil if nothing answered with HTTP 200 and IPP.
    public static func ippStatus(port: Int, resource: String = "/ipp/print", host: String = "127.0.0.1") -> UInt16? {
        let uri = "ipp://\(host):\(port)\(resource)"
        var ipp: [UInt8] = [0x02, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x01, 0x01]
        func add(_ tag: UInt8, _ name: String, _ value: String) {
            ipp.append(tag)
            ipp += [UInt8(name.utf8.count >> 8), UInt8(name.utf8.count & 0xFF)] + Array(name.utf8)
            ipp += [UInt8(value.utf8.count >> 8), UInt8(value.utf8.count & 0xFF)] + Array(value.utf8)
        }
        add(0x47, "attributes-charset", "utf-8")
        add(0x48, "attributes-natural-language", "en")
        add(0x45, "printer-uri", uri)
        add(0x44, "requested-attributes", "printer-state")
        ipp.append(0x03)
        let head = "POST \(resource) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/ipp\r\n"
            + "Content-Length: \(ipp.count)\r\nConnection: close\r\n\r\n"
        return exchange(host: host, port: port, Array(head.utf8) + ipp)
    }

    /// The IPP status code in an HTTP response, once enough of it is here; nil before that
    /// (or if it is not HTTP 200).
    private static func statusCode(_ reply: [UInt8]) -> UInt16?? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, reply.count - 3)).first(where: { Array(reply[$0..<$0 + 4]) == separator }) else { return nil }
        let header = String(decoding: reply[..<end], as: UTF8.self)
        guard header.hasPrefix("HTTP/1.1 200") || header.hasPrefix("HTTP/1.0 200") else { return .some(nil) }
        var body = Array(reply[(end + 4)...])
        if header.lowercased().contains("transfer-encoding: chunked") {
            guard let lineEnd = body.firstIndex(of: 10) else { return nil }
            body = Array(body[(lineEnd + 1)...])   // the first chunk holds the IPP header
        }
        guard body.count >= 8 else { return nil }
        return .some(UInt16(body[2]) << 8 | UInt16(body[3]))
    }

    /// Connects, writes `request`, reads until the IPP status code is in (servers keep
    /// the connection open whatever `Connection: close` says); 2 s timeouts.
    private static func exchange(host: String, port: Int, _ request: [UInt8]) -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while reply.count < 1 << 16 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            reply += buffer[..<n]
            if let status = statusCode(reply) { return status }
        }
        return nil
    }

    /// Polls `ready` every 50 ms for up to `seconds`.
    static func poll(seconds: Double, what: String, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !ready() {
            guard Date() < deadline else { throw Failure("\(what) was not ready after \(seconds) s") }
            usleep(50_000)
        }
    }

    /// The full path of a program in PATH or in the sbin folders (often not in a test's PATH).
    public static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to its end (see `Child`); stdout and stderr together.
    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-peer-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try Child(program, arguments, output: log.path)
        let status = child.wait()
        return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}

/// A child process started with `posix_spawn`, a clean signal mask and default signal
/// dispositions, stdin from /dev/null and stdout and stderr appended to a file.
///
/// Not Foundation's `Process`: on Linux it passes on the spawning thread's signal mask,
/// and Swift Testing's threads block SIGTERM, so a server started with `Process` from a
/// test never sees SIGTERM (measured: ippeveprinter then ignores it until SIGKILL).
/// The output goes to a file, not a pipe, so a daemon that forks and keeps the
/// descriptors cannot block anyone.
public final class Child: @unchecked Sendable {
    // `exitStatus` is guarded by `lock`.
    public let pid: pid_t
    private var exitStatus: Int32?
    private let lock = NSLock()

    public init(_ program: String, _ arguments: [String], output: String) throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw Peers.Failure("cannot start \(program): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// Whether the process is still running (reaps it if it ended).
    public var isRunning: Bool { exitCode == nil }

    /// The exit status once the process has ended (128 + signal if a signal ended it).
    public var exitCode: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { reap(WNOHANG) }
        return exitStatus
    }

    /// Waits for the process to end and returns its exit status.
    @discardableResult
    public func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        while exitStatus == nil { reap(0) }
        return exitStatus!
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace` seconds; waits for it.
    public func stop(grace: Double = 2) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning { kill(pid, SIGKILL) }
        wait()
    }

    /// Caller holds `lock`.
    private func reap(_ options: Int32) {
        var status: Int32 = 0
        let r = waitpid(pid, &status, options)
        if r == pid {
            let signal = status & 0x7F
            exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        } else if r < 0 && errno != EINTR {
            exitStatus = -1   // not our child any more (someone else reaped it)
        }
    }
}

/// A virtual IPP Everywhere printer: `ippeveprinter -n localhost -p PORT -d SPOOL …`
/// on a free port with a temporary spool folder, started by `start` and stopped by
/// `stop()` (or when released).
public final class EvePrinter: @unchecked Sendable {
    // Immutable after `start`, except `process` and `stopped`, which only `stop()` touches (under `lock`).
    public let port: Int
    /// The spool folder; with `keepDocuments` every received document stays here.
    public let spool: URL
    /// ippeveprinter's stdout and stderr.
    public let logFile: URL
    private var process: Child?
    private var stopped = false
    private let lock = NSLock()

    /// ipp://127.0.0.1:PORT/ipp/print
    public var uri: String { "ipp://127.0.0.1:\(port)/ipp/print" }

    /// Starts ippeveprinter (and avahi-daemon if needed, see `Peers.ensureAvahi`) and
    /// waits until it answers Get-Printer-Attributes.
    /// - Parameters:
    ///   - printCommand: `-c`: "/bin/true" finishes each job at once; nil makes
    ///     ippeveprinter spend about 5 s "printing" each job.
    ///   - keepDocuments: `-k`.
    ///   - formats: `-f`; empty passes none (ippeveprinter refuses `-f` with `-a`).
    ///   - extraArguments: more options (e.g. `["-a", "attrs.conf"]`), before the name.
    public static func start(name: String = "ippgate test printer",
                             formats: [String] = ["application/pdf", "image/pwg-raster", "image/jpeg"],
                             printCommand: String? = "/bin/true",
                             keepDocuments: Bool = true,
                             extraArguments: [String] = [],
                             port fixedPort: Int? = nil) throws -> EvePrinter {
        guard let program = Peers.executable("ippeveprinter") else {
            throw Peers.Failure("ippeveprinter is not installed (apt-get install cups-ipp-utils)")
        }
        try Peers.ensureAvahi()
        var lastFailure = ""
        // The free port can be taken between our check and ippeveprinter's bind; retry.
        for _ in 0..<3 {
            let port = try fixedPort ?? Peers.freePort()
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-eve-\(port)-\(UInt32.random(in: 0...UInt32.max))")
            try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
            let log = spool.appendingPathExtension("log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            var arguments = ["-n", "localhost", "-p", String(port), "-d", spool.path]
            if keepDocuments { arguments.append("-k") }
            if let printCommand { arguments += ["-c", printCommand] }
            if !formats.isEmpty { arguments += ["-f", formats.joined(separator: ",")] }  // ippeveprinter refuses -f with -a
            arguments += extraArguments + [name]
            let p = try Child(program, arguments, output: log.path)
            let printer = EvePrinter(port: port, spool: spool, logFile: log, process: p)
            do {
                try Peers.poll(seconds: 10, what: "ippeveprinter on port \(port)") {
                    if !p.isRunning { return true }
                    return Peers.ippStatus(port: port) != nil
                }
                if p.isRunning { return printer }
                lastFailure = "ippeveprinter exited with status \(p.exitCode ?? -1): \(printer.log)"
            } catch {
                lastFailure = "\(error): \(printer.log)"
            }
            printer.stop()
        }
        throw Peers.Failure(lastFailure)
    }

    private init(port: Int, spool: URL, logFile: URL, process: Child) {
        self.port = port
        self.spool = spool
        self.logFile = logFile
        self.process = process
    }

    /// What ippeveprinter wrote so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The documents in the spool folder (kept with `keepDocuments`).
    public func documents() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []
        return names.sorted().map { spool.appendingPathComponent($0) }
    }

    /// Stops the printer (SIGTERM, then SIGKILL after 2 s), by its PID, and removes
    /// the spool folder and log unless `keepFiles`. Safe to call more than once.
    public func stop(keepFiles: Bool = false) {
        lock.lock()
        let p = process
        process = nil
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        p?.stop()
        if !keepFiles {
            try? FileManager.default.removeItem(at: spool)
            try? FileManager.default.removeItem(at: logFile)
        }
    }

    deinit { stop() }
}
