import AttributionCore
import AttributionStore
import TerminalText

// The detail panes and the dialogs over the screen.

/// The detail pane over a list.
public enum Detail: Hashable, Sendable {
    case customer(CustomerDetail)
    case event(EventDetail)
    /// The affiliate view's customer: "Customer #X", its caps and the conversions it earned.
    case mine(MyCustomerDetail)
    /// The affiliate view's payout: its lines as "Customer #X", month and amount.
    case myPayout(MyPayoutDetail)
}

public struct MyPayoutDetail: Hashable, Sendable {
    public var payout: AffiliatePayoutRow
    public var lines: [AffiliatePayoutLine]
    public var scroll = 0
}

public struct MyCustomerDetail: Hashable, Sendable {
    public var customer: AffiliateCustomerRow
    public var conversions: [AffiliateConversionRow]
    public var progress: CapProgress
    public var scroll = 0
}

public struct CustomerDetail: Hashable, Sendable {
    public var customer: CustomerRow
    public var conversions: [ConversionRow]
    public var events: [EventRow]
    public var monthly: [MonthAmount]
    public var progress: CapProgress
    public var scroll = 0
    /// Each conversion's commission (state, reason), refunds, disputes and clawbacks, by conversion id.
    public var ledger: [Int64: ConversionLedger] = [:]
}

public struct EventDetail: Hashable, Sendable {
    public var event: EventRow
    /// What today's settings would decide if it came again (nil for invalid events).
    public var wouldNow: Decision?
    /// The click it names (or its customer's), with the click's age at the event against the
    /// window; the customer with its caps; the event it replayed. As `affdesk triage` shows them.
    public var click: TriageClick? = nil
    public var customer: TriageCustomer? = nil
    public var replayOf: Int64? = nil
    /// For a rejection fixed since: the replay or manual conversion that resolved it.
    public var resolution: Resolution? = nil
    /// The ledger of the sale it credited or concerns (a refund's, a dispute's): state, why, refunds.
    public var ledger: ConversionLedger? = nil
    public init(event: EventRow, wouldNow: Decision?) { self.event = event; self.wouldNow = wouldNow }
    public var scroll = 0
}

/// Modal layers, drawn over the screen; the top one gets the keys.
public enum Overlay: Hashable, Sendable {
    case help
    /// What became of the session's changes, newest first (`M`).
    case history
    case confirm(Confirm)
    case menu(Menu)
    case picker(Picker)
    case form(Form)
    /// Only says something (a refusal known before the confirmation).
    case notice(Notice)
    /// The current tab's columns, to show or hide (`C`).
    case columns(ColumnChooser)
}

public struct Confirm: Hashable, Sendable {
    public var title: String
    public var lines: [String]
    public var action: PendingAction
    /// The highlighted button: No (the safe one) until ←/→/Tab moves to Yes; Enter presses it.
    public var yes = false
    public init(title: String, lines: [String], action: PendingAction) { self.title = title; self.lines = lines; self.action = action }
}

public struct Menu: Hashable, Sendable {
    public var title: String
    public var items: [MenuItem]
    public var customerKey: String
    public var from: CustomerStatus
    public var selected = 0
}

public struct MenuItem: Hashable, Sendable {
    public var label: String
    public var status: CustomerStatus
}

public struct AffiliateScope: Hashable, Sendable {
    public var id: Int64
    public var code: String
}

public struct PickerItem: Hashable, Sendable {
    public var code: String
    public var name: String
    public var disabled: Bool
    public init(code: String, name: String, disabled: Bool) { self.code = code; self.name = name; self.disabled = disabled }
}

public struct Picker: Hashable, Sendable {
    public var title: String
    public var customerKey: String
    public var currentCode: String
    public var filter = ""
    public var items: [PickerItem] = []
    public var selected = 0
    /// Choosing the affiliate a stored conversion event is credited to by hand (not a reassignment).
    public var manual: ManualDraft? = nil
    /// The affiliates matching the filter, best first: codes starting with it, then names
    /// (or a word of them) starting with it, then codes and names containing it.
    public var visible: [PickerItem] {
        guard !filter.isEmpty else { return items }
        let f = filter.lowercased()
        func rank(_ i: PickerItem) -> Int? {
            let code = i.code.lowercased(), name = i.name.lowercased()
            if code.hasPrefix(f) { return 0 }
            if name.hasPrefix(f) || name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).contains(where: { $0.hasPrefix(f) }) { return 1 }
            if code.contains(f) { return 2 }
            return name.contains(f) ? 3 : nil
        }
        return items.enumerated().compactMap { e in rank(e.element).map { ($0, e.offset, e.element) } }
            .sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    /// Why the core would refuse this affiliate here, nil when it can be picked: a reassignment
    /// to the current affiliate or to a disabled one is refused (`Engine.reassign`). A conversion
    /// credited by hand may go to any affiliate.
    public func refusal(_ item: PickerItem, _ settings: ProgramSettings) -> String? {
        guard manual == nil else { return nil }
        let current = AffiliateCode.key(item.code) == AffiliateCode.key(currentCode)
        let d = Engine(settings: settings).reassign(CustomerFact(id: 0, key: customerKey, affiliateID: 1, status: .active),
                                                    to: AffiliateFact(id: current ? 1 : 2, code: item.code, disabled: item.disabled))
        return d.isAccepted ? nil : d.detail ?? d.reason?.sentence ?? "refused"
    }

    /// The next item that can be picked from `index` on in a direction (nil: none).
    public func selectable(from index: Int, step: Int, _ settings: ProgramSettings) -> Int? {
        let v = visible
        var i = index
        while v.indices.contains(i) {
            if refusal(v[i], settings) == nil { return i }
            i += step
        }
        return nil
    }
}

/// A small form of text fields.
public struct Form: Hashable, Sendable {
    public enum Purpose: Hashable, Sendable {
        case addConversion(customerKey: String)
        case editSetting(SettingField)
        case addAffiliate
        /// The selected affiliate's name, payout email and commission override, as they were.
        case editAffiliate(code: String, current: AffiliateValues)
        /// Commissions: the reason to void these entries with.
        case voidCommissions(ids: [Int64])
        /// Payouts: a run's date and minimum; a reference; an export's format and file.
        case createPayouts
        case markPayoutPaid(id: Int64)
        case exportPayout(id: Int64)
    }
    public var title: String
    public var purpose: Purpose
    public var labels: [String]
    public var values: [String]
    public var focus = 0
    public var error: String?
    /// The field the error is about (focus stays there).
    public var errorField: Int?
    /// Per field: the values it is picked from (←/→ or Space; a toggle when two), empty for free
    /// text. Typing still works, and is read by the core's parser like any text.
    public var choices: [[String]] = []
    /// Per field: a line under it saying what it takes.
    public var hints: [String] = []

    func choices(_ i: Int) -> [String] { choices.indices.contains(i) ? choices[i] : [] }
    func hint(_ i: Int) -> String? { hints.indices.contains(i) && !hints[i].isEmpty ? hints[i] : nil }
}

/// The fields of the Settings screen.
public enum SettingField: Int, CaseIterable, Hashable, Sendable {
    case name, model, recurring, commission, capCount, capMonths, capAmount, window, currency, metadataKey, tax

    /// The values an enumerated setting is picked from (empty: typed).
    public var choices: [String] {
        switch self {
        case .model: return BusinessModel.allCases.map(\.rawValue)
        case .recurring: return ["on", "off"]
        case .tax: return ["included", "excluded"]
        default: return []
        }
    }

    public var label: String {
        switch self {
        case .name: return "Program name"
        case .model: return "Business model"
        case .recurring: return "Recurring / Lifetime commissions"
        case .commission: return "Commission"
        case .capCount: return "Cap: number of commissions"
        case .capMonths: return "Cap: months from first commission"
        case .capAmount: return "Cap: total commission per customer"
        case .window: return "Attribution window (days)"
        case .currency: return "Currency"
        case .metadataKey: return "Stripe metadata key"
        case .tax: return "Commission on amounts with tax"
        }
    }
}
