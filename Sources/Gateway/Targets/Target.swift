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

    // The rest have defaults equal to what a folder printer advertises, so a target that
    // only knows the basics can leave them; a mirrored device fills them from its answer.

    /// One media-col-database / media-col-ready / media-col-default entry (PWG 5100.7).
    public struct MediaColEntry: Sendable, Hashable {
        public var key: String?          // media-key, when the device names one
        public var size: MediaSize       // name "" when the device gives only dimensions
        public var source: String?
        public var type: String?
        public var margins: Margins
        public init(key: String? = nil, size: MediaSize, source: String? = nil, type: String? = nil, margins: Margins) {
            self.key = key; self.size = size; self.source = source; self.type = type; self.margins = margins
        }
    }

    /// Margins of one media-col entry, hundredths of a millimetre; nil when the entry has none.
    public struct Margins: Sendable, Hashable {
        public var bottom: Int32?, left: Int32?, right: Int32?, top: Int32?
        public init(bottom: Int32?, left: Int32?, right: Int32?, top: Int32?) {
            self.bottom = bottom; self.left = left; self.right = right; self.top = top
        }
    }

    /// All values of media-*-margin-supported.
    public struct MarginsSupported: Sendable, Hashable {
        public var bottom: [Int32], left: [Int32], right: [Int32], top: [Int32]
        public init(bottom: [Int32], left: [Int32], right: [Int32], top: [Int32]) {
            self.bottom = bottom; self.left = left; self.right = right; self.top = top
        }
    }

    /// media-*-margin-supported; nil: the one value of each side of `margins`.
    public var marginsSupported: MarginsSupported? = nil
    /// media-col-database; nil: one entry per `media` size with `margins`, no source or type.
    public var mediaColDatabase: [MediaColEntry]? = nil
    /// media-col-default; nil: the default medium with `margins`, source "main" and type "stationery" when supported.
    public var mediaColDefault: MediaColEntry? = nil
    /// The device's printer-uuid, when it gave one: how ippgate recognises a target that is
    /// one of its own printers (see `JobEngine.forwardingLoop`).
    public var deviceUUID: String? = nil
    /// media-col-ready; nil: [media-col-default].
    public var mediaColReady: [MediaColEntry]? = nil
    /// media-ready; nil: [mediaDefault].
    public var mediaReady: [String]? = nil
    /// media-col-supported: the members a media-col may carry.
    public var mediaColMembers: [String] = ["media-bottom-margin", "media-left-margin", "media-right-margin", "media-size",
                                            "media-size-name", "media-source", "media-top-margin", "media-type"]
    public var documentFormatDefault: String = "application/octet-stream"
    public var sidesDefault: String = "one-sided"
    public var qualityDefault: Int32 = 4
    /// nil: the device has no default (no-value).
    public var orientationDefault: Int32? = 3
    public var copiesDefault: Int32 = 1
    /// finishings-supported enums (3 = none).
    public var finishings: [Int32] = [3]
    public var finishingsDefault: [Int32] = [3]
    /// Empty: the device has no output bins (output-bin not supported).
    public var outputBins: [String] = ["face-down"]
    public var outputBinDefault: String? = "face-down"
    public var contentOptimizes: [String] = ["auto"]
    public var contentOptimizeDefault: String? = "auto"
    public var renderingIntents: [String] = ["auto"]
    public var renderingIntentDefault: String? = "auto"
    public var scalings: [String] = ["auto", "auto-fit", "fill", "fit", "none"]
    public var scalingDefault: String? = "auto"
    /// job-priority-supported: how many priority levels (job-priority itself is always 1-100).
    public var jobPriorityLevels: Int32 = 100
    public var jobPriorityDefault: Int32 = 50
    public var pageRangesSupported: Bool = true
    /// pwg-raster-document-resolution-supported (square dpi); nil: `resolutions`.
    public var pwgRasterResolutions: [Int32]? = nil
    /// urf-supported, as the device spells it; empty: not advertised.
    public var urfSupported: [String] = []
    /// color-supported; nil: whether `colorModes` has "color".
    public var colorSupported: Bool? = nil
    /// pages-per-minute-color; nil: `pagesPerMinute` when color is supported.
    public var pagesPerMinuteColor: Int32? = nil
    public var printerKinds: [String] = ["document"]
    /// printer-device-id; nil: made from the make and model and the formats.
    public var deviceID: String? = nil

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

/// A job handed to a target: its record, its documents in the spool, its attributes,
/// and the ways back to the engine while the target works on it.
public struct DeliveryJob: Sendable {
    public var record: JobRecord
    public var documents: [DocumentRecord]
    /// The job's accepted Job Template and description attributes.
    public var attributes: [Attribute]
    /// Tells the engine what happened at the target. `.created` is stored durably before
    /// `report` returns, so a target reports it before sending any document byte.
    public var report: @Sendable (DeliveryEvent) -> Void = { _ in }
    /// True once the job has been canceled at ippgate: the target cancels its own job.
    public var isCanceled: @Sendable () -> Bool = { false }
    /// The device stopped answering while the target follows the job (why), or answers
    /// again (nil): the printer shows it (offline-report) while the job waits.
    public var deviceUnreachable: @Sendable (String?) -> Void = { _ in }
    /// The job's one document while it is still arriving (only for a target that
    /// `deliversWhileArriving`); `documents` is then empty. Read it with `reader()`.
    public var arriving: ArrivingDocument? = nil

    public init(record: JobRecord, documents: [DocumentRecord], attributes: [Attribute]) {
        self.record = record
        self.documents = documents
        self.attributes = attributes
    }
}

/// Progress of a delivery, as a target reports it.
public enum DeliveryEvent: Sendable, Equatable {
    /// The target created the job: its id and URI there.
    case created(id: Int32, uri: String)
    /// The target's view of the job, mirrored into ippgate's job.
    case status(reasons: [String], message: String, impressions: Int32)
    /// The target's job is gone there before it ended (the device restarted and forgot
    /// it): no job is recorded there any more, and the job is delivered afresh.
    case lost
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
    public var level: Int32          // percent 0-100; -1 unknown, -3 "some remaining" (RFC 3805)
    public var colorantName: String  // "black", "unknown", …
    public var description: String
    public var index: Int32          // prtMarkerSuppliesIndex; 0 when not known
    public init(type: String, supplyClass: String = "supplyThatIsConsumed", level: Int32, colorantName: String = "unknown",
                description: String, index: Int32 = 0) {
        self.type = type; self.supplyClass = supplyClass; self.level = level
        self.colorantName = colorantName; self.description = description; self.index = index
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
    /// Re-reads what the device can do. Throws, saying why, if the device could not be
    /// asked or did not answer (the printer then shows offline-report).
    func refresh() throws
    /// Whether `deliver` can take a document that is still arriving (`DeliveryJob.arriving`).
    var deliversWhileArriving: Bool { get }
    /// False while the target has not been able to ask its device what it can do: the
    /// printer then re-reads it every few seconds instead of every refresh interval.
    var knowsDevice: Bool { get }
    /// Cancels a job the target created for a delivery that was given up (after a
    /// restart: its client's upload never finished). Best effort; false if it failed.
    func cancelRemoteJob(_ id: Int32, user: String) -> Bool
}

extension Target {
    public func supplies() -> [Supply] { [] }
    public func refresh() throws {}
    public var deliversWhileArriving: Bool { false }
    public var knowsDevice: Bool { true }
    public func cancelRemoteJob(_ id: Int32, user: String) -> Bool { true }
}

public enum TargetError: Error, CustomStringConvertible {
    case unsupportedScheme(String)
    case invalid(String)
    /// The device could not be asked, or refused to answer.
    case unreachable(String)
    public var description: String {
        switch self {
        case .unreachable(let why): return why
        case .unsupportedScheme(let uri): return "unsupported target URI \(uri) (use ipp://HOST:PORT/PATH, ipps://… or file:///ABSOLUTE/DIR)"
        case .invalid(let why): return why
        }
    }
}

/// Makes the target for a URI.
public enum Targets {
    /// - Parameter trustDirectory: where `ipps://` devices' certificates are pinned (`TLSPin`).
    public static func make(uri: String, trustDirectory: String? = nil) throws -> any Target {
        if uri.hasPrefix("file://") { return try FolderTarget(uri: uri) }
        if uri.hasPrefix("ipp://") || uri.hasPrefix("ipps://") { return try IPPTarget(uri: uri, trustDirectory: trustDirectory) }
        throw TargetError.unsupportedScheme(uri)
    }
}
