/// The names libcups 2.4.2 gives to tags, operation ids and enum values, so that the
/// text form (see `TextFormatter.swift`, docs/TEXT-FORMAT.md) matches libcups byte for byte.
///
/// The behaviour mirrors `ippTagString`, `ippOpString` and `ippEnumString` of the
/// installed libcups 2.4.2; `Tests/CupsBridgeTests` checks every function here
/// against the library over the whole input range it cares about.
public enum TagNames {
    /// libcups's `ippTagString` for a value tag: "keyword", "0x2f", "UNKNOWN" (0x4b and up), ….
    public static func valueTagName(_ tag: ValueTag) -> String { tagName(UInt32(tag.rawValue)) }

    /// libcups's `ippTagString` for a group tag: "operation-attributes-tag", "0x0b", ….
    public static func groupTagName(_ tag: GroupTag) -> String { tagName(UInt32(tag.rawValue)) }

    /// libcups's `ippTagString` for any tag value. libcups masks off bit 31
    /// (its "const" flag) and names 0x00–0x4a; everything above is "UNKNOWN".
    public static func tagName(_ tag: UInt32) -> String {
        let t = tag & 0x7FFF_FFFF
        guard t < UInt32(tagNames.count) else { return "UNKNOWN" }
        if let name = tagNames[Int(t)] { return name }
        return "0x" + hex(UInt32(t), digits: 2, uppercase: false)
    }

    /// Index = tag; nil = unnamed, printed as "0x%02x".
    static let tagNames: [String?] = [
        "zero", "operation-attributes-tag", "job-attributes-tag", "end-of-attributes-tag",
        "printer-attributes-tag", "unsupported-attributes-tag", "subscription-attributes-tag",
        "event-notification-attributes-tag", "resource-attributes-tag", "document-attributes-tag",
        "system-attributes-tag", nil, nil, nil, nil, nil,
        // 0x10
        "unsupported", "default", "unknown", "no-value", nil, "not-settable", "delete-attribute",
        "admin-define", nil, nil, nil, nil, nil, nil, nil, nil,
        // 0x20
        nil, "integer", "boolean", "enum", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
        // 0x30
        "octetString", "dateTime", "resolution", "rangeOfInteger", "collection", "textWithLanguage",
        "nameWithLanguage", "endCollection", nil, nil, nil, nil, nil, nil, nil, nil,
        // 0x40
        nil, "textWithoutLanguage", "nameWithoutLanguage", nil, "keyword", "uri", "uriScheme",
        "charset", "naturalLanguage", "mimeMediaType", "memberAttrName",
    ]

    // MARK: - Operations

    /// libcups's `ippOpString`: the operation's name, or "0x%04x" of the (unsigned 32-bit) value.
    public static func operationName(_ op: Int32) -> String {
        let v = UInt32(bitPattern: op)
        switch v {
        case 0x0002...0x0064:
            if let name = standardOperations[Int(v) - 2] { return name }
        case 0x4000:
            return "windows-ext"
        case 0x4001...0x400F:
            return cupsOperations[Int(v) - 0x4001]
        case 0x4027:
            return "CUPS-Get-Document"
        case 0x4028:
            return "CUPS-Create-Local-Printer"
        default:
            break
        }
        return "0x" + hex(v, digits: 4, uppercase: false)
    }

    /// Operation ids 0x0002…0x0064; nil entries print as "0x%04x".
    static let standardOperations: [String?] = [
        "Print-Job", "Print-URI", "Validate-Job", "Create-Job", "Send-Document", "Send-URI",
        "Cancel-Job", "Get-Job-Attributes", "Get-Jobs", "Get-Printer-Attributes", "Hold-Job",
        "Release-Job", "Restart-Job", nil,
        // 0x0010
        "Pause-Printer", "Resume-Printer", "Purge-Jobs", "Set-Printer-Attributes",
        "Set-Job-Attributes", "Get-Printer-Supported-Values", "Create-Printer-Subscriptions",
        "Create-Job-Subscriptions", "Get-Subscription-Attributes", "Get-Subscriptions",
        "Renew-Subscription", "Cancel-Subscription", "Get-Notifications", "(Send-Notifications)",
        "Get-Resource-Attributes", "(Get-Resource-Data)",
        // 0x0020
        "Get-Resources", "(Get-Printer-Support-Files)", "Enable-Printer", "Disable-Printer",
        "Pause-Printer-After-Current-Job", "Hold-New-Jobs", "Release-Held-New-Jobs",
        "Deactivate-Printer", "Activate-Printer", "Restart-Printer", "Shutdown-Printer",
        "Startup-Printer", "Reprocess-Job", "Cancel-Current-Job", "Suspend-Current-Job", "Resume-Job",
        // 0x0030
        "Promote-Job", "Schedule-Job-After", nil, "Cancel-Document", "Get-Document-Attributes",
        "Get-Documents", "Delete-Document", "Set-Document-Attributes", "Cancel-Jobs",
        "Cancel-My-Jobs", "Resubmit-Job", "Close-Job", "Identify-Printer", "Validate-Document",
        "Add-Document-Images", "Acknowledge-Document",
        // 0x0040
        "Acknowledge-Identify-Printer", "Acknowledge-Job", "Fetch-Document", "Fetch-Job",
        "Get-Output-Device-Attributes", "Update-Active-Jobs", "Deregister-Output-Device",
        "Update-Document-Status", "Update-Job-Status", "Update-Output-Device-Attributes",
        "Get-Next-Document-Data", "Allocate-Printer-Resources", "Create-Printer",
        "Deallocate-Printer-Resources", "Delete-Printer", "Get-Printers",
        // 0x0050
        "Shutdown-One-Printer", "Startup-One-Printer", "Cancel-Resource", "Create-Resource",
        "Install-Resource", "Send-Resource-Data", "Set-Resource-Attributes",
        "Create-Resource-Subscriptions", "Create-System-Subscriptions", "Disable-All-Printers",
        "Enable-All-Printers", "Get-System-Attributes", "Get-System-Supported-Values",
        "Pause-All-Printers", "Pause-All-Printers-After-Current-Job", "Register-Output-Device",
        // 0x0060
        "Restart-System", "Resume-All-Printers", "Set-System-Attributes", "Shutdown-All-Printers",
        "Startup-All-Printers",
    ]

    /// CUPS vendor operations 0x4001…0x400F.
    static let cupsOperations: [String] = [
        "CUPS-Get-Default", "CUPS-Get-Printers", "CUPS-Add-Modify-Printer", "CUPS-Delete-Printer",
        "CUPS-Get-Classes", "CUPS-Add-Modify-Class", "CUPS-Delete-Class", "CUPS-Accept-Jobs",
        "CUPS-Reject-Jobs", "CUPS-Set-Default", "CUPS-Get-Devices", "CUPS-Get-PPDs", "CUPS-Move-Job",
        "CUPS-Authenticate-Job", "CUPS-Get-PPD",
    ]

    // MARK: - Enums

    /// libcups's `ippEnumString(attributeName, value)`: the keyword libcups knows for an
    /// enum value of this attribute, or the value in decimal.
    ///
    /// Only these attribute names have names (compared exactly, case-sensitively):
    /// document-state; finishings, finishings-actual/-default/-ready/-supported,
    /// job-finishings, job-finishings-default/-supported; job-collation-type(-actual);
    /// job-state; operations-supported (via `operationName`); orientation-requested and
    /// its -actual/-default/-supported; print-quality and its -actual/-default/-supported;
    /// printer-state; resource-state; system-state.
    public static func enumName<Name: Collection>(attribute name: Name, value: Int32) -> String where Name.Element == UInt8 {
        if let s = enumNameIfKnown(attribute: name, value: value) { return s }
        return String(value)
    }

    public static func enumName(attribute name: String, value: Int32) -> String {
        enumName(attribute: Array(name.utf8), value: value)
    }

    static func enumNameIfKnown<Name: Collection>(attribute name: Name, value: Int32) -> String? where Name.Element == UInt8 {
        guard let kind = enumKind(name) else { return nil }
        switch kind {
        case .operations:
            return operationName(value)
        case .finishings:
            if value >= 3, value - 3 < Int32(finishings.count) {
                return finishings[Int(value) - 3]
            }
            if value >= 0x4000_0000, value <= 0x4000_0064 {
                let i = Int(value) - 0x4000_0046
                if i >= 0, let s = vendorFinishings[i] { return s }
                return "0x" + hex(UInt32(value), digits: 8, uppercase: true)
            }
            return nil
        case .table(let table):
            guard value >= 3, value - 3 < Int32(table.count) else { return nil }
            return table[Int(value) - 3]
        }
    }

    enum EnumKind {
        case operations
        case finishings
        case table([String?])
    }

    static func enumKind<Name: Collection>(_ name: Name) -> EnumKind? where Name.Element == UInt8 {
        // Quick reject: every name libcups knows starts with d, f, j, o, p, r or s.
        guard let first = name.first, first == 0x64 || first == 0x66 || first == 0x6A || first == 0x6F
                || first == 0x70 || first == 0x72 || first == 0x73 else { return nil }
        for (n, kind) in enumAttributes where name.elementsEqual(n.utf8) {
            return kind
        }
        return nil
    }

    static let enumAttributes: [(String, EnumKind)] = [
        ("printer-state", .table(["idle", "processing", "stopped"])),
        ("job-state", .table(["pending", "pending-held", "processing", "processing-stopped", "canceled", "aborted", "completed"])),
        ("operations-supported", .operations),
        ("finishings", .finishings),
        ("finishings-actual", .finishings),
        ("finishings-default", .finishings),
        ("finishings-ready", .finishings),
        ("finishings-supported", .finishings),
        ("job-finishings", .finishings),
        ("job-finishings-default", .finishings),
        ("job-finishings-supported", .finishings),
        ("orientation-requested", .table(orientations)),
        ("orientation-requested-actual", .table(orientations)),
        ("orientation-requested-default", .table(orientations)),
        ("orientation-requested-supported", .table(orientations)),
        ("print-quality", .table(qualities)),
        ("print-quality-actual", .table(qualities)),
        ("print-quality-default", .table(qualities)),
        ("print-quality-supported", .table(qualities)),
        ("document-state", .table(["pending", nil, "processing", "processing-stopped", "canceled", "aborted", "completed"])),
        ("job-collation-type", .table(collationTypes)),
        ("job-collation-type-actual", .table(collationTypes)),
        ("resource-state", .table(["pending", "available", "installed", "canceled", "aborted"])),
        ("system-state", .table(["idle", "processing", "stopped"])),
    ]

    static let orientations: [String?] = ["portrait", "landscape", "reverse-landscape", "reverse-portrait", "none"]
    static let qualities: [String?] = ["draft", "normal", "high"]
    static let collationTypes: [String?] = ["uncollated-sheets", "collated-documents", "uncollated-documents"]

    /// finishings 3…101; nil entries print in decimal.
    static let finishings: [String?] = [
        "none", "staple", "punch", "cover", "bind", "saddle-stitch", "edge-stitch", "fold",
        "trim", "bale", "booklet-maker", "jog-offset", "coat", "laminate", nil, nil,
        nil, "staple-top-left", "staple-bottom-left", "staple-top-right",
        "staple-bottom-right", "edge-stitch-left", "edge-stitch-top", "edge-stitch-right",
        "edge-stitch-bottom", "staple-dual-left", "staple-dual-top", "staple-dual-right",
        "staple-dual-bottom", "staple-triple-left", "staple-triple-top", "staple-triple-right",
        "staple-triple-bottom", nil, nil, nil, nil, nil, nil, nil,
        nil, nil, nil, nil, nil, nil, nil, "bind-left",
        "bind-top", "bind-right", "bind-bottom", nil, nil, nil, nil, nil,
        nil, "trim-after-pages", "trim-after-documents", "trim-after-copies",
        "trim-after-job", nil, nil, nil, nil, nil, nil, "punch-top-left",
        "punch-bottom-left", "punch-top-right", "punch-bottom-right", "punch-dual-left",
        "punch-dual-top", "punch-dual-right", "punch-dual-bottom", "punch-triple-left",
        "punch-triple-top", "punch-triple-right", "punch-triple-bottom", "punch-quad-left",
        "punch-quad-top", "punch-quad-right", "punch-quad-bottom", "punch-multiple-left",
        "punch-multiple-top", "punch-multiple-right", "punch-multiple-bottom", "fold-accordion",
        "fold-double-gate", "fold-gate", "fold-half", "fold-half-z",
        "fold-left-gate", "fold-letter", "fold-parallel", "fold-poster",
        "fold-right-gate", "fold-z", "fold-engineering-z",
    ]

    /// CUPS vendor finishings 0x40000046…0x40000064. The rest of 0x40000000…0x40000064
    /// prints as "0x%08X" (upper-case hex, unlike every other fallback).
    static let vendorFinishings: [String?] = [
        "cups-punch-top-left", "cups-punch-bottom-left", "cups-punch-top-right", "cups-punch-bottom-right",
        "cups-punch-dual-left", "cups-punch-dual-top", "cups-punch-dual-right", "cups-punch-dual-bottom",
        "cups-punch-triple-left", "cups-punch-triple-top", "cups-punch-triple-right", "cups-punch-triple-bottom",
        "cups-punch-quad-left", "cups-punch-quad-top", "cups-punch-quad-right", "cups-punch-quad-bottom",
        nil, nil, nil, nil,
        "cups-fold-accordion", "cups-fold-double-gate", "cups-fold-gate", "cups-fold-half",
        "cups-fold-half-z", "cups-fold-left-gate", "cups-fold-letter", "cups-fold-parallel",
        "cups-fold-poster", "cups-fold-right-gate", "cups-fold-z",
    ]

    // MARK: - Helpers

    /// `%0<digits>x` / `%0<digits>X` of an unsigned value.
    static func hex(_ v: UInt32, digits: Int, uppercase: Bool) -> String {
        let s = String(v, radix: 16, uppercase: uppercase)
        return s.count >= digits ? s : String(repeating: "0", count: digits - s.count) + s
    }
}
