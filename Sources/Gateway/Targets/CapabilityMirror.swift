import IPP

/// Builds `Capabilities` from a real device's Get-Printer-Attributes response (requested
/// `all` and `media-col-database`), so a printer forwarding to it advertises and accepts
/// exactly what the device does. Values of the wrong syntax are ignored; whatever the
/// device leaves out gets a conservative fallback. Never traps on odd input.
extension Capabilities {
    public init(mirroring response: Message) {
        let r = MirrorReader(response)

        // Media: names from media-supported; sizes from media-col-database (by name), the
        // name itself (PWG self-describing), or media-size-supported (same position).
        let database = r.collections("media-col-database").compactMap { MirrorReader.entry($0) }
        let sizeList = r.collections("media-size-supported").map { MirrorReader.size($0) }
        let names = r.strings("media-supported")
        var media: [MediaSize] = []
        for (i, name) in names.enumerated() where !media.contains(where: { $0.name == name }) {
            if let e = database.first(where: { $0.size.name == name }) {
                media.append(MediaSize(name: name, width: e.size.width, length: e.size.length))
            } else if sizeList.count == names.count, let s = sizeList[i] {
                media.append(MediaSize(name: name, width: s.width, length: s.length))
            } else if let s = Capabilities.size(fromName: name) {
                // The device's own figure when one is within rounding of the name's.
                let d = sizeList.compactMap { $0 }.first { abs($0.width - s.width) <= 2 && abs($0.length - s.length) <= 2 } ?? s
                media.append(MediaSize(name: name, width: d.width, length: d.length))
            } else {
                media.append(MediaSize(name: name, width: 0, length: 0))   // known by name only
            }
        }
        let mediaDefaultName = r.string("media-default")
        if media.isEmpty {
            // No media-supported: what the database or the default name tells, else Letter and A4.
            for e in database where !e.size.name.isEmpty && !media.contains(where: { $0.name == e.size.name }) {
                media.append(e.size)
            }
            if let d = mediaDefaultName, let s = Capabilities.size(fromName: d), !media.contains(where: { $0.name == d }) {
                media.append(MediaSize(name: d, width: s.width, length: s.length))
            }
            if media.isEmpty { media = Capabilities.folder.media.reversed() }
        }
        let mediaDefault = mediaDefaultName.flatMap { d in media.contains { $0.name == d } ? d : nil } ?? media[0].name

        // Margins: all the supported values, and one value per side (the smallest non-zero, or 0).
        let marginSets = MarginsSupported(bottom: r.integers("media-bottom-margin-supported"),
                                          left: r.integers("media-left-margin-supported"),
                                          right: r.integers("media-right-margin-supported"),
                                          top: r.integers("media-top-margin-supported"))
        func pick(_ values: [Int32]) -> Int32 { values.filter { $0 > 0 }.min() ?? 0 }

        let sides = r.strings("sides-supported").nonEmpty ?? ["one-sided"]
        let colorSupported = r.boolean("color-supported")
        let colorModes = r.strings("print-color-mode-supported").nonEmpty
            ?? (colorSupported == true ? ["auto", "monochrome", "color"] : ["monochrome"])
        let resolutions = MirrorReader.squareDPI(r.values("printer-resolution-supported"))
        let rasterResolutions = MirrorReader.squareDPI(r.values("pwg-raster-document-resolution-supported"))
        let resolutionList = resolutions.nonEmpty ?? rasterResolutions.nonEmpty ?? [300]
        let qualities = r.enums("print-quality-supported").filter { (3...5).contains($0) }.nonEmpty ?? [4]
        let orientations = r.enums("orientation-requested-supported").filter { (3...7).contains($0) }.nonEmpty ?? [3]
        let copiesMax = r.values("copies-supported").compactMap(\.rangeValue).first.map { max(1, $0.upperBound) }
            ?? r.integer("copies-supported").map { max(1, $0) } ?? 1
        let formats = r.strings("document-format-supported").uniqued().nonEmpty ?? ["application/octet-stream"]

        self.init(
            makeAndModel: r.string("printer-make-and-model").nonEmpty ?? r.string("printer-info").nonEmpty ?? "Unknown IPP Printer",
            documentFormats: formats,
            media: media,
            mediaDefault: mediaDefault,
            mediaSources: r.strings("media-source-supported"),
            mediaTypes: r.strings("media-type-supported"),
            sides: sides,
            colorModes: colorModes,
            colorModeDefault: r.string("print-color-mode-default").flatMap { colorModes.contains($0) ? $0 : nil } ?? colorModes[0],
            resolutions: resolutionList,
            resolutionDefault: MirrorReader.squareDPI(r.values("printer-resolution-default")).first.flatMap {
                resolutionList.contains($0) ? $0 : nil } ?? resolutionList.max()!,
            qualities: qualities,
            orientations: orientations,
            pwgRasterTypes: r.strings("pwg-raster-document-type-supported"),
            copiesMax: copiesMax,
            pagesPerMinute: r.integer("pages-per-minute").map { max(1, $0) } ?? 1,
            margins: (pick(marginSets.bottom), pick(marginSets.left), pick(marginSets.right), pick(marginSets.top)))

        marginsSupported = marginSets
        mediaColDatabase = database.isEmpty ? nil : database
        mediaColDefault = r.collections("media-col-default").first.flatMap { MirrorReader.entry($0) }
        deviceUUID = r.string("printer-uuid").nonEmpty
        let ready = r.collections("media-col-ready").compactMap { MirrorReader.entry($0) }
        mediaColReady = ready.isEmpty ? (mediaColDefault.map { [$0] }) : ready
        mediaReady = r.has("media-ready") ? r.strings("media-ready") : nil
        if r.has("media-col-supported") { mediaColMembers = r.strings("media-col-supported") }
        documentFormatDefault = r.string("document-format-default").flatMap { formats.contains($0) ? $0 : nil }
            ?? (formats.contains("application/octet-stream") ? "application/octet-stream" : formats[0])
        sidesDefault = r.string("sides-default").flatMap { sides.contains($0) ? $0 : nil } ?? sides[0]
        qualityDefault = r.enums("print-quality-default").first.flatMap { qualities.contains($0) ? $0 : nil }
            ?? (qualities.contains(4) ? 4 : qualities[0])
        orientationDefault = r.enums("orientation-requested-default").first.flatMap { orientations.contains($0) ? $0 : nil }
        copiesDefault = r.integer("copies-default").map { min(max(1, $0), copiesMax) } ?? 1
        finishings = r.enums("finishings-supported").uniqued().nonEmpty ?? [3]
        finishingsDefault = r.enums("finishings-default").filter { finishings.contains($0) }.nonEmpty ?? [finishings.contains(3) ? 3 : finishings[0]]
        outputBins = r.keywordsOrNames("output-bin-supported")
        outputBinDefault = r.string("output-bin-default").flatMap { outputBins.contains($0) ? $0 : nil } ?? outputBins.first
        contentOptimizes = r.strings("print-content-optimize-supported")
        contentOptimizeDefault = r.string("print-content-optimize-default").flatMap { contentOptimizes.contains($0) ? $0 : nil } ?? contentOptimizes.first
        renderingIntents = r.strings("print-rendering-intent-supported")
        renderingIntentDefault = r.string("print-rendering-intent-default").flatMap { renderingIntents.contains($0) ? $0 : nil } ?? renderingIntents.first
        scalings = r.strings("print-scaling-supported")
        scalingDefault = r.string("print-scaling-default").flatMap { scalings.contains($0) ? $0 : nil } ?? scalings.first
        jobPriorityLevels = r.integer("job-priority-supported").map { min(max(1, $0), 100) } ?? 1
        jobPriorityDefault = r.integer("job-priority-default").map { min(max(1, $0), 100) } ?? 50
        pageRangesSupported = r.boolean("page-ranges-supported") ?? false
        pwgRasterResolutions = rasterResolutions
        urfSupported = r.strings("urf-supported")
        self.colorSupported = colorSupported ?? colorModes.contains("color")
        pagesPerMinuteColor = r.integer("pages-per-minute-color")
        printerKinds = r.strings("printer-kind")
        deviceID = r.string("printer-device-id").nonEmpty
    }

    /// Builds capabilities from a response's bytes; nil when they do not decode.
    public static func mirroring(bytes: [UInt8]) -> Capabilities? {
        guard let (message, _) = try? Message.decode(bytes) else { return nil }
        return Capabilities(mirroring: message)
    }

    /// The size a PWG 5101.1 self-describing media name spells, in hundredths of a millimetre:
    /// `na_letter_8.5x11in` → 21590×27940, `iso_a4_210x297mm` → 21000×29700. Used when the
    /// device gives no dimensions for a name in media-col-database or media-size-supported.
    public static func size(fromName name: String) -> (width: Int32, length: Int32)? {
        for part in name.split(separator: "_").reversed() {
            let unit: Double
            if part.hasSuffix("in") { unit = 2540 } else if part.hasSuffix("mm") { unit = 100 } else { continue }
            let dims = part.dropLast(2).split(separator: "x", omittingEmptySubsequences: false)
            guard dims.count == 2, let w = Double(dims[0]), let l = Double(dims[1]),
                  w > 0, l > 0, w * unit < 1e9, l * unit < 1e9 else { continue }
            // Truncated, as CUPS does: na_number-10_4.125x9.5in → 10477×24130.
            return (Int32((w * unit + 1e-6).rounded(.towardZero)), Int32((l * unit + 1e-6).rounded(.towardZero)))
        }
        return nil
    }

    /// The device's supplies, from printer-supply (RFC 3805 key=value; strings) and
    /// printer-supply-description (same order). Levels become percent of maxcapacity.
    public static func supplies(from response: Message) -> [Supply] {
        let r = MirrorReader(response)
        let descriptions = r.strings("printer-supply-description")
        var out: [Supply] = []
        for (i, value) in r.values("printer-supply").enumerated() {
            guard value.tag == .octetString || value.tag.isCharacterString else { continue }
            var fields: [String: String] = [:]
            for pair in String(decoding: value.bytes, as: UTF8.self).split(separator: ";") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                fields[pair[..<eq].trimmingSpaces().lowercased()] = pair[pair.index(after: eq)...].trimmingSpaces()
            }
            guard !fields.isEmpty else { continue }
            let raw = fields["level"].flatMap { Int32($0) } ?? -2
            let capacity = fields["maxcapacity"].flatMap { Int32($0) } ?? 100
            let level: Int32
            if raw >= 0 {
                level = capacity > 0 ? Int32(min(100, (Int64(raw) * 100 + Int64(capacity) / 2) / Int64(capacity))) : -1
            } else {
                level = raw == -3 ? -3 : -1
            }
            let type = fields["type"].nonEmpty ?? "other"
            let description = (i < descriptions.count ? descriptions[i] : nil).nonEmpty ?? type
            out.append(Supply(type: type, supplyClass: fields["class"].nonEmpty ?? "supplyThatIsConsumed", level: level,
                              colorantName: fields["colorantname"].nonEmpty ?? "unknown", description: description,
                              index: fields["index"].flatMap { Int32($0) } ?? Int32(i + 1)))
        }
        return out
    }
}

/// Typed, forgiving reads of a Get-Printer-Attributes response's printer group.
struct MirrorReader {
    var attributes: [String: Attribute] = [:]

    init(_ message: Message) {
        for group in message.groups where group.tag == .printer {
            for a in group.attributes {
                let name = a.name
                if attributes[name] == nil { attributes[name] = a }
            }
        }
    }

    func has(_ name: String) -> Bool { attributes[name] != nil }
    func values(_ name: String) -> [Value] { attributes[name]?.values ?? [] }

    /// Character-string values (keyword, name, text, mimeMediaType, …), non-empty ones.
    func strings(_ name: String) -> [String] {
        values(name).compactMap { v in v.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
    }
    func keywordsOrNames(_ name: String) -> [String] { strings(name).uniqued() }
    func string(_ name: String) -> String? { strings(name).first }
    func integers(_ name: String) -> [Int32] { values(name).compactMap { $0.tag == .integer ? $0.integerValue : nil } }
    func integer(_ name: String) -> Int32? { integers(name).first }
    func enums(_ name: String) -> [Int32] { values(name).compactMap { $0.tag == .enum ? $0.integerValue : nil } }
    func boolean(_ name: String) -> Bool? { values(name).first?.booleanValue }
    func collections(_ name: String) -> [[Attribute]] { values(name).filter { $0.tag == .begCollection }.map(\.members) }

    static func member(_ members: [Attribute], _ name: String) -> Value? {
        members.first { $0.name == name }?.firstValue
    }

    /// A media-size collection with two integer dimensions (ranges, for custom sizes, are skipped).
    static func size(_ members: [Attribute]) -> (width: Int32, length: Int32)? {
        guard let x = member(members, "x-dimension")?.integerValue, let y = member(members, "y-dimension")?.integerValue,
              x > 0, y > 0 else { return nil }
        return (x, y)
    }

    /// One media-col value, as given (media-size-name stays "" when the device leaves it
    /// out, as cupsd does); nil without a fixed media-size or a self-describing media-size-name.
    static func entry(_ members: [Attribute]) -> Capabilities.MediaColEntry? {
        let name = member(members, "media-size-name")?.stringValue ?? ""
        let dims = member(members, "media-size").flatMap { $0.tag == .begCollection ? size($0.members) : nil }
            ?? Capabilities.size(fromName: name)
        guard let dims else { return nil }
        func margin(_ n: String) -> Int32? { member(members, n).flatMap { $0.tag == .integer ? $0.integerValue : nil } }
        func keyword(_ n: String) -> String? { member(members, n)?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        return Capabilities.MediaColEntry(
            key: keyword("media-key"),
            size: Capabilities.MediaSize(name: name, width: dims.width, length: dims.length),
            source: keyword("media-source"), type: keyword("media-type"),
            margins: Capabilities.Margins(bottom: margin("media-bottom-margin"), left: margin("media-left-margin"),
                                          right: margin("media-right-margin"), top: margin("media-top-margin")))
    }

    /// Square resolutions in dots per inch (non-square and dots-per-cm ones are not kept).
    static func squareDPI(_ values: [Value]) -> [Int32] {
        var out: [Int32] = []
        for v in values {
            guard let r = v.resolutionValue, r.x == r.y, r.x > 0, r.units == .dotsPerInch else { continue }
            if !out.contains(r.x) { out.append(r.x) }
        }
        return out
    }
}

extension Array where Element: Hashable {
    fileprivate var nonEmpty: [Element]? { isEmpty ? nil : self }
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

extension Optional where Wrapped == String {
    fileprivate var nonEmpty: String? {
        switch self {
        case .some(let s) where !s.isEmpty: return s
        default: return nil
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
