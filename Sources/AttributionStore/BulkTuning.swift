import GRDB
import GRDBSQLite

/// How a bulk ingest (`affdesk ingest`, the demo, the growth bench) commits: events per
/// transaction, the writer's page cache while it runs, and the WAL pages between checkpoints.
/// The serve path's group commit does not use it. Whatever the setting, the database is the same
/// (a test compares batch sizes); only the cost moves.
public struct BulkTuning: Hashable, Sendable {
    /// Events per transaction.
    public var batch: Int
    /// The writer's page cache during the ingest, in MiB (nil: the connection's, `Store.writerPragmas`).
    public var cacheMiB: Int?
    /// WAL pages at which the writer catches up on the background checkpoint (`IngestCheckpoint`).
    public var checkpointPages: Int32
    /// `PRAGMA cache_spill` during the ingest (nil: SQLite's default, on).
    public var cacheSpill: Bool?
    /// `PRAGMA mmap_size` during the ingest, in MiB (nil: SQLite's default, off).
    public var mmapMiB: Int?

    public init(batch: Int = 16_384, cacheMiB: Int? = nil, checkpointPages: Int32 = Store.walAutocheckpointPages,
                cacheSpill: Bool? = nil, mmapMiB: Int? = nil) {
        self.batch = batch
        self.cacheMiB = cacheMiB
        self.checkpointPages = checkpointPages
        self.cacheSpill = cacheSpill
        self.mmapMiB = mmapMiB
    }

    /// The setting `affdesk ingest` and the growth bench use: 16,384 events per transaction and
    /// a 256 MiB page cache for the writer while it runs. Renewals of customers spread over the
    /// key space (and over 10,000 affiliates) write about one leaf page per event in each of a
    /// dozen indexes keyed by customer, affiliate or external id; once those indexes outgrow a
    /// batch, nearly every page a transaction touches is a new dirty page, written to the WAL and
    /// copied back by the checkpoint for a handful of events. A bigger batch dirties each such
    /// page for many events at once, and the cache holds them until the commit instead of
    /// spilling them to the WAL in the middle of the transaction. Measured on the growth bench
    /// (same minutes, copies of one store): at 1M stored events, CPU per 65,536 events 8.5 s at
    /// 4,096, 6.4 s at 16,384 with 256 MiB, 5.7 s at 32,768; at 3.76M, 6.5 pages written and 6.3
    /// cache misses per event at 4,096 (64 MiB), 2.2 and 1.3 at 32,768 with 512 MiB. 16,384 keeps
    /// most of the gain at half the price of 32,768: the write lock is held for a transaction's
    /// length (a few seconds on a store of millions; readers never wait, another writer does, up
    /// to the busy timeout), and the writer's memory grows up to the cache's size.
    public static let standard = BulkTuning(batch: 16_384, cacheMiB: 256)

    /// The pragmas a bulk ingest sets on the writer for its length (the benchmarks' floors set
    /// them too).
    public var ingestPragmas: [String] { pragmas.set }

    /// The pragmas that set it on the writer, and those that give the connection's own back.
    var pragmas: (set: [String], restore: [String]) {
        var set: [String] = [], restore: [String] = []
        if let cacheMiB {
            set.append("PRAGMA cache_size = -\(cacheMiB * 1024)")
            restore.append(Store.writerCacheSize)
        }
        if let cacheSpill {
            set.append("PRAGMA cache_spill = \(cacheSpill ? 1 : 0)")
            restore.append("PRAGMA cache_spill = 1")
        }
        if let mmapMiB {
            set.append("PRAGMA mmap_size = \(mmapMiB << 20)")
            restore.append("PRAGMA mmap_size = 0")
        }
        return (set, restore)
    }
}

/// SQLite's own counters on the writer's connection (`sqlite3_db_status`), for the benchmarks.
public struct WriterCounters: Hashable, Sendable {
    /// Page cache hits and misses (a miss reads the page from the WAL or the file).
    public var hits: Int64 = 0
    public var misses: Int64 = 0
    /// Pages written by the writer (to the WAL, at commit or when the cache spills).
    public var writes: Int64 = 0
    /// Times the cache spilled dirty pages in the middle of a transaction.
    public var spills: Int64 = 0

    public init() {}

    init(hits: Int64, misses: Int64, writes: Int64, spills: Int64) {
        self.hits = hits; self.misses = misses; self.writes = writes; self.spills = spills
    }
}

extension Store {
    /// The writer's counters since the last reset; `reset` zeroes them.
    public func writerCounters(reset: Bool) -> WriterCounters {
        pool.writeWithoutTransaction { db in
            let c = db.sqliteConnection
            func get(_ op: Int32) -> Int64 {
                var cur: Int32 = 0, high: Int32 = 0
                sqlite3_db_status(c, op, &cur, &high, reset ? 1 : 0)
                return Int64(cur)
            }
            return WriterCounters(hits: get(SQLITE_DBSTATUS_CACHE_HIT), misses: get(SQLITE_DBSTATUS_CACHE_MISS),
                                  writes: get(SQLITE_DBSTATUS_CACHE_WRITE), spills: get(SQLITE_DBSTATUS_CACHE_SPILL))
        }
    }

    /// Copies the whole WAL back into the database and empties it (waits for readers): for the
    /// benchmarks, so that a timed window pays for the pages it wrote. Returns the pages copied.
    @discardableResult
    public func checkpointAll() throws -> Int {
        try pool.writeWithoutTransaction { db in
            var log: Int32 = 0, copied: Int32 = 0
            let rc = sqlite3_wal_checkpoint_v2(db.sqliteConnection, "main", SQLITE_CHECKPOINT_TRUNCATE, &log, &copied)
            guard rc == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "checkpoint") }
            return Int(copied)
        }
    }
}

extension BulkTuning {
    /// Sets the writer's pragmas for the ingest's length (nothing when they are the connection's own).
    func apply(_ pool: DatabasePool) throws {
        let set = pragmas.set
        guard !set.isEmpty else { return }
        try pool.writeWithoutTransaction { db in for p in set { try db.execute(sql: p) } }
    }

    /// Gives the writer its own pragmas back (best effort, as a checkpoint is: they only cost speed).
    func restore(_ pool: DatabasePool) {
        let restore = pragmas.restore
        guard !restore.isEmpty else { return }
        _ = try? pool.writeWithoutTransaction { db in for p in restore { try db.execute(sql: p) } }
    }
}
