import AttributionCore
import AttributionStore
import TerminalText

/// What became of an admin change, as the message line says it and the history keeps it.
public struct Outcome: Hashable, Sendable {
    public enum Result: Hashable, Sendable {
        /// Written, with its audit entry.
        case applied
        /// The rules said no (the core's reason); nothing was written.
        case refused
        /// Not written: the database stayed locked, another change was under way, an error.
        case notApplied
        /// The database file was deleted or replaced: this and every later change is refused.
        case fileChanged
    }
    public var result: Result
    /// The whole sentence: what was done, or what was not and why.
    public var text: String
    public var at: Instant

    public init(result: Result, text: String, at: Instant) { self.result = result; self.text = text; self.at = at }

    public var isError: Bool { result != .applied }

    /// The word the history shows before the sentence.
    public var label: String {
        switch result {
        case .applied: return "applied"
        case .refused: return "refused"
        case .notApplied, .fileChanged: return "not applied"
        }
    }

    /// How many outcomes the history keeps.
    public static let historyLimit = 100
}

/// An admin change sent to the database and not answered yet.
public struct PendingWrite: Hashable, Sendable {
    public var action: PendingAction
    /// The change in a few words: "usr_1 → Paying".
    public var summary: String
    /// A refresh came round and it was still not answered: another process holds the database.
    public var waiting = false
    /// q was pressed once while it waited: the next q quits.
    public var quitAsked = false

    /// Shown on the message line while nothing else is.
    public var note: Note {
        var n = Note(waiting ? "\(summary): waiting for the database… (another process is writing)" : "Working… (\(summary))")
        n.isPending = true
        return n
    }
}

extension PendingAction {
    /// The change in a few words, for the messages that report it.
    public func summary(_ settings: ProgramSettings) -> String {
        switch self {
        case .setStatus(let key, let to): return "\(key) → \(settings.label(to))"
        case .reassign(let key, let code): return "\(key) → \(code)"
        case .addConversion(let key, let id, _, _): return "conversion \(id) for \(key)"
        case .saveSettings, .saveAdapters: return "settings"
        case .addAffiliate(let code, _, _, _): return "new affiliate \(code)"
        case .setAffiliateDisabled(let code, let disabled): return "\(code) → \(disabled ? "disabled" : "active")"
        case .updateAffiliate(let code, _): return "affiliate \(code)"
        case .replay(let id): return "replay of event #\(id)"
        case .bulkReplay(let ids): return "replay of \(ids.count) event\(ids.count == 1 ? "" : "s")"
        case .manualFromEvent(let draft, _): return "conversion \(draft.externalID) by hand"
        case .createPayouts(let through, _): return "payouts through \(through.dateDisplay)"
        case .markPayoutPaid(let id, _): return "payout #\(id) → paid"
        case .cancelPayout(let id): return "payout #\(id) → canceled"
        case .exportPayout(let id, _, let path): return "payout #\(id) → \(path)"
        case .commissionAction(let a, let ids): return "\(a.name) \(CommissionActions.entries(ids.count))"
        }
    }
}

extension State {
    /// The message line: the last message; else the change under way; else the notice that
    /// the database file changed.
    public var shownNote: Note? {
        if let m = message { return m }
        if let p = pendingWrite { return p.note }
        if let f = fileChanged { return Note(f.text, isError: true) }
        return nil
    }
}

/// y on a confirmation: the change goes to the database, unless another one is still under
/// way or the database file changed; then it is refused, in words, and nothing is sent.
func sendWrite(_ s: inout State, _ action: PendingAction) -> [Effect] {
    let summary = action.summary(s.settings)
    if let why = writeBlocked(s) {
        let o = Outcome(result: .notApplied, text: "\(summary): not applied: \(why)", at: s.now)
        s.message = Note(o.text, isError: true)
        remember(&s, o)
        return []
    }
    s.pendingWrite = PendingWrite(action: action, summary: summary)
    var working = Note("Working…")
    working.isPending = true
    s.message = working
    return [.perform(action)]
}

/// Why no change can be started now, nil when one can.
func writeBlocked(_ s: State) -> String? {
    if let f = s.fileChanged { return f.text }
    if let p = s.pendingWrite {
        return "\(p.summary) is still waiting for the database (one change at a time); nothing was changed. Try again when it is done."
    }
    return nil
}

/// Before a dialog for a change opens: says why it cannot be made now, if so.
func refuseWhileBlocked(_ s: inout State) -> Bool {
    guard let why = writeBlocked(s) else { return false }
    s.message = Note(why, isError: true)
    return true
}

/// A tick: a change still unanswered is waiting for the database, and the screen says so.
func markWaiting(_ s: inout State) {
    guard var p = s.pendingWrite else { return }
    p.waiting = true
    s.pendingWrite = p
    if s.message?.isPending == true { s.message = nil }
}

func finishWrite(_ s: inout State, _ o: Outcome) -> [Effect] {
    // The marked entries were acted on.
    if case .commissionAction? = s.pendingWrite?.action, o.result == .applied { s.commissionMarks = [] }
    s.pendingWrite = nil
    s.message = Note(o.text, isError: o.isError)
    remember(&s, o)
    if o.result == .fileChanged, s.fileChanged == nil { s.fileChanged = o }
    return o.result == .applied ? refreshAll(s) : []
}

func noticeFileChanged(_ s: inout State, _ o: Outcome) {
    guard s.fileChanged == nil else { return }
    s.fileChanged = o
    s.message = Note(o.text, isError: true)
    remember(&s, o)
}

func remember(_ s: inout State, _ o: Outcome) {
    s.history.append(o)
    if s.history.count > Outcome.historyLimit { s.history.removeFirst(s.history.count - Outcome.historyLimit) }
}

/// q while a change waits: the first one says so, the second quits.
func quitAsked(_ s: inout State) -> Bool {
    guard var p = s.pendingWrite, !p.quitAsked else { return true }
    p.quitAsked = true
    s.pendingWrite = p
    s.message = Note("\(p.summary) is still waiting for the database; press q again to quit anyway (it may then not be applied).",
                     isError: true)
    return false
}

func handleHistoryKey(_ s: inout State, _ key: Key) -> [Effect] {
    let page = max(1, HistoryView.room(s) - 1)
    switch key {
    case .down, .char("j"): s.historyScroll += 1
    case .up, .char("k"): s.historyScroll -= 1
    case .pageDown, .char(" "), .ctrl("f"): s.historyScroll += page
    case .pageUp, .ctrl("b"): s.historyScroll -= page
    case .home, .char("g"): s.historyScroll = 0
    case .end, .char("G"): s.historyScroll = Int.max / 2
    case .escape, .char("M"), .char("q"), .enter: s.overlays.removeLast()
    default: break
    }
    s.historyScroll = min(max(0, s.historyScroll), HistoryView.maxScroll(s))
    return []
}
