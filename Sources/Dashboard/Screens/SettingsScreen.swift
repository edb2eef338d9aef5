import AttributionCore
import AttributionStore
import TerminalText

/// The Settings screen: one line per setting; Enter edits it in a form, and a confirmation
/// shows before -> after before anything is saved (and audited).
struct SettingsScreen: Screen {
    let tab = Tab.settings
    let title = "Settings"
    let isList = false
    let defaultSort = (column: 0, descending: false)
    let scopes: [Scope] = [.settings]
    /// The adapters' settings are shown (and edited) here too.
    func sideLoads(_ s: State) -> [Effect] { [.loadAdapters] }

    func columns(_ settings: ProgramSettings) -> [Column] { [] }
    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) { ([], 0) }
    /// No rows: the screen draws itself (`draw(_:_:_:)`).
    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow { DrawnRow() }
    /// Enter edits the selected setting.
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] { beginEditSetting(&s) }

    static func value(_ f: SettingField, _ s: ProgramSettings, _ a: AdapterSettings) -> String {
        switch f {
        case .metadataKey: return a.metadataKey
        case .tax: return a.taxExcluded ? "excluded" : "included"
        case .name: return s.name
        case .model: return s.model.rawValue
        case .recurring: return s.recurring ? "on" : "off"
        case .commission:
            if case .fixed(let m) = s.commission { return "\(m.decimalString) \(m.currency.code)" }
            return s.commission.description
        case .capCount: return s.caps.count.map(String.init) ?? "none"
        case .capMonths: return s.caps.months.map(String.init) ?? "none"
        case .capAmount: return s.caps.amount.map { $0.decimalString } ?? "none"
        case .window: return String(s.windowDays)
        case .currency: return s.currency.code
        }
    }

    static func explain(_ f: SettingField, _ s: ProgramSettings) -> String {
        switch f {
        case .name: return "Shown in the title bar."
        case .model: return "saas | leads | generic — statuses: " + CustomerStatus.allCases.map { s.label($0) }.joined(separator: " / ")
        case .recurring: return "on | off — off: customer keys on conversions are ignored (one-off by click)"
        case .commission: return "\"20%\" or a fixed amount per conversion like \"15.00 USD\""
        case .capCount: return "N or none — the first N commissions are paid; the Nth caps the customer"
        case .capMonths: return "M or none — paid within M months of the first commission"
        case .capAmount: return "amount or none — total commission per customer, clamped at the limit"
        case .window: return "days — the last click within the window wins"
        case .currency: return "ISO 4217 code of the program"
        case .metadataKey: return "the key of Stripe's metadata that holds the customer key (default customer_key); at most 40 characters, no [ ]"
        case .tax: return "included | excluded — excluded: commission on the amount without tax (Stripe, WooCommerce)"
        }
    }

    /// Parses a typed value into the settings with the core's parser for that setting (the one
    /// `program set` uses); returns its refusal, the same sentence the command line prints.
    static func apply(_ f: SettingField, _ text: String, to s: inout ProgramSettings, _ a: inout AdapterSettings) -> String? {
        do {
            switch f {
            case .metadataKey: a.metadataKey = try SettingRules.parseMetadataKey(text)
            case .tax: a.taxExcluded = try SettingRules.parseTaxExcluded(text)
            case .name: s.name = try SettingRules.parseName(text)
            case .model: s.model = try SettingRules.parseModel(text)
            case .recurring: s.recurring = try SettingRules.parseOnOff(text, field: "recurring")
            case .commission: s.commission = try SettingRules.parseCommission(text)
            case .capCount: s.caps.count = try SettingRules.parseCapCount(text)
            case .capMonths: s.caps.months = try SettingRules.parseCapMonths(text)
            case .capAmount: s.caps.amount = try SettingRules.parseCapAmount(text, currency: s.currency)
            case .window: s.windowDays = try SettingRules.parseWindow(text)
            case .currency: s.currency = try SettingRules.parseCurrency(text)
            }
        } catch {
            return error.message
        }
        return nil
    }

    static func draw(_ f: inout Frame, _ s: State, _ area: Rect) {
        let labelW = 36
        var y = area.y + 1
        f.put("Program settings", x: 2, y: area.y, style: Style(.title, bold: true))
        // Scrolled so the selected setting is shown, with the hint lines under the list.
        let rows = max(1, area.height - 3)
        let first = max(0, min(s.settingsField - rows + 1, SettingField.allCases.count - rows))
        for field in SettingField.allCases.dropFirst(first) {
            guard y < area.maxY - 2 else { break }
            let selected = field.rawValue == s.settingsField
            let style = selected ? Style(.selected) : Style(.normal)
            if selected { f.fill(Rect(x: 1, y: y, width: area.width - 2, height: 1), style: style) }
            f.put(field.label, x: 2, y: y, style: selected ? style : Style(.dim), maxWidth: labelW - 1)
            f.put(value(field, s.settings, s.adapters), x: 2 + labelW, y: y, style: selected ? style : Style(.accent, bold: true),
                  maxWidth: area.width - labelW - 4)
            y += 1
        }
        if let field = SettingField(rawValue: s.settingsField), y + 1 < area.maxY {
            f.put(Width.truncate(explain(field, s.settings), to: area.width - 4), x: 2, y: y + 1, style: Style(.dim))
        }
        if y + 2 < area.maxY {
            f.put(Width.truncate("Enter edits the selected setting; every change is confirmed and written to the audit log.",
                                 to: area.width - 4), x: 2, y: y + 2, style: Style(.dim))
        }
    }
}
