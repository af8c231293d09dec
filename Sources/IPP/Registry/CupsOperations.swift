/// CUPS's vendor operations (0x4000–0x4FFF), which CUPS clients (lpstat, lp, lpadmin)
/// send. Not in the IANA registry; codes from CUPS's ipp.h.
extension Operation {
    public static let cupsGetDefault = Operation(0x4001)
    public static let cupsGetPrinters = Operation(0x4002)
    public static let cupsAddModifyPrinter = Operation(0x4003)
    public static let cupsDeletePrinter = Operation(0x4004)
}
