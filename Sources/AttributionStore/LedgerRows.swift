import AttributionCore
import GRDB

/// The commission entry of each conversion a write transaction credits, as the core's ledger
/// rules start it (`Ledger.credit`): written with the conversion, in the same transaction, by
/// `PendingRows`. Knows the ledger settings, the clock and the affiliates' emails (for the
/// self-referral rule).
final class LedgerRows {
    let settings: LedgerSettings
    let now: Instant
    /// The transaction's affiliates, each read on first use with its email (`AffiliateDirectory`).
    private let affiliates: FactCache

    init(_ db: Database, store: Store, affiliates: FactCache) throws {
        settings = try store.loadLedgerSettings(db)
        now = store.clock.now()
        self.affiliates = affiliates
    }

    /// The entry of a conversion just credited, as the values of `PendingRows`' commission columns.
    func entry(conversionID: Int64, _ conv: NewConversion, customerEmail: String?) throws -> [RawValue] {
        let commission = Money(minor: max(0, conv.commission.minor), currency: conv.commission.currency)
        let selfReferral = Ledger.isSelfReferral(customerEmail: customerEmail, affiliateEmail: try affiliates.affiliateEmail(id: conv.affiliateID))
        let c = Ledger.credit(commission, earnedAt: conv.at, settings: settings, selfReferral: selfReferral, now: now)
        return [.text(EntryKind.commission.rawValue), .int(conversionID), .int(conv.affiliateID), .int(commission.minor),
                .int(commission.minor), .text(commission.currency.code), .text(c.state.rawValue), .of(c.reason?.rawValue),
                .int(c.approvesAt.seconds), .of(c.needsApproval), .int(conv.at.seconds)]
    }

    static let columns = ["kind", "conversion_id", "affiliate_id", "amount_minor", "original_minor", "currency", "state", "reason",
                          "approves_at", "needs_approval", "earned_at"]
}
