import CupsBridge
import Foundation
import Gateway
import IPP
import Store

/// `ippgate printers add NAME --target URI [--store-then-forward] | remove NAME | list  [--state DIR]`
///
/// With the server running, changes go through its admin socket and apply at once.
/// Without it, they are written to the database, which the server reads when it starts.
enum PrintersCommand {
    static let usage = "usage: ippgate printers add NAME --target URI [--store-then-forward] [--state DIR] | remove NAME [--state DIR] | list [--state DIR]"

    static func run(_ args: [String]) throws -> Int32 {
        guard let verb = args.first else { throw UsageError(usage) }
        let options = try Options(Array(args.dropFirst()), valued: ["--target", "--state"], switches: ["--store-then-forward"])
        let state = StateDirectory.resolve(options.values["--state"])
        switch verb {
        case "add":
            guard options.positionals.count == 1, let target = options.values["--target"] else { throw UsageError(usage) }
            let name = options.positionals[0]
            try PrinterAdmin.validate(name: name)
            // Forward a document only once it is whole (the default forwards while it arrives).
            let storeThenForward = options.switches.contains("--store-then-forward")
            if let done = try viaAdminSocket(state, operation: .cupsAddModifyPrinter, name: name, target: target,
                                             storeThenForward: storeThenForward) { return done }
            let store = try StateStore(directory: state)
            do {
                try PrinterAdmin.add(name: name, target: target,
                                     settings: storeThenForward ? [PrinterAdmin.forwardWhileArrivingSetting: "no"] : [:],
                                     to: store, now: Int64(Date().timeIntervalSince1970))
            } catch {
                stderr("ippgate: \(error)")
                return 1
            }
            print("added printer \(name) → \(target) (the server will serve it when it starts)")
            return 0
        case "remove":
            guard options.positionals.count == 1 else { throw UsageError(usage) }
            let name = options.positionals[0]
            if let done = try viaAdminSocket(state, operation: .cupsDeletePrinter, name: name, target: nil) { return done }
            let canceled: Int
            do { canceled = try PrinterAdmin.remove(name: name, from: try StateStore(directory: state), now: Int64(Date().timeIntervalSince1970)) } catch {
                stderr("ippgate: \(error)")
                return 1
            }
            print("removed printer \(name)\(PrinterAdmin.canceledNote(canceled))")
            return 0
        case "list":
            guard options.positionals.isEmpty else { throw UsageError(usage) }
            let printers = try StateStore(directory: state).printers()
            if printers.isEmpty {
                print("no printers (ippgate serve creates 'default' when it starts with none)")
                return 0
            }
            let width = max(4, printers.map(\.name.count).max()!)
            print(pad("NAME", width + 2) + "TARGET")
            for p in printers {
                let note = p.settings[PrinterAdmin.forwardWhileArrivingSetting] == "no" ? "  (store-then-forward)" : ""
                print(pad(p.name, width + 2) + p.target + note)
            }
            return 0
        default:
            throw UsageError(usage)
        }
    }

    /// Sends the change to a running server. Returns nil when no server is listening.
    static func viaAdminSocket(_ state: String, operation: IPP.Operation, name: String, target: String?,
                               storeThenForward: Bool = false) throws -> Int32? {
        let socket = StateDirectory.adminSocket(state)
        guard FileManager.default.fileExists(atPath: socket),
              let client = try? IPPClient(IPPEndpoint(unixSocket: socket, resource: "/admin"), connectTimeout: 2, timeout: 10) else {
            return nil
        }
        var request = Message.request(operation)
        request.append(Attribute("printer-name", .name(name)), to: .operation)
        if let target { request.append(Attribute("device-uri", .uri(target)), to: .operation) }
        if storeThenForward { request.append(Attribute(PrinterAdmin.forwardWhileArrivingAttribute, .boolean(false)), to: .operation) }
        let response: Message
        do { response = try client.send(request) } catch {
            return nil // the socket is stale: the server is gone
        }
        guard response.status.isSuccess else {
            let why = response.attribute("status-message", in: .operation)?.firstValue?.stringValue ?? response.status.name ?? "error"
            stderr("ippgate: \(why)")
            return 1
        }
        if operation == .cupsDeletePrinter {
            // The server says what it did: "removed printer NAME; 2 unfinished jobs canceled".
            let note = response.attribute("status-message", in: .operation)?.firstValue?.stringValue ?? "removed printer \(name)"
            print("\(note) (applied by the running server)")
        } else {
            print("added printer \(name) → \(target ?? "") (served now)")
        }
        return 0
    }
}
