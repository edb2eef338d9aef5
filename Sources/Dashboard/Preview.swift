import AttributionCore
import AttributionStore
import TerminalText

// The core's answer to a change, known before its confirmation: the driver asks the core with
// the stored facts (nothing is written), and a refusal replaces the confirmation at once.

extension Driver {
    /// What the core would decide for a change now (the store's previews write nothing); nil
    /// for changes without a preview.
    func preview(_ action: PendingAction) throws -> Msg? {
        let d: Decision
        switch action {
        case .setStatus(let key, let to): d = try store.previewStatus(customerKey: key, to: to)
        case .reassign(let key, let code): d = try store.previewReassign(customerKey: key, toAffiliate: code)
        case .addConversion(let key, let id, let amount, let at):
            d = try store.previewManualConversion(externalID: id, amount: amount, customerKey: key, at: at)
        case .commissionAction(let a, let ids):
            return .commissionActionPrepared(CommissionPlan.make(action, a, ids: ids, rows: try store.commissionRows(ids: ids),
                                                                 totals: try store.commissionTotals(), now: clock.now()))
        case .createPayouts(let through, let minimum):
            return .payoutRunPrepared(action, try store.previewPayouts(through: through, minimum: minimum), totals: try store.payoutTotals())
        case .markPayoutPaid, .cancelPayout, .exportPayout:
            return nil
        case .saveSettings, .saveAdapters, .replay, .manualFromEvent, .addAffiliate, .setAffiliateDisabled, .updateAffiliate, .bulkReplay:
            return nil
        }
        return .previewed(action, d)
    }
}

enum Previews {
    /// The core's refusal, in full: the reason's sentence, what the core said, and the fix.
    static func refusalLines(_ d: Decision) -> [String] {
        guard let r = d.reason else { return [] }
        var out = [r.sentence]
        if let detail = d.detail { out.append("(\(detail))") }
        out += ["", "How to fix: " + r.hint]
        return out
    }

    /// The core's answer came: a refusal replaces the confirmation it was asked for (and is
    /// said on the message line and kept in the history); an acceptance stays as it is.
    static func apply(_ s: inout State, _ action: PendingAction, _ d: Decision) {
        guard !d.isAccepted, let r = d.reason,
              case .confirm(let c)? = s.overlays.last, c.action == action else { return }
        s.overlays[s.overlays.count - 1] = .notice(Notice(title: "Refused: \(r.rawValue)", lines: refusalLines(d)))
        let o = Outcome(result: .refused, text: "\(action.summary(s.settings)): refused: \(r.sentence) \(r.hint)", at: s.now)
        s.message = Note("Refused: \(r.sentence) \(r.hint)", isError: true)
        remember(&s, o)
    }

    /// Before the add-conversion form: a customer the core would refuse any conversion for
    /// (canceled, capped) is said at once, with the core's own sentence and fix.
    static func conversionRefusal(_ s: State, _ c: CustomerFact, history: CapHistory) -> Decision? {
        let probe = ProbeFacts(customer: c, history: history)
        let one = Money(minor: 1, currency: s.settings.currency)
        guard let d = try? Engine(settings: s.settings).manualConversion(externalID: "probe", amount: one, customerKey: c.key,
                                                                          affiliate: nil, at: s.now, facts: probe),
              !d.isAccepted, d.reason == .customerEnded || d.reason == .customerCapped else { return nil }
        return d
    }
}

/// The facts of one customer as the list shows it: enough for the core to say whether it can
/// be credited at all.
struct ProbeFacts: Facts {
    var customer: CustomerFact
    var history: CapHistory
    func affiliate(code: String) -> AffiliateFact? { nil }
    func affiliate(id: Int64) -> AffiliateFact? { AffiliateFact(id: id, code: "") }
    func click(id: String) -> ClickFact? { nil }
    func customer(key: String) -> CustomerFact? { key == customer.key ? customer : nil }
    func capHistory(customerID: Int64) -> CapHistory { history }
    func conversionExists(externalID: String) -> Bool { false }
}

/// A dialog that only says something (a refusal known before any confirmation); any of Enter,
/// Esc, q or y closes it.
public struct Notice: Hashable, Sendable {
    public var title: String
    public var lines: [String]
}
