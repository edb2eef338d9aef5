import AttributionCore
import GRDB

/// The result of replaying a stored event under today's settings.
public struct ReplayResult: Hashable, Sendable {
    /// The event replayed (a replay of a replay replays the original).
    public var original: EventRow
    public var decision: Decision
    /// The inbox entry the replay was recorded as; nil when it had been replayed before with
    /// the same settings and the same outcome, so nothing was written.
    public var replayEventID: Int64?
    /// The affiliate the decision concerns.
    public var affiliateCode: String?
    public var alreadyReplayed: Bool { replayEventID == nil }
    public init(original: EventRow, decision: Decision, replayEventID: Int64?, affiliateCode: String?) {
        self.original = original; self.decision = decision; self.replayEventID = replayEventID; self.affiliateCode = affiliateCode
    }
}

/// Replaying a stored event under today's settings, through the same unit of work as an ingest.
extension Store {
    /// Decides a stored event again under today's settings and applies it if accepted, exactly as
    /// an ingest would: its effects and a new inbox entry (source "replay", linked to the
    /// original), with an audit entry. It can never pay twice: a conversion already credited is
    /// refused by the core as a duplicate external id. The inbox entry's key is the original,
    /// today's settings and the outcome, so replaying again after something changed is recorded
    /// again, while the same replay with the same outcome writes nothing.
    public func replay(eventID: Int64, who: String, reparse: Reparser) throws -> ReplayResult {
        try write { db in try self.replay(db, eventID: eventID, who: who, reparse: reparse) }
    }

    /// One replay inside the caller's transaction (a bulk replay runs many in one).
    func replay(_ db: Database, eventID: Int64, who: String, reparse: Reparser) throws -> ReplayResult {
        do {
            guard var original = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                throw StoreError.notFound(what: "event", value: "#\(eventID)")
            }
            // A replay of a replay replays the original.
            if original.source == "replay", let root = try self.replayOrigin(db, original.id),
               let row = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [root]) {
                original = row
            }
            guard let event = reparse(original.source, original.raw) else {
                throw StoreError.invalid(field: "event #\(original.id)",
                                         message: "its \(original.source) payload does not read as an event, so it cannot be replayed"
                                            + (original.reason == .invalidEvent ? "; fix it at the source and ingest it again" : ""))
            }
            if let f = event.nulField {
                throw StoreError.invalid(field: "event #\(original.id)", message: "\(f) contains a NUL character; it cannot be replayed")
            }
            let work = try UnitOfWork(db, store: self)
            let d = try work.engine.decide(event, facts: work.facts)
            let affiliate = try (d.conversion?.affiliateID ?? d.affiliateID).flatMap { try work.facts.affiliate(id: $0)?.code }
            let key = "replay:\(original.id):" + Store.fnv(work.engine.settings.summary + "\n" + Store.signature(d))
            if try work.facts.isRecorded(key) {
                return ReplayResult(original: original, decision: d, replayEventID: nil, affiliateCode: affiliate)
            }
            var refs = try String.fetchAll(db, sql: "SELECT ref FROM event_ref WHERE event_id = ? AND ref NOT LIKE 'replay-of:%'",
                                           arguments: [original.id])
            refs.append(Store.replayRefPrefix + String(original.id))
            let inbound = InboundEvent(source: "replay", type: original.type, raw: original.raw, dedupeKey: key,
                                       file: original.file, line: original.line, payload: .event(event), refs: refs)
            let recorded = try work.decideAndApply(inbound, describe: { d in
                var r = d
                r.detail = "replay of event #\(original.id)" + (d.detail.map { "; \($0)" } ?? "")
                return r
            }, audit: { d, id in
                AuditEntry(who: who, action: "event.replay", target: "event #\(original.id)",
                           before: Store.outcomeText(original.outcome, original.reasonCode, commission: nil),
                           after: Store.outcomeText(d.outcome, d.reason?.rawValue, commission: d.conversion?.commission)
                               + (affiliate.map { " \($0)" } ?? "") + " (event #\(id))",
                           detail: d.detail)
            })
            let id = recorded?.eventID
            if let id {
                // Credited: the original leaves the triage queue, with its rejected replays.
                if d.isAccepted {
                    let conversion = try Int64.fetchOne(db, sql: "SELECT conversion_id FROM event WHERE id = ?", arguments: [id])
                    try self.resolve(db, eventID: original.id, byEvent: id, byConversion: conversion, who: who)
                }
                try self.propagateResolution(db, original: original.id)
            }
            return ReplayResult(original: original, decision: d, replayEventID: id, affiliateCode: affiliate)
        }
    }

    /// The event a replay replayed.
    func replayOrigin(_ db: Database, _ id: Int64) throws -> Int64? {
        try String.fetchOne(db, sql: "SELECT ref FROM event_ref WHERE event_id = ? AND ref LIKE 'replay-of:%'", arguments: [id])
            .flatMap { Int64($0.dropFirst(Store.replayRefPrefix.count)) }
    }

    static func outcomeText(_ outcome: Decision.Outcome, _ reason: String?, commission: Money?) -> String {
        outcome.rawValue + (reason.map { " \($0)" } ?? "") + (commission.map { " commission \($0)" } ?? "")
    }

    /// Everything a decision would write or say, as text: two decisions with the same signature
    /// are the same outcome.
    static func signature(_ d: Decision) -> String {
        var parts = [d.outcome.rawValue, d.reason?.rawValue ?? "", d.notes.map(\.rawValue).joined(separator: ","), d.detail ?? ""]
        if let c = d.conversion { parts.append("conversion \(c.externalID) \(c.amount) \(c.commission) \(c.affiliateID)") }
        if let c = d.newCustomer { parts.append("customer \(c.key) \(c.affiliateID) \(c.status.rawValue)") }
        if let s = d.statusChange { parts.append("status \(s.from.rawValue)->\(s.to.rawValue)") }
        if let c = d.newClick { parts.append("click \(c.clickID) \(c.affiliateID)") }
        return parts.joined(separator: "|")
    }

    /// 64-bit FNV-1a, as 16 hex digits.
    static func fnv(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
