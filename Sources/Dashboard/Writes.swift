import AttributionCore
import AttributionStore
import Feeds

/// Runs one admin change against the store and says what became of it: applied, refused by the
/// rules, or not applied (the database stayed locked, the file was deleted…) with why, in
/// words. Never throws. Sendable: the terminal dashboard runs it off the UI loop (see
/// `Session`), so a write waiting for another process's lock waits there, not in the loop.
public struct WriteRunner: Sendable {
    public let store: Store
    public let who: String
    let clock: any Clock

    public init(store: Store, who: String, clock: any Clock) { self.store = store; self.who = who; self.clock = clock }

    /// `summary` names the change in a sentence that reports a failure ("usr_1 → Paying").
    public func run(_ action: PendingAction, summary: String) -> Outcome {
        do {
            let (text, ok) = try perform(action)
            return Outcome(result: ok ? .applied : .refused, text: text, at: clock.now())
        } catch let e as DatabaseFileChanged {
            return Outcome(result: .fileChanged, text: "\(summary): not applied: \(e)", at: clock.now())
        } catch {
            return Outcome(result: .notApplied, text: "\(summary): not applied: \(Store.explainFailedWrite(error))", at: clock.now())
        }
    }

    /// The change, and the sentence for it with whether it was applied.
    func perform(_ action: PendingAction) throws -> (String, Bool) {
        let d: Decision
        let done: String
        switch action {
        case .setStatus(let key, let to):
            d = try store.setStatus(customerKey: key, to: to, who: who)
            done = "\(key): status is now \(try store.settings().label(to))."
        case .reassign(let key, let code):
            d = try store.reassign(customerKey: key, toAffiliate: code, who: who)
            done = "\(key) now belongs to \(code); credited conversions stay with who earned them."
        case .addConversion(let key, let id, let amount, let at):
            d = try store.addManualConversion(externalID: id, amount: amount, customerKey: key, affiliateCode: nil, at: at, who: who)
            done = "Conversion \(id) added: \(amount), commission \(d.conversion?.commission.description ?? "—")."
        case .saveSettings(let new):
            try store.updateSettings(new, who: who)
            return ("Settings saved and audited.", true)
        case .addAffiliate, .setAffiliateDisabled, .updateAffiliate:
            return try performAffiliate(action)
        case .saveAdapters(let a):
            try store.updateSettings(try store.settings(), adapters: a, who: who)
            return ("Settings saved and audited.", true)
        case .replay(let id):
            return try replay(id)
        case .createPayouts, .markPayoutPaid, .cancelPayout, .exportPayout:
            return try PayoutActions.perform(store, action, who: who)
        case .commissionAction(let a, let ids):
            return CommissionActions.outcome(a, try store.commissionAction(a, ids: ids, who: who))
        case .bulkReplay(let ids):
            return TriageActions.bulkOutcome(try store.replay(eventIDs: ids, who: who, reparse: try WriteRunner.reparser(store, try store.settings()),
                                                              dryRun: false))
        case .manualFromEvent(let draft, let code):
            d = try store.addManualConversion(draft, affiliateCode: code, who: who)
            let to = (d.conversion?.affiliateID).flatMap { try? store.affiliate(id: $0)?.code } ?? "—"
            done = "Conversion \(draft.externalID) added by hand from event #\(draft.eventID): \(d.conversion?.amount.description ?? "—"), "
                + "commission \(d.conversion?.commission.description ?? "—") to \(to)."
        }
        if d.isAccepted {
            let notes = d.notes.map { " Note: \($0.sentence)" }.joined()
            return (done + notes, true)
        }
        let r = d.reason!
        return ("Refused: \(r.sentence) \(r.hint)", false)
    }

    /// Replays an event; the sentence says what happened: accepted, already credited, or the core's refusal.
    func replay(_ id: Int64) throws -> (String, Bool) {
        let r = try store.replay(eventID: id, who: who, reparse: try WriteRunner.reparser(store, try store.settings()))
        let d = r.decision
        let name = "event #\(r.original.id)"
        if r.alreadyReplayed {
            return (Wording.replayUnchanged(eventID: r.original.id) + ".", true)
        }
        let as_ = " as #\(r.replayEventID!)"
        if d.isAccepted {
            let paid = d.conversion.map { ", commission \($0.commission)\(r.affiliateCode.map { " to \($0)" } ?? "")" } ?? ""
            let notes = d.notes.map { " Note: \($0.sentence)" }.joined()
            return ("Replayed \(name)\(as_): accepted\(d.detail.map { " (\($0))" } ?? "")\(paid).\(notes)", true)
        }
        if d.reason == .duplicateExternalID, let x = r.original.externalID, let v = try store.conversion(externalID: x) {
            return ("Replayed \(name)\(as_): " + Wording.alreadyCredited(externalID: v.externalID, amount: v.amount, commission: v.commission,
                                                                       affiliate: v.affiliateCode, manual: v.manual) + ".", true)
        }
        let reason = d.reason!
        return ("Replayed \(name)\(as_): refused \(reason.rawValue): \(reason.sentence) \(reason.hint)", false)
    }

    /// Reads a stored payload again as its feed would (for today's decision and replays).
    static func reparser(_ store: Store, _ settings: ProgramSettings) throws -> Reparser {
        let a = try store.adapterSettings()
        return Reparse.reader(defaultCurrency: settings.currency, metadataKey: a.metadataKey, taxExcluded: a.taxExcluded)
    }
}
