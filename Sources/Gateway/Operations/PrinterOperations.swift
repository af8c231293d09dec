import IPP
import Store

/// Operations on the Printer object: Get-Printer-Attributes, Pause/Resume, Identify,
/// and CUPS's CUPS-Get-Printers / CUPS-Get-Default so that lpstat and lp work.
extension Gateway {
    func handleGetPrinterAttributes(_ r: Request, _ p: Printer) throws -> Response {
        if let format = r.operationAttribute("document-format") {
            // printer-get-attributes-supported: document-format. All formats share one capability set here.
            guard let f = format.firstValue?.stringValue, p.description.capabilities.formatsAccepted.contains(f) else {
                var response = Response(to: r.message, status: .clientErrorDocumentFormatNotSupported)
                response.reject(format)
                response.statusMessage = "document-format is not supported"
                return response
            }
        }
        var response = Response(to: r.message)
        response.addGroup(.printer, printerAttributes(p, r, requested: r.requestedAttributes))
        return response
    }

    /// The printer's attributes filtered by requested-attributes (RFC 8011 §4.2.5.1):
    /// nil or "all" gives everything but media-col-database, which is sent only when named.
    func printerAttributes(_ p: Printer, _ r: Request, requested: Set<String>?) -> [Attribute] {
        let wanted = requested ?? ["all"]
        let all = wanted.contains("all")
        let template = all || wanted.contains("job-template")
        let description = all || wanted.contains("printer-description")
        var out: [Attribute] = []
        out.reserveCapacity(all ? p.description.attributes.count + 16 : wanted.count)
        if template || description {
            for (attribute, name, isTemplate) in p.description.attributes {
                if (isTemplate ? template : description) || wanted.contains(name) { out.append(attribute) }
            }
        } else {
            // Only named attributes (the common case for polling clients): look each up.
            for i in wanted.compactMap({ p.description.index[$0] }).sorted() { out.append(p.description.attributes[i].attribute) }
        }
        if wanted.contains("media-col-database") { out.append(p.description.mediaColDatabase) }
        appendLiveAttributes(p, r, to: &out) { description || wanted.contains($0) }
        return out
    }

    /// Attributes that change while the printer runs; only those `wanted` are built.
    private func appendLiveAttributes(_ p: Printer, _ r: Request, to out: inout [Attribute], wanted: (String) -> Bool) {
        let s = p.snapshot()
        let host = r.ipp.host.isEmpty ? "localhost" : r.ipp.host
        func add(_ name: String, _ value: @autoclosure () -> [Value]) {
            if wanted(name) { out.append(Attribute(name, value())) }
        }
        add("printer-uri-supported", [.uri(printerURI(p, r))])
        add("printer-more-info", [.uri("http://\(host)/ipp/print/\(p.name)")])
        add("printer-state", [.enum(s.state.rawValue)])
        add("printer-state-reasons", s.reasons.map(Value.keyword))
        add("printer-state-message", [.text(s.message)])
        add("printer-is-accepting-jobs", [.boolean(s.isAcceptingJobs)])
        add("queued-job-count", [.integer(Int32(s.queuedJobCount))])
        add("printer-up-time", [.integer(Int32(truncatingIfNeeded: upTime))])
        add("printer-current-time", [.dateTime(JobAttributes.dateTime(clock.now()))])
        add("printer-state-change-time", [.integer(JobAttributes.epoch(s.stateChangedAt))])
        add("printer-state-change-date-time", [.dateTime(JobAttributes.dateTime(s.stateChangedAt))])
        add("printer-config-change-time", [.integer(JobAttributes.epoch(p.record.createdAt))])
        add("printer-config-change-date-time", [.dateTime(JobAttributes.dateTime(p.record.createdAt))])
        for (name, values) in supplyAndIconAttributes(p, host: host) where wanted(name) { out.append(Attribute(name, values())) }
        // CUPS clients (lpstat) read these.
        add("printer-type", [.enum(0x0000_0004 | 0x0000_0008 | 0x0000_0010 | 0x0000_0040 | 0x0000_1000)])
        add("printer-is-shared", [.boolean(true)])
    }

    func handlePausePrinter(_ r: Request, _ p: Printer) throws -> Response {
        p.setPaused(true, at: clock.now())
        log.info("printer \(p.name) paused by \(r.userName)")
        return Response(to: r.message)
    }

    func handleResumePrinter(_ r: Request, _ p: Printer) throws -> Response {
        p.setPaused(false, at: clock.now())
        engine.wake(p.name)
        log.info("printer \(p.name) resumed by \(r.userName)")
        return Response(to: r.message)
    }

    func handleIdentifyPrinter(_ r: Request, _ p: Printer) throws -> Response {
        let actions = r.operationAttribute("identify-actions")?.values.compactMap(\.stringValue) ?? ["display"]
        var response = Response(to: r.message)
        let supported: Set<String> = ["display", "sound"]
        if let bad = actions.first(where: { !supported.contains($0) }) {
            response.status = .clientErrorAttributesOrValuesNotSupported
            response.reject(Attribute("identify-actions", .keyword(bad)))
            return response
        }
        log.info("identify printer \(p.name): \(actions.joined(separator: ",")) \(r.string("message") ?? "")")
        return response
    }

    func handleCupsGetPrinters(_ r: Request) throws -> Response {
        var response = Response(to: r.message)
        let limit = r.integer("limit").map(Int.init) ?? .max
        for p in printers.prefix(limit) {
            response.addGroup(.printer, printerAttributes(p, r, requested: r.requestedAttributes))
        }
        return response
    }

    func handleCupsGetDefault(_ r: Request) throws -> Response {
        guard let p = defaultPrinter() else {
            return Response.error(.clientErrorNotFound, "no printers are configured", to: r.message)
        }
        var response = Response(to: r.message)
        response.addGroup(.printer, printerAttributes(p, r, requested: r.requestedAttributes))
        return response
    }
}
