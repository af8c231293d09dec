import Dispatch
import Foundation
import Gateway
import Store
import Transport

/// `ippgate serve [--listen HOST:PORT]... [--state DIR] [--log-level debug|info|warning|error] [--keep-documents]`
enum ServeCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let options = try Options(args, valued: ["--listen", "--state", "--log-level", "--max-connections", "--refresh-interval"], switches: ["--keep-documents"])
        guard options.positionals.isEmpty else { throw UsageError("usage: ippgate serve [--listen HOST:PORT]... [--state DIR] [--keep-documents]") }
        let listen = try (options.lists["--listen"] ?? ["127.0.0.1:8631"]).map { text -> ListenAddress in
            guard let a = ListenAddress(text), case .tcp = a else { throw UsageError("--listen wants HOST:PORT, not '\(text)'") }
            return a
        }
        let level: Logger.Level
        switch options.values["--log-level"] ?? "info" {
        case "debug": level = .debug
        case "info": level = .info
        case "warning": level = .warning
        case "error": level = .error
        case let other: throw UsageError("--log-level must be debug, info, warning or error, not '\(other)'")
        }
        let log = Logger.standardError(minimum: level)
        let state = StateDirectory.resolve(options.values["--state"])
        let store: StateStore
        do { store = try StateStore(directory: state) } catch {
            stderr("ippgate: cannot open the state directory \(state): \(error)")
            return 1
        }
        // A newcomer can print at once: with no printers, a folder printer named "default".
        if try store.printers().isEmpty {
            let output = state + "/output"
            try PrinterAdmin.add(name: "default", target: "file://" + output, to: store, now: Int64(Date().timeIntervalSince1970))
            log.info("no printers configured: created printer 'default' writing into \(output)")
        }
        var refresh = 300.0
        if let r = options.values["--refresh-interval"] {
            guard let v = Double(r), v > 0 else { throw UsageError("--refresh-interval must be a positive number of seconds") }
            refresh = v
        }
        let gateway = Gateway(store: store, log: log, keepDocuments: options.switches.contains("--keep-documents"),
                              refreshInterval: refresh)
        try gateway.start()

        var limits = ServerLimits()
        if let m = options.values["--max-connections"] {
            guard let n = Int(m), n > 0 else { throw UsageError("--max-connections must be a positive number") }
            limits.maxConnections = n
        }
        let server = HTTPServer(listen: listen + [.unix(path: StateDirectory.adminSocket(state))], limits: limits,
                                handler: gateway, log: { log.line($0) }, requestLog: level <= .info,
                                resources: gateway)
        do { try server.start() } catch {
            stderr("ippgate: \(error)")
            gateway.stop()
            return 1
        }
        for address in server.boundAddresses {
            if case .tcp = address {
                for p in gateway.printers { log.info("serving ipp://\(address)/ipp/print/\(p.name)") }
            }
        }
        log.info("state directory \(state)")

        // SIGTERM / SIGINT: stop accepting, finish what is in flight, exit.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop: @Sendable () -> Void = {
            log.info("shutting down")
            server.stop()
            gateway.stop()
            exit(0)
        }
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler(handler: stop)
            s.resume()
            return s
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}
