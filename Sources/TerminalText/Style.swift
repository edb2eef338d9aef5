/// How a cell looks, said by meaning rather than by colour: the terminal layer maps each role to
/// a colour pair (16- or 256-colour palettes) or, without colour, to bold / reverse / underline,
/// so screens never name a colour and stay readable under `NO_COLOR`.
public struct Style: Hashable, Sendable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(_ role: Role = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    public static let normal = Style()

    public func with(bold: Bool? = nil, reverse: Bool? = nil, underline: Bool? = nil) -> Style {
        var s = self
        if let bold { s.bold = bold }
        if let reverse { s.reverse = reverse }
        if let underline { s.underline = underline }
        return s
    }

    /// One letter per style for `Frame.styleMap()`: the role's code, upper-cased when bold
    /// ("#" for bold normal text).
    public var code: Character {
        if role == .normal { return bold ? "#" : "." }
        let c = role.code
        return bold ? Character(c.uppercased()) : c
    }
}

/// Semantic colour roles. Each names a foreground and background together.
public enum Role: UInt8, CaseIterable, Hashable, Sendable {
    /// Body text on the terminal's own background.
    case normal
    /// Secondary text: hints, timestamps, empty-state messages.
    case dim
    /// Emphasised values: amounts, ids the user searched for.
    case accent
    /// Column headers of a table.
    case header
    /// Titles of panes and dialogs.
    case title
    /// The selected row of the focused list.
    case selected
    /// The selected row of a list that does not have the focus.
    case selectedInactive
    /// The bottom status line.
    case statusBar
    /// Key names inside the status line ("q", "/", "?").
    case statusKey
    /// Rejections, failures, validation errors.
    case error
    /// Caps close to their limit, ignored fields.
    case warning
    /// Accepted events, active customers.
    case ok
    /// Neutral notices.
    case info
    /// Box lines of unfocused panes.
    case border
    /// Box lines of the focused pane.
    case borderFocused
    /// An inactive tab label.
    case tab
    /// The current tab label.
    case tabActive
    /// Bars, sparklines, progress fill.
    case chart
    /// A second data series, or the unfilled part of a bar.
    case chartAlt
    /// Text matching the current filter.
    case match
    /// An input field being edited.
    case input
    /// The body of a modal dialog (confirmation, help).
    case dialog
    /// Key names in help text.
    case key

    /// One letter per role, for `Frame.styleMap()` in tests.
    public var code: Character {
        switch self {
        case .normal: "."
        case .dim: "d"
        case .accent: "a"
        case .header: "h"
        case .title: "t"
        case .selected: "s"
        case .selectedInactive: "i"
        case .statusBar: "b"
        case .statusKey: "k"
        case .error: "e"
        case .warning: "w"
        case .ok: "o"
        case .info: "n"
        case .border: "l"
        case .borderFocused: "f"
        case .tab: "x"
        case .tabActive: "y"
        case .chart: "c"
        case .chartAlt: "z"
        case .match: "m"
        case .input: "u"
        case .dialog: "g"
        case .key: "q"
        }
    }
}
