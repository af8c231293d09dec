import IPP
import Store

/// A printer's configured attributes (those that change only with its configuration),
/// built once, as ready-encoded attributes, from its record and its target's capabilities.
struct PrinterDescription: Sendable {
    /// Attributes in response order, each with its name (kept as a String so requests can
    /// filter without decoding names) and whether it is in the job-template group.
    let attributes: [(attribute: Attribute, name: String, jobTemplate: Bool)]
    let capabilities: Capabilities

    /// Job Template attributes this printer accepts in a job (PWG 5100.12 §5.x).
    static let jobTemplateNames: Set<String> = [
        "copies", "finishings", "job-hold-until", "job-priority", "job-sheets", "media", "media-col",
        "multiple-document-handling", "orientation-requested", "output-bin", "page-ranges",
        "print-color-mode", "print-content-optimize", "print-quality", "print-rendering-intent",
        "print-scaling", "printer-resolution", "sides", "overrides",
    ]

    /// What an `overrides` collection may hold (PWG 5100.6): the page or document
    /// selectors and the Job Template attributes that may differ for those pages.
    static let overridable = ["document-numbers", "pages", "media", "media-col", "orientation-requested",
                              "print-color-mode", "print-quality", "sides"]

    /// Operations this printer supports, for operations-supported.
    static let operations: [Operation] = [
        .printJob, .validateJob, .createJob, .sendDocument, .cancelJob, .getJobAttributes, .getJobs,
        .getPrinterAttributes, .holdJob, .releaseJob, .pausePrinter, .resumePrinter, .setJobAttributes,
        .cancelJobs, .cancelMyJobs, .closeJob, .identifyPrinter, .cupsGetDefault, .cupsGetPrinters,
    ]

    static let whichJobs = ["completed", "not-completed", "all", "aborted", "canceled", "pending",
                            "pending-held", "processing", "processing-stopped"]
    static let holdUntil = ["no-hold", "indefinite", "day-time", "evening", "night", "second-shift", "third-shift", "weekend"]

    init(record: PrinterRecord, capabilities c: Capabilities) {
        self.capabilities = c
        var list: [(Attribute, String, Bool)] = []
        func add(_ name: String, _ values: [Value]) {
            let base = PrinterDescription.baseName(name)
            list.append((Attribute(name, values), name, PrinterDescription.jobTemplateNames.contains(base)))
        }
        func add(_ name: String, _ value: Value) { add(name, [value]) }
        let settings = record.settings

        // Identity and description.
        add("printer-name", .name(record.name))
        add("printer-info", .text(settings["info"] ?? record.name))
        add("printer-location", .text(settings["location"] ?? ""))
        add("printer-make-and-model", .text(c.makeAndModel))
        add("printer-uuid", .uri(record.uuid))
        add("printer-device-id", .text("MFG:ippgate;MDL:\(c.makeAndModel);CMD:\(PrinterDescription.commandSet(c.documentFormats));"))
        if let geo = settings["geo-location"], geo.hasPrefix("geo:") {
            add("printer-geo-location", .uri(geo))
        } else {
            add("printer-geo-location", .outOfBand(.unknown))
        }
        add("printer-organization", .text(settings["organization"] ?? ""))
        add("printer-organizational-unit", .text(settings["organizational-unit"] ?? ""))
        add("printer-kind", [.keyword("document")])

        // Protocol.
        add("charset-configured", .charset("utf-8"))
        add("charset-supported", [.charset("us-ascii"), .charset("utf-8")])
        add("natural-language-configured", .naturalLanguage("en"))
        add("generated-natural-language-supported", .naturalLanguage("en"))
        add("ipp-versions-supported", ["1.0", "1.1", "2.0"].map(Value.keyword))
        add("ipp-features-supported", .keyword("ipp-everywhere"))
        add("operations-supported", PrinterDescription.operations.map { .enum(Int32($0.rawValue)) })
        add("uri-authentication-supported", .keyword("none"))
        add("uri-security-supported", .keyword("none"))
        add("compression-supported", .keyword("none"))
        add("pdl-override-supported", .keyword("attempted"))
        add("multiple-document-jobs-supported", .boolean(true))
        add("multiple-operation-time-out", .integer(300))
        add("multiple-operation-time-out-action", .keyword("abort-job"))
        add("job-ids-supported", .boolean(true))
        add("job-k-octets-supported", .rangeOfInteger(0, 2_097_152))
        add("which-jobs-supported", PrinterDescription.whichJobs.map(Value.keyword))
        add("identify-actions-default", .keyword("display"))
        add("identify-actions-supported", [.keyword("display"), .keyword("sound")])
        add("job-creation-attributes-supported",
            (PrinterDescription.jobTemplateNames.sorted() + ["document-format", "document-name", "ipp-attribute-fidelity", "job-name"])
                .map(Value.keyword))
        add("printer-get-attributes-supported", .keyword("document-format"))
        add("preferred-attributes-supported", .boolean(false))
        add("pages-per-minute", .integer(c.pagesPerMinute))
        if c.colorModes.contains("color") { add("pages-per-minute-color", .integer(c.pagesPerMinute)) }
        add("color-supported", .boolean(c.colorModes.contains("color")))

        // Documents.
        add("document-format-default", .mimeMediaType("application/octet-stream"))
        add("document-format-supported", c.documentFormats.map(Value.mimeMediaType))
        add("pwg-raster-document-resolution-supported", c.resolutions.map { .resolution($0, $0, units: .dotsPerInch) })
        add("pwg-raster-document-sheet-back", .keyword("normal"))
        add("pwg-raster-document-type-supported", c.pwgRasterTypes.map(Value.keyword))

        // Job Template: defaults and supported values.
        add("copies-default", .integer(1))
        add("copies-supported", .rangeOfInteger(1, c.copiesMax))
        add("finishings-default", .enum(3))
        add("finishings-supported", .enum(3))
        add("job-hold-until-default", .keyword("no-hold"))
        add("job-hold-until-supported", PrinterDescription.holdUntil.map(Value.keyword))
        add("job-priority-default", .integer(50))
        add("job-priority-supported", .integer(100))
        add("job-sheets-default", .name("none"))
        add("job-sheets-supported", .name("none"))
        add("media-default", .keyword(c.mediaDefault))
        add("media-supported", c.media.map { .keyword($0.name) })
        add("media-ready", c.media.filter { $0.name == c.mediaDefault }.map { .keyword($0.name) })
        add("media-size-supported", c.media.map { .collection(PrinterDescription.mediaSize($0)) })
        add("media-source-supported", c.mediaSources.map(Value.keyword))
        add("media-type-supported", c.mediaTypes.map(Value.keyword))
        add("media-bottom-margin-supported", [.integer(c.margins.bottom)])
        add("media-left-margin-supported", [.integer(c.margins.left)])
        add("media-right-margin-supported", [.integer(c.margins.right)])
        add("media-top-margin-supported", [.integer(c.margins.top)])
        add("media-col-supported", ["media-bottom-margin", "media-left-margin", "media-right-margin", "media-size",
                                    "media-size-name", "media-source", "media-top-margin", "media-type"].map(Value.keyword))
        let defaultMedia = c.media.first { $0.name == c.mediaDefault } ?? c.media[0]
        add("media-col-default", .collection(PrinterDescription.mediaCol(defaultMedia, c)))
        add("media-col-ready", [.collection(PrinterDescription.mediaCol(defaultMedia, c))])
        add("multiple-document-handling-supported", [.keyword("separate-documents-uncollated-copies"),
                                                     .keyword("separate-documents-collated-copies")])
        add("orientation-requested-default", .enum(3))
        add("orientation-requested-supported", c.orientations.map { .enum($0) })
        add("output-bin-default", .keyword("face-down"))
        add("output-bin-supported", .keyword("face-down"))
        add("page-ranges-supported", .boolean(true))
        add("print-color-mode-default", .keyword(c.colorModeDefault))
        add("print-color-mode-supported", c.colorModes.map(Value.keyword))
        add("print-content-optimize-default", .keyword("auto"))
        add("print-content-optimize-supported", .keyword("auto"))
        add("print-quality-default", .enum(4))
        add("print-quality-supported", c.qualities.map { .enum($0) })
        add("print-rendering-intent-default", .keyword("auto"))
        add("print-rendering-intent-supported", .keyword("auto"))
        add("print-scaling-default", .keyword("auto"))
        add("print-scaling-supported", ["auto", "auto-fit", "fill", "fit", "none"].map(Value.keyword))
        add("printer-resolution-default", .resolution(c.resolutionDefault, c.resolutionDefault, units: .dotsPerInch))
        add("printer-resolution-supported", c.resolutions.map { .resolution($0, $0, units: .dotsPerInch) })
        add("sides-default", .keyword("one-sided"))
        add("sides-supported", c.sides.map(Value.keyword))
        add("overrides-supported", PrinterDescription.overridable.map(Value.keyword))

        attributes = list
        var index: [String: Int] = [:]
        for (i, entry) in list.enumerated() { index[entry.1] = i }
        self.index = index
        mediaColDatabase = Attribute("media-col-database", c.media.map { .collection(PrinterDescription.mediaCol($0, c, withSource: false)) })
    }

    /// Position of each attribute in `attributes`, by name.
    let index: [String: Int]

    /// Returned only when asked for by name (it can be large).
    let mediaColDatabase: Attribute

    /// "copies-default" → "copies".
    static func baseName(_ name: String) -> String {
        for suffix in ["-default", "-supported", "-ready", "-database"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    static func mediaSize(_ m: Capabilities.MediaSize) -> [Attribute] {
        [Attribute("x-dimension", .integer(m.width)), Attribute("y-dimension", .integer(m.length))]
    }

    static func mediaCol(_ m: Capabilities.MediaSize, _ c: Capabilities, withSource: Bool = true) -> [Attribute] {
        var members = [
            Attribute("media-size", .collection(mediaSize(m))),
            Attribute("media-size-name", .keyword(m.name)),
            Attribute("media-bottom-margin", .integer(c.margins.bottom)),
            Attribute("media-left-margin", .integer(c.margins.left)),
            Attribute("media-right-margin", .integer(c.margins.right)),
            Attribute("media-top-margin", .integer(c.margins.top)),
        ]
        if withSource {
            members.append(Attribute("media-source", .keyword(c.mediaSources.contains("main") ? "main" : c.mediaSources[0])))
            members.append(Attribute("media-type", .keyword(c.mediaTypes.contains("stationery") ? "stationery" : c.mediaTypes[0])))
        }
        return members
    }

    static func commandSet(_ formats: [String]) -> String {
        formats.compactMap { f -> String? in
            switch f {
            case "application/pdf": return "PDF"
            case "image/jpeg": return "JPEG"
            case "image/pwg-raster": return "PWG"
            case "image/urf": return "URF"
            case "application/postscript": return "POSTSCRIPT"
            default: return nil
            }
        }.joined(separator: ",")
    }
}
