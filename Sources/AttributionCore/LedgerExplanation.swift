/// Why a conversion's commission stands where it does, for support (triage) and the admin's
/// customer detail: a voided or held commission by its reason, one clawed back by what took it
/// back. The code is `LedgerReason`'s stable code; the sentence and the fix are for a human.
public struct LedgerExplanation: Hashable, Sendable {
    public var code: String
    public var sentence: String
    public var fix: String
    /// True when the commission was paid and a clawback takes (part of) it back.
    public var clawedBack: Bool

    /// `clawbackReason`: why the sale's clawbacks were made (`refunded`, `disputed`), nil when it
    /// has none. Nil for a commission that is pending, approved or paid and not clawed back.
    public static func of(state: CommissionState, reason: LedgerReason?, clawbackReason: LedgerReason?) -> LedgerExplanation? {
        if let c = clawbackReason {
            let sentence = c == .disputed
                ? "The customer's bank reversed the payment (a lost dispute) after the commission was paid, so it is clawed back: a negative entry netted against the affiliate's next payout."
                : "The sale was refunded after the commission was paid, so the refunded part is clawed back: a negative entry netted against the affiliate's next payout."
            return LedgerExplanation(code: c.rawValue, sentence: sentence, fix: LedgerReason.clawbackEntry.hint, clawedBack: true)
        }
        guard let reason, state == .voided || state == .onHold else { return nil }
        return LedgerExplanation(code: reason.rawValue, sentence: reason.sentence, fix: reason.hint, clawedBack: false)
    }
}
