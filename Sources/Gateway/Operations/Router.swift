import Foundation
import IPP
import Transport

/// The single entry point for IPP requests: the checks every operation shares
/// (RFC 8011 §4.1), then one handler per operation.
extension Gateway {
    func route(_ request: Request) -> Response {
        let message = request.message
        do {
            try checkHeader(message)
            try checkOperationAttributes(message)
            return try dispatch(request)
        } catch let error as IPPError {
            return Response.error(error.status, error.message, to: message)
        } catch {
            log.error("\(request.operation.name ?? "operation"): \(error)")
            return Response.error(.serverErrorInternalError, "internal error: \(error)", to: message)
        }
    }

    private func checkHeader(_ m: Message) throws(IPPError) {
        guard m.version.major == 1 || m.version.major == 2 else {
            throw IPPError(.serverErrorVersionNotSupported, "IPP version \(m.version) is not supported (1.x and 2.x are)")
        }
        guard m.requestID > 0 else {
            throw IPPError(.clientErrorBadRequest, "request-id must be greater than 0")
        }
    }

    /// Exactly one operation group, first; attributes-charset then attributes-natural-language first in it.
    private func checkOperationAttributes(_ m: Message) throws(IPPError) {
        guard let first = m.groups.first, first.tag == .operation else {
            throw IPPError(.clientErrorBadRequest, "the operation attributes group must come first")
        }
        guard m.groups.dropFirst().allSatisfy({ $0.tag != .operation }) else {
            throw IPPError(.clientErrorBadRequest, "more than one operation attributes group")
        }
        let attributes = first.attributes
        guard attributes.count >= 2, attributes[0].hasName("attributes-charset"),
              attributes[1].hasName("attributes-natural-language") else {
            throw IPPError(.clientErrorBadRequest, "attributes-charset and attributes-natural-language must be the first two operation attributes")
        }
        guard attributes[0].tag == .charset, attributes[0].values.count == 1,
              attributes[1].tag == .naturalLanguage, attributes[1].values.count == 1 else {
            throw IPPError(.clientErrorBadRequest, "attributes-charset and attributes-natural-language must each be one value of their syntax")
        }
        let charset = attributes[0].firstValue?.stringValue?.lowercased() ?? ""
        guard charset == "utf-8" || charset == "us-ascii" else {
            throw IPPError(.clientErrorCharsetNotSupported, "charset \(charset) is not supported (utf-8 is)")
        }
    }

    private func dispatch(_ r: Request) throws -> Response {
        switch r.operation {
        // Printer-less operations.
        case .cupsGetPrinters: return try handleCupsGetPrinters(r)
        case .cupsGetDefault: return try handleCupsGetDefault(r)
        case .cupsAddModifyPrinter: return try handleAddModifyPrinter(r)
        case .cupsDeletePrinter: return try handleDeletePrinter(r)
        default: break
        }
        guard PrinterDescription.operations.contains(r.operation) else {
            throw IPPError(.serverErrorOperationNotSupported,
                           "operation \(r.operation.name ?? "0x" + String(r.operation.rawValue, radix: 16)) is not supported")
        }
        let target = try resolveTarget(r)
        let p = target.printer
        switch r.operation {
        case .getPrinterAttributes: return try handleGetPrinterAttributes(r, p)
        case .pausePrinter: return try handlePausePrinter(r, p)
        case .resumePrinter: return try handleResumePrinter(r, p)
        case .identifyPrinter: return try handleIdentifyPrinter(r, p)
        case .printJob: return try handlePrintJob(r, p)
        case .validateJob: return try handleValidateJob(r, p)
        case .createJob: return try handleCreateJob(r, p)
        case .getJobs: return try handleGetJobs(r, p)
        case .cancelJobs: return try handleCancelJobs(r, p, onlyMine: false)
        case .cancelMyJobs: return try handleCancelJobs(r, p, onlyMine: true)
        default: break
        }
        let id = try requireJobID(r, target)
        switch r.operation {
        case .sendDocument: return try handleSendDocument(r, p, id)
        case .closeJob: return try handleCloseJob(r, p, id)
        case .cancelJob: return try handleCancelJob(r, p, id)
        case .getJobAttributes: return try handleGetJobAttributes(r, p, id)
        case .holdJob: return try handleHoldJob(r, p, id)
        case .releaseJob: return try handleReleaseJob(r, p, id)
        case .setJobAttributes: return try handleSetJobAttributes(r, p, id)
        default:
            throw IPPError(.serverErrorOperationNotSupported, "operation is not supported")
        }
    }

    /// The printer (and job) a request names: printer-uri (+ job-id), or job-uri.
    private func resolveTarget(_ r: Request) throws(IPPError) -> (printer: Printer, jobID: Int32?) {
        let uriAttribute = r.operationAttribute("printer-uri") ?? r.operationAttribute("job-uri")
        guard let uriAttribute else {
            throw IPPError(.clientErrorBadRequest, "printer-uri (or job-uri) is required")
        }
        guard uriAttribute.tag == .uri, let uri = uriAttribute.firstValue?.stringValue else {
            throw IPPError(.clientErrorBadRequest, "\(uriAttribute.name) must be a uri")
        }
        let path = ResourcePath(uri: uri)
        guard let name = path.printer ?? (path.isRoot ? defaultPrinter()?.name : nil), let printer = printer(named: name) else {
            throw IPPError(.clientErrorNotFound, "no printer at \(uri)")
        }
        return (printer, path.job)
    }

    private func requireJobID(_ r: Request, _ target: (printer: Printer, jobID: Int32?)) throws(IPPError) -> Int32 {
        if let a = r.operationAttribute("job-id") {
            guard a.tag == .integer, let id = a.firstValue?.integerValue else {
                throw IPPError(.clientErrorBadRequest, "job-id must be an integer")
            }
            return id
        }
        if let id = target.jobID { return id }
        throw IPPError(.clientErrorBadRequest, "job-id (with printer-uri) or job-uri is required")
    }

    /// printer-uri for the client: built from the Host it used to reach us.
    func printerURI(_ p: Printer, _ r: Request) -> String {
        "ipp://\(r.ipp.host.isEmpty ? "localhost" : r.ipp.host)/ipp/print/\(p.name)"
    }
}

/// The printer and job named by a URI or an HTTP path: /ipp/print/NAME[/JOB], /printers/NAME, /jobs/JOB.
struct ResourcePath {
    var printer: String?
    var job: Int32?
    var isRoot = false

    init(uri: String) {
        var path = Substring(uri)
        if let scheme = path.range(of: "://") {
            path = path[scheme.upperBound...]
            path = path.firstIndex(of: "/").map { path[$0...] } ?? "/"
        }
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<q] }
        let parts = path.split(separator: "/").map(String.init)
        switch parts.count {
        case 0: isRoot = true
        case _ where parts.starts(with: ["ipp", "print"]):
            if parts.count == 2 { isRoot = true }
            if parts.count >= 3 { printer = parts[2].removingPercentEncoding ?? parts[2] }
            if parts.count == 4 { job = Int32(parts[3]) }
        case 2 where parts[0] == "printers" || parts[0] == "classes":
            printer = parts[1].removingPercentEncoding ?? parts[1]
        case 2 where parts[0] == "jobs":
            job = Int32(parts[1])
            isRoot = true
        default: break
        }
    }
}
