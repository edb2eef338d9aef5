import AttributionCore
import AttributionStore
import TerminalText

// The Affiliates tab's admin actions: add an affiliate (with an optional commission override),
// disable and enable one, each confirmed and audited by the store. Codes and commissions are
// read by the core's rules (AffiliateCode, SettingRules) before the confirmation.

enum AffiliateAdmin {
    static let bindings: [Binding] = [
        Binding(keys: [.char("n")], label: "n", short: "new", help: "Add an affiliate (code, name, email, commission override)",
                command: .addAffiliate, scope: .affiliateActions, inStatusBar: true),
        Binding(keys: [.char("d")], label: "d", short: "disable/enable", help: "Disable the selected affiliate, or enable it again",
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

    /// Checks the new affiliate's fields with the core's rules; each error names its field.
    static func submit(_ f: Form, _ s: State) -> Result<Confirm, FormError> {
        let code: String
        switch AffiliateCode.validate(f.values[0].trimmingCharacters(in: .whitespaces)) {
        case .success(let c): code = c
        case .failure(let e): return .failure(FormError(message: "Code: \(e.message)", field: 0))
        }
        let name = f.values[1].trimmingCharacters(in: .whitespaces)
        if name.isEmpty { return .failure(FormError(message: "Name: required", field: 1)) }
        let email = f.values[2].trimmingCharacters(in: .whitespaces)
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
        default:
            return ("", false)
        }
    }
}
