import AttributionCore
import AttributionStore
import Foundation
import TerminalText

/// The Payouts tab's actions, each confirmed with the payouts' totals per state before → after
/// and audited by the store: N a run through a date (what it would make is read first), P mark
/// paid (a reference asked for), X cancel, E export to a file. What the core refuses (a paid
/// payout canceled, a canceled one marked paid) is said before any confirmation.
/// The Payouts tab's actions (the keys N, E, P, X).
public enum PayoutActionKind: Hashable, Sendable { case create, export, markPaid, cancel }

enum PayoutActions {
    static let bindings: [Binding] = [
        Binding(keys: [.char("N")], label: "N", short: "new run", help: "Create the payouts through a date (shows what it would make; y/N, audited)",
                command: .payoutAction(.create), scope: .payouts, inStatusBar: true),
        Binding(keys: [.char("E")], label: "E", short: "export", help: "Export the selected payout as csv, paypal or wise to a file",
                command: .payoutAction(.export), scope: .payouts, inStatusBar: true),
        Binding(keys: [.char("P")], label: "P", short: "paid", help: "Mark the selected payout paid, with a reference (y/N, audited)",
                command: .payoutAction(.markPaid), scope: .payouts, inStatusBar: true),
        Binding(keys: [.char("X")], label: "X", short: "cancel", help: "Cancel the selected open payout: its commissions are payable again (y/N, audited)",
                command: .payoutAction(.cancel), scope: .payouts, inStatusBar: false),
    ]

    static func selected(_ s: State) -> PayoutRow? {
        guard s.tab == .payouts, s.detail == nil, s.isAdmin, case .payout(let p)? = s.list.selectedRow?.item else { return nil }
        return p
    }

    static func perform(_ s: inout State, _ kind: PayoutActionKind) -> [Effect] {
        guard s.tab == .payouts, s.detail == nil, s.isAdmin, !refuseWhileBlocked(&s) else { return [] }
        if kind == .create {
            s.overlays.append(.form(Form(title: "Create payouts", purpose: .createPayouts,
                                         labels: ["Through (date)", "Minimum (empty: none)"], values: [s.now.dateDisplay, ""])))
            return []
        }
        guard let p = selected(s) else { return [] }
        switch kind {
        case .markPaid:
            do { _ = try Payouts.markPaid(p.state) } catch { return refuse(&s, "Payout #\(p.id) cannot be marked paid", error) }
            s.overlays.append(.form(Form(title: "Mark payout #\(p.id) paid", purpose: .markPayoutPaid(id: p.id), labels: ["Reference"], values: [""])))
        case .cancel:
            do { _ = try Payouts.cancel(p.state) } catch { return refuse(&s, "Payout #\(p.id) cannot be canceled", error) }
            s.overlays.append(.confirm(confirm(s, p, to: .canceled, action: .cancelPayout(id: p.id),
                                               extra: ["Its \(p.commissions) entries are payable again in the next run."])))
        case .export:
            var form = Form(title: "Export payout #\(p.id)", purpose: .exportPayout(id: p.id), labels: ["Format", "File"],
                            values: ["paypal", "payout-\(p.id).csv"])
            form.choices = [PayoutExport.Format.allCases.map(\.rawValue), []]
            s.overlays.append(.form(form))
        case .create: break
        }
        return []
    }

    static func refuse(_ s: inout State, _ title: String, _ error: Error) -> [Effect] {
        guard let f = error as? LedgerRefusal else { return [] }
        s.overlays.append(.notice(Notice(title: title, lines: CommissionActions.refusalLines(f))))
        s.message = Note("Refused: \(f.reason.sentence) \(f.reason.hint)", isError: true)
        return []
    }

    /// "2 · 45.00 USD", or "0".
    static func figure(_ t: [PayoutState: [CommissionTotal]], _ st: PayoutState) -> String {
        let list = (t[st] ?? []).filter { $0.count != 0 }
        let n = list.reduce(0) { $0 + $1.count }
        return Money.grouped(String(n)) + (list.isEmpty ? "" : " · " + list.map { CommissionsScreen.amount($0.amount) }.joined(separator: " + "))
    }

    /// The totals with `count` payouts of `amount` moved from one state to another (nil: added).
    static func moved(_ t: [PayoutState: [CommissionTotal]], _ amount: Money, count: Int, from: PayoutState?, to: PayoutState) -> [PayoutState: [CommissionTotal]] {
        var out = t
        func add(_ st: PayoutState, _ minor: Int64, _ n: Int) {
            var list = out[st] ?? []
            if let i = list.firstIndex(where: { $0.amount.currency == amount.currency }) {
                list[i].amount = Money(minor: list[i].amount.minor.addingReportingOverflow(minor).partialValue, currency: amount.currency)
                list[i].count += n
            } else {
                list.append(CommissionTotal(amount: Money(minor: minor, currency: amount.currency), count: n))
            }
            out[st] = list
        }
        if let from { add(from, -amount.minor, -count) }
        add(to, amount.minor, count)
        return out
    }

    static func totalLines(_ before: [PayoutState: [CommissionTotal]], _ after: [PayoutState: [CommissionTotal]], _ states: [PayoutState]) -> [String] {
        states.map { Width.pad($0.rawValue, to: 10) + figure(before, $0) + " → " + figure(after, $0) }
    }

    static func confirm(_ s: State, _ p: PayoutRow, to: PayoutState, action: PendingAction, extra: [String]) -> Confirm {
        let t = s.payoutTotals ?? [:]
        let after = moved(t, p.amount, count: 1, from: p.state, to: to)
        let verb = to == .paid ? "Mark payout #\(p.id) paid" : "Cancel payout #\(p.id)"
        return Confirm(title: "\(verb)?", lines: ["Payout    #\(p.id) \(p.affiliate) \(CommissionsScreen.amount(p.amount)), \(p.commissions) lines"]
                       + totalLines(t, after, [p.state, to]) + extra + ["Audited."], action: action)
    }

    /// The forms' fields checked (by the core's parsers) and turned into confirmations.
    static func submit(_ f: Form, _ s: State) -> Result<Confirm, FormError> {
        switch f.purpose {
        case .createPayouts:
            let through: Instant, minimum: Money?
            do { through = try Payouts.parseThrough(f.values[0]) } catch { return .failure(FormError(message: "\(error)", field: 0)) }
            let min = f.values[1].trimmingCharacters(in: .whitespaces)
            do { minimum = min.isEmpty ? nil : try Payouts.parseMinimum(min, currency: s.settings.currency) } catch {
                return .failure(FormError(message: "\(error)", field: 1))
            }
            return .success(Confirm(title: "Create payouts through \(through.dateDisplay)?", lines: ["Reading what the run would make…"],
                                    action: .createPayouts(through: through, minimum: minimum)))
        case .markPayoutPaid(let id):
            let ref: String?
            do { ref = try Payouts.parseReference(f.values[0]) } catch { return .failure(FormError(message: "\(error)", field: 0)) }
            guard let p = selected(s), p.id == id else { return .failure(FormError(message: "The payout is no longer selected.")) }
            return .success(confirm(s, p, to: .paid, action: .markPayoutPaid(id: id, reference: ref),
                                    extra: ["Reference \(ref ?? "none")", "Its commissions become paid; its clawbacks settled."]))
        case .exportPayout(let id):
            guard let format = PayoutExport.Format(rawValue: f.values[0].lowercased()) else {
                return .failure(FormError(message: "Format: csv, paypal or wise", field: 0))
            }
            let path = f.values[1].trimmingCharacters(in: .whitespaces)
            if path.isEmpty { return .failure(FormError(message: "File: required", field: 1)) }
            guard let p = selected(s), p.id == id else { return .failure(FormError(message: "The payout is no longer selected.")) }
            let errors = PayoutExport.render([line(p)], format: format).errors
            if !errors.isEmpty { return .failure(FormError(message: errors.joined(separator: " "), field: 0)) }
            return .success(Confirm(title: "Export payout #\(id)?", lines: ["Payout    #\(id) \(p.affiliate) \(CommissionsScreen.amount(p.amount))",
                                                                            "Format    \(format.rawValue)", "File      \(path) (replaced if it exists)"],
                                    action: .exportPayout(id: id, format: format.rawValue, path: path)))
        default:
            return .failure(FormError(message: "not a payout form"))
        }
    }

    static func line(_ p: PayoutRow) -> PayoutExport.Line {
        PayoutExport.Line(payoutID: p.id, affiliate: p.affiliate, name: p.affiliateName, email: p.email, amount: p.amount, commissions: p.commissions,
                          state: p.state, through: p.through, createdAt: p.createdAt, paidAt: p.paidAt, reference: p.reference)
    }

    /// What a run would make came back: its confirmation, or that nothing would be made.
    static func runPrepared(_ s: inout State, _ action: PendingAction, _ r: PayoutRunPreview, totals: [PayoutState: [CommissionTotal]]) {
        guard case .confirm(let c)? = s.overlays.last, c.action == action else { return }
        guard !r.payouts.isEmpty else {
            let carried = r.carried.prefix(6).map { "\($0.reason.rawValue) \(CommissionsScreen.amount($0.net))" }
            s.overlays[s.overlays.count - 1] = .notice(Notice(title: "Nothing to pay", lines: ["No affiliate's balance makes a payout."] + carried))
            return
        }
        var after = totals
        for p in r.payouts { after = moved(after, p.amount, count: 1, from: nil, to: .open) }
        var lines = ["Would make \(r.payouts.count) payout\(r.payouts.count == 1 ? "" : "s"):"]
        for p in r.payouts.prefix(6) {
            lines.append("  \(Width.pad(p.affiliate, to: 10)) \(CommissionsScreen.amount(p.amount)) (\(p.lines) lines)" + (p.email == nil ? " no email" : ""))
        }
        if r.payouts.count > 6 { lines.append("  and \(r.payouts.count - 6) more") }
        if !r.carried.isEmpty { lines.append("Carried   \(r.carried.count) balance\(r.carried.count == 1 ? "" : "s") (below the minimum or nothing to pay)") }
        lines += totalLines(totals, after, [.open])
        lines.append("Audited; an entry is in one payout at most.")
        s.overlays[s.overlays.count - 1] = .confirm(Confirm(title: c.title, lines: lines, action: action))
    }

    /// Enter: the batch and its lines, in a dialog.
    static func linesNotice(_ p: PayoutRow, _ lines: [PayoutLineRow], _ s: State) -> Notice {
        var out = ["\(p.affiliate) · \(p.email ?? "no payout email") · \(CommissionsScreen.amount(p.amount)) · \(p.state.rawValue)"
                   + (p.reference.map { " · ref \($0)" } ?? ""), ""]
        for l in lines {
            out.append("#\(l.commissionID)  \(s.zone.short(l.earnedAt))  \(l.externalID)\(l.kind == .clawback ? " (clawback)" : "")  \(CommissionsScreen.amount(l.amount))")
        }
        return Notice(title: "Payout #\(p.id): \(lines.count) line\(lines.count == 1 ? "" : "s")", lines: out)
    }

    /// What a payout change did, for the message line.
    static func perform(_ store: Store, _ action: PendingAction, who: String) throws -> (String, Bool) {
        do {
            switch action {
            case .createPayouts(let through, let minimum):
                let run = try store.createPayouts(through: through, minimum: minimum, who: who)
                return ("Created \(run.created.count) payout\(run.created.count == 1 ? "" : "s") through \(through.dateDisplay)"
                        + (run.carried.isEmpty ? "." : "; \(run.carried.count) balance\(run.carried.count == 1 ? "" : "s") carried over."), true)
            case .markPayoutPaid(let id, let reference):
                let p = try store.markPayoutPaid(id: id, reference: reference, who: who)
                return ("Payout #\(p.id) paid: \(p.amount) to \(p.affiliate)" + (p.reference.map { " (reference \($0))." } ?? "."), true)
            case .cancelPayout(let id):
                let p = try store.cancelPayout(id: id, who: who)
                return ("Payout #\(p.id) canceled: its entries are payable again.", true)
            case .exportPayout(let id, let format, let path):
                guard let f = PayoutExport.Format(rawValue: format), let p = try store.payout(id: id)?.payout else { return ("No payout #\(id).", false) }
                let (text, errors) = PayoutExport.render([line(p)], format: f)
                if !errors.isEmpty { return ("Not exported: " + errors.joined(separator: " "), false) }
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch { return ("\(path): not written: \(error.localizedDescription)", false) }
                return ("Payout #\(id) written to \(path) (\(format)).", true)
            default:
                return ("not a payout change", false)
            }
        } catch let f as LedgerRefusal {
            return ("Refused: \(f.reason.sentence) \(f.reason.hint)", false)
        }
    }
}
