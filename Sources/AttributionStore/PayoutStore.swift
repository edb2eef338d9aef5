import AttributionCore
import GRDB

/// A payout batch to one affiliate, as listed.
public struct PayoutRow: Hashable, Sendable {
    public var id: Int64
    public var affiliate: String
    public var affiliateName: String
    public var email: String?
    public var amount: Money
    public var state: PayoutState
    /// Its lines: commissions and clawbacks.
    public var commissions: Int
    public var through: Instant
    public var createdAt: Instant
    public var paidAt: Instant?
    public var reference: String?
}

/// One line of a payout.
public struct PayoutLineRow: Hashable, Sendable {
    public var commissionID: Int64
    public var kind: EntryKind
    public var externalID: String
    public var amount: Money
    public var earnedAt: Instant
}

/// What a payout run did: the payouts created and the balances carried over.
public struct PayoutRun: Hashable, Sendable {
    public var created: [PayoutRow]
    public var carried: [(affiliate: String, net: Money, reason: LedgerReason)]
    public static func == (a: PayoutRun, b: PayoutRun) -> Bool { a.created == b.created && a.carried.map(\.affiliate) == b.carried.map(\.affiliate) }
    public func hash(into h: inout Hasher) { h.combine(created) }
}

extension Store {
    /// Creates the payouts of every affiliate through `through` (the core's `Payouts.plan`), in one
    /// transaction: each payout's lines, its entries reserved for it, and an audit entry per payout.
    public func createPayouts(through: Instant, minimum: Money?, who: String) throws -> PayoutRun {
        let now = clock.now()
        return try write { db in
            try self.settleLedger(db, now: now)
            let payable = try Row.fetchAll(db, sql: """
                SELECT id, kind, affiliate_id, amount_minor, currency, earned_at FROM commission
                WHERE state = 'approved' AND payout_id IS NULL ORDER BY id
                """).map { r in
                PayableEntry(id: r["id"], kind: EntryKind(rawValue: r["kind"]) ?? .commission, affiliateID: r["affiliate_id"],
                             amount: Money(minor: r["amount_minor"], currency: Currency(validated: r["currency"])),
                             earnedAt: Instant(seconds: r["earned_at"]))
            }
            let amounts = Dictionary(uniqueKeysWithValues: payable.map { ($0.id, $0.amount.minor) })
            let plan = Payouts.plan(payable, through: through, minimum: minimum)
            var ids: [Int64] = []
            for p in plan.payouts {
                let settled = Payouts.settlesAtOnce(p)
                try db.execute(sql: "INSERT INTO payout (affiliate_id, amount_minor, currency, state, through, created_at, paid_at) VALUES (?,?,?,?,?,?,?)",
                               arguments: [p.affiliateID, p.amount.minor, p.amount.currency.code, settled ? "paid" : "open", through.seconds,
                                           now.seconds, settled ? now.seconds : nil])
                let id = db.lastInsertedRowID
                ids.append(id)
                for e in p.entryIDs {
                    try db.execute(sql: "INSERT INTO payout_line (payout_id, commission_id, amount_minor) VALUES (?,?,?)",
                                   arguments: [id, e, amounts[e] ?? 0])
                    try db.execute(sql: "UPDATE commission SET payout_id = ? WHERE id = ?", arguments: [id, e])
                }
                if settled { try db.execute(sql: "UPDATE commission SET state = 'paid', reason = NULL WHERE payout_id = ?", arguments: [id]) }
                try self.audit(db, who: who, action: "payout.create", target: "payout #\(id)", before: nil,
                               after: "\(settled ? "paid (netted to zero)" : "open") \(p.amount), \(p.entryIDs.count) lines, through \(through.dateDisplay)",
                               detail: nil)
            }
            let created = try ids.compactMap { try self.payoutRow(db, id: $0) }
            let codes = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, code FROM affiliate").map { ($0[0] as Int64, $0[1] as String) })
            return PayoutRun(created: created, carried: plan.carried.map { (codes[$0.affiliateID] ?? "#\($0.affiliateID)", $0.net, $0.reason) })
        }
    }

    /// Marks an open payout paid: its commissions are paid and its clawbacks settled.
    public func markPayoutPaid(id: Int64, reference typed: String?, who: String) throws -> PayoutRow {
        let reference: String?
        do { reference = try Payouts.parseReference(typed) } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        let now = clock.now()
        return try payoutChange(id: id, who: who, action: "payout.paid") { db, state in
            let next = try Payouts.markPaid(state)
            try db.execute(sql: "UPDATE payout SET state = ?, paid_at = ?, reference = ? WHERE id = ?", arguments: [next.rawValue, now.seconds, reference, id])
            try db.execute(sql: "UPDATE commission SET state = 'paid', reason = NULL WHERE payout_id = ?", arguments: [id])
        }
    }

    /// Cancels an open payout: its entries are free again (approved; clawbacks open).
    public func cancelPayout(id: Int64, who: String) throws -> PayoutRow {
        let now = clock.now()
        return try payoutChange(id: id, who: who, action: "payout.cancel") { db, state in
            let next = try Payouts.cancel(state)
            try db.execute(sql: "UPDATE payout SET state = ?, canceled_at = ? WHERE id = ?", arguments: [next.rawValue, now.seconds, id])
            try db.execute(sql: "UPDATE commission SET payout_id = NULL WHERE payout_id = ?", arguments: [id])
        }
    }

    /// Runs a payout's state change; a refusal by the core is thrown as `StoreError.refused`-like `LedgerRefusal`.
    private func payoutChange(id: Int64, who: String, action: String, _ body: (Database, PayoutState) throws -> Void) throws -> PayoutRow {
        try write { db in
            guard let before = try self.payoutRow(db, id: id) else { throw LedgerReason.unknownPayout.refusal("#\(id)") }
            try body(db, before.state)
            let after = try self.payoutRow(db, id: id)!
            try self.audit(db, who: who, action: action, target: "payout #\(id)", before: "\(before.state.rawValue) \(before.amount)",
                           after: "\(after.state.rawValue) \(after.amount)\(after.reference.map { " ref \($0)" } ?? "")", detail: nil)
            return after
        }
    }

    static let payoutSQL = """
        SELECT p.id, a.code, a.name, a.email, p.amount_minor, p.currency, p.state, p.through, p.created_at, p.paid_at, p.reference,
               (SELECT COUNT(*) FROM payout_line l WHERE l.payout_id = p.id) AS lines
        FROM payout p JOIN affiliate a ON a.id = p.affiliate_id
        """

    static func payoutRow(_ r: Row) -> PayoutRow {
        PayoutRow(id: r[0], affiliate: r[1], affiliateName: r[2], email: r[3], amount: Money(minor: r[4], currency: Currency(validated: r[5])),
                  state: PayoutState(rawValue: r[6]) ?? .canceled, commissions: r[11], through: Instant(seconds: r[7]),
                  createdAt: Instant(seconds: r[8]), paidAt: (r[9] as Int64?).map(Instant.init(seconds:)), reference: r[10])
    }

    func payoutRow(_ db: Database, id: Int64) throws -> PayoutRow? {
        try Row.fetchOne(db, sql: Store.payoutSQL + " WHERE p.id = ?", arguments: [id]).map(Store.payoutRow)
    }

    /// Every payout, newest first; only one affiliate's when `affiliateCode` is given.
    public func payouts(affiliateCode: String? = nil) throws -> [PayoutRow] {
        try read { db in
            if let code = affiliateCode {
                return try Row.fetchAll(db, sql: Store.payoutSQL + " WHERE a.code = ? ORDER BY p.id DESC", arguments: [code]).map(Store.payoutRow)
            }
            return try Row.fetchAll(db, sql: Store.payoutSQL + " ORDER BY p.id DESC").map(Store.payoutRow)
        }
    }

    public func payout(id: Int64) throws -> (payout: PayoutRow, lines: [PayoutLineRow])? {
        try read { db in
            guard let p = try self.payoutRow(db, id: id) else { return nil }
            let lines = try Row.fetchAll(db, sql: """
                SELECT l.commission_id, c.kind, v.external_id, l.amount_minor, c.currency, c.earned_at FROM payout_line l
                JOIN commission c ON c.id = l.commission_id JOIN conversion v ON v.id = c.conversion_id
                WHERE l.payout_id = ? ORDER BY l.commission_id
                """, arguments: [id]).map { r in
                PayoutLineRow(commissionID: r[0], kind: EntryKind(rawValue: r[1]) ?? .commission, externalID: r[2],
                              amount: Money(minor: r[3], currency: Currency(validated: r[4])), earnedAt: Instant(seconds: r[5]))
            }
            return (p, lines)
        }
    }
}
