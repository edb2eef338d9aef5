import AttributionCore
import GRDB

/// The kept near-cap customers (`cap_candidate`, schema "v19-cap-candidates"): their rule follows
/// the program's caps, the Caps queries read them when the rule is the one asked for, and the
/// consistency check holds them to the customer table.
extension Store {
    /// The count and amount thresholds `cap_candidate` is kept for, as the core derives them from
    /// the caps (they do not move with the clock; the months threshold does and is never kept).
    static func keptThresholds(_ caps: Caps) -> KeptCapRule {
        let t = caps.nearThresholds(now: Instant(seconds: 0))
        return KeptCapRule(commissions: t.commissions, commissionMinor: t.commissionMinor)
    }

    /// The rule `cap_candidate` holds now (nil when the row is missing: then it is no rule anyone
    /// wants, so every comparison with a wanted rule says "not this one"). Every Caps page and count
    /// asks (`keptCandidatesServe`): the statement is prepared once per connection and kept, and
    /// the one-row table's page stays in the cache, so an ask costs a step of a prepared statement
    /// (remembering the rule per `PRAGMA data_version` would cost that pragma's read on each ask,
    /// and a reader's data_version is its own connection's).
    static func capCandidateRule(_ db: Database) throws -> KeptCapRule? {
        let rule = try db.cachedStatement(sql: "SELECT conversions, commission_minor FROM cap_candidate_rule WHERE id = 1")
        guard let r = try Row.fetchOne(rule) else {
            return nil
        }
        return KeptCapRule(commissions: (r[0] as Int64?).map { Int(clamping: $0) }, commissionMinor: r[1] as Int64?)
    }

    /// Called in the transaction that saves the settings: when the caps' thresholds moved (or the
    /// rule row is missing), the rule is written and the candidates refilled from the customer
    /// table's indexes.
    static func followCaps(_ db: Database, _ caps: Caps) throws {
        let want = keptThresholds(caps)
        if try capCandidateRule(db) == want { return }
        try db.execute(sql: """
            INSERT INTO cap_candidate_rule (id, conversions, commission_minor) VALUES (1, ?, ?)
              ON CONFLICT (id) DO UPDATE SET conversions = excluded.conversions, commission_minor = excluded.commission_minor
            """, arguments: [want.commissions, want.commissionMinor])
        try db.execute(sql: "DELETE FROM cap_candidate")
        try db.execute(sql: CapCandidateSchema.fill)
    }

    /// After opening a writable store (and migrating it): the rule follows the program's caps if
    /// it does not yet (the v19 migration leaves it empty), read first so that an open that has
    /// nothing to do takes no write lock.
    func followStoredCaps() throws {
        let stale = try read { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM program WHERE id = 1)") == true else { return false }
            return try Store.capCandidateRule(db) != Store.keptThresholds(loadSettings(db).caps)
        }
        if stale { try pool.write { db in try Store.followCaps(db, loadSettings(db).caps) } }
    }

    /// Whether `cap_candidate` holds the Caps query `n`'s count and amount part: the kept rule is
    /// exactly the thresholds asked for. Without a months cap the kept table is then the whole list;
    /// with one, the rest is the active customers near the months threshold alone (`capsWithMonths`).
    static func keptRuleServes(_ db: Database, _ n: NearCaps) throws -> Bool {
        try capCandidateRule(db) == KeptCapRule(commissions: n.commissions, commissionMinor: n.commissionMinor)
    }

    /// Whether the Caps query `n` is answered by `cap_candidate` alone: no months cap, a count or
    /// amount cap, and the kept rule is exactly the thresholds asked for (else the customer table's
    /// way, `nearCapsMatch`, or with a months cap `capsWithMonths`).
    static func keptCandidatesServe(_ db: Database, _ n: NearCaps) throws -> Bool {
        guard n.firstCommissionBefore == nil, n.commissions != nil || n.commissionMinor != nil else { return false }
        return try keptRuleServes(db, n)
    }

    /// The consistency check's part: the rule is the settings', and `cap_candidate` holds exactly
    /// the customers the rule names, each with the customer's own values.
    static func capCandidateProblems(_ db: Database, _ settings: ProgramSettings?, limit: Int) throws -> [String] {
        var problems: [String] = []
        let rule = try capCandidateRule(db)
        if let s = settings {
            let want = keptThresholds(s.caps)
            if rule != want {
                func text(_ c: Int?, _ m: Int64?) -> String {
                    "\(c.map(String.init) ?? "no") commissions and \(m.map(String.init) ?? "no") minor units"
                }
                let kept = rule.map { text($0.commissions, $0.commissionMinor) } ?? "no rule"
                problems.append("cap candidates are kept for \(kept), but the caps' thresholds are \(text(want.commissions, want.commissionMinor))")
            }
        }
        for sql in capCandidateQueries { problems += try String.fetchAll(db, sql: sql, arguments: [limit]) }
        return problems
    }

    static let capCandidateQueries = [
        """
            SELECT 'cap candidate #' || k.customer_id || CASE WHEN c.id IS NULL THEN ' has no customer'
              WHEN NOT \(CapCandidateSchema.near("c.")) THEN ' (' || c.key || ') is not near a cap'
              ELSE ' (' || c.key || ') differs from its customer row' END
            FROM cap_candidate k LEFT JOIN customer c ON c.id = k.customer_id
            WHERE c.id IS NULL OR NOT \(CapCandidateSchema.near("c.")) OR k.key IS NOT c.key OR k.affiliate_id IS NOT c.affiliate_id
               OR k.number IS NOT c.number OR k.status IS NOT c.status OR k.conversions IS NOT c.conversions
               OR k.commission_minor IS NOT c.commission_minor
            ORDER BY k.customer_id LIMIT ?
            """,
        """
            SELECT 'customer ' || c.key || ' is near a cap but not a kept cap candidate' FROM customer c
            WHERE \(CapCandidateSchema.near("c.")) AND NOT EXISTS (SELECT 1 FROM cap_candidate k WHERE k.customer_id = c.id)
            ORDER BY c.id LIMIT ?
            """,
    ]
}

/// The thresholds `cap_candidate` is kept for (`cap_candidate_rule`): a customer is kept when capped,
/// or active with at least `commissions` conversions or `commissionMinor` commission (nil: no such cap).
struct KeptCapRule: Equatable {
    var commissions: Int?
    var commissionMinor: Int64?
}
