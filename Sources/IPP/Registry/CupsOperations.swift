/// CUPS's vendor operations (0x4000–0x4FFF), which CUPS clients (lpstat, lp, lpadmin)
/// send. Not in the IANA registry; codes from CUPS's ipp.h.
extension Operation {
    public static let cupsGetDefault = Operation(0x4001)
    public static let cupsGetPrinters = Operation(0x4002)
    public static let cupsAddModifyPrinter = Operation(0x4003)
    public static let cupsDeletePrinter = Operation(0x4004)
}

extension Operation {
    /// CUPS's name for one of its vendor operations above (as libcups's ippOpString
    /// spells it), e.g. "CUPS-Get-Printers"; nil for any other value.
    public var cupsName: String? {
        switch rawValue {
        case 0x4001: return "CUPS-Get-Default"
        case 0x4002: return "CUPS-Get-Printers"
        case 0x4003: return "CUPS-Add-Modify-Printer"
        case 0x4004: return "CUPS-Delete-Printer"
        default: return nil
        }
    }
}
