import AttributionCore
import GRDB

/// The Caps list with a months cap. Its threshold moves with the clock, so `cap_candidate` keeps
/// the capped customers, those near the count or amount threshold, and the active customers with a
/// first commission at or before a stored cutoff (schema v24), which the store moves forward to the
/// threshold when it opens writable and when the settings are saved. The rest of the list is the
/// active customers between the cutoff and the query's threshold, near by months alone, a range of
/// their own index (schema v23, `monthsOnlyIDs`). When those are few (at most `IndexedMatch`'s
/// bound; without a stored cutoff, all the near by months alone), a page is the kept table's page
/// (its index in the sort's order) merged with the page of those few, read by id and sorted: the
/// same rows in the same order as the customer table's way (`nearCapsMatch`), which stays the
/// answer when they are many, or when the cutoff is past the query's threshold (a clock behind).
struct CapsWithMonths {
    /// `cap_candidate`'s rows (`Store.keptCapsKeyset`, with `page_t` and `page_id`).
    var kept: Keyset
    /// The active customers near the months threshold alone, by id, sorted (`page_t`, `page_id`).
    var months: Keyset

    /// One page: each list's page after the cursor, the two merged in the sort's order and cut.
    /// The lists are disjoint (the months part is what the kept table lacks), so no row comes twice.
    func sql(_ db: Database, _ page: PageRequest) throws -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        let a = try kept.sql(db, page), b = try months.sql(db, page)
        let dir = (page.direction == .forward) != kept.descending ? "ASC" : "DESC"
        return ("SELECT * FROM (\(a.sql)) UNION ALL SELECT * FROM (\(b.sql)) ORDER BY page_t \(dir), page_id \(dir) LIMIT \(max(1, page.limit))",
                a.arguments + b.arguments)
    }

    func fetch<T: FetchableRecord>(_ db: Database, _ page: PageRequest) throws -> [T] {
        let q = try sql(db, page)
        let rows = try T.fetchAll(db, sql: q.sql, arguments: StatementArguments(q.arguments))
        return page.direction == .forward ? rows : rows.reversed()
    }
}

extension Store {
    /// The Caps list `q` as the kept table merged with the few active customers near the months
    /// threshold alone and not kept, or nil: no months cap, a kept rule that is not `q`'s count and
    /// amount thresholds or whose months cutoff is past `q`'s threshold, the activity sort, or too
    /// many near by months alone after the cutoff (the customer table's way).
    func capsWithMonths(_ db: Database, _ q: CustomerQuery) throws -> CapsWithMonths? {
        guard let n = q.nearCaps, n.firstCommissionBefore != nil, let kept = keptCapsKeyset(q, merged: true),
              let ids = try Store.monthsGapIDs(db, n), try Store.areFew(db, ids) else { return nil }
        return CapsWithMonths(kept: kept, months: monthsOnlyKeyset(q, ids))
    }

    /// The active customers near `n`'s months threshold alone that the kept table lacks (those
    /// after its months cutoff), when the kept rule serves `n` with a months cap; else nil.
    static func monthsGapIDs(_ db: Database, _ n: NearCaps) throws -> (sql: String, arguments: [DatabaseValueConvertible?])? {
        guard let before = n.firstCommissionBefore else { return nil }
        let rule = try keptRuleServes(db, n)
        guard rule.serves else { return nil }
        return monthsOnlyIDs(n, before, after: rule.cutoff)
    }

    /// Whether the customers `ids` names are few enough to read row by row (`IndexedMatch`'s bound).
    static func areFew(_ db: Database, _ ids: (sql: String, arguments: [DatabaseValueConvertible?])) throws -> Bool {
        try IndexedMatch(idColumn: "c.id", ids: ids.sql, idArguments: ids.arguments, row: "1", rowArguments: []).isSparse(db)
    }

    /// The ids of the Caps list `n` from the kept table and the active customers after its months
    /// cutoff (disjoint), when the kept rule serves `n` with a months cap: counted without reading a row.
    static func keptAndMonthsIDs(_ db: Database, _ n: NearCaps) throws -> (sql: String, arguments: [DatabaseValueConvertible?])? {
        guard let months = try monthsGapIDs(db, n) else { return nil }
        return ("SELECT customer_id FROM cap_candidate UNION ALL " + months.sql, months.arguments)
    }

    /// The active customers near the months threshold alone (`ids`), with `q`'s filter, status and
    /// affiliate tested on each, sorted by `q`'s sort (`+`: from the rows read by id, never a walk of
    /// the sort's index), each with its `page_t` and `page_id`.
    func monthsOnlyKeyset(_ q: CustomerQuery, _ ids: (sql: String, arguments: [DatabaseValueConvertible?])) -> Keyset {
        let sort = "+(\(q.sort.expr))", id = q.sort == .affiliate ? "+(c.number)" : "+(c.id)"
        let select = """
            SELECT c.*, a.code AS affiliate_code, a.name AS affiliate_name, \(sort) AS page_t, \(id) AS page_id
            FROM customer c CROSS JOIN affiliate a ON a.id = c.affiliate_id
            """
        var k = Keyset(select: select, sortExpr: sort, idExpr: id, descending: q.descending)
        k.conditions.append("c.id IN (\(ids.sql))"); k.arguments += ids.arguments
        if !q.filter.isEmpty {
            let m = Store.customerMatch(q.filter)
            k.conditions.append("(\(m.row))"); k.arguments += m.rowArguments
        }
        if let s = q.status { k.conditions.append("+c.status = ?"); k.arguments.append(s.rawValue) }
        if let a = q.affiliateID { k.conditions.append("+c.affiliate_id = ?"); k.arguments.append(a) }
        return k
    }
}
