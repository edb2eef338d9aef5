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
}

public struct Confirm: Hashable, Sendable {
    public var title: String
    public var lines: [String]
    public var action: PendingAction
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
    public var visible: [PickerItem] {
        guard !filter.isEmpty else { return items }
        let f = filter.lowercased()
        return items.filter { $0.code.lowercased().contains(f) || $0.name.lowercased().contains(f) }
    }
}

/// A small form of text fields.
public struct Form: Hashable, Sendable {
    public enum Purpose: Hashable, Sendable {
        case addConversion(customerKey: String)
        case editSetting(SettingField)
    }
    public var title: String
    public var purpose: Purpose
    public var labels: [String]
    public var values: [String]
    public var focus = 0
    public var error: String?
}

/// The fields of the Settings screen.
public enum SettingField: Int, CaseIterable, Hashable, Sendable {
    case name, model, recurring, commission, capCount, capMonths, capAmount, window, currency

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
        }
    }
}
