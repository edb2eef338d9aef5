import AttributionCore
import GRDB

/// Refunds and disputes arriving from the feeds: recorded in the inbox like every event, applied
/// to the sale's commission by the ledger's rules. A payload's refunds are applied together or
/// not at all (a savepoint); a refusal changes nothing but its inbox entry.
extension UnitOfWork {
    func decideLedger(_ le: LedgerEvent) throws -> Decision {
        try facts.writePending()
        guard let externalID = try store.resolveSale(db, le.sale) else {
            return .rejected(.unknownSale, "no credited conversion for \(le.sale.joined(separator: ", "))")
        }
        var decision = Decision.accepted()
        try db.inSavepoint {
            var effects: [(String, LedgerEffect)] = []
            switch le {
            case .refund(_, let refunds, let at):
                for r in refunds {
                    switch try store.applyRefund(db, externalID: externalID, r, at: at) {
                    case .failure(let f): decision = UnitOfWork.refused(f, externalID); return .rollback
                    case .success(let fx): effects.append((r.refundID, fx))
                    }
                }
            case .dispute(_, let id, let status, let at):
                switch try store.applyDispute(db, externalID: externalID, disputeID: id, status, at: at) {
                case .failure(let f): decision = UnitOfWork.refused(f, externalID); return .rollback
                case .success(let fx): effects.append(("dispute \(id) \(status.rawValue)", fx))
                }
            }
            decision = UnitOfWork.accepted(effects, externalID)
            return .commit
        }
        return decision
    }

    static func refused(_ f: LedgerRefusal, _ externalID: String) -> Decision {
        .rejected(Reason(rawValue: f.reason.rawValue) ?? .invalidEvent, "\(externalID): \(f.detail ?? f.reason.sentence)")
    }

    /// "inv_1: re_1 commission -1.45 USD (pending 1.45 USD); clawback -2.90 USD"
    static func accepted(_ effects: [(String, LedgerEffect)], _ externalID: String) -> Decision {
        var d = Decision.accepted(detail: externalID + ": " + effects.map { name, fx in
            "\(name) commission \(fx.reduction < 0 ? "+" : "-")\(Money(minor: abs(fx.reduction), currency: fx.entry.amount.currency)) (\(Store.describe(fx.entry)))"
                + (fx.clawback.map { "; clawback \($0)" } ?? "")
        }.joined(separator: "; "))
        d.affiliateID = effects.first?.1.entry.affiliateID
        let notes = effects.compactMap { $0.1.note.flatMap { Reason(rawValue: $0.rawValue) } }
        if notes.count == effects.count { d.notes = Array(Set(notes)).sorted { $0.rawValue < $1.rawValue } }
        if effects.contains(where: { $0.1.note == .disputeOnPaid }) { d.notes = [.disputeOnPaid] }
        return d
    }
}

extension Store {
    /// The external id of the credited conversion the identifiers lead to: one of them itself, a
    /// conversion an inbox event mentioning one of them created (a Stripe invoice event names its
    /// charge and payment intent), or a conversion named by an event that mentions one of them
    /// (a Stripe `invoice_payment` links a payment intent to its invoice). Nil when none does.
    func resolveSale(_ db: Database, _ refs: [String]) throws -> String? {
        for r in refs {
            if try String.fetchOne(db, sql: "SELECT external_id FROM conversion WHERE external_id = ?", arguments: [r]) != nil { return r }
        }
        for r in refs {
            if let ext = try String.fetchOne(db, sql: """
                SELECT v.external_id FROM event_ref x JOIN event e ON e.id = x.event_id JOIN conversion v ON v.id = e.conversion_id
                WHERE x.ref = ? ORDER BY e.id LIMIT 1
                """, arguments: [r]) { return ext }
        }
        for r in refs {
            if let ext = try String.fetchOne(db, sql: """
                SELECT v.external_id FROM event_ref x JOIN event_ref y ON y.event_id = x.event_id JOIN conversion v ON v.external_id = y.ref
                WHERE x.ref = ? ORDER BY x.event_id LIMIT 1
                """, arguments: [r]) { return ext }
        }
        return nil
    }
}
