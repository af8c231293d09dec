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
            let live = liveStatus(state)
            let width = max(4, printers.map(\.name.count).max()!)
            print(pad("NAME", width + 2) + pad("STATE", 12) + pad("JOBS", 6) + "TARGET")
            for p in printers {
                let note = p.settings[PrinterAdmin.forwardWhileArrivingSetting] == "no" ? "  (store-then-forward)" : ""
                let status = live?[p.name]
                print(pad(p.name, width + 2) + pad(status?.state ?? "-", 12) + pad(status.map { String($0.jobs) } ?? "-", 6) + p.target + note)
                if let status, !status.reasons.isEmpty {
                    let message = status.message.isEmpty ? "" : ": " + status.message
                    print(String(repeating: " ", count: width + 2) + status.reasons.joined(separator: ", ") + message)
                }
            }
            if live == nil { print("(the server is not running: no live state)") }
            return 0
        default:
            throw UsageError(usage)
        }
    }

    /// A printer as the running server sees it.
    struct LiveStatus {
        var state: String
        var jobs: Int32
        /// printer-state-reasons other than "none".
        var reasons: [String]
        var message: String
    }

    /// Every printer's live state from the running server (CUPS-Get-Printers over the
    /// admin socket), by name; nil when no server answers.
    static func liveStatus(_ state: String) -> [String: LiveStatus]? {
        guard let client = adminClient(state) else { return nil }
        var request = Message.request(.cupsGetPrinters)
        request.append(Attribute("requested-attributes", ["printer-name", "printer-state", "printer-state-reasons",
                                                          "printer-state-message", "queued-job-count"].map(Value.keyword)), to: .operation)
        guard let response = try? client.send(request), response.status.isSuccess else { return nil }
        var result: [String: LiveStatus] = [:]
        for group in response.groups where group.tag == .printer {
            guard let name = group["printer-name"]?.firstValue?.stringValue else { continue }
            let state = group["printer-state"]?.firstValue?.integerValue
            result[name] = LiveStatus(
                state: state == 3 ? "idle" : state == 4 ? "processing" : state == 5 ? "stopped" : "?",
                jobs: group["queued-job-count"]?.firstValue?.integerValue ?? 0,
                reasons: (group["printer-state-reasons"]?.values.compactMap(\.stringValue) ?? []).filter { $0 != "none" },
                message: group["printer-state-message"]?.firstValue?.stringValue ?? "")
        }
        return result
    }

    /// A client for the running server's admin socket, or nil when there is none.
    static func adminClient(_ state: String) -> IPPClient? {
        let socket = StateDirectory.adminSocket(state)
        guard FileManager.default.fileExists(atPath: socket) else { return nil }
        return try? IPPClient(IPPEndpoint(unixSocket: socket, resource: "/admin"), connectTimeout: 2, timeout: 10)
    }

    /// Sends the change to a running server. Returns nil when no server is listening.
    static func viaAdminSocket(_ state: String, operation: IPP.Operation, name: String, target: String?,
                               storeThenForward: Bool = false) throws -> Int32? {
        guard let client = adminClient(state) else { return nil }
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
