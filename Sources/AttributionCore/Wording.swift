/// Sentences built from core values that more than one front end shows (the dashboard and the
/// command line): one builder each, so the same thing is said the same way everywhere. Pure
/// text; sanitizing for a terminal is the front end's.
public enum Wording {
    // MARK: Caps

    /// One cap's progress: "count", "months" or "amount", and the text of how far it has gone.
    public struct CapLine: Hashable, Sendable {
        public var name: String
        /// Nil when the program has no such cap.
        public var dimension: CapProgress.Dimension?
        /// "3 of 5 commissions", "day 12 of 180", "45.60 of 500.00"; nil without the cap.
        public var text: String?
    }

    /// The three caps in order, each with how far it has gone. `money` writes an amount of minor
    /// units in the program's currency (each front end has its own way with currencies).
    public static func capLines(_ p: CapProgress, money: (Int64) -> String) -> [CapLine] {
        [
            CapLine(name: "count", dimension: p.count, text: p.count.map { "\($0.used) of \($0.limit) commissions" }),
            CapLine(name: "months", dimension: p.months, text: p.months.map { "day \($0.used) of \($0.limit)" }),
            CapLine(name: "amount", dimension: p.amount, text: p.amount.map { "\(money($0.used)) of \(money($0.limit))" }),
        ]
    }

    /// "count 1 of 3 commissions (reached) · months no cap · amount 2.90 of 100.00".
    public static func capProgress(_ p: CapProgress, money: (Int64) -> String) -> String {
        capLines(p, money: money).map { line in
            guard let d = line.dimension, let text = line.text else { return "\(line.name) no cap" }
            return "\(line.name) \(text)\(d.reached ? " (reached)" : "")"
        }.joined(separator: " · ")
    }

    /// The program's caps: "first 3 commissions, first 12 months, up to 500.00 USD per customer",
    /// or "none".
    public static func capsSummary(_ caps: Caps) -> String {
        var parts: [String] = []
        if let c = caps.count { parts.append("first \(c) commissions") }
        if let m = caps.months { parts.append("first \(m) months") }
        if let a = caps.amount { parts.append("up to \(a) per customer") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    // MARK: Replays

    /// A replay that found the same outcome already recorded under the same settings.
    public static func replayUnchanged(eventID: Int64) -> String {
        "event #\(eventID) was already replayed under these settings with the same outcome; nothing changed"
    }

    // MARK: Notes

    /// A note's sentence on an event with its outcome. A note's own sentence describes an
    /// accepted event; on a refused one it must not say what did not happen: customer_key_ignored
    /// on a refused event (recurring_off) was credited to nobody, not "as a one-off by click".
    public static func note(_ n: Reason, refused: Bool) -> (sentence: String, hint: String) {
        guard refused else { return (n.sentence, n.hint) }
        switch n {
        case .customerKeyIgnored:
            return ("customer_key ignored: Recurring/Lifetime commissions is off, so the customer's affiliate was not credited;"
                    + " with no click to credit either, nothing was credited.", Reason.recurringOff.hint)
        default:
            return (n.sentence, n.hint)
        }
    }

    /// How a rejected event was fixed: "resolved by #5 at 2026-03-16 09:05 by root", or for a
    /// conversion added by hand "resolved by conversion inv_1 (by hand) at ... by root".
    public static func resolved(byEvent: Int64?, byConversion externalID: String?, at: Instant, who: String) -> String {
        let by = byEvent.map { "#\($0)" } ?? externalID.map { "conversion \($0) (by hand)" } ?? "hand"
        return "resolved by \(by) at \(at.shortDisplay) by \(who)"
    }

    /// A replay whose conversion is already credited: idempotent, nothing is paid again.
    /// "already credited (inv_1: 49.00 USD, commission 9.80 USD to alice, by hand); nothing pays twice".
    public static func alreadyCredited(externalID: String, amount: Money, commission: Money, affiliate: String, manual: Bool) -> String {
        "already credited (\(externalID): \(amount), commission \(commission) to \(affiliate)\(manual ? ", by hand" : "")); nothing pays twice"
    }
}
