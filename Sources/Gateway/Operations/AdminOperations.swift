import IPP
import Store

/// Printer administration over the local admin socket only (CUPS's operation codes:
/// CUPS-Add-Modify-Printer with printer-name and device-uri, CUPS-Delete-Printer).
extension Gateway {
    private func requireAdmin(_ r: Request) throws(IPPError) {
        guard r.ipp.peer.isAdminSocket else {
            throw IPPError(.clientErrorForbidden, "printer administration is only allowed over the local admin socket")
        }
    }

    private func adminPrinterName(_ r: Request) throws(IPPError) -> String {
        if let name = r.string("printer-name") { return name }
        if let uri = r.string("printer-uri"), let name = ResourcePath(uri: uri).printer { return name }
        throw IPPError(.clientErrorBadRequest, "printer-name is required")
    }

    func handleAddModifyPrinter(_ r: Request) throws -> Response {
        try requireAdmin(r)
        let name = try adminPrinterName(r)
        guard let target = r.string("device-uri") ?? r.jobGroup?["device-uri"]?.firstValue?.stringValue else {
            throw IPPError(.clientErrorBadRequest, "device-uri (the target) is required")
        }
        var settings: [String: String] = [:]
        if r.boolean(PrinterAdmin.forwardWhileArrivingAttribute) == false { settings[PrinterAdmin.forwardWhileArrivingSetting] = "no" }
        do {
            try PrinterAdmin.add(name: name, target: target, settings: settings, to: store, now: clock.now())
        } catch let e as PrinterAdmin.AdminError {
            throw IPPError(.clientErrorNotPossible, e.description)
        } catch let e as TargetError {
            throw IPPError(.clientErrorAttributesOrValuesNotSupported, e.description)
        }
        try reloadPrinters()
        log.info("printer \(name) added, target \(target)")
        return Response(to: r.message)
    }

    func handleDeletePrinter(_ r: Request) throws -> Response {
        try requireAdmin(r)
        let name = try adminPrinterName(r)
        let canceled: Int
        do { canceled = try PrinterAdmin.remove(name: name, from: store, now: clock.now()) } catch let e as PrinterAdmin.AdminError {
            throw IPPError(.clientErrorNotFound, e.description)
        }
        try reloadPrinters()
        let note = "removed printer \(name)\(PrinterAdmin.canceledNote(canceled))"
        log.info(note)
        var response = Response(to: r.message)
        response.statusMessage = note
        return response
    }
}
