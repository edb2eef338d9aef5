/// What the store recorded about one refund, for reversing it: the sale minor units it counted,
/// the commission it took back, the clawback it added (when the commission was already in a
/// payout), and where the commission stood when this refund voided it.
public struct RecordedRefund: Hashable, Sendable {
    public var saleMinor: Int64
    public var commissionMinor: Int64
    /// The clawback this refund added, as it stands now; nil when it reduced the commission itself.
    public var clawback: LedgerEntry?
    /// The commission's stored state and reason before this refund voided it (nil: it did not).
    public var stateBefore: CommissionState?
    public var reasonBefore: LedgerReason?
    public var needsApprovalBefore: Bool
    /// Already reversed (a retry).
    public var reversed: Bool
    public init(saleMinor: Int64, commissionMinor: Int64, clawback: LedgerEntry? = nil, stateBefore: CommissionState? = nil,
                reasonBefore: LedgerReason? = nil, needsApprovalBefore: Bool = false, reversed: Bool = false) {
        self.saleMinor = saleMinor; self.commissionMinor = commissionMinor; self.clawback = clawback
        self.stateBefore = stateBefore; self.reasonBefore = reasonBefore; self.needsApprovalBefore = needsApprovalBefore
        self.reversed = reversed
    }
}

/// What reversing a refund does to the ledger.
public struct ReversalEffect: Hashable, Sendable {
    /// The commission afterwards (unchanged when nothing changed).
    public var entry: LedgerEntry
    /// The refund's clawback afterwards (voided `refund_reversed`), when it had one still open.
    public var clawback: LedgerEntry?
    /// Commission minor units given back (to the commission, or by voiding the clawback).
    public var restored: Int64
    /// True when there is a record to write: the refund marked reversed, or (never seen by its id)
    /// a marker so that its late `refund.created` is not applied.
    public var record: Bool
    /// `refund_reversed` when something was given back or remembered; `refund_already_reversed` on a retry.
    public var note: LedgerReason
}

extension Refunds {
    /// A refund that failed or was canceled (Stripe `refund.updated` / `refund.failed` with status
    /// `failed` or `canceled`) is reversed: the ledger ends as if it had never been made.
    ///
    /// - Never seen by its id: nothing to give back; it is remembered, so that its `refund.created`
    ///   arriving late is not applied (note `refund_reversed`, nothing restored).
    /// - Already reversed: nothing (note `refund_already_reversed`).
    /// - It added a clawback still open (in no payout): the clawback is voided `refund_reversed`
    ///   and the commission is whole again — exactly what that refund took.
    /// - It reduced or voided the commission, which is in no payout: the commission gets back the
    ///   difference the refund makes to the sale's rounded refunded total (`reduction` with and
    ///   without it: exactly what it took when it is the latest refund, and what keeps later
    ///   refunds exact otherwise); voided by it, the commission returns to where it stood.
    /// - The money already went into a payout (its clawback was netted, or the reduced commission
    ///   was paid or is in an open payout): refused `reversal_after_payout`, nothing changed, for an
    ///   admin to credit by hand — a positive entry needs the ledger to hold one (see the README).
    /// - The commission was voided for another reason (an admin, a lost dispute): the refund is
    ///   marked reversed; nothing is given back.
    ///
    /// `totalWithout` is the sale's refunded total once this refund is taken out (its own amount
    /// and the cumulative totals that counted it).
    public static func reverse(_ recorded: RecordedRefund?, sale: Money, original: Money, history: RefundHistory,
                               totalWithout: Int64, entry stored: LedgerEntry, now: Instant) -> Result<ReversalEffect, LedgerRefusal> {
        let entry = stored.current(at: now)
        guard let r = recorded else {
            return .success(ReversalEffect(entry: entry, clawback: nil, restored: 0, record: true, note: .refundReversed))
        }
        if r.reversed { return .success(ReversalEffect(entry: entry, clawback: nil, restored: 0, record: false, note: .refundAlreadyReversed)) }
        if let c = r.clawback {
            if c.payoutID != nil || c.state == .paid {
                return .failure(LedgerReason.reversalAfterPayout.refusal("its clawback #\(c.id) is in payout #\(c.payoutID.map(String.init) ?? "?")"))
            }
            var claw = c
            if c.state != .voided { claw.state = .voided; claw.reason = .refundReversed }
            let restored = c.state == .voided ? 0 : -c.amount.minor
            return .success(ReversalEffect(entry: entry, clawback: claw, restored: restored, record: true, note: .refundReversed))
        }
        let given = max(0, reduction(original: original.minor, refunded: history.total, sale: sale.minor)
                        - reduction(original: original.minor, refunded: totalWithout, sale: sale.minor))
        if entry.kind == .clawback { return .success(ReversalEffect(entry: entry, clawback: nil, restored: 0, record: true, note: .refundReversed)) }
        if entry.state == .voided {
            guard entry.reason == .refunded, totalWithout < sale.minor else {
                return .success(ReversalEffect(entry: entry, clawback: nil, restored: 0, record: true, note: .refundReversed))
            }
            var e = entry
            // Back where the voiding refund found it (the store passes that one's record); unknown (voided before v17): an admin decides.
            e.state = r.stateBefore ?? .onHold
            e.reason = r.stateBefore == nil ? .adminHold : r.reasonBefore
            e.needsApproval = r.needsApprovalBefore
            e.amount.minor = min(original.minor, e.amount.minor + given)
            return .success(ReversalEffect(entry: e.current(at: now), clawback: nil, restored: given, record: true, note: .refundReversed))
        }
        if entry.payoutID != nil || entry.state == .paid {
            if given == 0 { return .success(ReversalEffect(entry: entry, clawback: nil, restored: 0, record: true, note: .refundReversed)) }
            return .failure(LedgerReason.reversalAfterPayout.refusal("the commission is in payout #\(entry.payoutID.map(String.init) ?? "?")"))
        }
        var e = entry
        e.amount.minor = min(original.minor, e.amount.minor + given)
        return .success(ReversalEffect(entry: e, clawback: nil, restored: given, record: true, note: .refundReversed))
    }
}
