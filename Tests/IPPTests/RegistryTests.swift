import Testing
import IPP

/// The generated IANA registry (Sources/IPP/Registry). Freshness of the generated files
/// against the XML is checked by tools/check-registry.sh, not here (no Foundation).
@Suite struct RegistryTests {
    // MARK: Operations and status codes

    @Test func operationConstants() {
        #expect(Operation.printJob.rawValue == 0x0002)
        #expect(Operation.getPrinterAttributes.rawValue == 0x000B)
        #expect(Operation.createJob.rawValue == 0x0005)
        #expect(Operation.getEncryptedJobAttributes.rawValue == 0x006A)
        // Deprecated operations that have a code are kept.
        #expect(Operation.printURI.rawValue == 0x0003)
        #expect(Operation.printURI.name == "Print-URI")
        #expect(Operation.restartJob.name == "Restart-Job")
    }

    @Test func operationNames() {
        #expect(Operation(0x000B).name == "Get-Printer-Attributes")
        #expect(Operation(0x0002).name == "Print-Job")
        // Reserved and unassigned codes have no name.
        #expect(Operation(0x0001).name == nil)
        #expect(Operation(0x000F).name == nil)
        #expect(Operation(0x4001).name == nil)  // CUPS vendor range
        #expect(Operation(name: "Get-Jobs") == .getJobs)
        #expect(Operation(name: "get-jobs") == nil)
    }

    @Test func operationsAreUniqueAndSorted() {
        let codes = Operation.allRegistered.map(\.rawValue)
        #expect(codes.count >= 100)
        #expect(codes == codes.sorted())
        #expect(Set(codes).count == codes.count)
        for op in Operation.allRegistered {
            #expect(op.name != nil)
            #expect(Operation(name: op.name!) == op)
        }
    }

    @Test func statusCodes() {
        #expect(StatusCode.successfulOk.rawValue == 0x0000)
        #expect(StatusCode.clientErrorBadRequest.rawValue == 0x0400)
        #expect(StatusCode.serverErrorInternalError.rawValue == 0x0500)
        #expect(StatusCode.clientErrorNotFetchable.rawValue == 0x0420)
        #expect(StatusCode(0x0400).name == "client-error-bad-request")
        #expect(StatusCode(0x0001).name == "successful-ok-ignored-or-substituted-attributes")
        #expect(StatusCode(0x0004).name == nil)  // Reserved (ipp-indp-method)
        #expect(StatusCode(0x0480).name == nil)  // vendor range
        #expect(StatusCode(name: "server-error-busy") == .serverErrorBusy)
        #expect(StatusCode.allRegistered.count >= 49)
    }

    // MARK: Typed enums

    @Test func typedEnums() {
        #expect(JobState.pending.rawValue == 3)
        #expect(JobState.completed.rawValue == 9)
        #expect(JobState(9).name == "completed")
        #expect(JobState(name: "processing-stopped") == .processingStopped)
        #expect(PrinterState.idle.rawValue == 3)
        #expect(PrinterState.processing.rawValue == 4)
        #expect(PrinterState.stopped.rawValue == 5)
        #expect(DocumentState.completed.rawValue == 9)
        #expect(Finishings.staple.rawValue == 4)
        #expect(Finishings.punchDualLeft.rawValue == 74)
        #expect(OrientationRequested.landscape.rawValue == 4)
        #expect(PrintQuality.high.rawValue == 5)
        #expect(SystemState.idle.rawValue == 3)
        #expect(PowerState.on.rawValue == 20)
        #expect(JobState.attributeName == "job-state")
        // Open: unknown values are kept and described by number.
        #expect(JobState(42).name == nil)
        #expect("\(JobState(42))" == "42")
        #expect("\(PrinterState.stopped)" == "stopped")
    }

    @Test func deprecatedEnumValueKeptOnce() {
        // finishings 14 is registered as "jog-offset" and again as "jog-offset(deprecated)".
        #expect(Finishings.jogOffset.rawValue == 14)
        #expect(Finishings(14).name == "jog-offset")
        let defs = Registry.enumDefinitions(for: "finishings").filter { $0.value == 14 }
        #expect(defs.count == 1)
        #expect(defs.first?.status == .deprecated)
        #expect(defs.first?.spec == "PWG5100.1")
    }

    // MARK: Attributes

    @Test func topLevelAttributes() throws {
        let mediaCol = try #require(Registry.attribute("media-col"))
        #expect(mediaCol.syntax.contains("collection"))
        #expect(mediaCol.parent == nil)
        #expect(mediaCol.group == "Job Template")
        #expect(mediaCol.spec == "PWG5100.7")

        let copies = try #require(Registry.attribute("copies"))
        #expect(copies.syntax == "integer(1:MAX)")
        #expect(copies.spec == "RFC 8011")

        let sides = try #require(Registry.attribute("sides-supported"))
        #expect(sides.group == "Printer Description")
        #expect(sides.syntax == "1setOf type2 keyword")

        #expect(Registry.attribute("printer-state")?.syntax == "type1 enum")
        #expect(Registry.attribute("no-such-attribute") == nil)
        // A member is not a top-level attribute.
        #expect(Registry.attribute("x-dimension") == nil)
    }

    @Test func collectionMembers() throws {
        let size = try #require(Registry.attribute("media-size", parent: "media-col"))
        #expect(size.syntax == "collection")
        #expect(size.path == "media-col/media-size")

        let x = try #require(Registry.attribute("x-dimension", parent: "media-col/media-size"))
        #expect(x.parent == "media-col/media-size")
        #expect(x.syntax == "integer(1:MAX)")
        #expect(x.group == "Job Template")

        let members = Registry.members(of: "media-col").map(\.name)
        #expect(members.contains("media-size"))
        #expect(members.contains("media-type"))
        #expect(Registry.members(of: "media-col/media-size").map(\.name).sorted() == ["x-dimension", "y-dimension"])
    }

    @Test func memberAliases() throws {
        // cover-back's media-col has "any media-col member attribute".
        let x = try #require(Registry.attribute("x-dimension", parent: "cover-back/media-col/media-size"))
        #expect(x.parent == "media-col/media-size")
        // cover-back-actual has "any cover-back member attribute".
        #expect(Registry.attribute("cover-type", parent: "cover-back-actual") != nil)
        #expect(Registry.attribute("media-type", parent: "cover-back-actual/media-col") != nil)
        // overrides has "any Job Template attribute".
        let copies = try #require(Registry.attribute("copies", parent: "overrides"))
        #expect(copies.group == "Job Template")
        #expect(Registry.members(of: "overrides").contains { $0.name == "sides" })
    }

    @Test func deprecatedRegistrationsAreKeptButNotPreferred() throws {
        // "cover-back" has a current record and a "(deprecated)" one with different members.
        let all = Registry.attributes(named: "cover-type", parent: "cover-back")
        #expect(all.count == 2)
        #expect(all.first?.status == .current)
        #expect(all.first?.syntax == "type2 keyword")
        #expect(all.last?.status == .deprecated)
        // Only an obsolete record exists for compression in the Document Status group.
        #expect(Registry.attributes(named: "compression").contains { $0.status == .obsolete })
        #expect(Registry.attribute("compression")?.status == .current)
    }

    @Test func attributeTableShape() {
        let all = Registry.attributes
        #expect(all.count > 1500)
        #expect(all.allSatisfy { !$0.name.isEmpty && !$0.group.isEmpty && !$0.name.contains("(") })
        #expect(all.filter { $0.parent != nil }.count > 300)
        let groups = Set(all.map(\.group))
        for g in ["Operation", "Job Template", "Printer Description", "Printer Status", "Subscription Template", "Document Description"] {
            #expect(groups.contains(g), "missing group \(g)")
        }
    }

    // MARK: Keywords

    @Test func keywords() {
        let sides = Registry.keywords(for: "sides")
        #expect(sides == ["one-sided", "two-sided-long-edge", "two-sided-short-edge"])
        // "sides-supported" is registered as any "sides" value.
        #expect(Registry.keywords(for: "sides-supported") == sides)
        #expect(Registry.keywords(for: "print-color-mode").contains("monochrome"))
        #expect(Registry.keywords(for: "printer-state-reasons").contains("media-jam"))
        #expect(Registry.keywords(for: "no-such-attribute").isEmpty)
    }

    @Test func keywordDefinitionsAndFilters() throws {
        let def = try #require(Registry.keywordDefinitions(for: "sides").first { $0.value == "two-sided-long-edge" })
        #expect(def.spec == "RFC 8011")
        #expect(def.status == .current)
        #expect(def.attribute == "sides")
        // media-ready: any "media" media or size value (not input trays).
        let ready = Registry.keywordDefinitions(for: "media-ready")
        #expect(ready.contains { $0.value == "iso_a4_210x297mm" })
        #expect(!ready.contains { $0.type == "input tray" })
        #expect(ready.allSatisfy { $0.attribute == "media" })
        #expect(Registry.keywordDefinitions(for: "media").contains { $0.type == "input tray" })
        // Obsolete keywords are listed, without the marker.
        let enc = Registry.keywordDefinitions(for: "job-password-encryption")
        #expect(enc.first { $0.value == "md5" }?.status == .obsolete)
    }

    // MARK: Enum values

    @Test func enumLookups() {
        #expect(Registry.enumName(for: "printer-state", value: 3) == "idle")
        #expect(Registry.enumName(for: "job-state", value: 9) == "completed")
        #expect(Registry.enumName(for: "operations-supported", value: 2) == "Print-Job")
        #expect(Registry.enumName(for: "operations-supported", value: 1) == nil)  // Reserved
        #expect(Registry.enumName(for: "printer-state", value: 99) == nil)
        // Aliases: "finishings-supported" is any "finishings" value.
        #expect(Registry.enumName(for: "finishings-supported", value: 4) == "staple")
        #expect(Registry.enumName(for: "output-device-job-states", value: 4) == "pending-held")
        #expect(Registry.enumName(for: "end-power-state", value: 20) == "on")
        // Suffix fallback: "print-quality-actual" is not registered itself.
        #expect(Registry.enumName(for: "print-quality-actual", value: 5) == "high")
        // fetch-status-code: the status codes other than successful-ok.
        #expect(Registry.enumName(for: "fetch-status-code", value: 0x0400) == "client-error-bad-request")
        #expect(Registry.enumName(for: "fetch-status-code", value: 0) == nil)

        let states = Registry.enumValues(for: "printer-state")
        #expect(states.map(\.value) == [3, 4, 5])
        #expect(states.map(\.name) == ["idle", "processing", "stopped"])
    }

    @Test func typedEnumsAgreeWithTables() {
        for s in JobState.allRegistered {
            #expect(Registry.enumName(for: "job-state", value: s.rawValue) == s.name)
        }
        for op in Operation.allRegistered {
            #expect(Registry.enumName(for: "operations-supported", value: Int32(op.rawValue)) == op.name)
        }
    }

    @Test func metadata() {
        #expect(Registry.updated.count == 10)  // yyyy-mm-dd
    }
}
