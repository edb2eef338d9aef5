import AttributionCore
import GRDB

/// Which entries of the ledger a list shows: all, one state as it stands now, or the clawbacks.
public enum CommissionSelection: Hashable, Sendable {
    case all
    case state(CommissionState)
    case clawbacks
}

/// How the Commissions list sorts: by id (the order entries were written), or by signed amount.
public enum CommissionSort: Hashable, Sendable {
    case id, amount
}

/// A keyset-paged query of the ledger.
public struct CommissionListQuery: Hashable, Sendable {
    public var selection: CommissionSelection
    public var sort: CommissionSort
    public var descending: Bool
    /// An external id, customer key or affiliate code prefix (through their indexes).
    public var filter: String
    /// Only one affiliate's entries.
    public var affiliateID: Int64?
    public init(selection: CommissionSelection = .all, sort: CommissionSort = .id, descending: Bool = true, filter: String = "",
                affiliateID: Int64? = nil) {
        self.selection = selection; self.sort = sort; self.descending = descending; self.filter = filter; self.affiliateID = affiliateID
    }
}

extension CommissionRow {
    /// Where a page after this row starts, in a list sorted by `sort`.
    public func cursor(_ sort: CommissionSort) -> Cursor {
        Cursor(int: sort == .id ? id : amount.minor, id: id)
    }
}

/// The ledger's pages. A state is read as it stands now (`CommissionStanding`): a stored
/// `pending` entry whose `approves_at` has passed is approved (or on hold `approval_required`
/// when it needs an admin), so "approved" is two index walks merged (stored approved, and stored
/// pending past its date) and "pending" is the range of entries still inside their hold
/// (`commission_pending_hold`), sorted: its page's ids are picked from that covering index alone,
/// then only the page's rows are joined (not the whole range's).
extension Store {
    static let commissionListColumns = "\(Store.entryColumns), c.original_minor, c.earned_at, v.external_id, a.code, k.key AS customer_key"
    static let commissionListJoins = """
        CROSS JOIN conversion v ON v.id = c.conversion_id CROSS JOIN affiliate a ON a.id = c.affiliate_id
        LEFT JOIN customer k ON k.id = v.customer_id
        """
    static let commissionListSelect = "SELECT \(commissionListColumns) FROM commission c \(commissionListJoins)"
    /// The pending list's walk without a filter: ids (and the sort's amount) from the hold's covering index.
    static let commissionHoldIDs = "SELECT c.id, c.amount_minor FROM commission c INDEXED BY commission_pending_hold"

    /// The keyset walks whose merge is the list (one, or two for approved and on hold).
    func commissionKeysets(_ q: CommissionListQuery, now: Instant) -> [Keyset] {
        func walk(_ conditions: [String], _ arguments: [DatabaseValueConvertible?], bounded: Bool = false) -> Keyset {
            // `bounded`: the rows are a range of another index (inside their hold): sorted, not walked.
            let sort = q.sort == .id ? "c.id" : "c.amount_minor"
            let idsFirst = bounded && q.affiliateID == nil && q.filter.isEmpty
            var k = Keyset(select: idsFirst ? Store.commissionHoldIDs : Store.commissionListSelect, conditions: conditions, arguments: arguments,
                           sortExpr: bounded ? "+" + sort : sort, idExpr: bounded ? "+c.id" : "c.id", descending: q.descending)
            k.idsFirst = idsFirst
            if let a = q.affiliateID { k.conditions.append("c.affiliate_id = ?"); k.arguments.append(a) }
            if !q.filter.isEmpty { k.match = Store.commissionMatch(q.filter) }
            return k
        }
        switch q.selection {
        case .all: return [walk([], [])]
        case .clawbacks: return [walk(["c.kind = 'clawback'"], [])]
        case .state(.pending): return [walk([CommissionStanding.inHold("c.")], [now.seconds], bounded: true)]
        case .state(let s) where s == .approved || s == .onHold:
            // The stored pending entries that stand as `s` past their date. `+c.approves_at`: walk
            // the state's index in the list's order, not the hold's range.
            let past = [false, true].filter { CommissionStanding.standing(needsApproval: $0) == s }
            return [walk(["c.state = ?"], [s.rawValue])] + past.map {
                walk([CommissionStanding.due("c.", column: "+c.approves_at"), "c.needs_approval = ?"], [now.seconds, $0])
            }
        case .state(let s): return [walk(["c.state = ?"], [s.rawValue])]
        }
    }

    static func commissionRow(_ r: Row, now: Instant) -> CommissionRow {
        let e = Store.entry(r).current(at: now)
        return CommissionRow(id: e.id, kind: e.kind, externalID: r["external_id"], affiliate: r["code"], customerKey: r["customer_key"],
                             amount: e.amount, original: Money(minor: r["original_minor"], currency: e.amount.currency), state: e.state,
                             reason: e.reason, payoutID: e.payoutID, approvesAt: e.approvesAt, earnedAt: Instant(seconds: r["earned_at"]))
    }

    /// One walk's page: the keyset's SQL as is, or (the hold's ids first) that page's ids joined
    /// to their rows (the query-plan tests read it too).
    func commissionWalkSQL(_ db: Database, _ k: Keyset, _ page: PageRequest) throws -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        var sql = try k.sql(db, page)
        guard k.idsFirst else { return sql }
        // The page's own order again (the page is at most `limit` rows).
        let dir = (page.direction == .forward) != k.descending ? "ASC" : "DESC"
        let sort = k.sortExpr.replacingOccurrences(of: "c.", with: "p.")
        sql.sql = "SELECT \(Store.commissionListColumns) FROM (\(sql.sql)) p CROSS JOIN commission c ON c.id = p.id "
            + Store.commissionListJoins + " ORDER BY \(sort) \(dir), +p.id \(dir)"
        return sql
    }

    /// How many stored pending entries a pending page by id looks at in id order before it sorts
    /// the hold's range instead (set by the tests; nil: 2,000).
    nonisolated(unsafe) static var pendingWindow: Int?

    /// The stored pending entries in id order (for a pending page by id without a filter).
    func pendingWindowKeyset(_ k: Keyset) -> Keyset? {
        guard k.idsFirst, k.sortExpr == "+c.id" else { return nil }
        return Keyset(select: "SELECT c.id, c.approves_at FROM commission c INDEXED BY commission_state_order", conditions: ["c.state = 'pending'"],
                      sortExpr: "c.id", idExpr: "c.id", descending: k.descending)
    }

    /// A pending page by id, when the entries still in their hold are dense in id order (new
    /// entries are the ones inside their hold): the next stored pending entries in id order
    /// (`commission_state_order`, at most `pendingWindow`), those still in their hold kept. Nil
    /// when the window ended before a page was found: then the hold's range is sorted.
    func pendingPageByID(_ db: Database, _ k: Keyset, _ page: PageRequest, now: Instant) throws -> [CommissionRow]? {
        guard var w = pendingWindowKeyset(k) else { return nil }
        let window = max(page.limit, Store.pendingWindow ?? 2_000)
        if (page.direction == .forward) != k.descending {
            // Oldest first: the window starts at the first entry still in its hold (one pass over
            // the hold's covering index, not a sort), past the stored pending ones before it.
            let first = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM commission INDEXED BY commission_pending_hold WHERE \(CommissionStanding.inHold())",
                                           arguments: [now.seconds])
            guard let first else { return [] }
            w.conditions.append("c.id >= ?"); w.arguments.append(first)
        }
        let sql = try w.sql(db, PageRequest(after: page.after, direction: page.direction, limit: window, inclusive: page.inclusive))
        let seen = try Row.fetchAll(db, sql: sql.sql, arguments: StatementArguments(sql.arguments))
        let ids = seen.filter { CommissionStanding.isInHold(approvesAt: $0[1], now: now) }.map { $0[0] as Int64 }.prefix(page.limit)
        guard ids.count == page.limit || seen.count < window else { return nil }
        let byID = Dictionary(uniqueKeysWithValues: try commissionRows(db, ids: Array(ids), now: now).map { ($0.id, $0) })
        let rows = ids.compactMap { byID[$0] }   // in the walk's order
        return page.direction == .forward ? rows : rows.reversed()
    }

    /// One walk's page in display order.
    func commissionWalk(_ db: Database, _ k: Keyset, _ page: PageRequest, now: Instant) throws -> [CommissionRow] {
        if let rows = try pendingPageByID(db, k, page, now: now) { return rows }
        let sql = try commissionWalkSQL(db, k, page)
        let fetched = try Row.fetchAll(db, sql: sql.sql, arguments: StatementArguments(sql.arguments)).map { Store.commissionRow($0, now: now) }
        return page.direction == .forward ? fetched : fetched.reversed()
    }

    /// One page of the ledger as it stands now, in the query's order (keyset: any page costs what
    /// the first one does).
    public func commissionPage(_ q: CommissionListQuery, page: PageRequest = .first()) throws -> [CommissionRow] {
        let now = clock.now()
        return try read { db in
            let walks = commissionKeysets(q, now: now)
            var rows: [CommissionRow] = []
            for k in walks { rows += try commissionWalk(db, k, page, now: now) }
            guard walks.count > 1 else { return rows }
            // Two walks: merged in display order, the `limit` nearest the cursor kept.
            let key: (CommissionRow) -> (Int64, Int64) = { q.sort == .id ? ($0.id, $0.id) : ($0.amount.minor, $0.id) }
            rows.sort { q.descending ? key($0) > key($1) : key($0) < key($1) }
            return page.direction == .forward ? Array(rows.prefix(page.limit)) : Array(rows.suffix(page.limit))
        }
    }

    /// How many entries the query lists: the maintained totals when nothing narrows it, else the
    /// filter's matches counted through their indexes.
    public func commissionCount(_ q: CommissionListQuery) throws -> Int {
        if q.filter.isEmpty && q.affiliateID == nil { return try commissionTotals().count(q.selection) }
        let now = clock.now()
        return try read { db in try commissionKeysets(q, now: now).reduce(0) { $0 + (try $1.count(db)) } }
    }

    /// The ledger filter: the external id or the customer's key by prefix, or the affiliate's
    /// code by prefix; an entry matches through its conversion (clawbacks too).
    static func commissionMatch(_ f: String) -> IndexedMatch {
        let ext = prefixRange("external_id", f), key = prefixRange("m.key", f), code = prefixRange("x.code", f)
        let rowExt = prefixRange("v.external_id", f, unindexed: true), rowKey = prefixRange("k.key", f, unindexed: true)
        let rowCode = prefixRange("a.code", f, unindexed: true)
        var m = IndexedMatch(
            idColumn: "c.conversion_id",
            ids: """
                SELECT id FROM conversion WHERE \(ext.sql)
                UNION ALL SELECT n.id FROM customer m CROSS JOIN conversion n ON n.customer_id = m.id WHERE \(key.sql)
                UNION ALL SELECT n.id FROM affiliate x CROSS JOIN conversion n ON n.affiliate_id = x.id WHERE \(code.sql)
                """,
            idArguments: ext.arguments + key.arguments + code.arguments,
            row: "\(rowExt.sql) OR \(rowKey.sql) OR \(rowCode.sql)",
            rowArguments: rowExt.arguments + rowKey.arguments + rowCode.arguments)
        m.tableRows = "SELECT MAX(id) FROM commission"
        return m
    }
}

extension Store {
    /// These entries as they stand now (those that exist), for a decision before a confirmation.
    public func commissionRows(ids: [Int64]) throws -> [CommissionRow] {
        let now = clock.now()
        return try read { db in try commissionRows(db, ids: ids, now: now) }
    }

    func commissionRows(_ db: Database, ids: [Int64], now: Instant) throws -> [CommissionRow] {
        var out: [CommissionRow] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            out += try Row.fetchAll(db, sql: Store.commissionListSelect + " WHERE c.id IN (\(marks)) ORDER BY c.id",
                                    arguments: StatementArguments(chunk)).map { Store.commissionRow($0, now: now) }
        }
        return out
    }
}
