/// How old a click was when an event used it, against the attribution window: the rule the
/// engine applies (a click counts for `windowDays` days, last click wins), for triage to show
/// beside the events it explains.
public struct ClickAge: Hashable, Sendable {
    /// Seconds from the click to the event (negative when the click came after it), saturated
    /// at the ends of Int64 (a click stored at an extreme time by an older build is just very old).
    public var seconds: Int64
    public var windowDays: Int

    public init(click: Instant, at: Instant, windowDays: Int) {
        let (d, overflow) = at.seconds.subtractingReportingOverflow(click.seconds)
        self.seconds = overflow ? (at.seconds < click.seconds ? .min : .max) : d
        self.windowDays = windowDays
    }

    /// Whole days.
    public var days: Int64 { seconds / 86_400 }

    /// Within the window: the click can credit the event. A click later than the event is too.
    public var withinWindow: Bool {
        let (window, overflow) = Int64(windowDays).multipliedReportingOverflow(by: 86_400)
        if overflow { return windowDays > 0 }
        return seconds <= window
    }

    /// How the engine words the age of an expired click: "73 days old", "more than 73 days old".
    public var engineText: String {
        seconds % 86_400 == 0 ? "\(days) days old" : "more than \(days) days old"
    }

    /// For people: "12 days old (window 60 days): within the window".
    public var description: String {
        let age: String
        if seconds < 0 {
            age = "recorded after the event"
        } else if seconds < 86_400 {
            age = "less than a day old"
        } else {
            let n = days == 1 ? "1 day" : "\(days) days"
            age = seconds % 86_400 == 0 ? "\(n) old" : "more than \(n) old"
        }
        return "\(age) (window \(windowDays) days): " + (withinWindow ? "within the window" : "outside the window")
    }
}
