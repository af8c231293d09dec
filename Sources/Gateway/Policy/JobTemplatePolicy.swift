import IPP

/// Checks a job's Job Template attributes against what the printer supports
/// (RFC 8011 §4.1.7, PWG 5100.7 media-col). Unsupported attributes and values are
/// reported in the response's unsupported group: with ipp-attribute-fidelity true the
/// job is refused; otherwise they are dropped and the job goes on.
struct JobTemplatePolicy {
    let capabilities: Capabilities

    /// The attributes to keep, or an error when fidelity demands refusal.
    func check(_ group: AttributeGroup?, fidelity: Bool, response: inout Response) throws(IPPError) -> [Attribute] {
        guard let group else { return [] }
        var accepted: [Attribute] = []
        var rejected = false
        for attribute in group.attributes {
            if isSupported(attribute) {
                accepted.append(attribute)
            } else {
                response.reject(attribute, keepValues: PrinterDescription.jobTemplateNames.contains(attribute.name))
                rejected = true
            }
        }
        if rejected {
            if fidelity {
                response.status = .clientErrorAttributesOrValuesNotSupported
                throw IPPError(.clientErrorAttributesOrValuesNotSupported, "some job attributes or values are not supported")
            }
            response.status = .successfulOkIgnoredOrSubstitutedAttributes
        }
        return accepted
    }

    func isSupported(_ a: Attribute) -> Bool {
        let c = capabilities
        let values = a.values
        guard !values.isEmpty else { return false }
        func oneKeyword(in allowed: [String], tags: Set<ValueTag> = [.keyword]) -> Bool {
            values.count == 1 && tags.contains(values[0].tag) && allowed.contains(values[0].stringValue ?? "")
        }
        func oneInteger(_ tag: ValueTag, in range: ClosedRange<Int32>) -> Bool {
            values.count == 1 && values[0].tag == tag && range.contains(values[0].integerValue ?? Int32.min)
        }
        switch a.name {
        case "copies": return oneInteger(.integer, in: 1...c.copiesMax)
        case "sides": return oneKeyword(in: c.sides)
        case "media": return oneKeyword(in: c.media.map(\.name), tags: [.keyword, .nameWithoutLanguage])
        case "media-col": return values.count == 1 && values[0].tag == .begCollection && isSupportedMediaCol(values[0].members)
        case "print-color-mode": return oneKeyword(in: c.colorModes)
        case "print-quality": return values.count == 1 && values[0].tag == .enum && c.qualities.contains(values[0].integerValue ?? 0)
        case "orientation-requested": return values.count == 1 && values[0].tag == .enum && c.orientations.contains(values[0].integerValue ?? 0)
        case "printer-resolution":
            guard values.count == 1, let r = values[0].resolutionValue else { return false }
            return r.x == r.y && r.units == .dotsPerInch && c.resolutions.contains(r.x)
        case "finishings": return values.allSatisfy { $0.tag == .enum && c.finishings.contains($0.integerValue ?? 0) }
        case "job-priority": return oneInteger(.integer, in: 1...100)
        case "job-hold-until": return oneKeyword(in: PrinterDescription.holdUntil, tags: [.keyword, .nameWithoutLanguage])
        case "job-sheets": return oneKeyword(in: ["none"], tags: [.keyword, .nameWithoutLanguage])
        case "multiple-document-handling":
            return oneKeyword(in: ["separate-documents-uncollated-copies", "separate-documents-collated-copies"])
        case "output-bin": return oneKeyword(in: c.outputBins, tags: [.keyword, .nameWithoutLanguage])
        case "print-content-optimize": return oneKeyword(in: c.contentOptimizes)
        case "print-rendering-intent": return oneKeyword(in: c.renderingIntents)
        case "print-scaling": return oneKeyword(in: c.scalings)
        case "overrides":
            return values.allSatisfy { $0.tag == .begCollection && isSupportedOverride($0.members) }
        case "page-ranges":
            guard c.pageRangesSupported else { return false }
            // Ascending, non-overlapping ranges of page numbers from 1 (RFC 8011 §5.2.7).
            var previous: Int32 = 0
            for v in values {
                guard let r = v.rangeValue, r.lowerBound > previous else { return false }
                previous = r.upperBound
            }
            return true
        default: return false
        }
    }

    /// One `overrides` value (PWG 5100.6): page and document selectors (ascending ranges)
    /// and Job Template attributes this printer supports; at least one selector.
    func isSupportedOverride(_ members: [Attribute]) -> Bool {
        var hasSelector = false
        for m in members {
            let name = m.name
            guard PrinterDescription.overridable.contains(name) else { return false }
            if name == "pages" || name == "document-numbers" {
                var previous: Int32 = 0
                for v in m.values {
                    guard let r = v.rangeValue, r.lowerBound > previous else { return false }
                    previous = r.upperBound
                }
                hasSelector = true
            } else if !isSupported(m) {
                return false
            }
        }
        return hasSelector
    }

    /// media-col: members the printer lists in media-col-supported (media-key is always
    /// allowed), a known size (by media-size or media-size-name), a known source and type.
    func isSupportedMediaCol(_ members: [Attribute]) -> Bool {
        let c = capabilities
        let sizes = c.media.filter { $0.width > 0 && $0.length > 0 } + (c.mediaColDatabase ?? []).map(\.size)
        for m in members {
            let v = m.values
            let name = m.name
            guard v.count == 1, name == "media-key" || c.mediaColMembers.contains(name) else { return false }
            switch name {
            case "media-size":
                let dims = Dictionary(v[0].members.map { ($0.name, $0.firstValue?.integerValue) }, uniquingKeysWith: { a, _ in a })
                guard let x = dims["x-dimension"] ?? nil, let y = dims["y-dimension"] ?? nil,
                      sizes.contains(where: { abs($0.width - x) <= 100 && abs($0.length - y) <= 100 }) else { return false }
            case "media-size-name": guard c.media.map(\.name).contains(v[0].stringValue ?? "") else { return false }
            case "media-source": guard c.mediaSources.contains(v[0].stringValue ?? "") else { return false }
            case "media-type": guard c.mediaTypes.contains(v[0].stringValue ?? "") else { return false }
            case "media-bottom-margin", "media-left-margin", "media-right-margin", "media-top-margin", "media-key":
                continue
            default: return false
            }
        }
        return true
    }
}
