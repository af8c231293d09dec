@testable import Gateway
import IPP
import Store
import TestSupport
import Testing

/// Capabilities mirrored from real Get-Printer-Attributes responses (fixtures/ipp), and the
/// printer attributes and job checks built from them.
@Suite struct CapabilityMirrorTests {
    static func fixture(_ prefix: String) throws -> Message {
        let entry = try #require(Fixtures.all.first { $0.name.hasPrefix(prefix) }, "fixture \(prefix)")
        return try Message.decode(entry.bytes).message
    }

    /// ippeveprinter "Fixture Duplex", asked for all + media-col-database.
    static let duplexName = "101-ippeveprinter-get-printer-attributes-response"
    /// ippeveprinter, one-sided, with text/plain.
    static let simplexName = "002-ippeveprinter-get-printer-attributes-response"
    /// cupsd's queue for the duplex printer (media-col-database without media-size-name).
    static let cupsdName = "139-cupsd-get-printer-attributes-response"

    static let ippeveMedia: [Capabilities.MediaSize] = [
        .init(name: "na_letter_8.5x11in", width: 21590, length: 27940),
        .init(name: "na_legal_8.5x14in", width: 21590, length: 35560),
        .init(name: "iso_a4_210x297mm", width: 21000, length: 29700),
        .init(name: "na_number-10_4.125x9.5in", width: 10477, length: 24130),
        .init(name: "iso_dl_110x220mm", width: 11000, length: 22000),
    ]

    // MARK: - Mirroring

    @Test func ippeveprinterDuplex() throws {
        let c = Capabilities(mirroring: try Self.fixture(Self.duplexName))
        #expect(c.makeAndModel == "Example Printer")
        #expect(c.documentFormats == ["application/octet-stream", "application/pdf", "image/jpeg", "image/pwg-raster"])
        #expect(c.documentFormatDefault == "application/octet-stream")
        #expect(c.media == Self.ippeveMedia)
        #expect(c.mediaDefault == "na_letter_8.5x11in")
        #expect(c.mediaReady == ["na_letter_8.5x11in", "na_number-10_4.125x9.5in"])
        #expect(c.mediaSources == ["auto", "main", "manual", "by-pass-tray"])
        #expect(c.mediaTypes == ["auto", "cardstock", "envelope", "labels", "other", "stationery", "stationery-letterhead", "transparency"])
        #expect(c.sides == ["one-sided", "two-sided-long-edge", "two-sided-short-edge"])
        #expect(c.sidesDefault == "one-sided")
        #expect(c.colorModes == ["monochrome"] && c.colorModeDefault == "monochrome")
        #expect(c.colorSupported == false)
        #expect(c.resolutions == [600] && c.resolutionDefault == 600)
        #expect(c.pwgRasterResolutions == [300, 600])
        #expect(c.pwgRasterTypes == ["black_1", "sgray_8"])
        #expect(c.qualities == [3, 4, 5] && c.qualityDefault == 4)
        #expect(c.orientations == [3, 4, 5, 6] && c.orientationDefault == 3)
        #expect(c.copiesMax == 999 && c.copiesDefault == 1)
        #expect(c.pagesPerMinute == 10)
        #expect(c.finishings == [3] && c.finishingsDefault == [3])
        #expect(c.outputBins == ["face-down"] && c.outputBinDefault == "face-down")
        #expect(c.contentOptimizes == ["auto"] && c.renderingIntents == ["auto"])
        #expect(c.scalings.isEmpty && c.scalingDefault == nil)          // ippeveprinter has no print-scaling
        #expect(c.jobPriorityLevels == 1 && c.jobPriorityDefault == 50)
        #expect(c.pageRangesSupported)
        #expect(c.deviceID == "MFG:Example;MDL:Printer;CMD:PDF,JPEG,PWG;")
        // Margins: the smallest non-zero supported value per side; all values kept.
        #expect(c.margins == (1168, 340, 340, 102))
        #expect(c.marginsSupported == .init(bottom: [0, 1168], left: [340, 635], right: [340, 635], top: [0, 102]))

        // media-col-database: five entries, the envelope ones from the by-pass tray, with their own margins.
        let db = try #require(c.mediaColDatabase)
        #expect(db.map(\.size) == Self.ippeveMedia)
        #expect(db.map(\.source) == [nil, nil, nil, "by-pass-tray", "by-pass-tray"])
        #expect(db[2].margins == .init(bottom: 635, left: 340, right: 340, top: 635))
        #expect(db[3].key == "na_number-10_4.125x9.5in_by-pass-tray")
        let d = try #require(c.mediaColDefault)
        #expect(d.size.name == "na_letter_8.5x11in" && d.source == "main" && d.type == "stationery")
        #expect(d.key == "na_letter_8.5x11in_main_stationery")
        let ready = try #require(c.mediaColReady)
        #expect(ready.map(\.size.name) == ["na_letter_8.5x11in", "na_number-10_4.125x9.5in"])
        #expect(ready.map(\.type) == ["stationery", "envelope"])
    }

    @Test func ippeveprinterSimplex() throws {
        let c = Capabilities(mirroring: try Self.fixture(Self.simplexName))
        #expect(c.sides == ["one-sided"])
        #expect(c.documentFormats.contains("text/plain"))
        #expect(c.media == Self.ippeveMedia)                       // media-size-supported; no media-col-database here
        #expect(c.mediaColDatabase == nil)
        #expect(c.mediaColReady?.map(\.type) == ["stationery", "envelope"])
    }

    @Test func cupsdQueue() throws {
        let c = Capabilities(mirroring: try Self.fixture(Self.cupsdName))
        #expect(c.makeAndModel == "Printer - IPP Everywhere")
        #expect(c.documentFormats.count > 20 && c.documentFormats.contains("image/urf"))
        #expect(c.media.map(\.name) == ["iso_a4_210x297mm", "na_number-10_4.125x9.5in", "iso_dl_110x220mm",
                                        "na_legal_8.5x14in", "na_letter_8.5x11in"])
        #expect(c.media.first == .init(name: "iso_a4_210x297mm", width: 21000, length: 29700))
        // cupsd's database has dimensions only (and no media-size-name in media-col-supported): kept so.
        let db = try #require(c.mediaColDatabase)
        #expect(db.map(\.size.width) == c.media.map(\.width) && db.allSatisfy { $0.size.name.isEmpty })
        #expect(db.allSatisfy { $0.key == nil && $0.source == nil })
        #expect(c.mediaColMembers.contains("media-size-name") == false)
        #expect(c.mediaReady == ["iso_a4_210x297mm", "iso_dl_110x220mm"])
        #expect(c.urfSupported == ["V1.4", "CP1", "W8", "PQ3-4-5", "RS600", "DM1", "FN3"])
        #expect(c.copiesMax == 9999)
        #expect(c.orientationDefault == nil)                         // cupsd says no-value
        #expect(c.scalings == ["auto", "auto-fit", "fill", "fit", "none"])
        #expect(c.pwgRasterResolutions == [600])
        #expect(c.margins == (635, 340, 340, 635))
        #expect(c.pagesPerMinute == 1)
    }

    @Test func sizesFromSelfDescribingNames() {
        #expect(Capabilities.size(fromName: "na_letter_8.5x11in")! == (21590, 27940))
        #expect(Capabilities.size(fromName: "iso_a4_210x297mm")! == (21000, 29700))
        #expect(Capabilities.size(fromName: "na_number-10_4.125x9.5in")! == (10477, 24130))   // 104.775mm, truncated as CUPS does
        #expect(Capabilities.size(fromName: "om_small-photo_100x150mm")! == (10000, 15000))
        #expect(Capabilities.size(fromName: "custom_min_3x5in")! == (7620, 12700))
        for odd in ["", "letter", "na_letter", "iso_a4_x297mm", "iso_a4_210x297", "a_-1x2mm", "a_1x2x3mm", "a_1e30x2mm"] {
            #expect(Capabilities.size(fromName: odd) == nil, "\(odd)")
        }
    }

    @Test func supplies() throws {
        let s = Capabilities.supplies(from: try Self.fixture(Self.duplexName))
        #expect(s == [
            Supply(type: "wasteToner", supplyClass: "receptacleThatIsFilled", level: 25, colorantName: "unknown",
                   description: "Toner Waste Tank", index: 1),
            Supply(type: "toner", supplyClass: "supplyThatIsConsumed", level: 75, colorantName: "black",
                   description: "Black Toner", index: 2),
        ])
    }

    @Test func suppliesScaleToPercentAndKeepUnknowns() {
        var m = Message(status: .successfulOk, requestID: 1)
        m.append(Attribute("printer-supply", [
            .octetString(Array("index=1;type=ink;maxcapacity=200;level=50;colorantname=cyan;".utf8)),
            .octetString(Array("index=2;type=ink;level=-3;".utf8)),
            .octetString(Array("garbage".utf8)),
            .integer(7),
            .octetString(Array("type=toner;level=-2;maxcapacity=0".utf8)),
        ]), to: .printer)
        m.append(Attribute("printer-supply-description", [.text("Cyan")]), to: .printer)
        let s = Capabilities.supplies(from: m)
        #expect(s.map(\.level) == [25, -3, -1])
        #expect(s.map(\.description) == ["Cyan", "ink", "toner"])
        #expect(s[0].colorantName == "cyan" && s[1].colorantName == "unknown")
    }

    /// Wrong syntaxes, empty values, missing attributes: fallbacks, never a trap.
    @Test func oddInputFallsBack() {
        let empty = Capabilities(mirroring: Message(status: .successfulOk, requestID: 1))
        #expect(empty.sides == ["one-sided"] && empty.sidesDefault == "one-sided")
        #expect(empty.documentFormats == ["application/octet-stream"])
        #expect(!empty.media.isEmpty && empty.media.contains { $0.name == empty.mediaDefault })
        #expect(empty.colorModes == ["monochrome"] && empty.resolutions == [300] && empty.copiesMax == 1)
        #expect(empty.finishings == [3] && empty.outputBins.isEmpty)
        _ = PrinterDescription(record: Self.record, capabilities: empty)

        var m = Message(status: .successfulOk, requestID: 1)
        let odd: [Attribute] = [
            Attribute("sides-supported", [.integer(2)]),
            Attribute("media-supported", [.keyword(""), .keyword("photo"), .keyword("iso_a5_148x210mm"), .integer(3)]),
            Attribute("media-default", [.keyword("nonsense")]),
            Attribute("media-col-database", [.collection([Attribute("media-size", .collection([
                Attribute("x-dimension", .rangeOfInteger(100, 200)), Attribute("y-dimension", .integer(5))]))]),
                .keyword("x"), .collection([])]),
            Attribute("copies-supported", [.keyword("many")]),
            Attribute("printer-resolution-supported", [.resolution(300, 600, units: .dotsPerInch), .resolution(118, 118, units: .dotsPerCentimeter)]),
            Attribute("print-quality-supported", [.enum(99)]),
            Attribute("finishings-supported", [.keyword("staple")]),
            Attribute("color-supported", [.integer(1)]),
            Attribute("document-format-supported", [.mimeMediaType("application/pdf"), .mimeMediaType("application/pdf")]),
            Attribute("pages-per-minute", [.integer(-4)]),
        ]
        for a in odd { m.append(a, to: .printer) }
        let c = Capabilities(mirroring: m)
        #expect(c.sides == ["one-sided"])
        #expect(c.media.map(\.name) == ["photo", "iso_a5_148x210mm"])
        #expect(c.media[1].width == 14800 && c.media[0].width == 0)      // "photo": known by name only
        #expect(c.mediaDefault == "photo")
        #expect(c.mediaColDatabase == nil)
        #expect(c.copiesMax == 1 && c.resolutions == [300] && c.qualities == [4] && c.finishings == [3])
        #expect(c.documentFormats == ["application/pdf"] && c.documentFormatDefault == "application/pdf")
        #expect(c.pagesPerMinute == 1)
        let p = PrinterDescription(record: Self.record, capabilities: c)
        // A medium known by name only is advertised and accepted by name, without a size.
        #expect(Self.strings(p, "media-supported") == ["photo", "iso_a5_148x210mm"])
        #expect(p.attributes.first { $0.name == "media-size-supported" }?.attribute.values.count == 1)
    }

    /// Every captured Get-Printer-Attributes answer (success or not) mirrors and describes without trouble.
    @Test func everyCapturedResponseMirrors() throws {
        let responses = Fixtures.all.filter { $0.name.contains("get-printer-attributes") && $0.name.hasSuffix("-response.ipp") }
        #expect(responses.count > 20)
        for f in responses {
            let message = try Message.decode(f.bytes).message
            let c = Capabilities(mirroring: message)
            let p = PrinterDescription(record: Self.record, capabilities: c)
            #expect(p.attributes.allSatisfy { !$0.attribute.values.isEmpty }, "\(f.name)")
            _ = Capabilities.supplies(from: message)
        }
    }

    // MARK: - What a mirrored printer advertises

    static let record = PrinterRecord(name: "mirror", target: "ipp://127.0.0.1:8631/ipp/print",
                                      uuid: "urn:uuid:00000000-0000-0000-0000-000000000001", createdAt: 0)

    static func strings(_ p: PrinterDescription, _ name: String) -> [String] {
        p.attributes.first { $0.name == name }?.attribute.values.map(render) ?? []
    }

    /// A value as comparable text: tag, bytes, and collection members recursively.
    static func render(_ v: Value) -> String {
        if v.tag == .begCollection {
            return "{" + v.members.map { "\($0.name)=" + $0.values.map(render).joined(separator: ",") }.joined(separator: " ") + "}"
        }
        if let s = v.stringValue { return s }
        return "\(v.tag.rawValue):" + v.bytes.map { String($0) }.joined(separator: ".")
    }

    static let mirroredNames = [
        "printer-make-and-model", "printer-device-id", "color-supported", "pages-per-minute",
        "document-format-supported", "document-format-default",
        "media-supported", "media-default", "media-ready", "media-size-supported", "media-source-supported", "media-type-supported",
        "media-bottom-margin-supported", "media-left-margin-supported", "media-right-margin-supported", "media-top-margin-supported",
        "media-col-supported", "media-col-default", "media-col-ready",
        "sides-supported", "sides-default", "print-color-mode-supported", "print-color-mode-default",
        "printer-resolution-supported", "printer-resolution-default", "pwg-raster-document-resolution-supported",
        "pwg-raster-document-type-supported", "print-quality-supported", "print-quality-default",
        "orientation-requested-supported", "orientation-requested-default", "copies-supported", "copies-default",
        "finishings-supported", "finishings-default", "output-bin-supported", "output-bin-default",
        "print-content-optimize-supported", "print-content-optimize-default",
        "print-rendering-intent-supported", "print-rendering-intent-default",
        "print-scaling-supported", "print-scaling-default", "job-priority-supported", "job-priority-default",
        "page-ranges-supported", "urf-supported",
    ]

    @Test(arguments: [duplexName, simplexName, cupsdName])
    func advertisesTheDevicesValues(_ fixture: String) throws {
        let device = try Self.fixture(fixture)
        let p = PrinterDescription(record: Self.record, capabilities: Capabilities(mirroring: device))
        let reader = MirrorReader(device)
        var compared = 0
        for name in Self.mirroredNames where reader.has(name) {
            let theirs = reader.values(name).map(Self.render)
            let ours = p.attributes.first { $0.name == name }?.attribute.values.map(Self.render) ?? []
            #expect(ours == theirs, "\(fixture): \(name)")
            compared += 1
        }
        #expect(compared > 35)
        if let database = device.attribute("media-col-database", in: .printer) {
            #expect(p.mediaColDatabase.values.map(Self.render) == database.values.map(Self.render))
        }
        // What the device lacks is not advertised.
        if reader.values("print-scaling-supported").isEmpty {
            #expect(p.index["print-scaling-supported"] == nil)
        }
    }

    @Test func folderDefaultsUnchanged() {
        let p = PrinterDescription(record: Self.record, capabilities: .folder)
        #expect(Self.strings(p, "finishings-supported") == ["35:0.0.0.3"])
        #expect(Self.strings(p, "output-bin-supported") == ["face-down"])
        #expect(Self.strings(p, "print-scaling-supported") == ["auto", "auto-fit", "fill", "fit", "none"])
        #expect(Self.strings(p, "media-ready") == ["iso_a4_210x297mm"])
        #expect(Self.strings(p, "media-left-margin-supported") == ["33:0.0.1.167"])
        #expect(Self.strings(p, "job-priority-supported") == ["33:0.0.0.100"])
        #expect(Self.strings(p, "orientation-requested-default") == ["35:0.0.0.3"])
        #expect(p.index["urf-supported"] == nil)
        #expect(p.mediaColDatabase.values.count == 2)
        #expect(Self.strings(p, "media-col-default").first?.contains("media-source=main media-type=stationery") == true)
    }

    // MARK: - What a mirrored printer accepts

    static func check(_ c: Capabilities, _ attributes: [Attribute], fidelity: Bool = true) -> (accepted: [Attribute]?, status: StatusCode) {
        let request = Message(operation: .validateJob, requestID: 1)
        var response = Response(to: request)
        let group = AttributeGroup(tag: .job, attributes: attributes)
        do {
            let kept = try JobTemplatePolicy(capabilities: c).check(group, fidelity: fidelity, response: &response)
            return (kept, response.status)
        } catch {
            return (nil, error.status)
        }
    }

    static func mediaCol(source: String? = nil, type: String? = nil, x: Int32 = 21000, y: Int32 = 29700) -> Attribute {
        var members = [Attribute("media-size", .collection([Attribute("x-dimension", .integer(x)), Attribute("y-dimension", .integer(y))]))]
        if let source { members.append(Attribute("media-source", .keyword(source))) }
        if let type { members.append(Attribute("media-type", .keyword(type))) }
        return Attribute("media-col", .collection(members))
    }

    @Test func acceptsWhatTheDeviceHasAndRefusesTheRest() throws {
        let duplex = Capabilities(mirroring: try Self.fixture(Self.duplexName))
        let simplex = Capabilities(mirroring: try Self.fixture(Self.simplexName))
        let cupsd = Capabilities(mirroring: try Self.fixture(Self.cupsdName))

        let good: [Attribute] = [
            Attribute("finishings", .enum(3)),
            Attribute("sides", .keyword("two-sided-long-edge")),
            Attribute("media", .keyword("na_legal_8.5x14in")),
            Attribute("print-color-mode", .keyword("monochrome")),
            Attribute("printer-resolution", .resolution(600, 600, units: .dotsPerInch)),
            Attribute("output-bin", .keyword("face-down")),
            Attribute("copies", .integer(999)),
            Attribute("page-ranges", .rangeOfInteger(1, 2)),
            Self.mediaCol(source: "by-pass-tray", type: "envelope", x: 10477, y: 24130),
        ]
        let ok = Self.check(duplex, good)
        #expect(ok.status == .successfulOk && ok.accepted?.count == good.count)

        let refused: [(Capabilities, Attribute)] = [
            (duplex, Attribute("finishings", .enum(4))),                                      // staple: the device has none
            (duplex, Attribute("print-color-mode", .keyword("color"))),
            (duplex, Attribute("printer-resolution", .resolution(300, 300, units: .dotsPerInch))),
            (duplex, Attribute("media", .keyword("iso_a3_297x420mm"))),
            (duplex, Attribute("output-bin", .keyword("face-up"))),
            (duplex, Attribute("copies", .integer(1000))),
            (duplex, Attribute("print-scaling", .keyword("fit"))),                            // ippeveprinter: no print-scaling
            (duplex, Self.mediaCol(source: "tray-9")),
            (duplex, Self.mediaCol(type: "photographic-glossy")),
            (simplex, Attribute("sides", .keyword("two-sided-long-edge"))),
            (cupsd, Attribute("media-col", .collection([Attribute("media-size-name", .keyword("iso_a4_210x297mm"))]))),
        ]
        for (c, attribute) in refused {
            let r = Self.check(c, [attribute])
            #expect(r.accepted == nil && r.status == .clientErrorAttributesOrValuesNotSupported, "\(attribute.name)")
            // Without fidelity the job goes on without it.
            let lenient = Self.check(c, [attribute], fidelity: false)
            #expect(lenient.accepted?.isEmpty == true && lenient.status == .successfulOkIgnoredOrSubstitutedAttributes)
        }
        #expect(Self.check(cupsd, [Attribute("print-scaling", .keyword("fit"))]).status == .successfulOk)
        #expect(Self.check(cupsd, [Attribute("copies", .integer(9999))]).status == .successfulOk)
    }
}
