import ArgumentParser
import AttributionCore
import AttributionStore
import Feeds
import Foundation
import TerminalText

/// Reads a stored payload again as its feed would, with the program's currency and adapter settings.
func reparser(_ store: Store) throws -> Reparser {
    let a = try store.adapterSettings()
    return Reparse.reader(defaultCurrency: try store.settings().currency, metadataKey: a.metadataKey, taxExcluded: a.taxExcluded)
}

/// `affdesk triage ID`: "my conversion is missing", answered for any identifier.
struct Triage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain everything about an identifier: its click, customer, events and why each was accepted or rejected.",
        discussion: """
        ID is any identifier: an external id, a customer key, a click id, or a Stripe event, invoice,
        subscription or customer id, or a WooCommerce order id. Prints the click (with its age against
        the attribution window), the customer (status and caps), every event that mentions the id in
        time order with its outcome, the reason, the fix, and what today's settings would decide if
        it came again (`affdesk events replay EVENT_ID` applies that). Exits non-zero when nothing
        mentions the id.
        """)
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The identifier.") var id: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let store = try database.open(readOnly: true)
        let report = try store.triage(id, reparse: try reparser(store))
        if json {
            print(triageJSON(report).text)
            if !report.found { throw ExitCode.failure }
            return
        }
        guard report.found else {
            var message = "nothing mentions \"\(Sanitize.text(id))\": no event, customer, click or conversion has it as an identifier"
            if !report.suggestions.isEmpty {
                message += "\n  identifiers starting with it: " + report.suggestions.map { Sanitize.text($0) }.joined(separator: ", ")
            }
            throw Failure(message)
        }
        print(triageText(report))
    }
}

extension Events {
    /// `affdesk events replay EVENT_ID`.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide a stored event again under today's settings and apply it if accepted (audited).",
            discussion: """
            The replay is recorded in the inbox as a new event (source "replay") linked to the original,
            and written to the audit log. It never pays twice: a conversion already credited is refused
            as a duplicate external id. Replaying again with the same settings and the same outcome
            writes nothing. An accepted replay resolves the rejection: it leaves the triage queue.

            Several ids, or --reason CODE (every unresolved rejection with that reason, --since a
            time), are replayed in time order in one transaction: all or nothing. --dry-run decides
            them all as the replay would, says how many would be accepted and why not the others,
            and writes nothing.
            """)
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized,
                  help: ArgumentHelp("The events' ids (see `affdesk triage` or `affdesk events list`); several are replayed in time order.",
                                     valueName: "event-id"))
        var eventIDs: [String] = []
        @Option(help: "Replay every unresolved rejection with this reason code, in time order.") var reason: String?
        @Option(help: "With --reason: only events at or after this time (ISO 8601 or a date).") var since: String?
        @Flag(name: .customLong("dry-run"), help: "Decide everything and report how many would be accepted and why not the others; write nothing.")
        var dryRun = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            if reason != nil || dryRun || eventIDs.count > 1 { return try runBulk() }
            if since != nil { throw Failure("--since: only with --reason CODE") }
            let eventID = try wholeNumber(try single(eventIDs, "event id"), "the event id", in: Bounds.id)
            let store = try database.open()
            let settings = try store.settings()
            let r: ReplayResult
            do { r = try store.replay(eventID: eventID, who: currentUser(), reparse: try reparser(store)) } catch let e as StoreError {
                throw Failure("\(e)")
            }
            let d = r.decision
            if json {
                print(Out.obj([
                    ("event", .int(r.original.id)), ("replay_event", .i(r.replayEventID)), ("already_replayed", .bool(r.alreadyReplayed)),
                    ("before", .obj([("outcome", .str(r.original.outcome.rawValue)), ("reason", .s(r.original.reasonCode))])),
                    ("after", decisionJSON(d, affiliate: r.affiliateCode)),
                ]).text)
                let credited = try r.original.externalID.flatMap { try store.conversion(externalID: $0) } != nil
                if !d.isAccepted && !r.alreadyReplayed && !(d.reason == .duplicateExternalID && credited) { throw ExitCode.failure }
                return
            }
            let before = r.original.outcome.rawValue + (r.original.reasonCode.map { " \($0)" } ?? "")
            if r.alreadyReplayed {
                print(Wording.replayUnchanged(eventID: r.original.id))
                print("  today: \(outcomeLine(d, affiliate: r.affiliateCode, settings: settings))")
                return
            }
            let head = "replayed event #\(r.original.id) (was \(before)) as event #\(r.replayEventID!)"
            if d.isAccepted {
                print(Sanitize.text(head + ": accepted" + (d.detail.map { " (\($0))" } ?? "")))
                if let c = d.conversion {
                    print(Sanitize.text("  credited \(c.externalID): \(c.amount), commission \(c.commission) to \(r.affiliateCode ?? "?")"))
                }
                for n in d.notes { print("  note \(n.rawValue): \(n.sentence)") }
            } else if d.reason == .duplicateExternalID, let x = r.original.externalID, let v = try store.conversion(externalID: x) {
                // Idempotent: what the replay would pay is already paid.
                print(Sanitize.text(head + ": " + Wording.alreadyCredited(externalID: v.externalID, amount: v.amount, commission: v.commission,
                                                                         affiliate: v.affiliateCode, manual: v.manual)))
            } else {
                let reason = d.reason!
                throw Failure(Sanitize.text(head + ": refused \(reason.rawValue): \(reason.sentence)" + (d.detail.map { " (\($0))" } ?? ""))
                              + "\n  fix: \(reason.hint)")
            }
        }
    }
}

extension Conversions.Add {
    /// `conversions add --from-event EVENT_ID [--affiliate CODE] [--amount A]`: a stored conversion
    /// event added by hand as an admin override (its external id, amount, time and customer).
    func addFromEvent(_ eventID: Int64) throws {
        if externalID != nil { throw Failure("--external-id: not with --from-event (the event's external id is used)") }
        if customer != nil { throw Failure("--customer: not with --from-event (the event names the customer); --affiliate credits another affiliate") }
        if at != nil { throw Failure("--at: not with --from-event (the event's time is used)") }
        let store = try database.open()
        let draft: ManualDraft
        do { draft = try store.manualDraft(eventID: eventID, reparse: try reparser(store)) } catch let e as StoreError { throw Failure("\(e)") }
        var money: Money?
        if let a = amount { money = try parseMoney(a, currency: currency, field: "--amount", default: draft.amount.currency) }
        if affiliate == nil && draft.needsAffiliate {
            throw Failure("--affiliate: event #\(eventID) names no tracked customer and no click or affiliate to credit; name the affiliate (--affiliate CODE)")
        }
        if let code = affiliate { _ = try affiliateOption(code, in: store) }
        let d = try store.addManualConversion(draft, affiliateCode: affiliate, amount: money, who: currentUser())
        if d.isAccepted, let untracked = draft.untrackedCustomerKey {
            print(Sanitize.text("customer \(untracked) is not tracked: added as a one-off"))
        }
        let credited = d.conversion.map { c in "\(c.amount), commission \(c.commission)" } ?? "-"
        try report(d, success: Sanitize.text("added conversion \(draft.externalID) by hand from event #\(eventID): \(credited)"))
    }
}

// MARK: - Text

/// One line for what a decision did or would do.
func outcomeLine(_ d: Decision, affiliate: String?, settings: ProgramSettings) -> String {
    if d.isAccepted {
        var s = "accepted"
        if let detail = d.detail { s += ": \(detail)" }
        if let c = d.conversion { s += "; commission \(c.commission)\(affiliate.map { " to \($0)" } ?? "")" }
        if !d.notes.isEmpty { s += " (\(d.notes.map(\.rawValue).joined(separator: ", ")))" }
        return s
    }
    let r = d.reason!
    return "refused \(r.rawValue): \(r.sentence)" + (d.detail.map { " (\($0))" } ?? "")
}

func capsText(_ p: CapProgress, _ s: ProgramSettings) -> String {
    Wording.capProgress(p) { Money(minor: $0, currency: s.caps.amount?.currency ?? s.currency).description }
}

func settingsLine(_ s: ProgramSettings) -> String {
    "recurring \(s.recurring ? "on" : "off") · window \(s.windowDays) days · commission \(s.commission) · caps "
        + Wording.capsSummary(s.caps)
}

func triageText(_ r: TriageReport) -> String {
    var t = TriageText(settings: r.settings)
    t.line("\(r.query): " + (r.matches.isEmpty ? "found" : r.matches.map(\.label).joined(separator: ", ")))
    t.line("today's settings: " + settingsLine(r.settings))
    for c in r.clicks { t.click(c) }
    for c in r.customers { t.customer(c) }
    t.out.append("")
    t.line(r.events.isEmpty ? "events: none mention it" : "events (oldest first)\(r.truncated ? ", the newest \(r.events.count)" : "")")
    for e in r.events {
        t.event(e)
        // A rejection fixed since says how, instead of what a repeat would do.
        if let res = e.resolution { t.kv("status", res.text) } else { t.today(e, conversions: r.conversions) }
    }
    t.conversions(r.conversions, ledger: r.ledger)
    t.audit(r.audit)
    return t.out.joined(separator: "\n")
}

/// The text of a triage report, built part by part; every line sanitized.
struct TriageText {
    let settings: ProgramSettings
    var out: [String] = []

    mutating func line(_ text: String) { out.append(Sanitize.text(text)) }
    mutating func kv(_ k: String, _ v: String, indent: String = "  ") { line(indent + Width.pad(k, to: 10) + v) }

    mutating func click(_ c: TriageClick) {
        out.append("")
        line("click \(c.clickID)")
        guard c.recorded, let at = c.at else { kv("recorded", "never: no click with this id was recorded (unknown_click)"); return }
        kv("affiliate", "\(c.affiliateCode ?? "?") (\(c.affiliateName ?? "?"))")
        kv("recorded", at.shortDisplay)
        if let age = c.age {
            if let e = c.ageEventID { kv("age", "at event #\(e): \(age.description)") }
            if let k = c.ageCustomerKey { kv("age", "when it tracked customer \(k): \(age.description)") }
        }
    }

    mutating func customer(_ c: TriageCustomer) {
        let s = settings
        out.append("")
        line("customer \(c.row.key)")
        kv("affiliate", "\(c.row.affiliateCode) (\(c.row.affiliateName))")
        kv("status", "\(s.label(c.row.status)) (\(c.row.status.rawValue))")
        kv("tracked", c.row.createdAt.shortDisplay + (c.clickID.map { " by click \($0)" } ?? ""))
        kv("paid", "\(c.row.conversions) conversion\(c.row.conversions == 1 ? "" : "s"), commission \(c.row.commission?.description ?? "-")")
        kv("caps", s.caps.isEmpty ? "none" : capsText(c.progress, s))
    }

    /// An event as it was received and decided.
    mutating func event(_ t: TriageEvent) {
        let e = t.event
        var head = "#\(e.id)  \((e.at ?? e.receivedAt).shortDisplay)  \(e.type) from \(e.source)"
        if let f = e.file { head += " \(f)\(e.line.map { ":\($0)" } ?? "")" }
        if let o = t.replayOf { head += " (replay of #\(o))" }
        line(head)
        let ids = [e.customerKey.map { "customer \($0)" }, e.externalID.map { "external id \($0)" }, e.clickRef.map { "click \($0)" }]
            .compactMap { $0 } + (t.refs.isEmpty ? [] : ["refs " + t.refs.joined(separator: ", ")])
        if !ids.isEmpty { kv("ids", ids.joined(separator: " · ")) }
        kv("outcome", e.outcome.rawValue + (e.reasonCode.map { " \($0)" } ?? "") + (t.affiliateCode.map { " · affiliate \($0)" } ?? ""))
        why(e)
        if let age = t.clickAge { kv("click", "\(e.clickRef ?? "") was \(age.description)") }
        if let v = t.conversion {
            kv("credited", "\(v.externalID): \(v.amount), commission \(v.commission) to \(v.affiliateCode)\(v.manual ? " (by hand)" : "")")
        }
    }

    /// Why the event was refused and how to fix it, or what its acceptance noted.
    mutating func why(_ e: EventRow) {
        if let reason = e.reason {
            kv("why", reason.sentence)
            if let d = e.detail { kv("", d) }
            if let f = e.field { kv("field", f) }
            kv("fix", reason.hint)
            if !e.notes.isEmpty { kv("notes", e.notes.map(\.rawValue).joined(separator: ", ")) }
        } else if let code = e.reasonCode {
            kv("why", "refused \(code) (a code this affdesk does not know)")
        } else {
            if let d = e.detail { kv("detail", d) }
            for n in e.notes {
                kv("note", "\(n.rawValue): \(n.sentence)")
                kv("", "fix: \(n.hint)")
            }
        }
    }

    /// What today's settings would decide if the event came again.
    mutating func today(_ t: TriageEvent, conversions: [ConversionRow]) {
        let e = t.event, s = settings
        guard let w = t.wouldNow else {
            if e.reason == .invalidEvent || e.reasonCode == nil {
                kv("today", "cannot be read again, so it cannot be replayed" + (e.reason == .invalidEvent ? "; fix it at the source and ingest it again" : ""))
            } else {
                kv("today", "nothing to decide again: affdesk does not act on this \(e.source) \(e.type)")
            }
            return
        }
        if w.isAccepted {
            kv("today", "would be " + outcomeLine(w, affiliate: t.wouldNowAffiliate, settings: s))
            if e.outcome == .rejected { kv("", "→ affdesk events replay \(e.id) applies it now (audited; it can never pay twice)") }
        } else if w.reason == .duplicateExternalID, let v = conversions.first(where: { $0.externalID == e.externalID }) {
            kv("today", "already credited: \(v.externalID) \(v.amount), commission \(v.commission) to \(v.affiliateCode)"
               + (v.manual ? " (by hand)" : "") + "; nothing pays twice")
        } else if w.reason?.rawValue == e.reasonCode {
            kv("today", "still refused \(e.reasonCode ?? "") under today's settings")
        } else if e.outcome == .accepted, let r = w.reason {
            kv("today", "a repeat would be refused \(r.rawValue) (it was accepted: nothing to fix)")
        } else {
            kv("today", "would be " + outcomeLine(w, affiliate: t.wouldNowAffiliate, settings: s))
            if let hint = w.reason?.hint { kv("", "fix: \(hint)") }
        }
    }

    mutating func conversions(_ conversions: [ConversionRow], ledger: [Int64: ConversionLedger]) {
        guard !conversions.isEmpty else { return }
        out.append("")
        line("conversions")
        for v in conversions {
            line("  \(v.at.shortDisplay)  \(v.externalID)  \(v.amount)  commission \(v.commission)  \(v.affiliateCode)"
                 + (v.customerKey.map { "  customer \($0)" } ?? "  one-off") + (v.manual ? "  (by hand)" : ""))
            if let l = ledger[v.id] { self.ledger(l) }
        }
    }

    mutating func audit(_ audit: [AuditRow]) {
        guard !audit.isEmpty else { return }
        out.append("")
        line("admin changes")
        for a in audit {
            line("  \(a.at.shortDisplay)  \(a.who)  \(a.action)  \(a.target ?? "")  \(a.before ?? "—") → \(a.after ?? "—")")
        }
    }
}

// MARK: - JSON

func decisionJSON(_ d: Decision, affiliate: String?) -> Out {
    .obj([("outcome", .str(d.outcome.rawValue)), ("reason", .s(d.reason?.rawValue)), ("sentence", .s(d.reason?.sentence)),
          ("hint", .s(d.reason?.hint)), ("detail", .s(d.detail)), ("notes", .arr(d.notes.map(noteJSON))),
          ("affiliate", .s(affiliate)), ("commission_minor", .i(d.conversion?.commission.minor)),
          ("commission_currency", .s(d.conversion?.commission.currency.code))])
}

/// How a rejection was resolved, or null.
func resolutionJSON(_ r: Resolution?) -> Out {
    guard let r else { return .null }
    return .obj([("event", .i(r.byEventID)), ("conversion", .s(r.byExternalID)), ("at", .str(r.at.iso8601)), ("who", .str(r.who)),
                 ("text", .str(r.text))])
}

/// A note, worded for the event's outcome (`Wording.note`).
func noteJSON(_ n: Reason, refused: Bool) -> Out {
    let w = Wording.note(n, refused: refused)
    return .obj([("code", .str(n.rawValue)), ("sentence", .str(w.sentence)), ("hint", .str(w.hint))])
}

func noteJSON(_ n: Reason) -> Out { noteJSON(n, refused: false) }

func clickAgeJSON(_ a: ClickAge?) -> Out {
    guard let a else { return .null }
    return .obj([("seconds", .int(a.seconds)), ("days", .int(a.days)), ("window_days", .i(a.windowDays)),
                 ("within_window", .bool(a.withinWindow)), ("text", .str(a.description))])
}

func dimensionJSON(_ d: CapProgress.Dimension?) -> Out {
    guard let d else { return .null }
    return .obj([("used", .int(d.used)), ("limit", .int(d.limit)), ("reached", .bool(d.reached))])
}

func triageJSON(_ r: TriageReport) -> Out {
    let s = r.settings
    return .obj([
        ("query", .str(r.query)),
        ("found", .bool(r.found)),
        ("matched_as", .arr(r.matches.map { .str($0.rawValue) })),
        ("settings", .obj([("recurring", .bool(s.recurring)), ("window_days", .i(s.windowDays)),
                           ("commission", .str(s.commission.description)), ("cap_count", .i(s.caps.count.map(Int64.init))),
                           ("cap_months", .i(s.caps.months.map(Int64.init))), ("cap_amount_minor", .i(s.caps.amount?.minor))])),
        ("clicks", .arr(r.clicks.map { c in
            .obj([("click_id", .str(c.clickID)), ("recorded", .bool(c.recorded)), ("affiliate", .s(c.affiliateCode)),
                  ("at", .s(c.at?.iso8601)), ("age_at_event", .i(c.ageEventID)), ("age_at_tracking_of", .s(c.ageCustomerKey)),
                  ("age", clickAgeJSON(c.age)),
                  ("age_now", clickAgeJSON(c.at.map { ClickAge(click: $0, at: r.now, windowDays: s.windowDays) }))])
        })),
        ("customers", .arr(r.customers.map { c in
            var o = customerJSON(c.row, s)
            if case .obj(var kv) = o {
                kv.append(("click_id", .s(c.clickID)))
                kv.append(("caps", .obj([("count", dimensionJSON(c.progress.count)), ("months_days", dimensionJSON(c.progress.months)),
                                         ("amount_minor", dimensionJSON(c.progress.amount))])))
                o = .obj(kv)
            }
            return o
        })),
        ("events", .arr(r.events.map { t in
            var o = eventJSON(t.event)
            if case .obj(var kv) = o {
                kv.append(("received_at", .str(t.event.receivedAt.iso8601)))
                kv.append(("notes", .arr(t.event.notes.map { noteJSON($0, refused: t.event.outcome == .rejected) })))
                kv.append(("affiliate", .s(t.affiliateCode)))
                kv.append(("refs", .arr(t.refs.map(Out.str))))
                kv.append(("replay_of", .i(t.replayOf)))
                kv.append(("click_age", clickAgeJSON(t.clickAge)))
                kv.append(("conversion", t.conversion.map(conversionJSON) ?? .null))
                kv.append(("would_now", t.wouldNow.map { decisionJSON($0, affiliate: t.wouldNowAffiliate) } ?? .null))
                kv.append(("resolved_by", resolutionJSON(t.resolution)))
                o = .obj(kv)
            }
            return o
        })),
        ("conversions", .arr(r.conversions.map { triageConversionJSON($0, r.ledger[$0.id]) })),
        ("audit", .arr(r.audit.map { a in
            .obj([("at", .str(a.at.iso8601)), ("who", .str(a.who)), ("action", .str(a.action)), ("target", .s(a.target)),
                  ("before", .s(a.before)), ("after", .s(a.after)), ("detail", .s(a.detail))])
        })),
        ("truncated", .bool(r.truncated)),
        ("suggestions", .arr(r.suggestions.map(Out.str))),
    ])
}
