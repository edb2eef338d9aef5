import TerminalText

/// What a key means. The same table drives dispatch, the status bar and the `?` help overlay.
public enum Command: Hashable, Sendable {
    case quit, help, nextTab, prevTab, gotoTab(Int)
    case up, down, pageUp, pageDown, top, bottom
    case open, back, filter
    case sortNext, sortPrev, sortReverse
    case setStatus, reassign, addConversion
    case reasonNext, reasonPrev
    case replay, manualConversion
    /// Triage: mark a row or the whole reason for a bulk replay; show resolved rejections.
    case markRow, markReason, toggleResolved
    case refresh
    case history
    /// Go to the record related to the pane or the selected row (`Navigation`).
    case jump(JumpKind)
    /// Open the `:` command line.
    case prompt
    /// Copy the selected identifier to the terminal's clipboard (OSC 52).
    case copy
    /// The Affiliates tab: add one; disable or enable the selected one; edit its name, email, commission.
    case addAffiliate, toggleAffiliate, editAffiliate
    /// Show or hide the current list's columns.
    case chooseColumns
    /// Commissions: the state shown; mark an entry; approve, hold, release or void entries.
    case ledgerStateNext, ledgerStatePrev, markCommission
    case commissionAction(CommissionActionKind)
    /// Payouts: create a run, export, mark paid, cancel.
    case payoutAction(PayoutActionKind)
}

/// Where a binding works.
public enum Scope: Hashable, Sendable {
    case everywhere
    /// The admin's on every screen (listed with "Everywhere" in help).
    case admin
    case lists
    /// Admin actions on a customer (Customers and Caps lists, customer detail).
    case customerActions
    case triage
    /// Admin actions on an inbox event (Triage list, event detail).
    case eventActions
    case settings
    case detail
    /// The admin's jumps to related records, from a pane or a selected row.
    case jumps
    /// The admin's actions on affiliates (the Affiliates list).
    case affiliateActions
    /// The admin's actions on commission entries (the Commissions list).
    case commissions
    /// The admin's actions on payouts (the Payouts list).
    case payouts
}

public struct Binding: Hashable, Sendable {
    public var keys: [Key]
    /// How the keys are written in the status bar and help: "j/↓".
    public var label: String
    /// A word for the status bar.
    public var short: String
    /// A sentence for the help overlay.
    public var help: String
    public var command: Command
    public var scope: Scope
    /// Shown in the status bar (the rest only in help).
    public var inStatusBar: Bool
}

public enum Keymap {
    /// Every binding: the common ones, then those the screens add (in tab order), then the
    /// closing ones. The same table drives dispatch, the status bar and help.
    public static let bindings: [Binding] = {
        var screens: [Binding] = []
        for b in (Screens.admin + Screens.affiliate).flatMap(\.bindings) where !screens.contains(b) { screens.append(b) }
        return common + screens + closing
    }()

    /// Quitting, help, tabs, moving, opening, filtering and sorting.
    static let common: [Binding] = [
        Binding(keys: [.char("q"), .ctrl("c")], label: "q", short: "quit", help: "Quit (also Ctrl-C); in a pane or a place jumped to, q goes back as Esc does", command: .quit, scope: .everywhere, inStatusBar: true),
        Binding(keys: [.char("?"), .f(1)], label: "?", short: "help", help: "Show or hide this help", command: .help, scope: .everywhere, inStatusBar: true),
        Binding(keys: [.tab], label: "Tab", short: "next tab", help: "Next tab", command: .nextTab, scope: .everywhere, inStatusBar: false),
        Binding(keys: [.backTab], label: "S-Tab", short: "prev tab", help: "Previous tab", command: .prevTab, scope: .everywhere, inStatusBar: false),
        Binding(keys: (1...9).map { .char(Character(String($0))) }, label: "1-7", short: "tabs", help: "Go to a tab by its number",
                command: .gotoTab(0), scope: .everywhere, inStatusBar: false),
        Binding(keys: [.char("k"), .up], label: "k/↑", short: "up", help: "Move up", command: .up, scope: .lists, inStatusBar: false),
        Binding(keys: [.char("j"), .down], label: "j/↓", short: "down", help: "Move down", command: .down, scope: .lists, inStatusBar: false),
        Binding(keys: [.pageUp, .ctrl("b")], label: "PgUp", short: "page up", help: "Page up (also Ctrl-B)", command: .pageUp, scope: .lists, inStatusBar: false),
        Binding(keys: [.pageDown, .ctrl("f"), .char(" ")], label: "PgDn", short: "page down", help: "Page down (also Ctrl-F, Space)", command: .pageDown, scope: .lists, inStatusBar: false),
        Binding(keys: [.char("g"), .home], label: "g/Home", short: "top", help: "First row", command: .top, scope: .lists, inStatusBar: false),
        Binding(keys: [.char("G"), .end], label: "G/End", short: "bottom", help: "Last row", command: .bottom, scope: .lists, inStatusBar: false),
        Binding(keys: [.enter], label: "⏎", short: "open", help: "Open the selected row", command: .open, scope: .lists, inStatusBar: true),
        Binding(keys: [.escape], label: "Esc", short: "back", help: "Close the pane, clear the filter or go back", command: .back, scope: .everywhere, inStatusBar: false),
        Binding(keys: [.char("/")], label: "/", short: "filter", help: "Filter the list as you type (Enter keeps it, Esc clears it)", command: .filter, scope: .lists, inStatusBar: true),
        Binding(keys: [.char(">")], label: ">", short: "sort →", help: "Sort by the next column (or click a header)", command: .sortNext, scope: .lists, inStatusBar: false),
        Binding(keys: [.char("<")], label: "<", short: "sort ←", help: "Sort by the previous column", command: .sortPrev, scope: .lists, inStatusBar: false),
        Binding(keys: [.char("o")], label: "o", short: "order", help: "Reverse the sort order", command: .sortReverse, scope: .lists, inStatusBar: true),
        Binding(keys: [.char("C")], label: "C", short: "columns", help: "Choose the columns shown on this tab (kept for the session)",
                command: .chooseColumns, scope: .admin, inStatusBar: false),
    ]

    /// The admin's actions on a customer: the Customers and Caps screens add them, and the
    /// customer pane has them.
    static let customerActions: [Binding] = [
        Binding(keys: [.char("s")], label: "s", short: "status", help: "Change the customer's status", command: .setStatus, scope: .customerActions, inStatusBar: true),
        Binding(keys: [.char("r")], label: "r", short: "reassign", help: "Reassign the customer to another affiliate", command: .reassign, scope: .customerActions, inStatusBar: true),
        Binding(keys: [.char("c")], label: "c", short: "conversion", help: "Add a conversion for the customer by hand", command: .addConversion, scope: .customerActions, inStatusBar: true),
    ]

    /// Keys everywhere after the screens' own.
    static let closing: [Binding] = [
        Binding(keys: [.ctrl("l"), .char("R")], label: "R", short: "refresh", help: "Reload now (the screen also refreshes by itself)", command: .refresh, scope: .everywhere, inStatusBar: false),
        Binding(keys: [.char("M")], label: "M", short: "messages", help: "Messages: what became of each change, and when",
                command: .history, scope: .admin, inStatusBar: false),
        Binding(keys: [.char(":")], label: ":", short: "command", help: "Command line: customer KEY, event ID, affiliate CODE, triage ID (Tab completes)",
                command: .prompt, scope: .admin, inStatusBar: false),
        Binding(keys: [.char("y")], label: "y", short: "copy", help: "Copy the selected identifier to the clipboard (OSC 52, works over SSH)",
                command: .copy, scope: .everywhere, inStatusBar: false),
    ] + jumps

    /// Jumps to the related records; the status bar shows those the pane or row has.
    static let jumps: [Binding] = [
        Binding(keys: [.char("u")], label: "u", short: "→customer", help: "Go to the related customer (Esc comes back)", command: .jump(.customer), scope: .jumps, inStatusBar: true),
        Binding(keys: [.char("a")], label: "a", short: "→affiliate", help: "Go to the related affiliate", command: .jump(.affiliate), scope: .jumps, inStatusBar: true),
        Binding(keys: [.char("t")], label: "t", short: "→click", help: "Go to the click: every event naming it", command: .jump(.click), scope: .jumps, inStatusBar: true),
        Binding(keys: [.char("v")], label: "v", short: "→conversions", help: "Go to the related conversions", command: .jump(.conversion), scope: .jumps, inStatusBar: true),
        Binding(keys: [.char("e")], label: "e", short: "→events", help: "Go to the related events (or the event replayed)", command: .jump(.event), scope: .jumps, inStatusBar: true),
    ]

    /// The scopes that apply to the current screen.
    public static func scopes(_ s: State) -> [Scope] {
        var out: [Scope] = []
        if s.detail != nil {
            // A pane's actions are those of the screens that open it: admin screens only.
            out = [.detail]
            if case .customer? = s.detail, s.offers(.customerActions) { out.append(.customerActions) }
            if case .event? = s.detail, s.offers(.eventActions) { out.append(.eventActions) }
        } else if let screen = s.screen {
            out = [.lists] + screen.scopes
        } else {
            out = [.lists]
        }
        return out + (s.isAdmin ? [.jumps, .admin, .everywhere] : [.everywhere])
    }

    /// The command a key means on the current screen.
    public static func command(for key: Key, in s: State) -> Command? {
        let scopes = scopes(s)
        // In a detail pane, moving and paging scroll the pane.
        let effective = scopes.contains(.detail) ? scopes + [.lists] : scopes
        // A screen's own key (Triage's Space) before the common one.
        let first: Set<Scope> = [.triage, .commissions, .payouts]
        let ordered = bindings.filter { first.contains($0.scope) } + bindings.filter { !first.contains($0.scope) }
        for b in ordered where effective.contains(b.scope) && b.keys.contains(key) {
            if case .gotoTab = b.command, case .char(let c) = key, let n = c.wholeNumberValue { return .gotoTab(n) }
            return b.command
        }
        return nil
    }

    /// The bindings to show in the status bar on this screen.
    public static func statusBar(_ s: State) -> [Binding] {
        let scopes = scopes(s)
        var out = bindings.filter { $0.inStatusBar && scopes.contains($0.scope) }
        // In a pane, the jumps it has, right after the way out (on lists they are in help).
        let targets = Navigation.targets(s)
        let jumps = out.filter { if case .jump(let k) = $0.command { return s.detail != nil && targets[k] != nil }; return false }
        out.removeAll { if case .jump = $0.command { return true }; return false }
        out.insert(contentsOf: jumps, at: 0)
        if let screen = s.screen, !screen.isList, s.detail == nil {
            out.removeAll { $0.command == .filter || $0.command == .sortReverse }
            // Enter edits the selected setting.
            out = out.map { var b = $0; if b.command == .open { b.short = "edit" }; return b }
        }
        // Lists the store reads in one fixed order have nothing to reverse.
        if !Screens.columns(s.tab, s).contains(where: { $0.sortKey != nil }) { out.removeAll { $0.command == .sortReverse } }
        if s.detail != nil {
            out.removeAll { $0.command == .open || $0.command == .filter || $0.command == .sortReverse }
            // How to leave the pane comes first.
            if let back = bindings.first(where: { $0.command == .back }) { out.insert(back, at: 0) }
        }
        return out
    }
}
