/// A key press, independent of ncurses so the dashboard's `update` can be tested without a
/// terminal. The terminal layer reads the keyboard in raw mode, so Ctrl-C arrives here as
/// `.ctrl("c")` (not as SIGINT) and the dashboard decides what it means.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (Shift already applied): "q", "Q", "/", "é", "日".
    case char(Character)
    /// Ctrl with a letter or one of @ [ \ ] ^ _ — always lower-case letters: `.ctrl("c")`.
    /// Ctrl-I, Ctrl-M, Ctrl-H and Ctrl-[ arrive as `.tab`, `.enter`, `.backspace`, `.escape`.
    case ctrl(Character)
    case enter, escape, tab, backTab
    case up, down, left, right
    case pageUp, pageDown, home, end
    case backspace, delete, insert
    /// A function key, F1 = `.f(1)`.
    case f(Int)

    public var description: String {
        switch self {
        case .char(" "): "Space"
        case .char(let c): String(c)
        case .ctrl(let c): "Ctrl-" + c.uppercased()
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .insert: "Ins"
        case .f(let n): "F\(n)"
        }
    }

    /// The key for a byte read in raw mode (0–127): controls become `.ctrl`, `.enter`, ...,
    /// printable ASCII `.char`. Both CR and LF are Enter; both DEL and BS are Backspace.
    public static func fromASCII(_ byte: UInt8) -> Key? {
        switch byte {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        case 0: return .ctrl("@")
        case 1...26: return .ctrl(Character(Unicode.Scalar(byte + 96)))
        case 28...31: return .ctrl(Character(Unicode.Scalar(byte + 64)))
        case 32...126: return .char(Character(Unicode.Scalar(byte)))
        default: return nil
        }
    }
}

/// A mouse action at a cell (0-based, (0, 0) top left).
public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Left button down. Act on this one: terminals and multiplexers do not all report
        /// clicks or releases.
        case press
        case release
        case click
        case doubleClick
        /// Right button down.
        case rightPress
        case wheelUp
        case wheelDown
        /// Pointer moved (only with motion reporting).
        case move
    }

    public var x: Int
    public var y: Int
    public var kind: Kind

    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}
