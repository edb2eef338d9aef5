/// The ledger's invariants, checked by `consistencyProblems` with the others: one query each, a
/// sentence per row at fault, at most `?` rows.
extension Store {
    static let ledgerInvariantQueries: [String] = [
        // L1. Every credited conversion has exactly one commission entry.
        """
            SELECT 'conversion ' || v.external_id || ' has ' || COUNT(c.id) || ' commission entries, not 1'
            FROM conversion v LEFT JOIN commission c ON c.conversion_id = v.id AND c.kind = 'commission'
            GROUP BY v.id HAVING COUNT(c.id) != 1 ORDER BY v.id LIMIT ?
            """,
        // L2. A commission is in at most one payout that is not canceled.
        """
            SELECT 'commission #' || l.commission_id || ' is in ' || COUNT(*) || ' payouts'
            FROM payout_line l JOIN payout p ON p.id = l.payout_id WHERE p.state != 'canceled'
            GROUP BY l.commission_id HAVING COUNT(*) > 1 ORDER BY l.commission_id LIMIT ?
            """,
        // L3. An entry's payout is a payout that lists it and is not canceled; a paid payout's entries are paid, an open one's approved.
        """
            SELECT 'commission #' || c.id || ' (' || c.state || ') is in payout #' || c.payout_id || ' (' || COALESCE(p.state, 'missing') || ')'
            FROM commission c LEFT JOIN payout p ON p.id = c.payout_id
            WHERE c.payout_id IS NOT NULL AND (p.id IS NULL OR p.state = 'canceled'
                  OR (p.state = 'paid') != (c.state = 'paid') OR (p.state = 'open' AND c.state != 'approved')
                  OR NOT EXISTS (SELECT 1 FROM payout_line l WHERE l.payout_id = c.payout_id AND l.commission_id = c.id))
            ORDER BY c.id LIMIT ?
            """,
        """
            SELECT 'commission #' || c.id || ' is paid but in no payout' FROM commission c
            WHERE c.state = 'paid' AND c.payout_id IS NULL ORDER BY c.id LIMIT ?
            """,
        // L4. A payout's amount is the sum of its lines, and each line the amount of its entry.
        """
            SELECT 'payout #' || p.id || ' is ' || p.amount_minor || ' but its lines sum to ' || COALESCE(s.total, 0)
            FROM payout p LEFT JOIN (SELECT payout_id, SUM(amount_minor) AS total FROM payout_line GROUP BY payout_id) s ON s.payout_id = p.id
            WHERE p.amount_minor != COALESCE(s.total, 0) ORDER BY p.id LIMIT ?
            """,
        """
            SELECT 'payout #' || l.payout_id || ' pays ' || l.amount_minor || ' for commission #' || c.id || ' worth ' || c.amount_minor
            FROM payout_line l JOIN payout p ON p.id = l.payout_id JOIN commission c ON c.id = l.commission_id
            WHERE p.state != 'canceled' AND l.amount_minor != c.amount_minor ORDER BY l.payout_id LIMIT ?
            """,
        // L5. Refunds in force never exceed the sale (a reversed refund, and what a cumulative total counted of
        // one, are out), and never take back more than the commission (net of what reversals gave back).
        """
            SELECT 'conversion ' || v.external_id || ' is ' || v.amount_minor || ' but ' || max(COALESCE(s.by_id, 0), COALESCE(s.cumulative, 0))
              || ' was refunded'
            FROM conversion v JOIN (SELECT conversion_id, SUM(CASE WHEN cumulative = 0 AND reversed_at IS NULL THEN sale_minor END) AS by_id,
                                           MAX(CASE WHEN cumulative = 1 THEN sale_minor - lowered_minor END) AS cumulative
                                    FROM refund GROUP BY conversion_id) s ON s.conversion_id = v.id
            WHERE max(COALESCE(s.by_id, 0), COALESCE(s.cumulative, 0)) > v.amount_minor ORDER BY v.id LIMIT ?
            """,
        """
            SELECT 'conversion ' || v.external_id || ': refunds took back ' || s.taken || ' of a commission of ' || c.original_minor
            FROM conversion v JOIN commission c ON c.conversion_id = v.id AND c.kind = 'commission'
            JOIN (SELECT conversion_id, SUM(commission_minor - restored_minor) AS taken FROM refund GROUP BY conversion_id) s
              ON s.conversion_id = v.id
            WHERE s.taken > c.original_minor ORDER BY v.id LIMIT ?
            """,
        // L6. The affiliate view's sums per month, currency and state (v14) are the ledger's. Each
        //     side through the other's key (a FULL OUTER JOIN compared every row with every other one).
        """
            WITH s AS MATERIALIZED (
              SELECT affiliate_id, \(LedgerViewsSchema.month("")) AS month, currency, \(LedgerViewsSchema.bucket("")) AS bucket,
                     COUNT(*) AS n, TOTAL(amount_minor) AS amount
              FROM commission GROUP BY 1, 2, 3, 4)
            SELECT \(ledgerMonthProblem) FROM s LEFT JOIN affiliate_ledger_month m
              ON m.affiliate_id = s.affiliate_id AND m.month = s.month AND m.currency = s.currency AND m.bucket = s.bucket
            WHERE COALESCE(m.amount_minor, 0) != s.amount OR COALESCE(m.entries, 0) != s.n
            UNION ALL
            SELECT \(ledgerMonthProblem) FROM affiliate_ledger_month m LEFT JOIN s
              ON s.affiliate_id = m.affiliate_id AND s.month = m.month AND s.currency = m.currency AND s.bucket = m.bucket
            WHERE s.affiliate_id IS NULL AND (m.amount_minor != 0 OR m.entries != 0)
            LIMIT ?
            """,
        // L7. The maintained totals (`commission_total`) are the ledger's, per kind, stored state and currency.
        """
            SELECT 'commission totals ' || COALESCE(t.kind, r.kind) || ' ' || COALESCE(t.state, r.state) || ' ' || COALESCE(t.currency, r.currency)
              || ': kept ' || COALESCE(t.entries, 0) || ' entries ' || COALESCE(t.amount_minor, 0) || ', counted '
              || COALESCE(r.entries, 0) || ' entries ' || COALESCE(r.amount_minor, 0)
            FROM (SELECT kind, state, needs_approval, currency, TOTAL(amount_minor) AS amount_minor, COUNT(*) AS entries FROM commission
                  GROUP BY 1, 2, 3, 4) r
            FULL JOIN commission_total t ON t.kind = r.kind AND t.state = r.state AND t.needs_approval = r.needs_approval AND t.currency = r.currency
            WHERE COALESCE(t.entries, 0) != COALESCE(r.entries, 0) OR COALESCE(t.amount_minor, 0) != COALESCE(r.amount_minor, 0)
            LIMIT ?
            """,
        // L8. The kept pending amounts per day of `approves_at` (`commission_pending_day`) are the ledger's stored pending entries.
        """
            SELECT 'commission pending day ' || COALESCE(t.day, r.day) || ' ' || COALESCE(t.needs_approval, r.needs_approval) || ' '
              || COALESCE(t.currency, r.currency) || ': kept ' || COALESCE(t.entries, 0) || ' entries ' || COALESCE(t.amount_minor, 0)
              || ', counted ' || COALESCE(r.entries, 0) || ' entries ' || COALESCE(r.amount_minor, 0)
            FROM (SELECT \(CommissionPendingDaySchema.day("approves_at")) AS day, needs_approval, currency, TOTAL(amount_minor) AS amount_minor,
                         COUNT(*) AS entries
                  FROM commission WHERE state = 'pending' GROUP BY 1, 2, 3) r
            FULL JOIN commission_pending_day t ON t.day = r.day AND t.needs_approval = r.needs_approval AND t.currency = r.currency
            WHERE COALESCE(t.entries, 0) != COALESCE(r.entries, 0) OR COALESCE(t.amount_minor, 0) != COALESCE(r.amount_minor, 0)
            LIMIT ?
            """,
    ]

    /// The sentence for an affiliate's month, currency and bucket whose kept sums (`m`) differ from
    /// the ledger's (`s`).
    static let ledgerMonthProblem = """
        'affiliate #' || COALESCE(m.affiliate_id, s.affiliate_id) || ' ' || COALESCE(m.month, s.month) || ' '
          || COALESCE(m.currency, s.currency) || ' ' || COALESCE(m.bucket, s.bucket) || ': the sums say ' || COALESCE(m.amount_minor, 0)
          || ' in ' || COALESCE(m.entries, 0) || ' entries, the ledger ' || COALESCE(s.amount, 0) || ' in ' || COALESCE(s.n, 0)
        """
}
