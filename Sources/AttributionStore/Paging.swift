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
/// order whatever the direction. NULL sort values sort first (ascending), as SQLite does; the
/// comparison below keeps that order across pages.
struct Keyset {
    var select: String
    var conditions: [String] = []
    var arguments: [DatabaseValueConvertible?] = []
    var sortExpr: String
    var idExpr: String
    var descending: Bool

    func fetch<T: FetchableRecord>(_ db: Database, _ page: PageRequest) throws -> [T] {
        var conds = conditions
        var args = arguments
        // Walking backward means reading in the opposite order and reversing.
        let ascending = (page.direction == .forward) != descending
        if let c = page.after {
            let op = ascending ? ">" : "<"
            let idOp = op + (page.inclusive ? "=" : "")
            if let v = c.sql {
                // NULLs sort first: going up, they are behind us; going down, they are all ahead.
                conds.append(ascending
                    ? "(\(sortExpr) \(op) ? OR (\(sortExpr) = ? AND \(idExpr) \(idOp) ?))"
                    : "(\(sortExpr) IS NULL OR \(sortExpr) \(op) ? OR (\(sortExpr) = ? AND \(idExpr) \(idOp) ?))")
                args += [v, v, c.id]
            } else {
                conds.append(ascending
                    ? "(\(sortExpr) IS NOT NULL OR \(idExpr) \(idOp) ?)"
                    : "(\(sortExpr) IS NULL AND \(idExpr) \(idOp) ?)")
                args += [c.id]
            }
        }
        let dir = ascending ? "ASC" : "DESC"
        var sql = select
        if !conds.isEmpty { sql += " WHERE " + conds.joined(separator: " AND ") }
        sql += " ORDER BY \(sortExpr) \(dir), \(idExpr) \(dir) LIMIT \(max(1, page.limit))"
        let rows = try T.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        return page.direction == .forward ? rows : rows.reversed()
    }

    func count(_ db: Database) throws -> Int {
        var sql = "SELECT COUNT(*) FROM (" + select
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += ")"
        return try Int.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) ?? 0
    }
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
