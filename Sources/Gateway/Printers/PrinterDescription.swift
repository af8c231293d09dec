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
    /// job-k-octets-supported's upper bound: the largest document taken, in K octets (2 GiB).
    static let maxJobKOctets: Int32 = 2_097_152
    static let holdUntil = ["no-hold", "indefinite", "day-time", "evening", "night", "second-shift", "third-shift", "weekend"]

    init(record: PrinterRecord, capabilities c: Capabilities) {
        self.capabilities = c
        var list: [(Attribute, String, Bool)] = []
        func add(_ name: String, _ values: [Value]) {
            guard !values.isEmpty else { return }   // the device has none: not advertised
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
        add("printer-device-id", .text(c.deviceID ?? "MFG:ippgate;MDL:\(c.makeAndModel);CMD:\(PrinterDescription.commandSet(c.documentFormats));"))
        if let geo = settings["geo-location"], geo.hasPrefix("geo:") {
            add("printer-geo-location", .uri(geo))
        } else {
            add("printer-geo-location", .outOfBand(.unknown))
        }
        add("printer-organization", .text(settings["organization"] ?? ""))
        add("printer-organizational-unit", .text(settings["organizational-unit"] ?? ""))
        add("printer-kind", c.printerKinds.map(Value.keyword))

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
        add("compression-supported", ["none", "gzip", "deflate"].map(Value.keyword))
        add("pdl-override-supported", .keyword("attempted"))
        add("multiple-document-jobs-supported", .boolean(true))
        add("multiple-operation-time-out", .integer(300))
        add("multiple-operation-time-out-action", .keyword("abort-job"))
        add("job-ids-supported", .boolean(true))
        add("job-k-octets-supported", .rangeOfInteger(0, PrinterDescription.maxJobKOctets))
        add("which-jobs-supported", PrinterDescription.whichJobs.map(Value.keyword))
        add("identify-actions-default", .keyword("display"))
        add("identify-actions-supported", [.keyword("display"), .keyword("sound")])
        add("job-creation-attributes-supported",
            (PrinterDescription.jobTemplateNames(for: c).sorted() + ["document-format", "document-name", "ipp-attribute-fidelity", "job-name"])
                .map(Value.keyword))
        add("printer-get-attributes-supported", .keyword("document-format"))
        add("preferred-attributes-supported", .boolean(false))
        add("pages-per-minute", .integer(c.pagesPerMinute))
        if let ppm = c.pagesPerMinuteColor ?? (c.colorModes.contains("color") ? c.pagesPerMinute : nil) {
            add("pages-per-minute-color", .integer(ppm))
        }
        add("color-supported", .boolean(c.colorSupported ?? c.colorModes.contains("color")))

        // Documents.
        add("document-format-default", .mimeMediaType(c.documentFormatDefault))
        add("document-format-supported", c.formatsAccepted.map(Value.mimeMediaType))
        add("pwg-raster-document-resolution-supported", (c.pwgRasterResolutions ?? c.resolutions).map { .resolution($0, $0, units: .dotsPerInch) })
        add("pwg-raster-document-sheet-back", .keyword("normal"))
        add("pwg-raster-document-type-supported", c.pwgRasterTypes.map(Value.keyword))
        add("urf-supported", c.urfSupported.map(Value.keyword))

        // Job Template: defaults and supported values.
        add("copies-default", .integer(c.copiesDefault))
        add("copies-supported", .rangeOfInteger(1, c.copiesMax))
        add("finishings-default", c.finishingsDefault.map { .enum($0) })
        add("finishings-supported", c.finishings.map { .enum($0) })
        add("job-hold-until-default", .keyword("no-hold"))
        add("job-hold-until-supported", PrinterDescription.holdUntil.map(Value.keyword))
        add("job-priority-default", .integer(c.jobPriorityDefault))
        add("job-priority-supported", .integer(c.jobPriorityLevels))
        add("job-sheets-default", .name("none"))
        add("job-sheets-supported", .name("none"))
        add("media-default", .keyword(c.mediaDefault))
        add("media-supported", c.media.map { .keyword($0.name) })
        add("media-ready", (c.mediaReady ?? c.media.filter { $0.name == c.mediaDefault }.map(\.name)).map(Value.keyword))
        add("media-size-supported", c.media.filter { $0.width > 0 && $0.length > 0 }.map { .collection(PrinterDescription.mediaSize($0)) })
        add("media-source-supported", c.mediaSources.map(Value.keyword))
        add("media-type-supported", c.mediaTypes.map(Value.keyword))
        let m = c.marginsSupported
        add("media-bottom-margin-supported", (m?.bottom.nonEmpty ?? [c.margins.bottom]).map(Value.integer))
        add("media-left-margin-supported", (m?.left.nonEmpty ?? [c.margins.left]).map(Value.integer))
        add("media-right-margin-supported", (m?.right.nonEmpty ?? [c.margins.right]).map(Value.integer))
        add("media-top-margin-supported", (m?.top.nonEmpty ?? [c.margins.top]).map(Value.integer))
        add("media-col-supported", c.mediaColMembers.map(Value.keyword))
        let defaultCol: [Attribute]
        if let d = c.mediaColDefault {
            defaultCol = PrinterDescription.mediaCol(d)
        } else if let defaultMedia = c.media.first(where: { $0.name == c.mediaDefault }) ?? c.media.first {
            defaultCol = PrinterDescription.mediaCol(defaultMedia, c)
        } else {
            defaultCol = []
        }
        if !defaultCol.isEmpty { add("media-col-default", .collection(defaultCol)) }
        add("media-col-ready", c.mediaColReady.map { $0.map { .collection(PrinterDescription.mediaCol($0)) } }
            ?? (defaultCol.isEmpty ? [] : [.collection(defaultCol)]))
        add("multiple-document-handling-supported", [.keyword("separate-documents-uncollated-copies"),
                                                     .keyword("separate-documents-collated-copies")])
        add("orientation-requested-default", c.orientationDefault.map { .enum($0) } ?? .outOfBand(.noValue))
        add("orientation-requested-supported", c.orientations.map { .enum($0) })
        if let bin = c.outputBinDefault { add("output-bin-default", .keyword(bin)) }
        add("output-bin-supported", c.outputBins.map(Value.keyword))
        add("page-ranges-supported", .boolean(c.pageRangesSupported))
        add("print-color-mode-default", .keyword(c.colorModeDefault))
        add("print-color-mode-supported", c.colorModes.map(Value.keyword))
        if let d = c.contentOptimizeDefault { add("print-content-optimize-default", .keyword(d)) }
        add("print-content-optimize-supported", c.contentOptimizes.map(Value.keyword))
        add("print-quality-default", .enum(c.qualityDefault))
        add("print-quality-supported", c.qualities.map { .enum($0) })
        if let d = c.renderingIntentDefault { add("print-rendering-intent-default", .keyword(d)) }
        add("print-rendering-intent-supported", c.renderingIntents.map(Value.keyword))
        if let d = c.scalingDefault { add("print-scaling-default", .keyword(d)) }
        add("print-scaling-supported", c.scalings.map(Value.keyword))
        add("printer-resolution-default", .resolution(c.resolutionDefault, c.resolutionDefault, units: .dotsPerInch))
        add("printer-resolution-supported", c.resolutions.map { .resolution($0, $0, units: .dotsPerInch) })
        add("sides-default", .keyword(c.sidesDefault))
        add("sides-supported", c.sides.map(Value.keyword))
        add("overrides-supported", PrinterDescription.overridable.map(Value.keyword))

        attributes = list
        var index: [String: Int] = [:]
        for (i, entry) in list.enumerated() { index[entry.1] = i }
        self.index = index
        mediaColDatabase = Attribute("media-col-database", c.mediaColDatabase.map { $0.map { .collection(PrinterDescription.mediaCol($0)) } }
            ?? c.media.filter { $0.width > 0 && $0.length > 0 }.map { .collection(PrinterDescription.mediaCol($0, c, withSource: false)) })
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
            if let source = c.mediaSources.contains("main") ? "main" : c.mediaSources.first {
                members.append(Attribute("media-source", .keyword(source)))
            }
            if let type = c.mediaTypes.contains("stationery") ? "stationery" : c.mediaTypes.first {
                members.append(Attribute("media-type", .keyword(type)))
            }
        }
        return members
    }

    /// A media-col value as the device gave it (media-col-database, -default, -ready).
    static func mediaCol(_ e: Capabilities.MediaColEntry) -> [Attribute] {
        var members: [Attribute] = []
        if let key = e.key { members.append(Attribute("media-key", .keyword(key))) }
        members.append(Attribute("media-size", .collection(mediaSize(e.size))))
        if !e.size.name.isEmpty { members.append(Attribute("media-size-name", .keyword(e.size.name))) }
        if let v = e.margins.bottom { members.append(Attribute("media-bottom-margin", .integer(v))) }
        if let v = e.margins.left { members.append(Attribute("media-left-margin", .integer(v))) }
        if let v = e.margins.right { members.append(Attribute("media-right-margin", .integer(v))) }
        if let v = e.margins.top { members.append(Attribute("media-top-margin", .integer(v))) }
        if let v = e.source { members.append(Attribute("media-source", .keyword(v))) }
        if let v = e.type { members.append(Attribute("media-type", .keyword(v))) }
        return members
    }

    /// The Job Template attributes a printer with these capabilities takes in a job: all of
    /// `jobTemplateNames` except those the device does not support at all.
    static func jobTemplateNames(for c: Capabilities) -> Set<String> {
        var names = jobTemplateNames
        if c.outputBins.isEmpty { names.remove("output-bin") }
        if !c.pageRangesSupported { names.remove("page-ranges") }
        if c.contentOptimizes.isEmpty { names.remove("print-content-optimize") }
        if c.renderingIntents.isEmpty { names.remove("print-rendering-intent") }
        if c.scalings.isEmpty { names.remove("print-scaling") }
        return names
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

extension Array {
    fileprivate var nonEmpty: [Element]? { isEmpty ? nil : self }
}
