import AttributionCore
import AttributionStore
import TerminalText

/// The ledger in the admin's customer history: each conversion's commission state (and reason
/// when voided or held), and the refunds, disputes and clawbacks of its sales, in time order
/// beside the payments and events (`DetailView.customerLines`).
enum LedgerHistory {
    /// "approved", "voided refunded", "paid 5.80 → 3.87", as the conversion line's state.
    static func state(_ l: ConversionLedger, _ st: ProgramSettings) -> String {
        var text = "[" + l.state.rawValue + (l.reason.map { " " + $0.rawValue } ?? "")
        if l.amount != l.original && l.state != .voided { text += " now \(Fmt.money(l.amount, st))" }
        return text + "]"
    }

    /// The triage pane's commission section: the sale's commission now, why it is voided, held or
    /// clawed back (the core's reason code, sentence and fix), its refunds and disputes.
    static func commissionLines(_ l: ConversionLedger?, _ s: State) -> [(String, Style)] {
        guard let l else { return [] }
        let st = s.settings
        var out: [(String, Style)] = [("", Style()), ("Commission", Style(.title, bold: true))]
        let role: Role = l.state == .voided ? .error : (l.state == .onHold ? .warning : .ok)
        out.append((Width.pad("State", to: 12) + state(l, st) + " " + Fmt.money(l.amount, st), Style(role, bold: true)))
        if let x = l.explanation {
            out.append((Width.pad("Why", to: 12) + (x.clawedBack ? "clawed back \(x.code): " : "\(x.code): ") + x.sentence, Style(.normal)))
            out.append((Width.pad("Fix", to: 12) + x.fix, Style(.accent)))
        }
        for r in l.refunds where !r.key.hasPrefix("dispute:") {
            out.append((Width.pad("Refund", to: 12) + "\(r.key) \(Fmt.money(r.sale, st)) at \(s.zone.short(r.at)) · commission −\(Fmt.money(r.commission, st))",
                        Style(.warning)))
        }
        for d in l.disputes {
            out.append((Width.pad("Dispute", to: 12) + "\(d.id) \(d.status.rawValue) at \(s.zone.short(d.at))", Style(d.status == .won ? .ok : .error)))
        }
        for c in l.clawbacks {
            out.append((Width.pad("Clawback", to: 12) + "\(Fmt.money(c.amount, st)) [\(c.state.rawValue)]" + (c.payoutID.map { " in payout #\($0)" } ?? ""),
                        Style(.error)))
        }
        return out
    }

    /// The refunds, disputes and clawbacks of the customer's conversions, as history items
    /// (time, order, text, style) merged with the rest.
    static func items(_ d: CustomerDetail, _ s: State) -> [(Instant, Int64, String, Style)] {
        let st = s.settings
        var out: [(Instant, Int64, String, Style)] = []
        for v in d.conversions {
            guard let l = d.ledger[v.id] else { continue }
            let order = v.id * 2
            for r in l.refunds where !r.key.hasPrefix("dispute:") {
                let what = r.cumulative ? "refunded in total \(Fmt.money(r.sale, st)) (\(r.key))" : "refund \(r.key) \(Fmt.money(r.sale, st))"
                out.append((r.at, order, "\(s.zone.short(r.at))  \(what) of \(v.externalID) · commission −\(Fmt.money(r.commission, st))",
                            Style(.warning)))
            }
            for x in l.disputes {
                let taken = x.status == .lost ? l.refunds.first { $0.key == "dispute:" + x.id }.map { " · commission −\(Fmt.money($0.commission, st))" } ?? "" : ""
                out.append((x.at, order, "\(s.zone.short(x.at))  dispute \(x.id) \(x.status.rawValue) on \(v.externalID)\(taken)",
                            Style(x.status == .won ? .ok : .error)))
            }
            for c in l.clawbacks {
                let payout = c.payoutID.map { " in payout #\($0)" } ?? " to net in the next payout"
                out.append((c.at, order, "\(s.zone.short(c.at))  clawback \(Fmt.money(c.amount, st)) of \(v.externalID) [\(c.state.rawValue)]\(payout)",
                            Style(.error)))
            }
        }
        return out
    }
}
