import AttributionCore
import AttributionStore
import TerminalText

/// Per-screen definitions: columns, default sorts and how a stored row becomes a table row.
public enum Screens {
    public static func defaultSort(_ tab: Tab, _ mode: Mode) -> (column: Int, descending: Bool) {
        switch tab {
        case .affiliates: return (3, true)       // earnings
        case .customers: return (mode == .admin ? 6 : 5, true)  // last activity
        case .conversions: return (0, true)      // date
        case .affiliates where mode != .admin: return (0, true)  // earnings by month
        case .caps: return (1, false)            // by affiliate
        case .triage, .audit: return (0, true)
        case .settings: return (0, false)
        }
    }

    public static func columns(_ tab: Tab, _ s: State) -> [Column] {
        if !s.isAdmin { return AffiliateScreens.columns(tab) }
        switch tab {
        case .affiliates: return AffiliatesScreen.columns
        case .customers: return CustomersScreen.columns
        case .conversions: return ConversionsScreen.columns
        case .caps: return CapsScreen.columns(s.settings)
        case .triage: return TriageScreen.columns
        case .audit: return AuditScreen.columns
        case .settings: return []
        }
    }

    /// The store query for a tab's list in this state.
    public static func query(_ tab: Tab, _ s: State) -> ListQuery {
        let l = s.lists[tab]!
        let cols = columns(tab, s)
        let key = cols.indices.contains(l.sortColumn) ? cols[l.sortColumn].sortKey ?? "" : ""
        var q = ListQuery(tab: tab, sortKey: key, descending: l.descending, filter: l.filter)
        if tab == .customers { q.affiliateID = s.affiliateFilter?.id }
        if tab == .triage, s.reasons.indices.contains(s.reasonIndex), s.reasonIndex > 0 { q.reason = s.reasons[s.reasonIndex].reason }
        return q
    }
}

enum Fmt {
    /// "1,234.50" without the currency when it is the program's, else "1,234.50 EUR".
    static func money(_ m: Money?, _ s: ProgramSettings) -> String {
        guard let m else { return "—" }
        return m.currency == s.currency ? Money.grouped(m.decimalString) : m.description
    }
    static func money(minor: Int64, _ s: ProgramSettings) -> String { money(Money(minor: minor, currency: s.currency), s) }

    static func statusRole(_ st: CustomerStatus) -> Role {
        switch st {
        case .initial: return .info
        case .active: return .ok
        case .capped: return .warning
        case .ended: return .dim
        }
    }
}

