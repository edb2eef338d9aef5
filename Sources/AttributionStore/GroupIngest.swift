import AttributionCore
import GRDB

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
        guard !events.isEmpty else { return [] }
        return try bulkWrite { db in
            let work = try UnitOfWork(db, store: self)
            try work.facts.prefetch(events)
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
            try work.finish()
            return try zip(events, out).map { e, r in try r ?? Store.recordedDecision(db, dedupeKey: e.dedupeKey) }
        }
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
