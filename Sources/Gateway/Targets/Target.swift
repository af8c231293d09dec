import IPP
import Store

/// What a printer can do, as its target reports it. The printer's attributes
/// (`*-supported`, `*-default`) are built from this, so a target that mirrors a real
/// device (next issue) only has to fill it in.
public struct Capabilities: Sendable {
    public struct MediaSize: Sendable, Hashable {
        public var name: String      // PWG self-describing name, e.g. "iso_a4_210x297mm"
        public var width: Int32      // hundredths of a millimetre
        public var length: Int32
        public init(name: String, width: Int32, length: Int32) { self.name = name; self.width = width; self.length = length }
    }

    public var makeAndModel: String
    public var documentFormats: [String]
    public var media: [MediaSize]
    public var mediaDefault: String
    public var mediaSources: [String]
    public var mediaTypes: [String]
    public var sides: [String]
    public var colorModes: [String]
    public var colorModeDefault: String
    public var resolutions: [Int32]          // dots per inch, square
    public var resolutionDefault: Int32
    public var qualities: [Int32]            // print-quality enums
    public var orientations: [Int32]         // orientation-requested enums
    public var pwgRasterTypes: [String]
    public var copiesMax: Int32
    public var pagesPerMinute: Int32
    /// Margins in hundredths of a millimetre (0 = borderless).
    public var margins: (bottom: Int32, left: Int32, right: Int32, top: Int32)

    /// A folder target's built-in capabilities: PDF, JPEG, PWG raster; A4 and Letter; 1- and 2-sided.
    public static let folder = Capabilities(
        makeAndModel: "ippgate Folder Printer",
        documentFormats: ["application/pdf", "image/jpeg", "image/pwg-raster", "application/octet-stream"],
        media: [MediaSize(name: "iso_a4_210x297mm", width: 21000, length: 29700),
                MediaSize(name: "na_letter_8.5x11in", width: 21590, length: 27940)],
        mediaDefault: "iso_a4_210x297mm",
        mediaSources: ["auto", "main"],
        mediaTypes: ["auto", "stationery"],
        sides: ["one-sided", "two-sided-long-edge", "two-sided-short-edge"],
        colorModes: ["auto", "monochrome", "color"],
        colorModeDefault: "auto",
        resolutions: [300, 600],
        resolutionDefault: 600,
        qualities: [3, 4, 5],
        orientations: [3, 4, 5, 6],
        pwgRasterTypes: ["black_1", "sgray_8", "srgb_8"],
        copiesMax: 999,
        pagesPerMinute: 60,
        margins: (423, 423, 423, 423))
}

/// A job handed to a target: its record, its documents in the spool, its attributes.
public struct DeliveryJob: Sendable {
    public var record: JobRecord
    public var documents: [DocumentRecord]
    /// The job's accepted Job Template and description attributes.
    public var attributes: [Attribute]
}

/// How a delivery ended.
public enum DeliveryOutcome: Sendable, Equatable {
    case completed
    /// The target will never take this job (bad document, refused); the job is aborted.
    case aborted(String)
    /// A temporary problem (target busy or unreachable): try again later.
    case retry(String)
}

/// A consumable or resource a target reports (printer-supply, PWG 5100.13 §6.6.? / RFC 3805).
public struct Supply: Sendable, Hashable {
    public var type: String          // "toner", "ink", "other", …
    public var supplyClass: String   // "supplyThatIsConsumed" or "receptacleThatIsFilled"
    public var level: Int32          // percent, -1 unknown
    public var colorantName: String  // "black", "unknown", …
    public var description: String
    public init(type: String, supplyClass: String = "supplyThatIsConsumed", level: Int32, colorantName: String = "unknown", description: String) {
        self.type = type; self.supplyClass = supplyClass; self.level = level
        self.colorantName = colorantName; self.description = description
    }
}

/// A real device a printer forwards to. Implementations: folder (`file:`), later IPP and CUPS.
/// Targets never see IPP requests; the job engine calls them on a printer's worker thread.
public protocol Target: Sendable {
    var uri: String { get }
    var capabilities: Capabilities { get }
    /// Delivers every document of the job. Blocks until done. Must be idempotent:
    /// after a crash the engine may deliver a job again, and it must not appear twice.
    func deliver(_ job: DeliveryJob) -> DeliveryOutcome
    /// Current supply levels (read when a client asks; keep it cheap).
    func supplies() -> [Supply]
}

extension Target {
    public func supplies() -> [Supply] { [] }
}

public enum TargetError: Error, CustomStringConvertible {
    case unsupportedScheme(String)
    case invalid(String)
    public var description: String {
        switch self {
        case .unsupportedScheme(let uri): return "unsupported target URI \(uri) (use file:///ABSOLUTE/DIR)"
        case .invalid(let why): return why
        }
    }
}

/// Makes the target for a URI.
public enum Targets {
    public static func make(uri: String) throws -> any Target {
        if uri.hasPrefix("file://") { return try FolderTarget(uri: uri) }
        throw TargetError.unsupportedScheme(uri)
    }
}
