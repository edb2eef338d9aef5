import AttributionCore
import AttributionStore
import TerminalText

// The Affiliates tab's admin actions: add an affiliate (with an optional commission override),
// disable and enable one, change one's name, payout email or commission override; each confirmed
// (before -> after) and audited by the store. Codes, names, emails and commissions are read by the
// core's rules (AffiliateCode, AffiliateFields, SettingRules) before the confirmation.

enum AffiliateAdmin {
    static let bindings: [Binding] = [
        Binding(keys: [.char("n")], label: "n", short: "new", help: "Add an affiliate (code, name, email, commission override)",
                command: .addAffiliate, scope: .affiliateActions, inStatusBar: true),
        Binding(keys: [.char("E")], label: "E", short: "edit", help: "Edit the selected affiliate: commission override, payout email, name",
                command: .editAffiliate, scope: .affiliateActions, inStatusBar: true),
        Binding(keys: [.char("d")], label: "d", short: "dis/enable", help: "Disable the selected affiliate, or enable it again",
                command: .toggleAffiliate, scope: .affiliateActions, inStatusBar: true),
    ]

    static let formLabels = ["Code", "Name", "Email", "Commission"]

    /// `n`: the form of a new affiliate.
    static func beginAdd(_ s: inout State) -> [Effect] {
        guard s.tab == .affiliates, s.detail == nil, !refuseWhileBlocked(&s) else { return [] }
        var f = Form(title: "Add an affiliate", purpose: .addAffiliate, labels: formLabels, values: ["", "", "", ""])
        f.hints = ["letters or digits of any script, . _ -; at most \(AffiliateCode.maxLength); ZOE and zoe are one code",
                   "shown to admins, and to the affiliate in its view", "optional",
                   "optional: this affiliate's own commission, \"20%\" or a fixed amount like \"15.00 USD\"; empty: the program's"]
        s.overlays.append(.form(f))
        return []
    }

    /// `d`: disable the selected affiliate (or enable a disabled one), after a confirmation.
    static func beginToggle(_ s: inout State) -> [Effect] {
        guard s.tab == .affiliates, s.detail == nil, case .affiliate(let a, _)? = s.list.selectedRow?.item,
              !refuseWhileBlocked(&s) else { return [] }
        let code = a.affiliate.code, disable = !a.affiliate.disabled
        let lines = disable
            ? ["Affiliate  \(code) (\(a.affiliate.name))", "State      active → disabled", "",
               "Its new clicks and conversions are refused (\(Reason.affiliateDisabled.rawValue));",
               "what it was credited stays."]
            : ["Affiliate  \(code) (\(a.affiliate.name))", "State      disabled → active", "", "It is credited again from now on."]
        s.overlays.append(.confirm(Confirm(title: disable ? "Disable affiliate?" : "Enable affiliate?", lines: lines,
                                           action: .setAffiliateDisabled(code: code, disabled: disable))))
        return []
    }

    static let editLabels = ["Name", "Email", "Commission"]

    /// `E`: the selected affiliate's name, payout email and commission override, in a form
    /// filled with what they are now.
    static func beginEdit(_ s: inout State) -> [Effect] {
        guard s.tab == .affiliates, s.detail == nil, case .affiliate(let a, _)? = s.list.selectedRow?.item,
              !refuseWhileBlocked(&s) else { return [] }
        let row = a.affiliate
        var f = Form(title: "Edit affiliate \(row.code)", purpose: .editAffiliate(code: row.code, current: row.values), labels: editLabels,
                     values: [row.name, row.email ?? "", row.commission.map(typed) ?? ""])
        f.hints = ["shown to admins, and to the affiliate in its view",
                   "the payout email (PayPal and Wise pay to it); empty: none",
                   "this affiliate's own commission, \"20%\" or \"15.00 USD\"; empty: the program's (\(s.settings.commission))"]
        s.overlays.append(.form(f))
        return []
    }

    /// A commission as it is typed back ("30%", "15.00 USD").
    static func typed(_ c: Commission) -> String {
        if case .fixed(let m) = c { return "\(m.decimalString) \(m.currency.code)" }
        return c.description
    }

    /// The edit form's change, read by the core's rules; the confirmation shows each changed
    /// field before -> after.
    static func submitEdit(_ f: Form, code: String, current: AffiliateValues, _ s: State) -> Result<Confirm, FormError> {
        let field = ["name": 0, "email": 1, "commission": 2]
        var change = AffiliateChange()
        let name = f.values[0].trimmingCharacters(in: .whitespaces), email = f.values[1].trimmingCharacters(in: .whitespaces)
        let commission = f.values[2].trimmingCharacters(in: .whitespaces)
        if name != current.name { change.name = name }
        if email != (current.email ?? "") { change.email = email.isEmpty ? .remove : .set(email) }
        do {
            if commission.isEmpty { change.commission = current.commission == nil ? .keep : .remove } else {
                let c = try SettingRules.parseCommission(commission)
                if c != current.commission { change.commission = .set(c) }
            }
            change = try change.validated()
        } catch {
            return .failure(FormError(message: "\(error.field.prefix(1).uppercased() + error.field.dropFirst()): \(error.message)",
                                      field: field[error.field] ?? f.focus))
        }
        let changed = change.applied(to: current).differences(from: current, program: s.settings.commission)
        // Said on the last field only: Enter on the others moves on.
        if changed.isEmpty { return .failure(FormError(message: "Unchanged: edit a field or press Esc", field: editLabels.count - 1)) }
        var lines = ["Affiliate   \(code)", ""] + changed.map { Width.pad($0.field.prefix(1).uppercased() + $0.field.dropFirst(), to: 12) + "\($0.before) → \($0.after)" }
        if case .set(.fixed(let m)) = change.commission, let w = FormWarnings.currency(m.currency, s.settings) { lines += ["", w] }
        return .success(Confirm(title: "Change affiliate?", lines: lines, action: .updateAffiliate(code: code, change: change)))
    }

    /// Checks the new affiliate's fields with the core's rules; each error names its field.
    static func submit(_ f: Form, _ s: State) -> Result<Confirm, FormError> {
        let code: String
        switch AffiliateCode.validate(f.values[0].trimmingCharacters(in: .whitespaces)) {
        case .success(let c): code = c
        case .failure(let e): return .failure(FormError(message: "Code: \(e.message)", field: 0))
        }
        let name: String
        do { name = try AffiliateFields.parseName(f.values[1]) } catch {
            return .failure(FormError(message: error.message == "must not be empty" ? "Name: required" : "Name: \(error.message)", field: 1))
        }
        var email = f.values[2].trimmingCharacters(in: .whitespaces)
        if !email.isEmpty {
            do { email = try AffiliateFields.parseEmail(email) } catch { return .failure(FormError(message: "Email: \(error.message)", field: 2)) }
        }
        var commission: Commission?
        let typed = f.values[3].trimmingCharacters(in: .whitespaces)
        if !typed.isEmpty {
            do { commission = try SettingRules.parseCommission(typed) } catch { return .failure(FormError(message: error.message, field: 3)) }
        }
        var lines = ["Code        \(code)", "Name        \(name)", "Email       \(email.isEmpty ? "—" : email)",
                     "Commission  \(commission.map { "\($0) (override)" } ?? "the program's (\(s.settings.commission))")"]
        if case .fixed(let m)? = commission, let w = FormWarnings.currency(m.currency, s.settings) { lines += ["", w] }
        return .success(Confirm(title: "Add affiliate?", lines: lines,
                                action: .addAffiliate(code: code, name: name, email: email.isEmpty ? nil : email, commission: commission)))
    }
}

extension WriteRunner {
    /// The Affiliates tab's changes; the store validates again and audits.
    func performAffiliate(_ action: PendingAction) throws -> (String, Bool) {
        switch action {
        case .addAffiliate(let code, let name, let email, let commission):
            let a = try store.addAffiliate(code: code, name: name, email: email, commission: commission, who: who)
            return ("Affiliate \(a.code) added\(commission.map { " with commission \($0)" } ?? "").", true)
        case .setAffiliateDisabled(let code, let disabled):
            try store.setAffiliateDisabled(code: code, disabled: disabled, who: who)
            return ("Affiliate \(code) is now \(disabled ? "disabled" : "active").", true)
        case .updateAffiliate(let code, let change):
            let r = try store.updateAffiliate(code: code, change, who: who)
            let changed = r.after.values.differences(from: r.before.values, program: try store.settings().commission)
            return ("Affiliate \(r.after.code): " + (changed.isEmpty ? "nothing changed." : changed.map { "\($0.field) \($0.after)" }.joined(separator: ", ") + "."), true)
        default:
            return ("", false)
        }
    }
}
