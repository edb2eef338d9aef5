/// Makes untrusted text safe to draw on a terminal.
///
/// Customer names, event payloads and error messages come from webhooks and imports; printed
/// raw, an escape sequence in them could move the cursor, retitle the window, rewrite the
/// clipboard or hide text, and a bidi override could make "Customer #12" read as something else.
/// `Sanitize.text` keeps everything that is printable (CJK, emoji, combining marks) and removes
/// the rest:
///
/// - CR, LF, TAB, U+2028 and U+2029 become a space; a run of them becomes a single space
///   (so "a\r\nb" is "a b").
/// - Other C0 controls, DEL and C1 controls (U+0080–U+009F) are dropped.
/// - Escape sequences are dropped whole: CSI (`ESC [` params final, or U+009B), the string
///   sequences OSC, DCS, SOS, PM and APC (`ESC ]`, `ESC P`, `ESC X`, `ESC ^`, `ESC _`, or their
///   C1 forms) up to BEL or ST, and the short forms `ESC` intermediates final (`ESC ( B`, `ESC c`).
///   An unterminated string sequence swallows the rest of the text, as it would on a terminal.
/// - Bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and every other
///   invisible format character (general category Cf: U+200B zero-width space, U+2060, U+FEFF,
///   soft hyphen, ...) are dropped, except the ones emoji and scripts need: U+200C ZWNJ,
///   U+200D ZWJ, and tag characters following a black flag (subdivision flags).
///
/// The result is idempotent: `text(text(s)) == text(s)`.
public enum Sanitize {
    public static func text(_ s: String) -> String {
        if isPlainASCII(s) || isClean(s) { return s }
        var m = Machine()
        for u in s.unicodeScalars { m.feed(u) }
        if m.pendingSpace { m.out.append(" ") }
        return String(m.out)
    }

    /// True when `s` has nothing `text` would change (the common case for non-ASCII text).
    static func isClean(_ s: String) -> Bool {
        for u in s.unicodeScalars {
            let v = u.value
            if v < 0x20 || (v >= 0x7F && v < 0xA0) { return false }
            if v < 0x300 {
                if v == 0xAD { return false }
                continue
            }
            if v == 0x2028 || v == 0x2029 || v == 0xFFFE || v == 0xFFFF { return false }
            if isFormat(v) && !(v == 0x200C || v == 0x200D) { return false }
        }
        return true
    }

    /// General category Cf (Unicode 15.1), listed so the result does not depend on the Swift
    /// runtime's Unicode version.
    @inline(__always)
    static func isFormat(_ v: UInt32) -> Bool {
        if v < 0x600 { return v == 0xAD }
        if v < 0x2100 {
            switch v {
            case 0x600...0x605, 0x61C, 0x6DD, 0x70F, 0x890...0x891, 0x8E2, 0x180E,
                 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x206F: return true
            default: return false
            }
        }
        if v < 0xFEFF { return false }
        switch v {
        case 0xFEFF, 0xFFF9...0xFFFB, 0x110BD, 0x110CD, 0x13430...0x1343F, 0x1BCA0...0x1BCA3,
             0x1D173...0x1D17A, 0xE0001, 0xE0020...0xE007F: return true
        default: return false
        }
    }

    /// The escape-sequence state machine of `text`.
    private struct Machine {
        var out = String.UnicodeScalarView()
        var state = State.text
        var pendingSpace = false
        var last: Unicode.Scalar? = nil

        mutating func emit(_ u: Unicode.Scalar) {
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(u)
            last = u
        }

        mutating func feed(_ u: Unicode.Scalar) {
            let v = u.value
            switch state {
            case .text:
                plain(u)
            case .escape:
                // After ESC: pick the kind of sequence.
                switch v {
                case 0x5B: state = .csi                                  // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string       // ] P X ^ _
                case 0x20...0x2F: state = .escapeIntermediate
                case 0x30...0x7E: state = .text                          // two-byte sequence
                case 0x1B: state = .escape
                default:
                    state = .text
                    plain(u)
                }
            case .escapeIntermediate:
                switch v {
                case 0x20...0x2F: break
                case 0x30...0x7E: state = .text
                case 0x1B: state = .escape
                default:
                    state = .text
                    plain(u)
                }
            case .csi:
                switch v {
                case 0x20...0x3F: break                                  // params, intermediates
                case 0x40...0x7E: state = .text                          // final byte
                case 0x1B: state = .escape
                default:
                    // Not part of a CSI: the sequence is broken off; u is text.
                    state = .text
                    plain(u)
                }
            case .string:
                if v == 0x07 || v == 0x9C { state = .text }              // BEL or C1 ST
                else if v == 0x1B { state = .stringEscape }
            case .stringEscape:
                if v == 0x5C { state = .text }                           // ESC \ (ST)
                else if v != 0x1B { state = .string }
            }
        }

        mutating func plain(_ u: Unicode.Scalar) {
            let v = u.value
            if v >= 0x20 && v < 0x7F {
                emit(u)
                return
            }
            switch v {
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029: pendingSpace = true
            case 0x1B: state = .escape
            case 0x9B: state = .csi
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F: state = .string
            case 0x00...0x1F, 0x7F...0x9F: break
            default:
                if !isDropped(u, after: last) { emit(u) }
            }
        }
    }

    /// True when every byte is printable ASCII (0x20–0x7E): nothing to sanitize, one cell each.
    @inline(__always)
    static func isPlainASCII(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { buf in
            for b in buf where b < 0x20 || b > 0x7E { return false }
            return true
        }
    }

    /// Bidi controls are listed explicitly (they are Cf too, but the list is the specification);
    /// everything else of category Cf goes unless emoji or scripts need it.
    static func isDropped(_ u: Unicode.Scalar, after last: Unicode.Scalar?) -> Bool {
        let v = u.value
        switch v {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x200C, 0x200D: return false
        case 0xE0020...0xE007F:
            // Tags only mean something inside an emoji tag sequence (🏴 + tags + cancel tag).
            guard let p = last?.value else { return true }
            return !(p == 0x1F3F4 || (0xE0020...0xE007E).contains(p))
        case 0xFFFE, 0xFFFF: return true
        default:
            return isFormat(v)
        }
    }

    private enum State {
        case text, escape, escapeIntermediate, csi, string, stringEscape
    }
}
