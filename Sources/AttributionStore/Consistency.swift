import AttributionCore
import GRDB

/// Checks that hold in every committed state of the database, whatever was interrupted: every
/// event is either fully applied with all of its effects or absent. Used by the kill-safety tests
/// and useful after restoring a backup. Reads only.
extension Store {
    /// Every broken invariant as a sentence naming the rows at fault; empty when all hold. At most
    /// `limit` problems are reported per check. `progress` is told which check starts (each takes
    /// seconds to a minute at a million customers); memory stays bounded whatever the size.
    public func consistencyProblems(limit: Int = 20, progress: ((String) -> Void)? = nil) throws -> [String] {
        try read { db in
            progress?("conversions and their inbox events")
            var problems = try Store.conversionEventProblems(db, limit: limit)
            let groups = [("invariants", Store.invariantQueries), ("kept aggregates", Store.aggregateQueries),
                          ("ledger", Store.ledgerInvariantQueries)]
            for (name, queries) in groups {
                for (i, sql) in queries.enumerated() {
                    progress?("\(name) (\(i + 1) of \(queries.count))")
                    problems += try String.fetchAll(db, sql: sql, arguments: [limit])
                }
            }
            progress?("cap candidates")
            problems += try Store.capCandidateProblems(db, try? self.loadSettings(db), limit: limit)
            return problems
        }
    }

    /// 1. A received conversion has exactly one inbox event, accepted, of its external id; a
    ///    conversion entered by hand has none; no event links to a missing conversion. One merge of
    ///    the conversions in id order with the linked events sorted by conversion (SQLite's sorter,
    ///    which spills to disk): memory bounded, where a dictionary of every linked event took
    ///    gigabytes at a million customers.
    static func conversionEventProblems(_ db: Database, limit: Int) throws -> [String] {
        var out: [String] = [], missing: [String] = []
        let events = try Row.fetchCursor(db, sql: """
            SELECT conversion_id, id, outcome, kind, external_id FROM event WHERE conversion_id IS NOT NULL
            ORDER BY conversion_id, id
            """)
        var next = try events.next().map(LinkedEvent.init)
        // The events linked to conversion `id` (the first of them and how many), after naming those
        // before it, whose conversion is missing; nil: every event left.
        func linked(to id: Int64?) throws -> (first: LinkedEvent?, count: Int) {
            while let e = next, id.map({ e.conversionID < $0 }) ?? true {
                let text = "events link to missing conversion id \(e.conversionID)"
                if missing.count < limit, missing.last != text { missing.append(text) }
                next = try events.next().map(LinkedEvent.init)
            }
            var first: LinkedEvent?, count = 0
            while let e = next, e.conversionID == id {
                first = first ?? e
                count += 1
                next = try events.next().map(LinkedEvent.init)
            }
            return (first, count)
        }
        let convs = try Row.fetchCursor(db, sql: "SELECT id, external_id, manual FROM conversion ORDER BY id")
        while let r = try convs.next() {
            let id: Int64 = r[0], ext: String = r[1], manual: Bool = r[2]
            let (first, count) = try linked(to: id)
            guard out.count < limit else { continue }
            if manual {
                if count > 0 { out.append("manual conversion \(ext) is linked to \(count) inbox event(s)") }
            } else if count != 1 {
                out.append("conversion \(ext) is linked to \(count) inbox events, not 1")
            } else if let e = first, e.outcome != "accepted" || e.kind != Event.Kind.conversion.rawValue || e.externalID != ext {
                out.append("conversion \(ext) is linked to event \(e.id) (\(e.kind ?? "no kind"), \(e.outcome), external id \(e.externalID ?? "none"))")
            }
        }
        _ = try linked(to: nil)
        return out + missing
    }

    /// An event kind as an SQL literal (the core's raw value).
    static func kindLiterals(_ kinds: Event.Kind...) -> String { kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ") }

    /// The kinds of event that may create a customer: tracking (trial, lead, signup) and a paid
    /// sign-up's conversion.
    static let customerCreators = kindLiterals(.trial, .lead, .signup, .conversion)

    /// The other invariants, one query each: a sentence per row at fault, at most `?` rows. They
    /// match on the event's kind, never on a feed's type string.
    static let invariantQueries: [String] = [
        // 2. An accepted conversion event wrote its conversion, unless it was a $0 trial.
        """
            SELECT 'accepted conversion event ' || id || ' (' || COALESCE(external_id, '?') || ') has no conversion row'
            FROM event WHERE outcome = 'accepted' AND conversion_id IS NULL AND kind = \(kindLiterals(.conversion))
              AND (note IS NULL OR ',' || note || ',' NOT LIKE '%,trial\\_no\\_commission,%' ESCAPE '\\')
            ORDER BY id LIMIT ?
            """,
        // 3. Outcomes and reasons agree.
        """
            SELECT 'event ' || id || ' is ' || outcome || ' with reason ' || COALESCE(reason, 'none')
            FROM event WHERE (outcome = 'accepted') = (reason IS NOT NULL) ORDER BY id LIMIT ?
            """,
        // 4. Each customer's counters are the sums of its conversion rows.
        """
            SELECT 'customer ' || c.key || ': ' || c.conversions || ' conversions and commission ' || c.commission_minor
              || ' stored, but ' || COALESCE(s.n, 0) || ' conversion rows summing to ' || COALESCE(s.total, 0)
            FROM customer c LEFT JOIN (SELECT customer_id, COUNT(*) AS n, SUM(commission_minor) AS total
                                       FROM conversion WHERE customer_id IS NOT NULL GROUP BY customer_id) s
              ON s.customer_id = c.id
            WHERE c.conversions != COALESCE(s.n, 0) OR c.commission_minor != COALESCE(s.total, 0)
               OR (c.conversions > 0) != (c.first_commission_at IS NOT NULL)
            ORDER BY c.id LIMIT ?
            """,
        // 5. A customer in the initial status has no conversion.
        """
            SELECT 'customer ' || key || ' is initial with ' || conversions || ' conversions'
            FROM customer WHERE status = 'initial' AND conversions > 0 ORDER BY id LIMIT ?
            """,
        // 6. Every customer was created by the first event that names it: an accepted one of its key.
        """
            SELECT 'customer ' || c.key || ' was not created by an accepted event' FROM customer c
            LEFT JOIN (SELECT customer_id, MIN(id) AS first FROM event WHERE customer_id IS NOT NULL GROUP BY customer_id) f
              ON f.customer_id = c.id
            LEFT JOIN event e ON e.id = f.first
            WHERE e.id IS NULL OR e.outcome != 'accepted'
               OR e.kind IS NULL OR e.kind NOT IN (\(customerCreators))
               OR e.customer_key IS NOT c.key
            ORDER BY c.id LIMIT ?
            """,
        // 7. Every click has exactly one accepted click event.
        """
            SELECT 'click ' || k.click_id || ' has ' || COALESCE(n.n, 0) || ' accepted click events, not 1' FROM click k
            LEFT JOIN (SELECT click_ref, COUNT(*) AS n FROM event WHERE kind = \(kindLiterals(.click)) AND outcome = 'accepted'
                       GROUP BY click_ref) n ON n.click_ref = k.click_id
            WHERE COALESCE(n.n, 0) != 1 ORDER BY k.id LIMIT ?
            """,
        """
            SELECT 'accepted click event ' || e.id || ' (' || COALESCE(e.click_ref, '?') || ') has no click row' FROM event e
            WHERE e.kind = \(kindLiterals(.click)) AND e.outcome = 'accepted'
              AND NOT EXISTS (SELECT 1 FROM click k WHERE k.click_id = e.click_ref)
            ORDER BY e.id LIMIT ?
            """,
        // 8. Customer numbers never pass the affiliate's counter (the next number is never reused).
        """
            SELECT 'affiliate ' || a.code || ' has counter ' || a.last_customer_number || ' but customer number ' || m.n
            FROM affiliate a JOIN (SELECT affiliate_id, MAX(number) AS n FROM customer GROUP BY affiliate_id) m
              ON m.affiliate_id = a.id
            WHERE m.n > a.last_customer_number ORDER BY a.id LIMIT ?
            """,
        """
            SELECT 'conversion ' || v.external_id || ' has customer number ' || v.customer_number
              || ' past affiliate ' || a.code || '''s counter ' || a.last_customer_number
            FROM conversion v JOIN affiliate a ON a.id = v.affiliate_id
            WHERE v.customer_number > a.last_customer_number ORDER BY v.id LIMIT ?
            """,
        // 8b. Each Stripe or WooCommerce reference holds its event's times, which Triage sorts its
        //     matches by (schema v25, `RefTimeSchema`).
        """
            SELECT 'reference ' || r.ref || ' of event ' || r.event_id || ' holds the times ' || COALESCE(r.at, 'none') || ' / '
              || r.received_at || ', its event ' || COALESCE(e.at, 'none') || ' / ' || e.received_at
            FROM event_ref r JOIN event e ON e.id = r.event_id
            WHERE r.at IS NOT e.at OR r.received_at != e.received_at ORDER BY r.ref, r.event_id LIMIT ?
            """,
    ]

    /// 9. The maintained aggregates (schema v7) equal what they sum, recomputed from the rows: per
    ///    affiliate its customers, conversions and earnings in the program's currency; per
    ///    affiliate, month and currency its conversions and commission; per outcome and reason
    ///    the inbox's events.
    static let aggregateQueries: [String] = [
        """
            SELECT 'affiliate ' || a.code || ': totals ' || COALESCE(t.customers, 'missing') || ' customers, '
              || COALESCE(t.conversions, '?') || ' conversions, earnings ' || COALESCE(t.earnings_minor, '?') || ' stored, but '
              || (SELECT COUNT(*) FROM customer c WHERE c.affiliate_id = a.id) || ', '
              || (SELECT COUNT(*) FROM conversion v WHERE v.affiliate_id = a.id) || ', '
              || (SELECT COALESCE(SUM(v.commission_minor), 0) FROM conversion v WHERE v.affiliate_id = a.id
                    AND v.commission_currency = (SELECT currency FROM program WHERE id = 1)) || ' counted'
            FROM affiliate a LEFT JOIN affiliate_total t ON t.affiliate_id = a.id
            WHERE t.affiliate_id IS NULL
               OR t.customers != (SELECT COUNT(*) FROM customer c WHERE c.affiliate_id = a.id)
               OR t.conversions != (SELECT COUNT(*) FROM conversion v WHERE v.affiliate_id = a.id)
               OR t.earnings_minor != (SELECT COALESCE(SUM(v.commission_minor), 0) FROM conversion v WHERE v.affiliate_id = a.id
                    AND v.commission_currency = (SELECT currency FROM program WHERE id = 1))
            ORDER BY a.id LIMIT ?
            """,
        // Each side through the other's key (a FULL OUTER JOIN of the two compared every row with
        // every other one: hours at a million customers): the counted months against the kept ones,
        // then each kept month that counts nothing.
        """
            WITH r AS MATERIALIZED (
              SELECT affiliate_id, strftime('%Y-%m', at, 'unixepoch') AS month, commission_currency AS currency,
                     COUNT(*) AS n, SUM(commission_minor) AS total
              FROM conversion GROUP BY 1, 2, 3)
            SELECT \(monthProblem) FROM r
              LEFT JOIN affiliate_month m ON m.affiliate_id = r.affiliate_id AND m.month = r.month AND m.currency = r.currency
            WHERE m.affiliate_id IS NULL OR m.conversions != r.n OR m.commission_minor != r.total
            UNION ALL
            SELECT \(monthProblem) FROM affiliate_month m
              LEFT JOIN r ON r.affiliate_id = m.affiliate_id AND r.month = m.month AND r.currency = m.currency
            WHERE r.affiliate_id IS NULL
            LIMIT ?
            """,
        """
            SELECT 'inbox ' || COALESCE(t.outcome, r.outcome) || ' ' || COALESCE(NULLIF(COALESCE(t.reason, r.reason), ''), '-') || ': '
              || COALESCE(t.events, 0) || ' events stored, but ' || COALESCE(r.n, 0) || ' counted'
            FROM event_total t FULL OUTER JOIN (
              SELECT outcome, COALESCE(reason, '') AS reason, COUNT(*) AS n FROM event GROUP BY 1, 2) r
              ON r.outcome = t.outcome AND r.reason = t.reason
            WHERE COALESCE(t.events, 0) != COALESCE(r.n, 0)
            LIMIT ?
            """,
        // Per affiliate and customer number (schema v11): the conversions it credited for that
        // number, their commission and smallest currency; and every customer has its row. One pass
        // over the conversions in the order of their index against the kept row, then each kept
        // row that counts no conversion through the same index.
        """
            SELECT * FROM (
              SELECT \(sumProblem("r.n", "r.total", "r.currency")) FROM (
                SELECT affiliate_id, customer_number AS number, COUNT(*) AS n, SUM(commission_minor) AS total,
                       MIN(commission_currency) AS currency
                FROM conversion WHERE customer_number IS NOT NULL GROUP BY 1, 2) r
              LEFT JOIN affiliate_customer_sum s ON s.affiliate_id = r.affiliate_id AND s.number = r.number
              WHERE COALESCE(s.conversions, 0) != r.n OR COALESCE(s.commission_minor, 0) != r.total
                 OR s.commission_currency IS NOT r.currency)
            UNION ALL
            SELECT * FROM (
              SELECT \(sumProblem("0", "0", "NULL")) FROM affiliate_customer_sum s
              WHERE (s.conversions != 0 OR s.commission_minor != 0 OR s.commission_currency IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM conversion v WHERE v.affiliate_id = s.affiliate_id AND v.customer_number = s.number))
            LIMIT ?
            """,
        """
            SELECT 'customer #' || c.number || ' of affiliate #' || c.affiliate_id || ' has no sums row' FROM customer c
            WHERE NOT EXISTS (SELECT 1 FROM affiliate_customer_sum s WHERE s.affiliate_id = c.affiliate_id AND s.number = c.number)
            ORDER BY c.id LIMIT ?
            """,
    ]

    /// The sentence for an affiliate's month whose kept sums (`m`) differ from the counted ones (`r`).
    static let monthProblem = """
        'affiliate #' || COALESCE(m.affiliate_id, r.affiliate_id) || ' month ' || COALESCE(m.month, r.month) || ' '
          || COALESCE(m.currency, r.currency) || ': ' || COALESCE(m.conversions, 0) || ' conversions and commission '
          || COALESCE(m.commission_minor, 0) || ' stored, but ' || COALESCE(r.n, 0) || ' summing to ' || COALESCE(r.total, 0)
        """

    /// The sentence for an affiliate's customer number whose kept sums (`s`, absent when NULL) differ
    /// from the counted `n` conversions summing to `total` in `currency` (their affiliate and number
    /// are `r`'s when `s` is absent).
    static func sumProblem(_ n: String, _ total: String, _ currency: String) -> String {
        let r = n == "0" ? "s" : "r"
        return """
            'affiliate #' || COALESCE(s.affiliate_id, \(r).affiliate_id) || ' customer #' || COALESCE(s.number, \(r).number) || ': '
              || COALESCE(s.conversions, 0) || ' conversions and commission ' || COALESCE(s.commission_minor, 0) || ' '
              || COALESCE(s.commission_currency, '-') || ' stored, but ' || \(n) || ' summing to '
              || \(total) || ' ' || COALESCE(\(currency), '-')
            """
    }

    /// An inbox event linked to a conversion, and how many events link to that conversion.
    struct LinkedEvent {
        var conversionID: Int64, id: Int64, outcome: String, kind: String?, externalID: String?
        init(_ r: Row) { (conversionID, id, outcome, kind, externalID) = (r[0], r[1], r[2], r[3], r[4]) }
    }

    /// Per table, its row count and a digest of every row in id order, leaving out the columns
    /// that record when something was written (an event's `received_at`, an affiliate's
    /// `created_at`, an audit entry's `at`). Two databases that received the same input and the
    /// same admin actions have equal digests, whenever and however often the input was ingested.
    public func contentDigest() throws -> [String: String] {
        let tables: [(String, Set<String>)] = [
            ("program", []), ("affiliate", ["created_at"]), ("click", []), ("customer", []), ("conversion", []),
            ("event", ["received_at"]), ("event_ref", ["received_at"]), ("audit", ["at"]),
        ]
        return try read { db in
            var out: [String: String] = [:]
            for (table, skip) in tables {
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                func mix(_ s: String) {
                    for b in s.utf8 { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
                    hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
                }
                let order = table == "event_ref" ? "ref, event_id" : "id"
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table) ORDER BY \(order)")
                var n = 0
                while let r = try rows.next() {
                    n += 1
                    for (column, value) in r where !skip.contains(column) {
                        mix(column)
                        mix(value.description)
                    }
                }
                out[table] = "\(n) rows, digest \(String(hash, radix: 16))"
            }
            return out
        }
    }
}
