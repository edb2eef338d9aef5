import AttributionCore
import AttributionStore
import TerminalText

/// What replaying an event would do under today's settings, read before the admin confirms.
public struct ReplayPreview: Hashable, Sendable {
    /// The event replayed (the original, when a replay was selected).
    public var event: EventRow
    /// Nil when the payload cannot be read again.
    public var wouldNow: Decision?
    public var affiliateCode: String?
    /// A conversion with the event's external id, already credited.
    public var credited: ConversionRow?
    public init(event: EventRow, wouldNow: Decision?, affiliateCode: String?, credited: ConversionRow?) {
        self.event = event; self.wouldNow = wouldNow; self.affiliateCode = affiliateCode; self.credited = credited
    }
}

/// The Triage tab's two actions: replay an event, add its conversion by hand. Pure: the
/// confirmations they open and the lines the event pane adds.
enum TriageActions {
    /// The admin's actions on an inbox event: the Triage screen adds them, and the event pane has them.
    static let bindings: [Binding] = [
        Binding(keys: [.char("p")], label: "p", short: "replay", help: "Replay the event under today's settings (y/N, audited; never pays twice)", command: .replay, scope: .eventActions, inStatusBar: true),
        Binding(keys: [.char("m")], label: "m", short: "by hand", help: "Add the event's conversion by hand, an admin override (y/N, audited)", command: .manualConversion, scope: .eventActions, inStatusBar: true),
    ]

    /// The event the actions apply to: the open event pane's, else the Triage list's selection.
    static func selectedEventID(_ s: State) -> Int64? {
        // Only where some screen offers the event actions (never in the affiliate view).
        guard s.offers(.eventActions) else { return nil }
        if case .event(let d)? = s.detail { return d.event.id }
        guard s.detail == nil, s.tab == .triage else { return nil }
        return s.list.selectedRow?.id
    }

    static func identifier(_ e: EventRow) -> String {
        e.externalID ?? e.customerKey ?? e.clickRef ?? "—"
    }

    static func replayConfirm(_ p: ReplayPreview) -> Confirm {
        let e = p.event
        var lines = ["Event     #\(e.id) \(e.type) \(identifier(e))",
                     "Was       \(e.outcome.rawValue)" + (e.reasonCode.map { " · \($0)" } ?? "")]
        if let w = p.wouldNow {
            if w.isAccepted {
                lines.append("Today     accepted" + (w.detail.map { ": \($0)" } ?? ""))
                if let c = w.conversion {
                    lines.append("          commission \(c.commission)" + (p.affiliateCode.map { " to \($0)" } ?? ""))
                }
            } else if w.reason == .duplicateExternalID, let v = p.credited {
                lines.append("Today     already credited: \(v.externalID), commission \(v.commission) to \(v.affiliateCode)")
            } else if let r = w.reason {
                lines.append("Today     refused \(r.rawValue)")
                lines.append("          \(r.sentence)")
            }
        } else {
            lines.append("Today     its payload cannot be read again")
        }
        lines.append("Recorded as a new event linked to #\(e.id), and audited;")
        lines.append("a conversion already credited is never paid twice.")
        return Confirm(title: "Replay event #\(e.id) under today's settings?", lines: lines, action: .replay(eventID: e.id))
    }

    static func manualConfirm(_ d: ManualDraft, affiliate chosen: String?) -> Confirm {
        var lines = ["From      event #\(d.eventID)", "External  \(d.externalID)", "Amount    \(d.amount)", "Paid at   \(d.at.shortDisplay)"]
        if let k = d.customerKey {
            lines.append("Customer  \(k)")
        } else {
            lines.append("Customer  one-off" + (d.untrackedCustomerKey.map { " (\($0) is not tracked)" } ?? ""))
        }
        let why: String
        switch (chosen, d.creditedBy) {
        case (_?, _): why = "chosen"
        case (nil, .customer): why = "the customer's affiliate"
        case (nil, .click): why = "the click's affiliate"
        case (nil, .event): why = "the affiliate the event concerned"
        case (nil, .none): why = "?"
        }
        lines.append("Credit    \(chosen ?? d.affiliateCode ?? "—") (\(why))")
        lines.append("An admin override, audited: the caps, the lifecycle and")
        lines.append("the duplicate check still apply.")
        return Confirm(title: "Add conversion \(d.externalID) by hand?", lines: lines, action: .manualFromEvent(d, affiliateCode: chosen))
    }

    /// "count 1 of 3 commissions · months no cap · amount 2.90 of 100.00".
    static func capsText(_ p: CapProgress, _ s: ProgramSettings) -> String {
        s.caps.isEmpty ? "no caps" : Wording.capProgress(p) { Fmt.money(minor: $0, s) }
    }

    /// The event pane's lines about its click and customer, as `affdesk triage` prints them.
    static func contextLines(_ d: EventDetail, _ s: State) -> [(String, Style)] {
        var out: [(String, Style)] = []
        func kv(_ k: String, _ v: String, _ style: Style = Style(.normal)) { out.append((Width.pad(k, to: 12) + v, style)) }
        if let r = d.resolution { kv("Resolved", r.text.dropFirst("resolved ".count).description, Style(.ok, bold: true)) }
        if let o = d.replayOf { kv("Replay of", "event #\(o)", Style(.dim)) }
        if let c = d.click {
            if c.recorded {
                kv("Click", "\(c.clickID) · \(c.affiliateCode ?? "?") · \(c.at.map(s.zone.short) ?? "")")
                if let age = c.age {
                    let when = c.ageCustomerKey.map { "when it tracked \($0): " } ?? ""
                    kv("Click age", when + age.description, Style(age.withinWindow ? .ok : .warning))
                }
            } else {
                kv("Click", "\(c.clickID) · never recorded", Style(.warning))
            }
        }
        if let c = d.customer {
            kv("Customer", "\(c.row.key) · \(c.row.affiliateCode) · \(s.settings.label(c.row.status)) (\(c.row.status.rawValue))",
               Style(Fmt.statusRole(c.row.status)))
            kv("Caps", capsText(c.progress, s.settings), Style(c.progress.tightest?.reached == true ? .warning : .chart))
        }
        return out
    }
}

/// The Triage rows marked for one bulk replay: some rows (Space), or every unresolved
/// rejection of a reason (`a`), loaded or not.
public struct TriageMarks: Hashable, Sendable {
    public var ids: Set<Int64> = []
    public var reason: String?
    public init() {}
    public var isEmpty: Bool { ids.isEmpty && reason == nil }
    public func contains(_ e: EventRow) -> Bool { ids.contains(e.id) || (reason != nil && e.outcome == .rejected && e.reasonCode == reason) }
}

/// Bulk replay on the Triage tab, as lazygit selects: Space marks rows, `a` the whole reason,
/// `p` then replays the marked ones in time order after one confirmation that shows the dry
/// run (how many would be accepted, why not the others); `r` shows resolved rejections too.
extension TriageActions {
    static let bulkBindings: [Binding] = [
        Binding(keys: [.char(" ")], label: "Space", short: "mark", help: "Mark or unmark the row for a bulk replay (p replays the marked rows)",
                command: .markRow, scope: .triage, inStatusBar: false),
        Binding(keys: [.char("a")], label: "a", short: "mark reason", help: "Mark every unresolved rejection of this reason for a bulk replay",
                command: .markReason, scope: .triage, inStatusBar: false),
        Binding(keys: [.char("r")], label: "r", short: "resolved", help: "Show or hide the rejections resolved by a replay or by hand",
                command: .toggleResolved, scope: .triage, inStatusBar: true),
    ]

    /// "3 marked", "all marked", or nil.
    static func marksLabel(_ s: State) -> String? {
        let m = s.triageMarks
        var parts: [String] = []
        if m.reason != nil { parts.append("all marked") } else if !m.ids.isEmpty { parts.append("\(m.ids.count) marked") }
        if s.showResolved { parts.append("+resolved") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    static func perform(_ s: inout State, _ cmd: Command) -> [Effect] {
        guard s.tab == .triage, s.detail == nil, s.isAdmin else { return [] }
        switch cmd {
        case .markRow:
            guard let row = s.list.selectedRow, case .event(let e) = row.item, e.outcome == .rejected else { return [] }
            if s.triageMarks.reason != nil {
                s.message = Note("The whole reason is marked; a unmarks it.")
                return []
            }
            if s.triageMarks.ids.remove(e.id) == nil { s.triageMarks.ids.insert(e.id) }
            return moveSelection(&s, to: s.list.selected + 1)
        case .markReason:
            guard s.reasons.indices.contains(s.reasonIndex), s.reasonIndex > 0 else {
                s.message = Note("Pick a reason first (←/→): a marks every rejection of one reason.", isError: true)
                return []
            }
            let reason = s.reasons[s.reasonIndex].reason
            let wasMarked = s.triageMarks.reason == reason
            s.triageMarks = TriageMarks()
            if !wasMarked { s.triageMarks.reason = reason }
            return []
        case .toggleResolved:
            s.showResolved.toggle()
            s.triageMarks = TriageMarks()
            s.message = Note(s.showResolved ? "Resolved rejections are shown too (r hides them)." : "Resolved rejections are hidden.")
            return TriageScreen().sideLoads(s) + [State.load(s, .triage, .reset)]
        default:
            return []
        }
    }

    /// `p` with rows marked: the dry run first (nil when nothing is marked).
    static func bulkReplay(_ s: State) -> [Effect]? {
        guard s.tab == .triage, s.detail == nil, !s.triageMarks.isEmpty else { return nil }
        return [.prepareBulkReplay(eventIDs: s.triageMarks.ids.sorted(), reason: s.triageMarks.reason)]
    }

    /// The dry run came back: one confirmation saying how many would be accepted and why not the others.
    static func bulkPrepared(_ s: inout State, _ r: BulkReplayResult) -> [Effect] {
        guard s.overlays.isEmpty else { return [] }
        let n = r.results.count, ok = r.accepted.count
        var lines = ["Dry run   \(n) event\(n == 1 ? "" : "s") in time order: \(ok) would be accepted, \(n - ok) would not"]
        for (reason, results) in r.notAccepted.prefix(6) { lines.append("          \(results.count) \(reason)") }
        lines.append("Each is recorded as a new event linked to its original,")
        lines.append("and audited; a conversion already credited is never paid twice.")
        s.overlays.append(.confirm(Confirm(title: "Replay \(n) event\(n == 1 ? "" : "s") under today's settings?", lines: lines,
                                           action: .bulkReplay(eventIDs: r.results.map(\.original.id)))))
        return []
    }

    /// What a bulk replay did, for the message line and the history.
    static func bulkOutcome(_ r: BulkReplayResult) -> (String, Bool) {
        let n = r.results.count, ok = r.accepted.count
        let why = r.notAccepted.map { "\($0.results.count) \($0.reason)" }.joined(separator: ", ")
        return ("Replayed \(n) event\(n == 1 ? "" : "s") in time order: \(ok) accepted, \(n - ok) not" + (why.isEmpty ? "." : " (\(why))."),
                ok > 0 || n == ok)
    }
}
