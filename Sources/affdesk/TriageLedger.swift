import AttributionCore
import AttributionStore
import TerminalText

/// `affdesk triage`'s ledger lines under each conversion: the commission's state now, why it is
/// voided, held or clawed back (reason code, sentence and fix from the core), and the sale's
/// refunds, disputes and clawbacks. `--json` carries the same under each conversion's `commission`.
extension TriageText {
    mutating func ledger(_ l: ConversionLedger) {
        let ind = "      "
        var state = l.state.rawValue + (l.reason.map { " \($0.rawValue)" } ?? "") + " · \(l.amount)"
        if l.amount != l.original { state += " (credited \(l.original))" }
        if let p = l.payoutID { state += " · payout #\(p)" }
        kv("ledger", state, indent: "    ")
        if let x = l.explanation {
            kv("why", (x.clawedBack ? "clawed back \(x.code): " : "\(x.code): ") + x.sentence, indent: ind)
            kv("fix", x.fix, indent: ind)
        }
        for r in l.refunds where !r.key.hasPrefix("dispute:") {
            kv("refund", "\(r.key) \(r.sale)\(r.cumulative ? " refunded in total" : "") at \(r.at.shortDisplay) · commission −\(r.commission)",
               indent: ind)
        }
        for d in l.disputes {
            let taken = l.refunds.first { $0.key == "dispute:" + d.id }.map { " · commission −\($0.commission)" } ?? ""
            kv("dispute", "\(d.id) \(d.status.rawValue) at \(d.at.shortDisplay)\(taken)", indent: ind)
        }
        for c in l.clawbacks {
            kv("clawback", "#\(c.id) \(c.amount) \(c.state.rawValue) at \(c.at.shortDisplay)"
               + (c.payoutID.map { " · in payout #\($0)" } ?? " · netted in the next payout"), indent: ind)
        }
    }
}

/// A triage conversion with its ledger: `conversionJSON`'s keys and `commission` (null when the
/// conversion has no entry).
func triageConversionJSON(_ v: ConversionRow, _ l: ConversionLedger?) -> Out {
    guard case .obj(var kv) = conversionJSON(v) else { return conversionJSON(v) }
    kv.append(("commission", l.map(ledgerJSON) ?? .null))
    return .obj(kv)
}

func ledgerJSON(_ l: ConversionLedger) -> Out {
    let x = l.explanation
    return .obj([
        ("state", .str(l.state.rawValue)), ("reason", .s(l.reason?.rawValue)),
        ("amount_minor", .int(l.amount.minor)), ("original_minor", .int(l.original.minor)), ("currency", .str(l.amount.currency.code)),
        ("payout_id", .i(l.payoutID)),
        ("explanation", x.map { .obj([("code", .str($0.code)), ("sentence", .str($0.sentence)), ("fix", .str($0.fix)),
                                      ("clawed_back", .bool($0.clawedBack))]) } ?? .null),
        ("refunds", .arr(l.refunds.map { r in
            .obj([("refund_id", .str(r.key)), ("amount_minor", .int(r.sale.minor)), ("currency", .str(r.sale.currency.code)),
                  ("cumulative", .bool(r.cumulative)), ("commission_minor", .int(r.commission.minor)), ("reason", .s(r.reason?.rawValue)),
                  ("at", .str(r.at.iso8601))])
        })),
        ("disputes", .arr(l.disputes.map { .obj([("dispute_id", .str($0.id)), ("status", .str($0.status.rawValue)), ("at", .str($0.at.iso8601))]) })),
        ("clawbacks", .arr(l.clawbacks.map { c in
            .obj([("id", .int(c.id)), ("amount_minor", .int(c.amount.minor)), ("state", .str(c.state.rawValue)), ("payout_id", .i(c.payoutID)),
                  ("at", .str(c.at.iso8601))])
        })),
    ])
}
