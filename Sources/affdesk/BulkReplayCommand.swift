import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import TerminalText

extension Events.Replay {
    /// `events replay --reason CODE [--since DATE] [--dry-run]` and `events replay ID ID...`:
    /// the events in time order, in one transaction; a dry run writes nothing.
    func runBulk() throws {
        let store = try database.open()
        let ids: [Int64]
        if let code = reason {
            guard eventIDs.isEmpty else { throw Failure("give event ids or --reason CODE, not both") }
            guard let r = Reason(rawValue: code), r.isRefusal else {
                throw Failure("--reason: \"\(code)\" is not a rejection reason code (see `affdesk events list --rejected`)")
            }
            var from: Instant?
            if let s = since {
                guard let i = Instant.parse(s) else { throw Failure("--since: \"\(s)\" is not an ISO 8601 time or date") }
                from = i
            }
            ids = try store.replayCandidates(reason: r.rawValue, since: from)
            guard !ids.isEmpty else {
                throw Failure("no unresolved rejected events with reason \(r.rawValue)\(since.map { " since \($0)" } ?? "")")
            }
        } else {
            if since != nil { throw Failure("--since: only with --reason CODE") }
            guard !eventIDs.isEmpty else { throw Failure("give the event ids, or --reason CODE") }
            ids = try eventIDs.map { try wholeNumber($0, "the event id", in: Bounds.id) }
        }
        let result: BulkReplayResult
        do { result = try store.replay(eventIDs: ids, who: currentUser(), reparse: try reparser(store), dryRun: dryRun) } catch let e as StoreError {
            throw Failure("\(e)")
        }
        if json { print(bulkReplayJSON(result).text) } else { print(bulkReplayText(result)) }
    }
}

/// "dry run: 3 events in time order: 2 would be accepted, 1 would not; nothing was written",
/// then each accepted event, then the others by reason with their sentence.
func bulkReplayText(_ r: BulkReplayResult) -> String {
    let n = r.results.count, ok = r.accepted.count
    let events = "\(Money.grouped(String(n))) event\(n == 1 ? "" : "s")"
    var out: [String] = []
    if r.dryRun {
        out.append("dry run: \(events) in time order: \(Money.grouped(String(ok))) would be accepted, "
                   + "\(Money.grouped(String(n - ok))) would not; nothing was written")
    } else {
        out.append("replayed \(events) in time order: \(Money.grouped(String(ok))) accepted, \(Money.grouped(String(n - ok))) not")
    }
    for a in r.accepted {
        let to = r.dryRun ? "" : a.replayEventID.map { " as event #\($0)" } ?? ""
        var line = "  #\(a.original.id)\(to): \(r.dryRun ? "would be " : "")accepted" + (a.decision.detail.map { " (\($0))" } ?? "")
        if let c = a.decision.conversion { line += "; commission \(c.commission)\(a.affiliateCode.map { " to \($0)" } ?? "")" }
        out.append(line)
    }
    let others = r.notAccepted
    if !others.isEmpty { out.append(r.dryRun ? "would not be accepted, by reason:" : "not accepted, by reason:") }
    for (code, results) in others {
        let sentence = Reason(rawValue: code)?.sentence ?? ""
        out.append("  \(Width.pad(code, to: 24)) \(Width.pad(String(results.count), to: 6, align: .right))  \(sentence)")
        let ids = results.prefix(20).map { "#\($0.original.id)" }.joined(separator: ", ")
        out.append("    events \(ids)\(results.count > 20 ? ", …" : "")")
        if let hint = Reason(rawValue: code)?.hint { out.append("    fix: \(hint)") }
    }
    return out.map { Sanitize.text($0) }.joined(separator: "\n")
}

func bulkReplayJSON(_ r: BulkReplayResult) -> Out {
    .obj([("dry_run", .bool(r.dryRun)), ("events", .i(r.results.count)), ("accepted", .i(r.accepted.count)),
          ("results", .arr(r.results.map { x in
              .obj([("event", .int(x.original.id)), ("replay_event", .i(r.dryRun ? nil : x.replayEventID)), ("already_replayed", .bool(x.alreadyReplayed)),
                    ("before", .obj([("outcome", .str(x.original.outcome.rawValue)), ("reason", .s(x.original.reasonCode))])),
                    ("after", decisionJSON(x.decision, affiliate: x.affiliateCode))])
          }))])
}
