import CupsBridge
import Foundation
import IPP
import Testing
import TestSupport

/// A request with the standard operation attributes first.
func ippRequest(_ operation: IPP.Operation, _ uri: String, user: String = "tester", id: Int32 = 1,
                operationAttributes: [Attribute] = [], job: [Attribute] = []) -> Message {
    var m = Message.request(operation, requestID: id)
    m.append(Attribute(uri.contains("/jobs/") ? "job-uri" : "printer-uri", .uri(uri)), to: .operation)
    m.append(Attribute("requesting-user-name", .name(user)), to: .operation)
    for a in operationAttributes { m.append(a, to: .operation) }
    if !job.isEmpty { m.groups.append(AttributeGroup(tag: .job, attributes: job)) }
    return m
}

extension Message {
    /// The first value of an attribute anywhere in the response.
    func value(_ name: String) -> Value? {
        for g in groups { if let a = g[name] { return a.firstValue } }
        return nil
    }
    var statusMessage: String { value("status-message")?.stringValue ?? "" }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ what: String, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw Peers.Failure("timed out after \(seconds) s waiting for \(what)") }
        usleep(50_000)
    }
}

/// Test documents made in code (never copied from elsewhere).
enum Documents {
    /// A small valid one-page PDF.
    static let pdf: [UInt8] = {
        let content = "BT /F1 24 Tf 72 720 Td (ippgate test) Tj ET"
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, o) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(o)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n" }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        objects.removeAll()
        return Array(out.utf8)
    }()

    static func text(_ n: Int = 1) -> [UInt8] { Array("Hello from ippgate's tests, document \(n).\n".utf8) }

    static func write(_ bytes: [UInt8], name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ippgate-\(getpid())-\(name)").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}
