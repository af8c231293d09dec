import Foundation
import IPP
import Store

/// Adding and removing printers, shared by the CLI (server stopped) and the admin
/// socket (server running), so both validate the same way.
public enum PrinterAdmin {
    public struct AdminError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Printer names: letters, digits, '-', '_', '.'; 1 to 127 characters.
    public static func validate(name: String) throws {
        let ok = !name.isEmpty && name.utf8.count <= 127 && name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0)
        }
        guard ok else { throw AdminError("invalid printer name '\(name)': use 1-127 letters, digits, '-', '_' or '.'") }
    }

    /// Printer setting: "no" turns off forwarding while a document arrives.
    public static let forwardWhileArrivingSetting = "forward-while-arriving"
    /// The admin socket's operation attribute for it (boolean).
    public static let forwardWhileArrivingAttribute = "ippgate-forward-while-arriving"

    @discardableResult
    public static func add(name: String, target: String, settings: [String: String] = [:], to store: StateStore, now: Int64) throws -> PrinterRecord {
        try validate(name: name)
        let made = try Targets.make(uri: target)
        if let folder = made as? FolderTarget { try folder.prepare() }
        guard try store.printer(named: name) == nil else { throw AdminError("printer '\(name)' already exists") }
        let record = PrinterRecord(name: name, target: target, uuid: "urn:uuid:" + UUID().uuidString.lowercased(),
                                   createdAt: now, settings: settings)
        try store.addPrinter(record)
        return record
    }

    /// Removes the printer and cancels its unfinished jobs (as CUPS does when a queue is
    /// deleted): they stay as history, their spool files go. A job being delivered by a
    /// running server is canceled at the device by its worker, which sees the cancel.
    /// Returns the number of jobs canceled.
    @discardableResult
    public static func remove(name: String, from store: StateStore, now: Int64) throws -> Int {
        guard let canceled = try store.removePrinter(named: name, cancelingJobs: "Canceled: printer \(name) was removed.", at: now) else {
            throw AdminError("no printer named '\(name)'")
        }
        for id in canceled {
            for d in (try? store.documents(jobID: id)) ?? [] { unlink(d.path) }
        }
        return canceled.count
    }

    /// "; 2 unfinished jobs canceled", or "" for none.
    public static func canceledNote(_ count: Int) -> String {
        count == 0 ? "" : "; \(count) unfinished job\(count == 1 ? "" : "s") canceled"
    }
}
