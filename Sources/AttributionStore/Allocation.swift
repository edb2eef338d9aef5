import GRDB

/// Row ids handed out by a write transaction: one past the largest, as SQLite itself would
/// choose (the transaction holds the write lock, so nobody else takes one meanwhile). The
/// largest ids are read when the transaction's work starts, in one query, so that handing out
/// an id never runs SQL (a bulk ingest's second thread may be writing on the connection).
final class IDAllocator {
    enum Table: Int, CaseIterable { case event, customer, conversion }
    private var nextIDs: [Int64]

    init(_ db: Database) throws {
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT COALESCE(MAX(id), 0) FROM event), (SELECT COALESCE(MAX(id), 0) FROM customer),
                   (SELECT COALESCE(MAX(id), 0) FROM conversion)
            """)
        nextIDs = Table.allCases.map { (row?[$0.rawValue] as Int64? ?? 0) + 1 }
    }

    func next(_ table: Table) -> Int64 {
        let n = nextIDs[table.rawValue]
        nextIDs[table.rawValue] = n + 1
        return n
    }
}

/// Each affiliate's customer numbers ("Customer #X"): the next one handed out, and the
/// counters written back at the end of the transaction. Each affiliate's stored counter is read
/// on its first number (`FactCache.lastCustomerNumber`), then kept here.
final class CustomerNumbers {
    private let stored: (Int64) throws -> Int64
    private var last: [Int64: Int64] = [:]
    private var changed: Set<Int64> = []

    /// `stored`: an affiliate's last number handed out, as stored.
    init(stored: @escaping (Int64) throws -> Int64) { self.stored = stored }

    func next(for affiliateID: Int64) throws -> Int64 {
        let n = try (last[affiliateID] ?? stored(affiliateID)) + 1
        last[affiliateID] = n
        changed.insert(affiliateID)
        return n
    }

    /// Writes the counters that moved (one prepared statement, in affiliate order).
    func write(_ db: Database) throws {
        guard !changed.isEmpty else { return }
        let update = try RawStatement(cached: db, "UPDATE affiliate SET last_customer_number = ? WHERE id = ?")
        for id in changed.sorted() { try update.bind(.int(last[id] ?? 0), .int(id)).run() }
        changed.removeAll()
    }
}
