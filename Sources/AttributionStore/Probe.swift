import GRDB

/// What `Store._probe(sql:)` read: the result's column names and its rows as text.
public struct ProbeResult: Hashable, Sendable {
    public var columns: [String]
    public var rows: [[String?]]
}

extension Store {
    /// TEST AND DIAGNOSTIC USE ONLY — not used by any front end. Runs one read-only statement
    /// on this store's connections exactly as its own queries run (on an affiliate-view store,
    /// under the privacy authorizer) and returns the column names and at most `limit` rows as
    /// text. A statement that would write is refused before it runs; the store's connections
    /// stay untouched. Errors are SQLite's own ("SQLite error 23: access to customer.key is
    /// prohibited" for a column the affiliate view may not read).
    public func _probe(sql: String, arguments: [Int64] = [], limit: Int = 1000) throws -> ProbeResult {
        try read { db in
            let statement = try db.makeStatement(sql: sql)
            guard statement.isReadonly else {
                throw StoreError.invalid(field: "probe", message: "only read-only statements may be probed")
            }
            try statement.setArguments(StatementArguments(arguments))
            var rows: [[String?]] = []
            let cursor = try Row.fetchCursor(statement)
            while rows.count < limit, let r = try cursor.next() {
                rows.append(r.databaseValues.map { v -> String? in
                    switch v.storage {
                    case .null: return nil
                    case .int64(let i): return String(i)
                    case .double(let d): return String(d)
                    case .string(let t): return t
                    case .blob(let b): return String(decoding: b, as: UTF8.self)
                    }
                })
            }
            return ProbeResult(columns: statement.columnNames, rows: rows)
        }
    }
}
