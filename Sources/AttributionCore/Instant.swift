/// A moment in UTC, in whole seconds since 1970-01-01T00:00:00Z. The core never reads a clock:
/// every instant comes from an event or from the caller's injected clock.
///
/// Every function of an instant is total over all of Int64: what an older build stored, however
/// extreme, is shown and moved without trapping (arithmetic saturates at `Instant.lowest` and
/// `Instant.highest`). New instants are checked at the door against `Instant.accepted`.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var seconds: Int64
    public init(seconds: Int64) { self.seconds = seconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }

    /// The ends of Int64, where arithmetic on instants saturates.
    public static let lowest = Instant(seconds: .min)
    public static let highest = Instant(seconds: .max)

    /// The times an event, a setting or a command may carry: 1970-01-01T00:00:00Z through
    /// 2200-01-01T00:00:00Z, both included. Anything outside is refused as `invalid_event` with
    /// its field named; inside it, every sum of an instant and a window, a cap or a difference of
    /// two instants fits in Int64 with room to spare.
    public static let accepted = Instant(seconds: 0)...Instant(seconds: 7_258_118_400)

    /// Nil when inside `accepted`; else the sentence saying why not, for the field at fault.
    public static func rangeProblem(_ seconds: Int64) -> String? {
        if accepted.contains(Instant(seconds: seconds)) { return nil }
        return "\(Instant(seconds: seconds).iso8601) (\(seconds) s) is outside the accepted times "
            + "\(accepted.lowerBound.iso8601) to \(accepted.upperBound.iso8601)"
    }

    /// Saturating: never traps, whatever the instant and the count.
    public func adding(days: Int) -> Instant {
        let (d, o) = Int64(days).multipliedReportingOverflow(by: 86_400)
        if o { return days < 0 ? .lowest : .highest }
        return adding(seconds: d)
    }

    /// Saturating: never traps, whatever the instant and the count.
    public func adding(seconds s: Int64) -> Instant {
        let (r, o) = seconds.addingReportingOverflow(s)
        if o { return s < 0 ? .lowest : .highest }
        return Instant(seconds: r)
    }

    /// Calendar months in UTC; the day is clamped to the target month's length (Jan 31 + 1 = Feb 28/29).
    /// Saturating: a month past what Int64 seconds can hold gives `lowest` or `highest`.
    public func adding(months: Int) -> Instant {
        let (y, m, d) = civil
        let (y12, o1) = y.multipliedReportingOverflow(by: 12)
        let (total, o2) = (y12 + (m - 1)).addingReportingOverflow(months)
        if o1 || o2 { return months < 0 ? .lowest : .highest }
        let ny = Int(floorDiv(Int64(total), 12)), nm = total - ny * 12 + 1
        // Years beyond this are far past Int64 seconds (about 292 billion years either way).
        if ny > 300_000_000_000 { return .highest }
        if ny < -300_000_000_000 { return .lowest }
        let nd = min(d, Instant.daysIn(year: ny, month: nm))
        let (daySeconds, o3) = Instant.days(year: ny, month: nm, day: nd).multipliedReportingOverflow(by: 86_400)
        if o3 { return months < 0 ? .lowest : .highest }
        let (r, o4) = daySeconds.addingReportingOverflow(secondOfDay)
        if o4 { return months < 0 ? .lowest : .highest }
        return Instant(seconds: r)
    }

    /// Seconds since midnight UTC, 0 ..< 86 400.
    var secondOfDay: Int64 {
        let r = seconds % 86_400
        return r < 0 ? r + 86_400 : r
    }

    /// (year, month 1-12, day 1-31) in UTC.
    public var civil: (year: Int, month: Int, day: Int) {
        Instant.civil(fromDays: floorDiv(seconds, 86_400))
    }

    /// "2026-03" — the month a moment falls in, for per-month charts.
    public var monthKey: String {
        let (y, m, _) = civil
        return "\(y)-\(m < 10 ? "0" : "")\(m)"
    }

    /// "2026-01-05T10:00:00Z"
    public var iso8601: String {
        let (y, m, d) = civil
        let s = secondOfDay
        func p(_ v: Int64, _ w: Int = 2) -> String { let t = String(v); return String(repeating: "0", count: max(0, w - t.count)) + t }
        return "\(p(Int64(y), 4))-\(p(Int64(m)))-\(p(Int64(d)))T\(p(s / 3600)):\(p(s / 60 % 60)):\(p(s % 60))Z"
    }

    /// "2026-01-05 10:00" — for screens.
    public var shortDisplay: String {
        let iso = iso8601
        return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(5))
    }
    public var dateDisplay: String { String(iso8601.prefix(10)) }

    public var description: String { iso8601 }

    /// Parses RFC 3339 / ISO 8601: "2026-01-05T10:00:00Z", with optional fraction and ±hh:mm offset,
    /// or a bare date "2026-01-05" (midnight UTC). Returns nil when malformed.
    public static func parse(_ text: String) -> Instant? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), b.count >= 10, b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              (1...12).contains(mo), d >= 1, d <= daysIn(year: y, month: mo) else { return nil }
        var secs = days(year: y, month: mo, day: d) * 86_400
        if b.count == 10 { return Instant(seconds: secs) }
        guard b[10] == 84 || b[10] == 116 || b[10] == 32, let h = num(11, 2), b.count > 13, b[13] == 58,
              let mi = num(14, 2), h < 24, mi < 60 else { return nil }
        var i = 16
        var sec = 0
        if i < b.count, b[i] == 58 {
            guard let s = num(17, 2), s <= 60 else { return nil }
            sec = s; i = 19
            if i < b.count, b[i] == 46 || b[i] == 44 {
                i += 1
                let start = i
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
                if i == start { return nil }
            }
        }
        secs += Int64(h * 3600 + mi * 60 + sec)
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            guard i + 1 == b.count else { return nil }
            return Instant(seconds: secs)
        }
        guard b[i] == 43 || b[i] == 45, let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58,
              let om = num(i + 4, 2), i + 6 == b.count, oh < 24, om < 60 else { return nil }
        let offset = Int64(oh * 3600 + om * 60)
        return Instant(seconds: b[i] == 43 ? secs - offset : secs + offset)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    static func daysIn(year: Int, month: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
    /// Days since the epoch for a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
    static func civil(fromDays z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
