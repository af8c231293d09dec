import Foundation

/// `ippgate serve` as a real process on a free port with a temporary state folder,
/// for integration tests. Started with `Child` (clean signal mask), so SIGTERM works.
public final class GatewayServer: @unchecked Sendable {
    // Immutable after init except `child`, which only start/stop/kill touch (one test thread).
    public let port: Int
    public let state: URL
    public let logFile: URL
    public private(set) var child: Child?

    /// The ippgate executable built beside the test bundle.
    public static let binary: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("ippgate").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("ippgate").path
    }()

    public init(state: URL? = nil, port: Int? = nil) throws {
        self.port = try port ?? Peers.freePort()
        if let state {
            self.state = state
        } else {
            self.state = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        }
        try FileManager.default.createDirectory(at: self.state, withIntermediateDirectories: true)
        logFile = self.state.appendingPathComponent("server.log")
    }

    public var uri: String { "ipp://127.0.0.1:\(port)/ipp/print/default" }
    public func uri(_ printer: String) -> String { "ipp://127.0.0.1:\(port)/ipp/print/\(printer)" }
    /// Where the default printer's folder target writes.
    public var output: URL { state.appendingPathComponent("output") }

    /// A server (not started) with one printer named `name` whose target is `target`,
    /// added with the CLI as a user would.
    public static func forwarding(to target: String, name: String = "eve", options: [String] = []) throws -> GatewayServer {
        let server = try GatewayServer()
        let add = try runCommand(binary, ["printers", "add", name, "--target", target, "--state", server.state.path] + options)
        guard add.status == 0 else { throw Peers.Failure("ippgate printers add: \(add.output)") }
        return server
    }

    /// Starts the server and waits until it answers IPP.
    @discardableResult
    public func start(_ extra: [String] = []) throws -> GatewayServer {
        let c = try Child(Self.binary, ["serve", "--listen", "127.0.0.1:\(port)", "--state", state.path] + extra, output: logFile.path)
        child = c
        try Peers.poll(seconds: 15, what: "ippgate on port \(port)") {
            guard c.isRunning else { return true }
            return Peers.ippStatus(port: port, resource: "/ipp/print/default") != nil
        }
        guard c.isRunning else { throw Peers.Failure("ippgate exited at start: \(log)") }
        return self
    }

    public func stop() { child?.stop(grace: 5); child = nil }

    /// SIGKILL: no chance to clean up, as in a crash.
    public func kill() {
        guard let c = child else { return }
        Foundation.kill(c.pid, SIGKILL)
        c.wait()
        child = nil
    }

    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Files the default printer wrote, sorted.
    public func outputFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).filter { !$0.hasSuffix(".tmp") }.sorted()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: state)
    }
}

/// Runs a command to its end with a clean signal mask; returns status and output.
public func runCommand(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-cmd-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out")
    defer { try? FileManager.default.removeItem(at: log) }
    var args = arguments
    var prog = program
    if !environment.isEmpty {
        args = environment.map { "\($0.key)=\($0.value)" } + [program] + arguments
        prog = "/usr/bin/env"
    }
    guard let path = prog.hasPrefix("/") ? prog : Peers.executable(prog) else { throw Peers.Failure("\(prog) is not installed") }
    let child = try Child(path, args, output: log.path)
    let status = child.wait()
    return (status, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
}
