import GRDB

/// Where a page starts: the sort value and id of the row just before it (keyset paging).
public struct Cursor: Hashable, Sendable {
    enum Value: Hashable, Sendable { case int(Int64), text(String), null }
    let value: Value
    let id: Int64

    init(_ value: Value, _ id: Int64) { self.value = value; self.id = id }
    /// A cursor on an integer sort value (also for lists a screen builds itself).
    public init(int: Int64?, id: Int64) { self.value = int.map(Value.int) ?? .null; self.id = id }
    init(text: String?, id: Int64) { self.value = text.map(Value.text) ?? .null; self.id = id }

    var sql: DatabaseValueConvertible? {
        switch value {
        case .int(let i): return i
        case .text(let s): return s
        case .null: return nil
        }
    }
}

public enum PageDirection: Sendable { case forward, backward }

/// A page request: which way from which row, how many.
public struct PageRequest: Hashable, Sendable {
    public var after: Cursor?
    public var direction: PageDirection
    public var limit: Int
    /// Include the row at the cursor itself (to re-read a window from its first row).
    public var inclusive: Bool
    public init(after: Cursor? = nil, direction: PageDirection = .forward, limit: Int = 100, inclusive: Bool = false) {
        self.after = after; self.direction = direction; self.limit = limit; self.inclusive = inclusive
    }
    /// The first page; with `.backward`, the last page.
    public static func first(_ limit: Int = 100) -> PageRequest { PageRequest(limit: limit) }
    public static func last(_ limit: Int = 100) -> PageRequest { PageRequest(direction: .backward, limit: limit) }
}

/// One keyset query: `select` with its joins, filters and the sort. Rows come back in display
/// order whatever the direction. Every sort expression is NOT NULL (a NULL cursor value is still
/// handled: NULLs sort first ascending, as SQLite does). A page starts with a range on the sort
/// expression (`sort >= v AND (sort > v OR id > i)`), which SQLite answers from the index that
/// orders it, so any page costs what the first one does (schema v7 has an index for every sort).
struct Keyset {
    var select: String
    var conditions: [String] = []
    var arguments: [DatabaseValueConvertible?] = []
    var sortExpr: String
    var idExpr: String
    var descending: Bool
    /// A filter matched through indexes (see `IndexedMatch`).
    var match: IndexedMatch?
    /// Conditions that only narrow where a page's walk of the sort's index starts and stops (they
    /// hold of every row the other conditions keep, so counts leave them out).
    var pageConditions: [String] = []
    /// `select` reads only the page's ids (and its sort value) from a covering index: the page's
    /// rows are joined after it (`Store.commissionWalkSQL`; the pending list's walk of the hold).
    var idsFirst = false

    /// The SQL and arguments of one page (the query-plan tests read it too).
    func sql(_ db: Database, _ page: PageRequest) throws -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        var conds = conditions
        var args = arguments
        var sort = sortExpr, id = idExpr
        var walks = true
        if let m = match {
            if try m.isSparse(db) {
                // Few rows match, with their sort values in the indexes that find them: the page
                // is sorted from those index entries, and only its rows are read.
                if let sorted = m.sorted, conditions.isEmpty { return sortedPage(sorted, page) }
                // Few rows match: read them by their ids and sort those (the `+` keeps SQLite from
                // walking the sort's index instead).
                conds.append("\(m.idColumn) IN (\(m.ids))"); args += m.idArguments
                sort = "+(\(sortExpr))"; id = "+(\(idExpr))"
                walks = false
            } else {
                // Many match: walk the sort's index, testing each row.
                conds.append("(\(m.row))"); args += m.rowArguments
            }
        }
        if walks { conds += pageConditions }
        // Walking backward means reading in the opposite order and reversing.
        let ascending = (page.direction == .forward) != descending
        if let c = Keyset.after(page, sort: sort, id: id, ascending: ascending) { conds.append(c.sql); args += c.arguments }
        let dir = ascending ? "ASC" : "DESC"
        var sql = select
        if !conds.isEmpty { sql += " WHERE " + conds.joined(separator: " AND ") }
        sql += " ORDER BY \(sort) \(dir), \(id) \(dir) LIMIT \(max(1, page.limit))"
        return (sql, args)
    }

    /// The condition starting a page after its cursor (nil on a first or last page).
    static func after(_ page: PageRequest, sort: String, id: String, ascending: Bool)
        -> (sql: String, arguments: [DatabaseValueConvertible?])? {
        guard let c = page.after else { return nil }
        let op = ascending ? ">" : "<"
        let idOp = op + (page.inclusive ? "=" : "")
        if let v = c.sql {
            let range = "\(sort) \(op)= ? AND (\(sort) \(op) ? OR \(id) \(idOp) ?)"
            // NULLs sort first: going up they are behind us; going down they are all ahead.
            return (ascending ? range : "(\(sort) IS NULL OR (\(range)))", [v, v, c.id])
        }
        return (ascending ? "(\(sort) IS NOT NULL OR \(id) \(idOp) ?)" : "(\(sort) IS NULL AND \(id) \(idOp) ?)", [c.id])
    }

    /// A page of a filter's few matches (`IndexedMatch.sorted`): their ids and sort values, read
    /// from index entries, sorted (at most `IndexedMatch.limit` of them), the page cut from them,
    /// then only the page's rows read by id.
    func sortedPage(_ s: SortedIds, _ page: PageRequest) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        let ascending = (page.direction == .forward) != descending
        let dir = ascending ? "ASC" : "DESC"
        var inner = "SELECT id, t FROM (\(s.sql))"
        var args = s.arguments
        if let c = Keyset.after(page, sort: "t", id: "id", ascending: ascending) { inner += " WHERE " + c.sql; args += c.arguments }
        inner += " ORDER BY +(t) \(dir), id \(dir) LIMIT \(max(1, page.limit))"
        return ("SELECT \(s.columns) FROM (\(inner)) q CROSS JOIN \(s.table) ON \(s.idColumn) = q.id ORDER BY q.t \(dir), q.id \(dir)", args)
    }

    func fetch<T: FetchableRecord>(_ db: Database, _ page: PageRequest) throws -> [T] {
        let q = try sql(db, page)
        let rows = try T.fetchAll(db, sql: q.sql, arguments: StatementArguments(q.arguments))
        return page.direction == .forward ? rows : rows.reversed()
    }

    /// The SQL counting the rows (with a filter, through the matching ids, or the filter's own
    /// count when it has one and nothing else narrows the list).
    func countSQL() -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        if let m = match, let c = m.count, conditions.isEmpty { return c }
        var conds = conditions
        var args = arguments
        if let m = match { conds.append("\(m.idColumn) IN (\(m.ids))"); args += m.idArguments }
        var sql = "SELECT COUNT(*) FROM (" + select
        if !conds.isEmpty { sql += " WHERE " + conds.joined(separator: " AND ") }
        return (sql + ")", args)
    }

    func count(_ db: Database) throws -> Int {
        let q = countSQL()
        return try Int.fetchOne(db, sql: q.sql, arguments: StatementArguments(q.arguments)) ?? 0
    }

    /// The count when it is at most `limit`, else `limit + 1` ("more than `limit`"). A filter alone
    /// reads at most about `limit` of its distinct ids through its indexes, whatever the table
    /// holds; with other conditions too, many ids are tested row by row until `limit + 1` pass.
    func count(_ db: Database, upTo limit: Int) throws -> Int {
        var conds = conditions
        var args = arguments
        if let m = match {
            // Distinct: a row the union names twice (a customer near two caps) counts once.
            let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT * FROM (\(m.ids)) LIMIT \(limit + 1))",
                                     arguments: StatementArguments(m.idArguments)) ?? 0
            // The ids are the list's rows and nothing else narrows it: that is the count.
            if conds.isEmpty && m.idsAreRows { return min(n, limit + 1) }
            if n <= limit {
                conds.append("\(m.idColumn) IN (\(m.ids))"); args += m.idArguments
            } else if conds.isEmpty {
                return limit + 1
            } else {
                // More than `limit` match the filter, but the other conditions may keep fewer.
                conds.append("(\(m.row))"); args += m.rowArguments
            }
        }
        var sql = "SELECT COUNT(*) FROM (" + select
        if !conds.isEmpty { sql += " WHERE " + conds.joined(separator: " AND ") }
        sql += " LIMIT \(limit + 1))"
        return try Int.fetchOne(db, sql: sql, arguments: StatementArguments(args)) ?? 0
    }
}

/// A list filter answered through indexes, two ways: `ids` selects the ids of the matching rows
/// (a UNION ALL of index ranges: prefixes of identifiers, a few small tables by substring), and
/// `row` says the same of one row without using an index. When at most `limit` ids match, the
/// page reads them and sorts them (a bounded sort); when more match, at least one row in
/// `rows / limit` matches, so walking the sort's index finds a page of 50 after about
/// `50 * rows / limit` rows. `limit` = sqrt(50 * rows) balances the two (clamped to 500...20,000):
/// about 7,000 rows either way for a million, whatever the filter.
struct IndexedMatch {
    /// Set by the tests to force one way (nil: computed from the table's size).
    nonisolated(unsafe) static var sparse: Int?
    var idColumn: String
    var ids: String
    var idArguments: [DatabaseValueConvertible?]
    var row: String
    var rowArguments: [DatabaseValueConvertible?]
    /// A query counting the matching rows without listing them all (maintained totals for the
    /// part matched by affiliate), when there is one.
    var count: (sql: String, arguments: [DatabaseValueConvertible?])?
    /// The rows of the table listed, from a maintained total or the last id (cheap): the rows a
    /// walk reads from (one affiliate's, when it walks that affiliate's own index).
    var tableRows = "SELECT MAX(id) FROM event"
    var tableRowsArguments: [DatabaseValueConvertible?] = []
    /// The matching rows' ids with their sort values, from index entries alone, when the indexes
    /// hold them (a page of few matches is then sorted without reading their rows).
    var sorted: SortedIds?
    /// Every id `ids` names is a row of the list (when nothing else narrows it, their distinct
    /// number is its size, counted without reading the rows).
    var idsAreRows = false

    init(idColumn: String, ids: String, idArguments: [DatabaseValueConvertible?], row: String,
         rowArguments: [DatabaseValueConvertible?], count: (sql: String, arguments: [DatabaseValueConvertible?])? = nil) {
        self.idColumn = idColumn; self.ids = ids; self.idArguments = idArguments; self.row = row; self.rowArguments = rowArguments
        self.count = count
        switch idColumn {
        case "c.id": tableRows = "SELECT SUM(customers) FROM affiliate_total"
        case "v.id": tableRows = "SELECT SUM(conversions) FROM affiliate_total"
        default: tableRows = "SELECT MAX(id) FROM event"
        }
    }

    func limit(_ db: Database) throws -> Int {
        if let s = IndexedMatch.sparse { return s }
        let rows = try Int.fetchOne(db, sql: tableRows, arguments: StatementArguments(tableRowsArguments)) ?? 0
        return min(20_000, max(500, Int(Double(50 * max(rows, 0)).squareRoot())))
    }

    func isSparse(_ db: Database) throws -> Bool {
        let limit = try limit(db)
        let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT 1 FROM (\(ids)) LIMIT \(limit + 1))",
                                 arguments: StatementArguments(idArguments)) ?? 0
        return n <= limit
    }
}

/// The ids matching a filter with the list's sort value (`IndexedMatch.sorted`): `sql` selects
/// `id` and `t` of each matching row once (a UNION of index ranges); the page's rows are `columns`
/// of `table` joined on `idColumn` = the id.
struct SortedIds {
    var sql: String
    var arguments: [DatabaseValueConvertible?]
    var columns = "e.*"
    var table = "event e"
    var idColumn = "e.id"
}

/// The range `column >= ? AND column < ?` of the strings starting with `prefix`, and its
/// arguments; `unindexed` writes `+column` so that SQLite does not use an index for it.
func prefixRange(_ column: String, _ prefix: String, unindexed: Bool = false) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
    let c = unindexed ? "+" + column : column
    return ("(\(c) >= ? AND \(c) < ?)", [prefix, prefix + "\u{10FFFF}"])
}

/// `%text%` for LIKE, with the wildcards in the user's text escaped.
func likePattern(_ text: String) -> String {
    var out = "%"
    for c in text {
        if c == "%" || c == "_" || c == "\\" { out.append("\\") }
        out.append(c)
    }
    return out + "%"
}
