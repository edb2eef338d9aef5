import AttributionCore
import Foundation

/// The time zone times are shown in: the local one (TZ) in the terminal dashboard, UTC in
/// snapshots and tests; named in the title bar. Instants stay UTC everywhere else; only
/// drawing turns them into wall-clock time.
public struct DisplayZone: Hashable, Sendable {
    public var timeZone: TimeZone

    public init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    public static let utc = DisplayZone(TimeZone(identifier: "UTC")!)

    /// "UTC", "CET", "GMT+5:30": how the title bar names it.
    public var label: String {
        if timeZone.secondsFromGMT() == 0, timeZone.identifier == "UTC" || timeZone.identifier == "GMT" { return "UTC" }
        return timeZone.abbreviation() ?? timeZone.identifier
    }

    /// The instant moved to this zone's wall clock (saturating at the ends of time).
    func local(_ i: Instant) -> Instant {
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(i.seconds))))
        let (sum, overflow) = i.seconds.addingReportingOverflow(offset)
        return overflow ? i : Instant(seconds: sum)
    }

    /// "2026-11-15 13:00" in this zone.
    public func short(_ i: Instant) -> String { local(i).shortDisplay }
    /// "13:00:07" in this zone.
    public func clock(_ i: Instant) -> String { String(local(i).iso8601.dropFirst(11).prefix(8)) }
    /// "2026-11-15" in this zone.
    public func date(_ i: Instant) -> String { local(i).dateDisplay }
}
