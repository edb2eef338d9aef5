/// The refunds recorded for one sale, in the sale's minor units. Two kinds of records, so that a
/// refund is never counted twice whichever way it arrives: refunds by their own id (a Stripe
/// `re_...`, a WooCommerce refund, a tracking `refund_id`), and cumulative totals (Stripe's
/// `charge.amount_refunded`, which counts every refund of the charge). The sale's refunded total is
/// the larger of the two sums, so a `refund.created` and the `charge.refunded` for the same refund,
/// in either order, count it once.
public struct RefundHistory: Hashable, Sendable {
    /// Sale minor units refunded, per refund id.
    public var byID: [String: Int64]
    /// The highest cumulative total seen (a total no higher is a retry).
    public var cumulative: Int64
    /// The highest cumulative total once the reversed refunds it counted are taken out; nil: `cumulative`.
    public var cumulativeInForce: Int64?
    /// Refund ids reversed (failed or canceled): never applied again.
    public var reversed: Set<String>
    public init(byID: [String: Int64] = [:], cumulative: Int64 = 0, cumulativeInForce: Int64? = nil, reversed: Set<String> = []) {
        self.byID = byID; self.cumulative = cumulative; self.cumulativeInForce = cumulativeInForce; self.reversed = reversed
    }
    public static let none = RefundHistory()

    /// What was refunded of the sale so far. The amounts are each within the sale, so the sum of
    /// a few can not overflow; it saturates all the same.
    public var total: Int64 { max(byID.values.saturatingSum(), cumulativeInForce ?? cumulative) }
}

/// A refund as a source sends it.
public struct RefundRequest: Hashable, Sendable {
    public enum Amount: Hashable, Sendable {
        /// Everything not refunded yet.
        case full
        /// This refund's own amount.
        case partial(Money)
        /// The sale's refunded total so far (Stripe `amount_refunded`).
        case cumulative(Money)
        /// The refund failed or was canceled: what it took is given back (`Refunds.reverse`).
        case reversed
    }
    /// The refund's own id; for a cumulative total, the charge's (the record is keyed by the total).
    public var refundID: String
    public var amount: Amount
    public init(refundID: String, amount: Amount) { self.refundID = refundID; self.amount = amount }
}

/// What a refund, or a lost dispute, does to the ledger.
public struct LedgerEffect: Hashable, Sendable {
    /// The entry afterwards (unchanged when nothing changed).
    public var entry: LedgerEntry
    /// A negative entry to add for the affiliate: the part of a commission already in a payout
    /// that is taken back.
    public var clawback: Money?
    /// The refund record to add: its key, and the sale minor units it records (for a cumulative
    /// total, the total). Nil when nothing is recorded (a retry).
    public var record: (key: String, saleMinor: Int64, cumulative: Bool)?
    /// Commission minor units this refund takes back (from the entry or as the clawback).
    public var reduction: Int64
    /// A note when nothing changed, or why.
    public var note: LedgerReason?

    public init(entry: LedgerEntry, clawback: Money?, record: (key: String, saleMinor: Int64, cumulative: Bool)?, reduction: Int64,
                note: LedgerReason?) {
        self.entry = entry; self.clawback = clawback; self.record = record; self.reduction = reduction; self.note = note
    }

    public static func == (a: LedgerEffect, b: LedgerEffect) -> Bool {
        a.entry == b.entry && a.clawback == b.clawback && a.reduction == b.reduction && a.note == b.note
            && a.record?.key == b.record?.key && a.record?.saleMinor == b.record?.saleMinor && a.record?.cumulative == b.record?.cumulative
    }
    public func hash(into h: inout Hasher) { h.combine(entry); h.combine(reduction); h.combine(record?.key) }
}

public enum Refunds {
    /// The part of a commission `original` that a refunded total of `refunded` out of `sale` takes
    /// back: original × refunded ÷ sale, rounded half up to the minor unit (computed in 128 bits,
    /// exact). Each refund takes back the difference between this figure after it and before it,
    /// so any number of partial refunds that add up to the sale take back exactly the commission.
    public static func reduction(original: Int64, refunded: Int64, sale: Int64) -> Int64 {
        guard sale > 0, original > 0, refunded > 0 else { return 0 }
        if refunded >= sale { return original }
        let product = original.multipliedFullWidth(by: refunded)
        let (q, r) = sale.dividingFullWidth(product)
        return r.magnitude * 2 >= sale.magnitude ? q + 1 : q
    }

    /// The refund applied to the sale's commission, or the refusal. Idempotent: a refund id already
    /// recorded, or a cumulative total no higher than what is recorded, changes nothing (note
    /// `refund_already_applied`). A refund never takes the sale's refunded total past the sale.
    /// A commission not in a payout is reduced in proportion (voided with `voidReason` when the sale
    /// is refunded in full); one in a payout (open or paid) stays as it is and the reduction becomes
    /// a clawback; a voided one only records the refund.
    public static func apply(_ request: RefundRequest, sale: Money, original: Money, history: RefundHistory,
                             entry stored: LedgerEntry, now: Instant,
                             voidReason: LedgerReason = .refunded) -> Result<LedgerEffect, LedgerRefusal> {
        let entry = stored.current(at: now)
        let before = history.total
        var after = before
        let record: (key: String, saleMinor: Int64, cumulative: Bool)
        if history.reversed.contains(request.refundID) {
            return .success(LedgerEffect(entry: entry, clawback: nil, record: nil, reduction: 0, note: .refundAlreadyReversed))
        }
        switch request.amount {
        case .reversed:
            // Reversals are decided by `reverse`, on what the store recorded of the refund.
            return .success(unchanged(entry))
        case .full:
            if history.byID[request.refundID] != nil { return .success(unchanged(entry)) }
            record = (request.refundID, max(0, sale.minor - before), false)
            after = sale.minor
        case .partial(let m):
            if m.currency != sale.currency { return .failure(LedgerReason.refundCurrencyMismatch.refusal("\(m.currency) for a sale in \(sale.currency)")) }
            if m.minor <= 0 { return .failure(LedgerReason.invalidRefundAmount.refusal("\(m)")) }
            if history.byID[request.refundID] != nil { return .success(unchanged(entry)) }
            var h = history
            h.byID[request.refundID] = m.minor
            if h.byID.values.saturatingSum() > sale.minor {
                return .failure(LedgerReason.refundExceedsSale.refusal("\(Money(minor: before, currency: sale.currency)) of \(sale) refunded before, \(m) more"))
            }
            record = (request.refundID, m.minor, false)
            after = h.total
        case .cumulative(let m):
            if m.currency != sale.currency { return .failure(LedgerReason.refundCurrencyMismatch.refusal("\(m.currency) for a sale in \(sale.currency)")) }
            if m.minor > sale.minor { return .failure(LedgerReason.refundExceedsSale.refusal("\(m) refunded of \(sale)")) }
            if m.minor <= history.cumulative { return .success(unchanged(entry)) }
            record = ("\(request.refundID)#\(m.minor)", m.minor, true)
            after = max(before, m.minor)
        }
        let taken = reduction(original: original.minor, refunded: after, sale: sale.minor)
            - reduction(original: original.minor, refunded: before, sale: sale.minor)
        var fx = effect(of: taken, on: entry, full: after >= sale.minor, voidReason: voidReason, record: record)
        // Counted before under another key (its refund id, or a cumulative total): recorded, nothing taken again.
        if after == before && fx.note == nil { fx.note = .refundAlreadyApplied }
        return .success(fx)
    }

    static func unchanged(_ e: LedgerEntry) -> LedgerEffect {
        LedgerEffect(entry: e, clawback: nil, record: nil, reduction: 0, note: .refundAlreadyApplied)
    }

    static func effect(of taken: Int64, on entry: LedgerEntry, full: Bool, voidReason: LedgerReason,
                       record: (key: String, saleMinor: Int64, cumulative: Bool)) -> LedgerEffect {
        var e = entry
        if entry.state == .voided || entry.kind == .clawback {
            return LedgerEffect(entry: e, clawback: nil, record: record, reduction: 0, note: nil)
        }
        if entry.payoutID != nil || entry.state == .paid {
            let claw = taken > 0 ? Money(minor: -taken, currency: entry.amount.currency) : nil
            return LedgerEffect(entry: e, clawback: claw, record: record, reduction: taken, note: nil)
        }
        e.amount.minor = max(0, e.amount.minor - taken)
        if full {
            e.state = .voided; e.reason = voidReason; e.needsApproval = false
            e.beforeDispute = nil; e.reasonBeforeDispute = nil
        }
        return LedgerEffect(entry: e, clawback: nil, record: record, reduction: taken, note: nil)
    }
}

/// A dispute's (chargeback's) status, as the source sends it.
public enum DisputeStatus: String, CaseIterable, Sendable, Codable {
    case opened, won, lost
}

public enum Disputes {
    /// The dispute applied to the sale's commission. Opened: the commission goes on hold
    /// `dispute_open`, remembering where it was (one already paid or in a payout stays, note
    /// `dispute_on_paid`). Won: back to where it was. Lost: like a full refund keyed
    /// `dispute:ID` — voided `disputed`, or the unpaid-back part clawed back if it was in a payout.
    /// Idempotent: a status already recorded, or any status after the dispute closed, changes
    /// nothing (note `dispute_already_recorded`).
    public static func apply(_ status: DisputeStatus, disputeID: String, recorded: DisputeStatus?, sale: Money, original: Money,
                             history: RefundHistory, entry stored: LedgerEntry, now: Instant) -> Result<LedgerEffect, LedgerRefusal> {
        let entry = stored.current(at: now)
        if recorded == status || recorded == .won || recorded == .lost {
            return .success(LedgerEffect(entry: entry, clawback: nil, record: nil, reduction: 0, note: .disputeAlreadyRecorded))
        }
        var e = entry
        switch status {
        case .opened:
            if entry.state == .voided || entry.kind == .clawback {
                return .success(LedgerEffect(entry: e, clawback: nil, record: nil, reduction: 0, note: nil))
            }
            if entry.state == .paid || entry.payoutID != nil {
                return .success(LedgerEffect(entry: e, clawback: nil, record: nil, reduction: 0, note: .disputeOnPaid))
            }
            e.beforeDispute = stored.state; e.reasonBeforeDispute = stored.reason
            e.state = .onHold; e.reason = .disputeOpen
            return .success(LedgerEffect(entry: e, clawback: nil, record: nil, reduction: 0, note: nil))
        case .won:
            if entry.isDisputed { e = restored(entry).current(at: now) }
            return .success(LedgerEffect(entry: e, clawback: nil, record: nil, reduction: 0, note: nil))
        case .lost:
            let base = entry.isDisputed ? restored(entry).current(at: now) : entry
            return Refunds.apply(RefundRequest(refundID: "dispute:\(disputeID)", amount: .full), sale: sale, original: original,
                                 history: history, entry: base, now: now, voidReason: .disputed)
        }
    }

    static func restored(_ e: LedgerEntry) -> LedgerEntry {
        var r = e
        r.state = e.beforeDispute ?? .pending
        r.reason = e.reasonBeforeDispute
        r.beforeDispute = nil; r.reasonBeforeDispute = nil
        return r
    }
}
