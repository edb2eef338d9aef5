import AttributionCore
import GRDB

/// Many stored events replayed at once, in time order, in one transaction: all or nothing.
public struct BulkReplayResult: Hashable, Sendable {
    /// Each event's replay, in the order they ran (the events' time order).
    public var results: [ReplayResult]
    /// True when nothing was written (a dry run): the results say what would happen.
    public var dryRun: Bool
    public init(results: [ReplayResult], dryRun: Bool) { self.results = results; self.dryRun = dryRun }

    public var accepted: [ReplayResult] { results.filter { $0.decision.isAccepted } }
    /// The others, by reason code (most frequent first), with their events.
    public var notAccepted: [(reason: String, results: [ReplayResult])] {
        var by: [String: [ReplayResult]] = [:]
        for r in results where !r.decision.isAccepted { by[r.decision.reason?.rawValue ?? "?", default: []].append(r) }
        return by.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }.map { ($0.key, $0.value) }
    }
}

/// A bulk replay wrote nothing: what it would have done, rolled back.
private struct DryRunRollback: Error { var results: [ReplayResult] }

extension Store {
    /// The unresolved rejections with a reason (at or after `since`, by the event's time), as
    /// the events a replay replays (a rejected replay stands for its original), oldest first.
    public func replayCandidates(reason: String, since: Instant? = nil) throws -> [Int64] {
        try read { db in
            var sql = "SELECT e.id FROM event e WHERE e.outcome = 'rejected' AND e.reason = ? AND " + Store.unresolvedCondition("e")
            var arguments: [DatabaseValueConvertible?] = [reason]
            if let since { sql += " AND COALESCE(e.at, e.received_at) >= ?"; arguments.append(since.seconds) }
            let ids = try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            return try self.inTimeOrder(db, ids.map { try self.replayOrigin(db, $0) ?? $0 })
        }
    }

    /// Distinct events, oldest first by their own time (else when they were received), then id.
    func inTimeOrder(_ db: Database, _ ids: [Int64]) throws -> [Int64] {
        var seen = Set<Int64>()
        let unique = ids.filter { seen.insert($0).inserted }
        var times: [Int64: Int64] = [:]
        for chunk in stride(from: 0, to: unique.count, by: 500).map({ Array(unique[$0..<min($0 + 500, unique.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: "SELECT id, COALESCE(at, received_at) FROM event WHERE id IN (\(marks))",
                                      arguments: StatementArguments(chunk)) {
                times[r[0]] = r[1]
            }
        }
        for id in unique where times[id] == nil { throw StoreError.notFound(what: "event", value: "#\(id)") }
        return unique.sorted { (times[$0]!, $0) < (times[$1]!, $1) }
    }

    /// Replays events in their time order (a replay's replay is its original's, once) in one
    /// transaction, each exactly as `replay(eventID:)` would; never pays twice. With `dryRun`
    /// everything is decided and applied as it would be, then rolled back: nothing is written,
    /// and the result says how many would be accepted and why the others would not.
    public func replay(eventIDs: [Int64], who: String, reparse: Reparser, dryRun: Bool) throws -> BulkReplayResult {
        do {
            let results = try write { db -> [ReplayResult] in
                var roots: [Int64] = []
                for id in eventIDs {
                    guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM event WHERE id = ?)", arguments: [id]) == true else {
                        throw StoreError.notFound(what: "event", value: "#\(id)")
                    }
                    roots.append(try self.replayOrigin(db, id) ?? id)
                }
                var results: [ReplayResult] = []
                for id in try self.inTimeOrder(db, roots) {
                    results.append(try self.replay(db, eventID: id, who: who, reparse: reparse))
                }
                if dryRun { throw DryRunRollback(results: results) }
                return results
            }
            return BulkReplayResult(results: results, dryRun: false)
        } catch let r as DryRunRollback {
            return BulkReplayResult(results: r.results, dryRun: true)
        }
    }
}
