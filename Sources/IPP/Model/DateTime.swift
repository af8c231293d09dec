/// An RFC 2579 DateAndTime, as IPP's dateTime syntax carries it (11 bytes, RFC 8010 §3.9).
public struct DateTime: Hashable, Sendable {
    public var year: UInt16
    public var month: UInt8
    public var day: UInt8
    public var hour: UInt8
    public var minutes: UInt8
    public var seconds: UInt8
    public var deciSeconds: UInt8
    /// `+` or `-` (as an ASCII byte), the direction from UTC.
    public var utcDirection: UInt8
    public var utcHours: UInt8
    public var utcMinutes: UInt8

    public init(year: UInt16, month: UInt8, day: UInt8, hour: UInt8, minutes: UInt8, seconds: UInt8,
                deciSeconds: UInt8 = 0, utcDirection: UInt8 = UInt8(ascii: "+"), utcHours: UInt8 = 0, utcMinutes: UInt8 = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minutes = minutes; self.seconds = seconds; self.deciSeconds = deciSeconds
        self.utcDirection = utcDirection; self.utcHours = utcHours; self.utcMinutes = utcMinutes
    }

    init(bytes b: ArraySlice<UInt8>) {
        let s = b.startIndex
        self.init(year: UInt16(b[s]) << 8 | UInt16(b[s + 1]), month: b[s + 2], day: b[s + 3], hour: b[s + 4],
                  minutes: b[s + 5], seconds: b[s + 6], deciSeconds: b[s + 7], utcDirection: b[s + 8],
                  utcHours: b[s + 9], utcMinutes: b[s + 10])
    }

    public var bytes: [UInt8] {
        [UInt8(year >> 8), UInt8(truncatingIfNeeded: year), month, day, hour, minutes, seconds, deciSeconds,
         utcDirection, utcHours, utcMinutes]
    }

    /// The UTC time as seconds since 1970-01-01, the way libcups's ippDateToTime computes it.
    public var secondsSince1970: Int64 {
        let days = DateTime.daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        var t = days * 86400 + Int64(hour) * 3600 + Int64(minutes) * 60 + Int64(seconds)
        let offset = Int64(utcHours) * 3600 + Int64(utcMinutes) * 60
        if utcDirection == UInt8(ascii: "-") { t += offset } else { t -= offset }
        return t
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil-days algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
