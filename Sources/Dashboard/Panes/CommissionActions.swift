import AttributionCore
import AttributionStore
import TerminalText

/// The admin's actions on commission entries (the keys A, H, U, X).
public enum CommissionActionKind: Hashable, Sendable { case approve, hold, release, void }

/// One entry an action would change: its amount and the states before and after.
public struct CommissionMove: Hashable, Sendable {
    public var id: Int64
    public var amount: Money
    public var from: CommissionState
    public var to: CommissionState
}

/// What an admin's action on entries would do, decided by the core (`Ledger.apply`) on the
/// stored entries before the confirmation, with the ledger's totals it would move.
public struct CommissionPlan: Hashable, Sendable {
    public var action: PendingAction
    public var moves: [CommissionMove]
    public var refused: [(id: Int64, refusal: LedgerRefusal)]
    public var totals: CommissionTotals

    public static func == (a: CommissionPlan, b: CommissionPlan) -> Bool {
        a.action == b.action && a.moves == b.moves && a.refused.map(\.id) == b.refused.map(\.id)
            && a.refused.map(\.refusal) == b.refused.map(\.refusal) && a.totals == b.totals
    }
    public func hash(into h: inout Hasher) { h.combine(action); h.combine(moves) }

    /// Decides each entry as the store will when the change is applied (the store decides again then).
    public static func make(_ action: PendingAction, _ a: LedgerAction, ids: [Int64], rows: [CommissionRow], totals: CommissionTotals,
                            now: Instant) -> CommissionPlan {
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        var plan = CommissionPlan(action: action, moves: [], refused: [], totals: totals)
        for id in ids {
            guard let r = byID[id] else { plan.refused.append((id, LedgerReason.unknownCommission.refusal("#\(id)"))); continue }
            let entry = LedgerEntry(id: r.id, kind: r.kind, affiliateID: 0, amount: r.amount, state: r.state, reason: r.reason,
                                    approvesAt: r.approvesAt, payoutID: r.payoutID)
            switch Ledger.apply(a, to: entry, now: now) {
            case .success(let next): plan.moves.append(CommissionMove(id: id, amount: r.amount, from: r.state, to: next.state))
            case .failure(let f): plan.refused.append((id, f))
            }
        }
        return plan
    }
}

/// The Commissions tab's actions: Space marks entries; A approve, H hold, U release, X void (a
/// reason from the core's list first) act on the marked entries or the selected one, after a
/// confirmation that shows each state's count and totals before → after and the core's refusals.
enum CommissionActions {
    static let bindings: [Binding] = [
        Binding(keys: [.char(" ")], label: "Space", short: "mark", help: "Mark or unmark the entry (the actions then act on the marked ones)",
                command: .markCommission, scope: .commissions, inStatusBar: false),
        Binding(keys: [.char("A")], label: "A", short: "approve", help: "Approve the marked or selected entries (y/N, audited)",
                command: .commissionAction(.approve), scope: .commissions, inStatusBar: true),
        Binding(keys: [.char("H")], label: "H", short: "hold", help: "Put the marked or selected entries on hold (y/N, audited)",
                command: .commissionAction(.hold), scope: .commissions, inStatusBar: true),
        Binding(keys: [.char("U")], label: "U", short: "release", help: "Release held entries: their dates decide again (y/N, audited)",
                command: .commissionAction(.release), scope: .commissions, inStatusBar: false),
        Binding(keys: [.char("X")], label: "X", short: "void", help: "Void the marked or selected entries with a reason (y/N, audited)",
                command: .commissionAction(.void), scope: .commissions, inStatusBar: true),
    ]

    /// The entries an action acts on: the marked ones, else the selected one.
    static func targets(_ s: State) -> [Int64] {
        guard s.tab == .commissions, s.detail == nil, s.isAdmin else { return [] }
        if !s.commissionMarks.isEmpty { return s.commissionMarks.sorted() }
        return s.list.selectedRow.map { [$0.id] } ?? []
    }

    static func perform(_ s: inout State, _ cmd: Command) -> [Effect] {
        guard s.tab == .commissions, s.detail == nil, s.isAdmin else { return [] }
        switch cmd {
        case .ledgerStateNext, .ledgerStatePrev:
            let n = CommissionsScreen.selections.count
            s.ledgerSelection = (s.ledgerSelection + (cmd == .ledgerStateNext ? 1 : n - 1)) % n
            return [State.load(s, .commissions, .reset)]
        case .markCommission:
            guard let row = s.list.selectedRow else { return [] }
            if s.commissionMarks.remove(row.id) == nil { s.commissionMarks.insert(row.id) }
            return moveSelection(&s, to: s.list.selected + 1)
        case .commissionAction(let kind):
            let ids = targets(s)
            guard !ids.isEmpty, !refuseWhileBlocked(&s) else { return [] }
            switch kind {
            case .approve: return [.preview(.commissionAction(.approve, ids: ids))]
            case .hold: return [.preview(.commissionAction(.hold, ids: ids))]
            case .release: return [.preview(.commissionAction(.release, ids: ids))]
            case .void:
                var form = Form(title: "Void \(entries(ids.count))", purpose: .voidCommissions(ids: ids), labels: ["Reason"],
                                values: [LedgerReason.canceledByAdmin.rawValue])
                form.choices = [LedgerReason.adminVoidReasons.map(\.rawValue)]
                form.hints = [LedgerReason.adminVoidReasons.map { "\($0.rawValue): \($0.sentence)" }.joined(separator: " ")]
                s.overlays.append(.form(form))
                return []
            }
        default: return []
        }
    }

    /// The void form: the reason, from the core's list (`Ledger.parseVoidReason`).
    static func submitVoid(_ f: Form, ids: [Int64]) -> Result<Confirm, FormError> {
        do {
            let r = try Ledger.parseVoidReason(f.values[0])
            return .success(Confirm(title: "Void \(entries(ids.count))?", lines: ["Reading the entries…"],
                                    action: .commissionAction(.void(r), ids: ids)))
        } catch {
            return .failure(FormError(message: "\(error)", field: 0))
        }
    }

    /// The core's refusal in full: its sentence, what it said, and the fix.
    static func refusalLines(_ f: LedgerRefusal) -> [String] {
        [f.reason.sentence] + (f.detail.map { ["(\($0))"] } ?? []) + ["", "How to fix: " + f.reason.hint]
    }

    static func entries(_ n: Int) -> String { "\(Money.grouped(String(n))) entr\(n == 1 ? "y" : "ies")" }

    /// The plan came back: its confirmation (or, when the core refuses every entry, the refusal).
    static func prepared(_ s: inout State, _ p: CommissionPlan) {
        let overlay = overlay(p)
        if case .confirm(let c)? = s.overlays.last, c.action == p.action {
            s.overlays[s.overlays.count - 1] = overlay
        } else if s.overlays.isEmpty {
            s.overlays.append(overlay)
        } else {
            return
        }
        if p.moves.isEmpty, let f = p.refused.first {
            s.message = Note("Refused: \(f.refusal.reason.sentence) \(f.refusal.reason.hint)", isError: true)
        }
    }

    static func verb(_ a: PendingAction) -> String {
        guard case .commissionAction(let l, _) = a else { return "Change" }
        switch l {
        case .approve: return "Approve"
        case .hold: return "Hold"
        case .release: return "Release"
        case .void(let r): return "Void (\(r.rawValue))"
        }
    }

    static func overlay(_ p: CommissionPlan) -> Overlay {
        let n = p.moves.count + p.refused.count
        if p.moves.isEmpty {
            var lines: [String] = []
            if let f = p.refused.first {
                lines = ["\(entries(n)): none can change."] + refusalLines(f.refusal)
            }
            return .notice(Notice(title: "Refused: \(p.refused.first?.refusal.reason.rawValue ?? "nothing to change")", lines: lines))
        }
        var lines = ["Entries   \(entries(n)): \(p.moves.count) change" + (p.refused.isEmpty ? "" : ", \(p.refused.count) refused")]
        lines += stateLines(p)
        for r in p.refused.prefix(3) { lines.append("Refused   #\(r.id) \(r.refusal.reason.rawValue): \(r.refusal.reason.sentence)") }
        if p.refused.count > 3 { lines.append("          and \(p.refused.count - 3) more") }
        lines.append("Each change is audited; the store decides each entry again.")
        return .confirm(Confirm(title: "\(verb(p.action)) \(entries(p.moves.count))?", lines: lines, action: p.action))
    }

    /// Per state the action touches: "approved   2 · 8.00 USD → 4 · 15.50 USD".
    static func stateLines(_ p: CommissionPlan) -> [String] {
        var touched: [CommissionState] = []
        for m in p.moves { for st in [m.from, m.to] where !touched.contains(st) { touched.append(st) } }
        let before = p.totals
        var after = p.totals
        for m in p.moves {
            try? after.add(.state(m.from), m.amount.currency, minor: -m.amount.minor, count: -1)
            try? after.add(.state(m.to), m.amount.currency, minor: m.amount.minor, count: 1)
        }
        return CommissionState.allCases.filter(touched.contains).map { st in
            Width.pad(CommissionsScreen.name(.state(st)), to: 10) + figure(before, .state(st)) + " → " + figure(after, .state(st))
        }
    }

    /// "2 · 8.00 USD" (every currency), or "0".
    static func figure(_ t: CommissionTotals, _ sel: CommissionSelection) -> String {
        let amounts = t.totals(sel).filter { $0.count != 0 || $0.amount.minor != 0 }.map { CommissionsScreen.amount($0.amount) }
        return Money.grouped(String(t.count(sel))) + (amounts.isEmpty ? "" : " · " + amounts.joined(separator: " + "))
    }

    /// What the store did, for the message line and the history.
    static func outcome(_ a: LedgerAction, _ results: [CommissionActionResult]) -> (String, Bool) {
        let done = results.filter { if case .success = $0.outcome { return true }; return false }
        var refusals: [String: Int] = [:]
        for r in results { if case .failure(let f) = r.outcome { refusals[f.reason.rawValue, default: 0] += 1 } }
        let why = refusals.keys.sorted().map { "\(refusals[$0]!) \($0)" }.joined(separator: ", ")
        let verb: String
        switch a {
        case .approve: verb = "Approved"
        case .hold: verb = "Held"
        case .release: verb = "Released"
        case .void(let r): verb = "Voided (\(r.rawValue))"
        }
        return ("\(verb) \(done.count) of \(entries(results.count))" + (why.isEmpty ? "." : "; refused: \(why)."), !done.isEmpty)
    }
}
