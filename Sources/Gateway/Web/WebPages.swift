import IPP
import Transport

/// The few HTTP GET resources a printer needs: its icons (printer-icons), a status page
/// (printer-more-info) and a supplies page (printer-supply-info-uri). Plain and small.
extension Gateway: HTTPResourceProvider {
    static let iconSizes = [48, 128, 512]
    static let icons: [Int: [UInt8]] = Dictionary(uniqueKeysWithValues: iconSizes.map { ($0, PNG.printerIcon(size: $0)) })

    public func resource(at rawPath: String) -> HTTPResource? {
        let path = rawPath.split(separator: "?", maxSplits: 1).first.map(String.init) ?? rawPath
        if path.hasPrefix("/icons/printer-"), path.hasSuffix(".png"),
           let size = Int(path.dropFirst("/icons/printer-".count).dropLast(4)), let png = Self.icons[size] {
            return HTTPResource(contentType: "image/png", body: png)
        }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "ipp", parts[1] == "print", let p = printer(named: parts[2]) else { return nil }
        switch parts.count {
        case 3: return page(statusText(p))
        case 4 where parts[3] == "supplies": return page(suppliesText(p))
        default: return nil
        }
    }

    private func page(_ text: String) -> HTTPResource {
        HTTPResource(contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    private func statusText(_ p: Printer) -> String {
        let s = p.snapshot()
        return """
            \(p.name): \(PrinterState(s.state.rawValue).name ?? "?") (\(s.reasons.joined(separator: ", "))) – \(s.message)
            target: \(p.record.target)
            queued jobs: \(s.queuedJobCount)
            model: \(p.description.capabilities.makeAndModel)

            """
    }

    private func suppliesText(_ p: Printer) -> String {
        let lines = p.target.supplies().map { "\($0.description): \($0.level >= 0 ? "\($0.level)%" : "unknown")" }
        return "\(p.name) supplies\n" + (lines.isEmpty ? "none reported\n" : lines.joined(separator: "\n") + "\n")
    }

    /// printer-icons, printer-supply, printer-supply-description, printer-supply-info-uri.
    func supplyAndIconAttributes(_ p: Printer, host: String) -> [(String, () -> [Value])] {
        // Read once per request, and only if one of the two is asked for.
        let supplies = Lazy { p.target.supplies() }
        return [
            ("printer-icons", { Gateway.iconSizes.map { .uri("http://\(host)/icons/printer-\($0).png") } }),
            ("printer-supply", {
                supplies.value.isEmpty ? [.outOfBand(.noValue)] : supplies.value.enumerated().map { i, s in
                    .octetString(Array("index=\(i + 1);class=\(s.supplyClass);type=\(s.type);unit=percent;maxcapacity=100;level=\(s.level);colorantname=\(s.colorantName);".utf8))
                }
            }),
            ("printer-supply-description", {
                supplies.value.isEmpty ? [.outOfBand(.noValue)] : supplies.value.map { .text($0.description) }
            }),
            ("printer-supply-info-uri", { [.uri("http://\(host)/ipp/print/\(p.name)/supplies")] }),
        ]
    }
}

/// A value computed on first use (within one request).
private final class Lazy<T> {
    private let make: () -> T
    private var made: T?
    init(_ make: @escaping () -> T) { self.make = make }
    var value: T {
        if let made { return made }
        let v = make()
        made = v
        return v
    }
}
