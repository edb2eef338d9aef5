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
                kv("Click", "\(c.clickID) · \(c.affiliateCode ?? "?") · \(c.at?.shortDisplay ?? "")")
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
