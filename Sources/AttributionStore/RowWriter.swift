import GRDB

/// Rows for one table, written `chunk` at a time by one multi-row INSERT: a statement opens a
/// cursor on the table and each of its indexes, and that cost is paid once per chunk. With a
/// `WriteBehind`, a full chunk is written on the ingest's second thread.
final class RowWriter {
    private let db: Database
    private let head: String
    private let width: Int
    private let chunk: Int
    private var full: RawStatement?
    private var values: [RawValue] = []
    private let behind: WriteBehind?

    /// `verb`: "INSERT OR FAIL" by default (see `RowWriter.insert`).
    init(_ db: Database, _ table: String, _ columns: [String], verb: String = RowWriter.insert, chunk: Int = 64,
         behind: WriteBehind? = nil) {
        self.db = db
        self.behind = behind
        self.head = "\(verb) INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        self.width = columns.count
        self.chunk = chunk
        values.reserveCapacity(width * chunk)
    }

    /// The INSERT of the rows: OR FAIL. A row that breaks a constraint fails the statement just
    /// the same (and its transaction, or its savepoint, is rolled back: no writer goes on after a
    /// failed write), but the rows the statement wrote before it stay until then instead of being
    /// undone at once. So SQLite keeps no statement journal: with ABORT, the default, a multi-row
    /// INSERT copies every page it touches first into that journal, to be able to undo itself
    /// (`bench ingest`: about a fifth of the writing thread's busy time).
    static let insert = "INSERT OR FAIL"

    /// The same for the UPDATE of a stored customer, whose Caps triggers make it a multi-row write.
    static let update = "UPDATE OR FAIL"

    func add(_ row: RawValue...) throws { try add(all: row) }

    func add(all row: [RawValue]) throws {
        precondition(row.count == width, "a row of \(row.count) values for \(width) columns")
        values.append(contentsOf: row)
        guard values.count == width * chunk else { return }
        if full == nil {
            let sql = text(rows: chunk)
            if let known = behind?.prepared[sql] {
                full = known
            } else {
                try behind?.drain()   // preparing is a call on the connection too
                full = try RawStatement(cached: db, sql)
                behind?.prepared[sql] = full
            }
        }
        let statement = full!
        if let behind {
            behind.write(statement, values)
            values = []
            values.reserveCapacity(width * chunk)
        } else {
            try statement.bind(all: values).run()
            values.removeAll(keepingCapacity: true)
        }
    }

    var isEmpty: Bool { values.isEmpty }

    func flush() throws {
        guard !values.isEmpty else { return }
        try behind?.drain()
        try statement(rows: values.count / width).bind(all: values).run()
        values.removeAll(keepingCapacity: true)
    }

    private func statement(rows: Int) throws -> RawStatement {
        // Cached by the connection: a group commit of 30 events writes a 30-row INSERT per table,
        // and the next group of 30 reuses it instead of compiling it again.
        try RawStatement(cached: db, text(rows: rows))
    }

    private func text(rows: Int) -> String {
        let one = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        return head + Array(repeating: one, count: rows).joined(separator: ",")
    }
}

