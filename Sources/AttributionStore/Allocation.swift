import GRDB

/// Row ids handed out by a write transaction: one past the largest, as SQLite itself would
/// choose (the transaction holds the write lock, so nobody else takes one meanwhile).
final class IDAllocator {
    private let db: Database
    private var next: [String: Int64] = [:]

    init(_ db: Database) { self.db = db }

    func nextID(_ table: String) throws -> Int64 {
        if let n = next[table] { next[table] = n + 1; return n }
        let n = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)") ?? 1
        next[table] = n + 1
        return n
    }
}

/// Each affiliate's customer numbers ("Customer #X"): the next one handed out, and the
/// counters written back at the end of the transaction.
final class CustomerNumbers {
    private var last: [Int64: Int64]
    private var changed: Set<Int64> = []

    /// `last`: each affiliate's last number handed out, as stored.
    init(last: [Int64: Int64]) { self.last = last }

    func next(for affiliateID: Int64) -> Int64 {
        let n = (last[affiliateID] ?? 0) + 1
        last[affiliateID] = n
        changed.insert(affiliateID)
        return n
    }

    /// Writes the counters that moved (one prepared statement, in affiliate order).
    func write(_ db: Database) throws {
        guard !changed.isEmpty else { return }
        let update = try RawStatement(db, "UPDATE affiliate SET last_customer_number = ? WHERE id = ?")
        for id in changed.sorted() { try update.bind(.int(last[id] ?? 0), .int(id)).run() }
        changed.removeAll()
    }
}
