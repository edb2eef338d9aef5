import AttributionCore
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the inbox holds for one event of a group: the decision made now, or, for an event
/// already recorded (a sender's retry), the decision recorded the first time.
public struct RecordedDecision: Hashable, Sendable {
    public var eventID: Int64
    public var outcome: Decision.Outcome
    public var reason: Reason?
    public var notes: [Reason]
    public var detail: String?
    /// The field at fault, for an invalid event.
    public var field: String?
    /// True when the event was in the inbox before this group: nothing changed.
    public var repeated: Bool

    public init(eventID: Int64, outcome: Decision.Outcome, reason: Reason?, notes: [Reason], detail: String?,
                field: String?, repeated: Bool) {
        self.eventID = eventID; self.outcome = outcome; self.reason = reason; self.notes = notes
        self.detail = detail; self.field = field; self.repeated = repeated
    }
}

extension Store {
    /// Decides and applies a group of events in ONE transaction, as `ingest` does, and returns
    /// each event's own decision, in order. An event already in the inbox (or earlier in the
    /// group) changes nothing and answers with what was recorded for it. Either the whole group
    /// is committed or nothing is (the error is thrown).
    public func ingestGroup(_ events: [InboundEvent]) throws -> [RecordedDecision] {
        var phases = GroupPhases()
        return try ingestGroup(events, phases: &phases)
    }

    /// `ingestGroup`, adding where the time went to `phases` (see `GroupPhases`).
    public func ingestGroup(_ events: [InboundEvent], phases: inout GroupPhases) throws -> [RecordedDecision] {
        guard !events.isEmpty else { return [] }
        var lap = PhaseClock()
        var p = GroupPhases()
        defer { phases.add(p) }
        let out: [RecordedDecision] = try bulkWrite { db in
            p.begin += lap.lap()
            return try Store.decideGroup(events, db: db, work: UnitOfWork(db, store: self), phases: &p, lap: &lap)
        }
        p.commit += lap.lap()
        return out
    }

    /// The group's events decided and applied by `work`, inside the caller's transaction; each
    /// one's decision (or the one recorded before, for a repeat), in order.
    static func decideGroup(_ events: [InboundEvent], db: Database, work: @autoclosure () throws -> UnitOfWork,
                            phases p: inout GroupPhases, lap: inout PhaseClock) throws -> [RecordedDecision] {
        let work = try work()
        p.setup += lap.lap()
        try work.facts.prefetch(events)
        p.prefetch += lap.lap()
        var out: [RecordedDecision?] = []
        out.reserveCapacity(events.count)
        for e in events {
            guard let (d, id) = try work.decideAndApply(e) else { out.append(nil); continue }
            var field: String?
            if case .invalid(let f, _) = e.payload { field = f }
            if field == nil, d.reason == .invalidEvent, case .event(let ev) = e.payload { field = ev.nulField }
            out.append(RecordedDecision(eventID: id, outcome: d.outcome, reason: d.reason, notes: d.notes,
                                        detail: d.detail, field: field, repeated: false))
        }
        p.decide += lap.lap()
        try work.finish()
        p.write += lap.lap()
        let all = try zip(events, out).map { e, r in try r ?? Store.recordedDecision(db, dedupeKey: e.dedupeKey) }
        p.repeats += lap.lap()
        return all
    }

    /// The inbox's record of the event with this dedupe key (written earlier or in this transaction).
    static func recordedDecision(_ db: Database, dedupeKey: String) throws -> RecordedDecision {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, outcome, reason, note, detail, field FROM event WHERE dedupe = ?",
                                         arguments: [dedupeKey]) else {
            throw StoreError.notFound(what: "inbox event", value: String(dedupeKey.prefix(40)))
        }
        let notes = ((row["note"] as String?) ?? "").split(separator: ",").compactMap { Reason(rawValue: String($0)) }
        return RecordedDecision(eventID: row["id"], outcome: Decision.Outcome(rawValue: row["outcome"]) ?? .rejected,
                                reason: (row["reason"] as String?).flatMap(Reason.init(rawValue:)), notes: notes,
                                detail: row["detail"], field: row["field"], repeated: true)
    }

    /// Makes every later commit of this store wait for the disk (SQLite `synchronous = FULL`):
    /// an acknowledged commit then survives a power loss too, not only a crash of the process.
    /// For `affdesk serve`, whose group commit spreads the extra sync over many requests.
    public func syncEveryCommit() throws {
        guard !readOnly else { throw StoreError.readOnly(path: path) }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// Whether a failed write failed for the whole database rather than for what it wrote: the
    /// write lock held by another process past the busy timeout, or the file replaced. Retrying
    /// the events one by one would not help.
    public static func failsEveryWrite(_ error: any Error) -> Bool {
        switch error {
        case is DatabaseFileChanged: return true
        case let e as DatabaseError: return e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED || e.resultCode == .SQLITE_FULL
            || e.resultCode == .SQLITE_IOERR || e.resultCode == .SQLITE_READONLY
        default: return false
        }
    }

    /// Whether the database answers and takes a write (an empty write transaction): for health checks.
    public func checkWritable() throws {
        try write { db in _ = try Int.fetchOne(db, sql: "SELECT 1 FROM program LIMIT 1") }
    }
}

extension Store {
    /// Which of these dedupe keys the inbox holds (each at most once: the key is unique).
    public func recordedDedupeKeys(_ keys: [String]) throws -> Set<String> {
        try read { db in
            var found = Set<String>()
            for k in keys where try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event WHERE dedupe = ?)", arguments: [k]) == true {
                found.insert(k)
            }
            return found
        }
    }
}

/// The group commit's own connection to the database: `ingestGroup` on a second `Store` of the
/// same file that nothing else writes through, so foreign-key checks stay off on it for its life
/// (`Store.foreignKeys`: each switch makes SQLite expire every prepared statement of the
/// connection, and a group of 30 events compiled all its INSERTs and queries again when the
/// store's connection switched them around each transaction), and the program's settings are read again only
/// when another connection committed (`PRAGMA data_version`). Decisions and rows are exactly
/// `ingestGroup`'s: every id a group writes comes from rows it read or created in its own
/// transaction, as in the bulk ingest.
public final class GroupWriter: @unchecked Sendable {
    /// The store the server opened: the file every group must still be written to.
    public let store: Store
    /// The second store, whose writer connection only this writer uses.
    let own: Store
    private var settings: (dataVersion: Int64, value: ProgramSettings)?
    /// The WAL's length after the last commit, written by SQLite's WAL hook (`offloadCheckpoints`).
    let walFrameCount = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    public init(store: Store) throws {
        guard !store.readOnly else { throw StoreError.readOnly(path: store.path) }
        self.store = store
        walFrameCount.initialize(to: 0)
        own = try Store(path: store.path, clock: store.clock)
        // The second store opened the file the first one did (not one put in its place since):
        // from now on the second store's check of its own file, every group, is the first's too.
        guard let opened = own.opened, opened == store.opened else {
            throw DatabaseFileChanged(path: store.path, deleted: DatabaseIdentity(path: store.path) == nil)
        }
        try store.checkFileIdentity()
        // Commits wait for the disk as the first store's do (`syncEveryCommit`).
        let sync = try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } ?? 1
        try own.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(sync)") }
    }

    deinit {
        _ = try? own.pool.writeWithoutTransaction { db in sqlite3_wal_hook(db.sqliteConnection, nil, nil) }
        walFrameCount.deallocate()
    }

    /// `Store.ingestGroup` through this writer's connection (one writer thread at a time).
    public func ingest(_ events: [InboundEvent], phases: inout GroupPhases) throws -> [RecordedDecision] {
        guard !events.isEmpty else { return [] }
        var lap = PhaseClock()
        var p = GroupPhases()
        defer { phases.add(p) }
        // `own`'s bulk transaction checks its own file, which is the one `store` opened
        // (`own.opened` is `store.opened`: one stat, not two).
        let out: [RecordedDecision] = try own.bulkWrite { db in
            let settings = try programSettings(db)
            p.begin += lap.lap()
            return try Store.decideGroup(events, db: db, work: UnitOfWork(db, store: own, settings: settings), phases: &p, lap: &lap)
        }
        p.commit += lap.lap()
        return out
    }

    /// The program's settings, read again when another connection committed since the last read.
    private func programSettings(_ db: Database) throws -> ProgramSettings {
        let version = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        if let s = settings, s.dataVersion == version { return s.value }
        let value = try own.loadSettings(db)
        settings = (version, value)
        return value
    }
}

/// Where a group commit's time went, in nanoseconds of the monotonic clock, summed over groups:
/// the server's writer adds each group's (`affdesk_writer_phase_nanoseconds_total` in /metrics).
public struct GroupPhases: Sendable, Equatable {
    /// Foreign-key checks off (when they are not), `BEGIN`, the database file's identity check.
    public var begin: UInt64 = 0
    /// The unit of work: the program's settings, every affiliate, the ledger's settings.
    public var setup: UInt64 = 0
    /// The batch's prefetch queries (dedupe keys, clicks, customers, subscriptions).
    public var prefetch: UInt64 = 0
    /// Deciding and applying each event (rows written early when a query needs them).
    public var decide: UInt64 = 0
    /// The remaining rows and the customer-number counters.
    public var write: UInt64 = 0
    /// The recorded decisions of events already in the inbox (a sender's retry).
    public var repeats: UInt64 = 0
    /// `COMMIT`.
    public var commit: UInt64 = 0

    public init() {}

    public mutating func add(_ o: GroupPhases) {
        begin &+= o.begin; setup &+= o.setup; prefetch &+= o.prefetch; decide &+= o.decide
        write &+= o.write; repeats &+= o.repeats; commit &+= o.commit
    }

    /// Name and nanoseconds of each phase, in the order they run.
    public var named: [(String, UInt64)] {
        [("begin", begin), ("setup", setup), ("prefetch", prefetch), ("decide", decide), ("write", write),
         ("repeats", repeats), ("commit", commit)]
    }
}

/// A lap timer on the monotonic clock (a vDSO call, some 20 ns): `lap()` is the time since the
/// last lap (or since it was made).
public struct PhaseClock {
    private var last: UInt64

    public init() { last = PhaseClock.now() }

    public mutating func lap() -> UInt64 {
        let t = PhaseClock.now()
        defer { last = t }
        return t &- last
    }

    public static func now() -> UInt64 { read(CLOCK_MONOTONIC) }

    /// The CPU time the calling thread has used (a system call: once per group, not per phase).
    public static func threadCPU() -> UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
