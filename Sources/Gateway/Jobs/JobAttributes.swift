import IPP
import Store

/// A job's description attributes (RFC 8011 §5.3) as a client sees them, built from its
/// record, plus the Job Template attributes it was created with.
enum JobAttributes {
    static func all(_ job: JobRecord, printerURI: String, upTime: Int64, documents: [DocumentRecord]) -> [Attribute] {
        // job-k-octets: the documents' size in K octets, rounded up (RFC 8011 §5.3.17.1).
        let kOctets = (documents.reduce(Int64(0)) { $0 + $1.size } + 1023) / 1024
        var list: [Attribute] = [
            Attribute("job-id", .integer(job.id)),
            Attribute("job-uri", .uri(jobURI(printerURI, job.id))),
            Attribute("job-uuid", .uri(job.uuid)),
            Attribute("job-printer-uri", .uri(printerURI)),
            Attribute("job-name", .name(job.name)),
            Attribute("job-originating-user-name", .name(job.user)),
            Attribute("job-originating-host-name", .name(job.originatingHost)),
            Attribute("job-state", .enum(job.state)),
            Attribute("job-state-reasons", job.stateReasons.map(Value.keyword)),
            Attribute("job-state-message", .text(job.stateMessage)),
            Attribute("job-priority", .integer(job.priority)),
            Attribute("job-hold-until", .keyword(job.holdUntil)),
            Attribute("number-of-documents", .integer(Int32(documents.count))),
            Attribute("job-k-octets", .integer(Int32(clamping: kOctets))),
            Attribute("job-impressions-completed", .integer(job.impressionsCompleted)),
            Attribute("job-printer-up-time", .integer(Int32(truncatingIfNeeded: upTime))),
            Attribute("time-at-creation", .integer(epoch(job.createdAt))),
            Attribute("time-at-processing", job.processingAt == 0 ? .outOfBand(.noValue) : .integer(epoch(job.processingAt))),
            Attribute("time-at-completed", job.completedAt == 0 ? .outOfBand(.noValue) : .integer(epoch(job.completedAt))),
            Attribute("date-time-at-creation", .dateTime(dateTime(job.createdAt))),
            Attribute("date-time-at-processing", job.processingAt == 0 ? .outOfBand(.noValue) : .dateTime(dateTime(job.processingAt))),
            Attribute("date-time-at-completed", job.completedAt == 0 ? .outOfBand(.noValue) : .dateTime(dateTime(job.completedAt))),
        ]
        // The Job Template attributes the job was created with (stored encoded, reused as is).
        if let stored = try? Message(decoding: job.attributes) {
            let have = Set(list.map(\.name))
            for group in stored.groups {
                for a in group.attributes where !have.contains(a.name) { list.append(a) }
            }
        }
        return list
    }

    /// The job's attributes filtered by requested-attributes (nil: the operation's default).
    static func select(_ attributes: [Attribute], requested: Set<String>?, defaults: Set<String>) -> [Attribute] {
        let wanted = requested ?? defaults
        if wanted.contains("all") { return attributes }
        let descriptionGroup = wanted.contains("job-description")
        let templateGroup = wanted.contains("job-template")
        return attributes.filter { a in
            let name = a.name
            if wanted.contains(name) { return true }
            let isTemplate = PrinterDescription.jobTemplateNames.contains(name)
            return (templateGroup && isTemplate) || (descriptionGroup && !isTemplate)
        }
    }

    static func jobURI(_ printerURI: String, _ id: Int32) -> String { "\(printerURI)/\(id)" }

    /// printer-up-time and the time-at-* attributes count seconds since 1970, as CUPS does:
    /// RFC 8011 lets the printer choose the epoch, and CUPS clients (lpstat) read these
    /// values as Unix times.
    static func epoch(_ t: Int64) -> Int32 { Int32(truncatingIfNeeded: t) }

    static func dateTime(_ unix: Int64) -> DateTime {
        let days = unix >= 0 ? unix / 86400 : (unix - 86399) / 86400
        let secs = unix - days * 86400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return DateTime(year: UInt16(y), month: UInt8(m), day: UInt8(d), hour: UInt8(secs / 3600),
                        minutes: UInt8(secs % 3600 / 60), seconds: UInt8(secs % 60))
    }
}
