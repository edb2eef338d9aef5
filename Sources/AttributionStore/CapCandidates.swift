import AttributionCore
import GRDB

/// The kept near-cap customers (`cap_candidate`, schema "v19-cap-candidates"): their rule follows
/// the program's caps, the Caps queries read them when the rule is the one asked for, and the
/// consistency check holds them to the customer table.
extension Store {
    /// The thresholds `cap_candidate` is kept for at `now`, as the core derives them from the caps:
    /// the count and amount ones, and the months one as the cutoff of the customers kept for it.
    static func keptThresholds(_ caps: Caps, now: Instant) -> KeptCapRule {
        let t = caps.nearThresholds(now: now)
        return KeptCapRule(commissions: t.commissions, commissionMinor: t.commissionMinor,
                           firstCommissionBefore: t.firstCommissionBefore?.seconds)
    }

    /// The rule `cap_candidate` holds now (nil when the row is missing: then it is no rule anyone
    /// wants, so every comparison with a wanted rule says "not this one"). Every Caps page and count
    /// asks (`keptCandidatesServe`): the statement is prepared once per connection and kept, and
    /// the one-row table's page stays in the cache, so an ask costs a step of a prepared statement
    /// (remembering the rule per `PRAGMA data_version` would cost that pragma's read on each ask,
    /// and a reader's data_version is its own connection's).
    static func capCandidateRule(_ db: Database) throws -> KeptCapRule? {
        let rule = try db.cachedStatement(sql: "SELECT conversions, commission_minor, first_commission_before FROM cap_candidate_rule WHERE id = 1")
        guard let r = try Row.fetchOne(rule) else {
            return nil
        }
        return KeptCapRule(commissions: (r[0] as Int64?).map { Int(clamping: $0) }, commissionMinor: r[1] as Int64?,
                           firstCommissionBefore: r[2] as Int64?)
    }

    /// Called in the transaction that saves the settings, and on opening a writable store: the
    /// rule follows the caps at `now`. The same count and amount thresholds with another months
    /// cutoff: the active customers between the two cutoffs are added (moving forward) or those of
    /// them near by months alone removed (moving back: a longer cap, no months cap, a clock behind),
    /// a range of an index either way. Another threshold or a missing row: the rule is written and
    /// the candidates refilled from the customer table's indexes.
    static func followCaps(_ db: Database, _ caps: Caps, now: Instant) throws {
        let want = keptThresholds(caps, now: now), have = try capCandidateRule(db)
        if have == want { return }
        if let have, have.keepsCountAndAmount(of: want) {
            let from = have.firstCommissionBefore ?? .min, to = want.firstCommissionBefore ?? .min
            try db.execute(sql: from < to ? CapMonthsKeptSchema.addMonths : CapMonthsKeptSchema.removeMonths,
                           arguments: [min(from, to), max(from, to)])
            try db.execute(sql: "UPDATE cap_candidate_rule SET first_commission_before = ? WHERE id = 1", arguments: [want.firstCommissionBefore])
            return
        }
        try db.execute(sql: """
            INSERT INTO cap_candidate_rule (id, conversions, commission_minor, first_commission_before) VALUES (1, ?, ?, NULL)
              ON CONFLICT (id) DO UPDATE SET conversions = excluded.conversions, commission_minor = excluded.commission_minor,
                first_commission_before = NULL
            """, arguments: [want.commissions, want.commissionMinor])
        try db.execute(sql: "DELETE FROM cap_candidate")
        try db.execute(sql: CapCandidateSchema.fill)
        if let to = want.firstCommissionBefore {
            try db.execute(sql: CapMonthsKeptSchema.addMonths, arguments: [Int64.min, to])
            try db.execute(sql: "UPDATE cap_candidate_rule SET first_commission_before = ? WHERE id = 1", arguments: [to])
        }
    }

    /// After opening a writable store (and migrating it): the rule follows the program's caps at
    /// the clock's time if it does not yet (the v19 migration leaves it empty, v24 the months
    /// cutoff), read first so that an open that has nothing to do takes no write lock. A months
    /// cutoff less than `monthsCutoffSlack` behind is left (the few customers in between are merged).
    func followStoredCaps() throws {
        let now = clock.now()
        let stale = try read { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM program WHERE id = 1)") == true else { return false }
            let want = Store.keptThresholds(try loadSettings(db).caps, now: now)
            guard var have = try Store.capCandidateRule(db) else { return true }
            if let h = have.firstCommissionBefore, let w = want.firstCommissionBefore, h <= w, w - h < Store.monthsCutoffSlack {
                have.firstCommissionBefore = w
            }
            return have != want
        }
        if stale { try pool.write { db in try Store.followCaps(db, loadSettings(db).caps, now: now) } }
    }

    /// How far (seconds) the kept months cutoff may lag the threshold before an open moves it.
    static let monthsCutoffSlack: Int64 = 3_600

    /// Whether `cap_candidate` holds the Caps query `n`'s count and amount part: the kept rule is
    /// exactly the thresholds asked for, and its months cutoff is none when `n` has no months cap,
    /// else at or before `n`'s threshold. Then the rest of the list is the active customers between
    /// the cutoff and the threshold alone (`capsWithMonths`); the kept cutoff (nil: none) is returned.
    static func keptRuleServes(_ db: Database, _ n: NearCaps) throws -> (serves: Bool, cutoff: Int64?) {
        guard let rule = try capCandidateRule(db), rule.keepsCountAndAmount(of: KeptCapRule(commissions: n.commissions, commissionMinor: n.commissionMinor))
        else { return (false, nil) }
        guard let f = n.firstCommissionBefore else { return (rule.firstCommissionBefore == nil, nil) }
        guard let cut = rule.firstCommissionBefore else { return (true, nil) }
        return (cut <= f.seconds, cut)
    }

    /// Whether the Caps query `n` is answered by `cap_candidate` alone: a cap, and the kept rule is
    /// exactly the thresholds asked for, a months cutoff included (else the customer table's way,
    /// `nearCapsMatch`, or with a months cap `capsWithMonths`).
    static func keptCandidatesServe(_ db: Database, _ n: NearCaps) throws -> Bool {
        guard n.commissions != nil || n.commissionMinor != nil || n.firstCommissionBefore != nil else { return false }
        return try capCandidateRule(db) == KeptCapRule(commissions: n.commissions, commissionMinor: n.commissionMinor,
                                                        firstCommissionBefore: n.firstCommissionBefore?.seconds)
    }

    /// The consistency check's part: the rule is the settings', and `cap_candidate` holds exactly
    /// the customers the rule names, each with the customer's own values.
    static func capCandidateProblems(_ db: Database, _ settings: ProgramSettings?, limit: Int) throws -> [String] {
        var problems: [String] = []
        let rule = try capCandidateRule(db)
        if let s = settings {
            // The months cutoff moves with the clock: only whether there is one is the settings'.
            var want = keptThresholds(s.caps, now: Instant(seconds: 0))
            want.firstCommissionBefore = want.firstCommissionBefore == nil ? nil : rule?.firstCommissionBefore
            if rule != want || (s.caps.months != nil) != (rule?.firstCommissionBefore != nil) {
                func text(_ c: Int?, _ m: Int64?) -> String {
                    "\(c.map(String.init) ?? "no") commissions and \(m.map(String.init) ?? "no") minor units"
                }
                func months(_ cut: Int64?) -> String { cut == nil ? "" : " and a months cutoff" }
                let kept = rule.map { text($0.commissions, $0.commissionMinor) + months($0.firstCommissionBefore) } ?? "no rule"
                let caps = text(want.commissions, want.commissionMinor) + (s.caps.months == nil ? "" : " and a months cap")
                problems.append("cap candidates are kept for \(kept), but the caps' thresholds are \(caps)")
            }
        }
        for sql in capCandidateQueries { problems += try String.fetchAll(db, sql: sql, arguments: [limit]) }
        return problems
    }

    static let capCandidateQueries = [
        """
            SELECT 'cap candidate #' || k.customer_id || CASE WHEN c.id IS NULL THEN ' has no customer'
              WHEN NOT \(CapMonthsKeptSchema.near("c.")) THEN ' (' || c.key || ') is not near a cap'
              ELSE ' (' || c.key || ') differs from its customer row' END
            FROM cap_candidate k LEFT JOIN customer c ON c.id = k.customer_id
            WHERE c.id IS NULL OR NOT \(CapMonthsKeptSchema.near("c.")) OR k.key IS NOT c.key OR k.affiliate_id IS NOT c.affiliate_id
               OR k.number IS NOT c.number OR k.status IS NOT c.status OR k.conversions IS NOT c.conversions
               OR k.commission_minor IS NOT c.commission_minor
            ORDER BY k.customer_id LIMIT ?
            """,
        """
            SELECT 'customer ' || c.key || ' is near a cap but not a kept cap candidate' FROM customer c
            WHERE \(CapMonthsKeptSchema.near("c.")) AND NOT EXISTS (SELECT 1 FROM cap_candidate k WHERE k.customer_id = c.id)
            ORDER BY c.id LIMIT ?
            """,
    ]
}

/// The thresholds `cap_candidate` is kept for (`cap_candidate_rule`): a customer is kept when capped,
/// or active with at least `commissions` conversions or `commissionMinor` commission (nil: no such cap).
/// With a months cap, also active with a first commission at or before `firstCommissionBefore`.
struct KeptCapRule: Equatable {
    var commissions: Int?
    var commissionMinor: Int64?
    var firstCommissionBefore: Int64? = nil

    /// The same count and amount thresholds as `other` (the months cutoff aside, which moves with the clock).
    func keepsCountAndAmount(of other: KeptCapRule) -> Bool {
        commissions == other.commissions && commissionMinor == other.commissionMinor
    }
}
