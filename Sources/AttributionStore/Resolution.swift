import AttributionCore
import GRDB

/// How a rejected event was fixed: the replay (an inbox event) or the manual conversion that
/// credited it, when, and by whom. A resolved event leaves the triage queue (its reason's count
/// drops); `affdesk triage` and the event pane say how it was resolved.
public struct Resolution: Hashable, Sendable {
    /// The rejected event.
    public var eventID: Int64
    /// The replay that credited it; nil for a manual conversion.
    public var byEventID: Int64?
    /// The conversion credited (by the replay, or by hand).
    public var byConversionID: Int64?
    /// That conversion's external id.
    public var byExternalID: String?
    public var at: Instant
    public var who: String

    /// The same sentence everywhere: "resolved by #5 at 2026-03-16 09:05 by root".
    public var text: String {
        Wording.resolved(byEvent: byEventID, byConversion: byExternalID, at: at, who: who)
    }

    init(row: Row) {
        eventID = row["event_id"]; byEventID = row["by_event_id"]; byConversionID = row["by_conversion_id"]
        byExternalID = row["external_id"]; at = Instant(seconds: row["at"]); who = row["who"]
    }
}

extension Store {
    /// The condition keeping the events that are not resolved (`alias` names the event table).
    /// The triage queue, its counts and `events list --rejected` add it unless asked to show
    /// resolved ones.
    static func unresolvedCondition(_ alias: String) -> String {
        "NOT EXISTS (SELECT 1 FROM event_resolution r WHERE r.event_id = \(alias).id)"
    }

    /// The rejections resolved since: what the maintained inbox totals (`event_total`) still count.
    static let resolvedRejectionsSQL = """
        SELECT COUNT(*) FROM event_resolution r CROSS JOIN event e ON e.id = r.event_id WHERE e.outcome = 'rejected'
        """

    /// Unresolved rejections per reason, most frequent first: the maintained totals less the
    /// resolved ones (a few rows, read through `event_resolution`), never a GROUP BY over the inbox.
    static let unresolvedCountsSQL = """
        SELECT t.reason, t.events - COALESCE(x.n, 0) AS open FROM event_total t
        LEFT JOIN (SELECT e.reason AS reason, COUNT(*) AS n FROM event_resolution r CROSS JOIN event e ON e.id = r.event_id
                   WHERE e.outcome = 'rejected' GROUP BY e.reason) x ON x.reason = t.reason
        WHERE t.outcome = 'rejected' AND t.events - COALESCE(x.n, 0) > 0 ORDER BY open DESC, t.reason
        """

    static let resolutionSelect = """
        SELECT r.*, v.external_id FROM event_resolution r LEFT JOIN conversion v ON v.id = r.by_conversion_id
        """

    /// How an event was resolved, if it was.
    public func resolution(eventID: Int64) throws -> Resolution? {
        try read { db in try self.resolutions(db, eventIDs: [eventID])[eventID] }
    }

    /// The resolutions of some events (those resolved), by event id.
    public func resolutions(eventIDs: [Int64]) throws -> [Int64: Resolution] {
        try read { db in try self.resolutions(db, eventIDs: eventIDs) }
    }

    /// The resolutions of some events, by event id.
    func resolutions(_ db: Database, eventIDs: [Int64]) throws -> [Int64: Resolution] {
        var out: [Int64: Resolution] = [:]
        for chunk in stride(from: 0, to: eventIDs.count, by: 500).map({ Array(eventIDs[$0..<min($0 + 500, eventIDs.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: Store.resolutionSelect + " WHERE r.event_id IN (\(marks))", arguments: StatementArguments(chunk)) {
                let res = Resolution(row: r)
                out[res.eventID] = res
            }
        }
        return out
    }

    /// Marks a rejected event resolved by what credited it, with its rejected replays (and, for
    /// a replay, its original): each leaves the queue. An event already resolved keeps its first
    /// resolution; an accepted one is never marked.
    func resolve(_ db: Database, eventID: Int64, byEvent: Int64?, byConversion: Int64?, who: String) throws {
        let root = try replayOrigin(db, eventID) ?? eventID
        try db.execute(sql: """
            INSERT OR IGNORE INTO event_resolution (event_id, by_event_id, by_conversion_id, at, who)
            SELECT id, ?, ?, ?, ? FROM event WHERE outcome = 'rejected' AND (id = ? OR id = ?)
            """, arguments: [byEvent, byConversion, clock.now().seconds, who, eventID, root])
        try propagateResolution(db, original: root)
    }

    /// Rejected replays of a resolved event are resolved the same way (a replay refused as a
    /// duplicate after the fix is not a new problem).
    func propagateResolution(_ db: Database, original: Int64) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO event_resolution (event_id, by_event_id, by_conversion_id, at, who)
            SELECT e.id, x.by_event_id, x.by_conversion_id, x.at, x.who
            FROM event_resolution x JOIN event_ref f ON f.ref = ? JOIN event e ON e.id = f.event_id
            WHERE x.event_id = ? AND e.outcome = 'rejected'
            """, arguments: [Store.replayRefPrefix + String(original), original])
    }

    /// After a manual conversion added from a stored event: that event is resolved by it.
    func resolveByManualConversion(_ db: Database, eventID: Int64, externalID: String, who: String) throws {
        let conversion = try Int64.fetchOne(db, sql: "SELECT id FROM conversion WHERE external_id = ?", arguments: [externalID])
        try resolve(db, eventID: eventID, byEvent: nil, byConversion: conversion, who: who)
    }
}
