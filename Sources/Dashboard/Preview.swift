import AttributionCore
import AttributionStore
import TerminalText

// The core's answer to a change, known before its confirmation: the driver asks the core with
// the stored facts (nothing is written), and a refusal replaces the confirmation at once.

/// The stored facts the core decides an admin change on, read through the store's public reads
/// (a preview only: the change itself is decided again inside its write transaction).
struct StoredFacts: Facts {
    let store: Store

    func affiliate(code: String) throws -> AffiliateFact? { try store.affiliate(code: code)?.fact }
    func affiliate(id: Int64) throws -> AffiliateFact? { try store.affiliate(id: id)?.fact }
    func click(id: String) throws -> ClickFact? { nil }
    func customer(key: String) throws -> CustomerFact? { try store.customer(key: key).map(Self.fact) }
    func capHistory(customerID: Int64) throws -> CapHistory { try store.customer(id: customerID)?.capHistory ?? CapHistory() }
    func conversionExists(externalID: String) throws -> Bool { try store.conversion(externalID: externalID) != nil }

    static func fact(_ c: CustomerRow) -> CustomerFact { CustomerFact(id: c.id, key: c.key, affiliateID: c.affiliateID, status: c.status) }
}

extension Driver {
    /// What the core would decide for a change now; nil for changes without a preview.
    func preview(_ action: PendingAction) throws -> Msg? {
        let facts = StoredFacts(store: store)
        let engine = Engine(settings: try store.settings())
        let d: Decision
        switch action {
        case .setStatus(let key, let to):
            guard let c = try facts.customer(key: key) else { return .previewed(action, .rejected(.unknownCustomer, "no customer has the key \(key)")) }
            d = engine.setStatus(c, to: to)
        case .reassign(let key, let code):
            guard let c = try facts.customer(key: key) else { return .previewed(action, .rejected(.unknownCustomer, "no customer has the key \(key)")) }
            guard let a = try facts.affiliate(code: code) else { return .previewed(action, .rejected(.unknownAffiliate, "no affiliate has the code \(code)")) }
            d = engine.reassign(c, to: a)
        case .addConversion(let key, let id, let amount, let at):
            d = try engine.manualConversion(externalID: id, amount: amount, customerKey: key, affiliate: nil, at: at ?? clock.now(), facts: facts)
        case .saveSettings, .saveAdapters, .replay, .manualFromEvent, .addAffiliate, .setAffiliateDisabled, .bulkReplay:
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
