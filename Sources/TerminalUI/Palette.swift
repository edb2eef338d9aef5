import TerminalText

/// How each `Role` looks on a terminal with 8/16 colours, with 256 colours, and without colour.
/// Colour numbers: -1 is the terminal's own default (with `use_default_colors`), 0–7 the ANSI
/// colours, 16–255 the xterm cube and greys. Every 256-colour choice reads on both dark and
/// light backgrounds; without colour the roles fall back to bold / reverse / underline / dim.
struct Look: Sendable {
    var fg: Int16
    var bg: Int16
    var bold = false
    var reverse = false
    var underline = false
    var dim = false
}

enum Palette {
    static let black: Int16 = 0, red: Int16 = 1, green: Int16 = 2, yellow: Int16 = 3
    static let blue: Int16 = 4, magenta: Int16 = 5, cyan: Int16 = 6, white: Int16 = 7
    static let none: Int16 = -1

    static func basic(_ r: Role) -> Look {
        switch r {
        case .normal: Look(fg: none, bg: none)
        case .dim: Look(fg: none, bg: none, dim: true)
        case .accent: Look(fg: cyan, bg: none, bold: true)
        case .header: Look(fg: none, bg: none, bold: true, underline: true)
        case .title: Look(fg: none, bg: none, bold: true)
        case .selected: Look(fg: black, bg: cyan)
        case .selectedInactive: Look(fg: black, bg: white)
        case .statusBar: Look(fg: black, bg: white)
        case .statusKey: Look(fg: black, bg: yellow, bold: true)
        case .error: Look(fg: red, bg: none, bold: true)
        case .warning: Look(fg: yellow, bg: none, bold: true)
        case .ok: Look(fg: green, bg: none)
        case .info: Look(fg: blue, bg: none, bold: true)
        case .border: Look(fg: none, bg: none, dim: true)
        case .borderFocused: Look(fg: cyan, bg: none, bold: true)
        case .tab: Look(fg: none, bg: none)
        case .tabActive: Look(fg: black, bg: cyan, bold: true)
        case .chart: Look(fg: green, bg: none)
        case .chartAlt: Look(fg: cyan, bg: none)
        case .match: Look(fg: black, bg: yellow)
        case .input: Look(fg: none, bg: none, underline: true)
        case .dialog: Look(fg: white, bg: blue)
        case .key: Look(fg: cyan, bg: none, bold: true)
        }
    }

    static func extended(_ r: Role) -> Look {
        switch r {
        case .normal: Look(fg: none, bg: none)
        case .dim: Look(fg: 244, bg: none)
        case .accent: Look(fg: 38, bg: none, bold: true)
        case .header: Look(fg: 110, bg: none, bold: true)
        case .title: Look(fg: 75, bg: none, bold: true)
        case .selected: Look(fg: 231, bg: 25)
        case .selectedInactive: Look(fg: 231, bg: 241)
        case .statusBar: Look(fg: 252, bg: 237)
        case .statusKey: Look(fg: 16, bg: 179, bold: true)
        case .error: Look(fg: 203, bg: none, bold: true)
        case .warning: Look(fg: 214, bg: none)
        case .ok: Look(fg: 71, bg: none)
        case .info: Look(fg: 75, bg: none)
        case .border: Look(fg: 243, bg: none)
        case .borderFocused: Look(fg: 38, bg: none)
        case .tab: Look(fg: 250, bg: 237)
        case .tabActive: Look(fg: 16, bg: 38, bold: true)
        case .chart: Look(fg: 71, bg: none)
        case .chartAlt: Look(fg: 67, bg: none)
        case .match: Look(fg: 16, bg: 220)
        case .input: Look(fg: 255, bg: 238, underline: true)
        case .dialog: Look(fg: 255, bg: 24)
        case .key: Look(fg: 179, bg: none, bold: true)
        }
    }

    static func monochrome(_ r: Role) -> Look {
        switch r {
        case .normal, .ok, .info, .border, .tab, .chart, .chartAlt, .dialog: Look(fg: none, bg: none)
        case .dim: Look(fg: none, bg: none, dim: true)
        case .accent, .title, .error, .warning, .borderFocused, .key: Look(fg: none, bg: none, bold: true)
        case .header: Look(fg: none, bg: none, bold: true, underline: true)
        case .selected, .statusBar: Look(fg: none, bg: none, reverse: true)
        case .selectedInactive: Look(fg: none, bg: none, underline: true)
        case .statusKey, .tabActive: Look(fg: none, bg: none, bold: true, reverse: true)
        case .match, .input: Look(fg: none, bg: none, underline: true)
        }
    }
}
