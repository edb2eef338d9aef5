/// Display width in terminal cells, computed from Unicode data compiled into the program, so it
/// is the same in every locale (no wcwidth).
///
/// Per grapheme cluster (what a user sees as one character):
/// - 2 for East Asian Wide and Fullwidth characters (CJK ideographs, kana, Hangul, fullwidth
///   forms) and for emoji shown as emoji: `Emoji_Presentation` characters, ZWJ sequences,
///   skin-tone sequences, keycaps and text-default emoji followed by U+FE0F, and flags
///   (a pair of regional indicators);
/// - 0 for a cluster made only of combining marks or invisible format characters;
/// - 1 for everything else.
///
/// The functions on strings measure text as `Frame.put` draws it: they sanitize first, so a TAB
/// counts as the one space it becomes and an escape sequence counts as nothing.
public enum Width {
    public enum Alignment: Sendable, Hashable {
        case left, right, center
    }

    /// Cells `s` takes on screen.
    public static func of(_ s: String) -> Int {
        if Sanitize.isPlainASCII(s) { return s.utf8.count }
        let text = Sanitize.text(s)
        var total = 0
        if isSimple(text) {
            for u in text.unicodeScalars { total += of(u) }
        } else {
            for c in text { total += of(c) }
        }
        return total
    }

    /// True when no two scalars of `text` can form one grapheme cluster (no combining marks,
    /// joiners, selectors, modifiers, regional indicators, conjoining jamo, prepended marks),
    /// so every scalar is its own cluster. Lets `of` and `Frame.put` skip grapheme breaking,
    /// which is the slow part of measuring text. Both use it, so they always agree.
    static func isSimple(_ text: String) -> Bool {
        for u in text.unicodeScalars where !isSimple(u) { return false }
        return true
    }

    @inline(__always)
    static func isSimple(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x300 { return v >= 0x20 && v != 0x7F }
        if (0x4E00...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v) { return true }
        switch v {
        case 0x1100...0x11FF, 0xA960...0xA97F, 0xD7B0...0xD7FF,      // conjoining jamo
             0x1F1E6...0x1F1FF, 0x1F3FB...0x1F3FF,                    // regional indicators, skin tones
             0xFE00...0xFE0F, 0xE0000...0xE0FFF,                      // selectors, tags
             0xFF9E...0xFF9F, 0x0E33, 0x0EB3,                         // extending Lm, SpacingMark Lo
             0x0D4E, 0x111C2...0x111C3, 0x1193F, 0x11941, 0x11A3A,    // prepended letters
             0x11A84...0x11A89, 0x11D46, 0x11F02, 0x113D1:
            return false
        default:
            break
        }
        if Sanitize.isFormat(v) { return false }
        switch u.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .control, .surrogate,
             .lineSeparator, .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    /// Cells one grapheme cluster takes: 0, 1 or 2 — or more for a cluster of several spacing
    /// letters (a Devanagari conjunct with a vowel sign), which terminals draw a cell per letter.
    public static func of(_ c: Character) -> Int {
        if let w = glyphWidth(c) { return w }
        var total = 0
        for u in c.unicodeScalars { total += of(u) }
        return total
    }

    /// The width of a cluster drawn as one glyph (a single scalar, a wide base with its marks,
    /// an emoji sequence, a flag), or nil for a cluster terminals draw code point by code point.
    static func glyphWidth(_ c: Character) -> Int? {
        let scalars = c.unicodeScalars
        var it = scalars.makeIterator()
        guard let first = it.next() else { return 0 }
        let w = of(first)
        guard let second = it.next() else { return w }
        if w == 2 { return 2 }
        if isRegionalIndicator(first) && isRegionalIndicator(second) { return 2 }
        if first.properties.isEmoji && scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D || (0x1F3FB...0x1F3FF).contains($0.value) }) {
            return 2
        }
        return nil
    }

    /// The cells a cluster is drawn in, each with its text and width. Terminals measure by code
    /// point (wcwidth), so a cluster of several spacing letters is split into one cell per
    /// spacing letter, each carrying the zero-width marks that follow it; everything else is
    /// one cell. The cells' widths add up to `of(c)`, so rows stay aligned on every terminal.
    static func cells(_ c: Character) -> [(String, Int)] {
        if let w = glyphWidth(c) { return [(String(c), w)] }
        var out: [(String, Int)] = []
        var pending = ""
        for u in c.unicodeScalars {
            let w = of(u)
            if w == 0 {
                if out.isEmpty { pending.unicodeScalars.append(u) } else { out[out.count - 1].0.unicodeScalars.append(u) }
            } else {
                var text = pending
                text.unicodeScalars.append(u)
                out.append((text, w))
                pending = ""
            }
        }
        if out.isEmpty { return [(String(c), 0)] }
        if !pending.isEmpty { out[out.count - 1].0 += pending }
        return out
    }

    /// Cells one scalar takes on its own.
    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        if v < 0x300 { return v == 0xAD ? 0 : 1 }
        if (0x4E00...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v) { return 2 }
        if Sanitize.isFormat(v) { return 0 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control, .surrogate: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }  // Hangul jamo V/T
        if isRegionalIndicator(u) { return 1 }   // alone; a pair (a flag) is 2, see of(Character)
        if u.properties.isEmojiPresentation { return 2 }
        return isEastAsianWide(v) ? 2 : 1
    }

    static func isRegionalIndicator(_ u: Unicode.Scalar) -> Bool {
        (0x1F1E6...0x1F1FF).contains(u.value)
    }

    /// East Asian Width W or F (Unicode 15.1) that is not already an emoji-presentation character.
    static func isEastAsianWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        if v >= 0x20000 { return v <= 0x2FFFD || (0x30000...0x3FFFD).contains(v) }
        // Binary search over sorted, non-overlapping ranges.
        var lo = 0
        var hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lower { hi = mid - 1 } else if v > r.upper { lo = mid + 1 } else { return true }
        }
        return false
    }

    private struct Range32: Sendable {
        let lower: UInt32
        let upper: UInt32
        init(_ l: UInt32, _ u: UInt32) { lower = l; upper = u }
    }

    private static let wideRanges: [Range32] = [
        Range32(0x1100, 0x115F), Range32(0x2329, 0x232A), Range32(0x2E80, 0x2E99),
        Range32(0x2E9B, 0x2EF3), Range32(0x2F00, 0x2FD5), Range32(0x2FF0, 0x2FFF),
        Range32(0x3000, 0x303E), Range32(0x3041, 0x3096), Range32(0x3099, 0x30FF),
        Range32(0x3105, 0x312F), Range32(0x3131, 0x318E), Range32(0x3190, 0x31E3),
        Range32(0x31EF, 0x321E), Range32(0x3220, 0x3247), Range32(0x3250, 0x4DBF),
        Range32(0x4E00, 0xA48C), Range32(0xA490, 0xA4C6), Range32(0xA960, 0xA97C),
        Range32(0xAC00, 0xD7A3), Range32(0xF900, 0xFAFF), Range32(0xFE10, 0xFE19),
        Range32(0xFE30, 0xFE52), Range32(0xFE54, 0xFE66), Range32(0xFE68, 0xFE6B),
        Range32(0xFF01, 0xFF60), Range32(0xFFE0, 0xFFE6), Range32(0x16FE0, 0x16FE4),
        Range32(0x16FF0, 0x16FF1), Range32(0x17000, 0x187F7), Range32(0x18800, 0x18CD5),
        Range32(0x18D00, 0x18D08), Range32(0x1AFF0, 0x1AFF3), Range32(0x1AFF5, 0x1AFFB),
        Range32(0x1AFFD, 0x1AFFE), Range32(0x1B000, 0x1B122), Range32(0x1B132, 0x1B132),
        Range32(0x1B150, 0x1B152), Range32(0x1B155, 0x1B155), Range32(0x1B164, 0x1B167),
        Range32(0x1B170, 0x1B2FB), Range32(0x1F200, 0x1F202), Range32(0x1F210, 0x1F23B),
        Range32(0x1F240, 0x1F248), Range32(0x1F250, 0x1F251), Range32(0x1F260, 0x1F265),
    ]

    /// Calls `body` with each cluster of sanitized `text` and its width, in order, until it
    /// returns false. The one segmentation `of`, `truncate` and `Frame.put` share.
    @inline(__always)
    static func forEachCluster(_ text: String, _ body: (String, Int) -> Bool) {
        if Sanitize.isPlainASCII(text) {
            var t = text
            t.withUTF8 { buf in
                for b in buf where !body(Frame.ascii[Int(b)], 1) { return }
            }
        } else if isSimple(text) {
            for u in text.unicodeScalars where !body(String(Character(u)), of(u)) { return }
        } else {
            for c in text {
                for (cell, w) in cells(c) where !body(cell, w) { return }
            }
        }
    }

    // MARK: - Fitting text into cells

    /// `s` cut to at most `cells` cells, ending with `ellipsis` when anything was cut.
    /// Never splits a glyph (a cluster of several spacing letters may be cut between the cells it
    /// is drawn in); a wide character that would straddle the limit is left
    /// out (and, with `pad`, replaced by a space). With `pad` the result is exactly `cells` wide.
    /// When even the ellipsis does not fit, the text is cut without one.
    public static func truncate(_ s: String, to cells: Int, ellipsis: String = "…", pad: Bool = false) -> String {
        let cells = max(0, cells)
        let text = Sanitize.text(s)
        let w = of(text)
        if w <= cells { return pad ? text + spaces(cells - w) : text }
        let mark = Sanitize.text(ellipsis)
        let markWidth = of(mark)
        let useMark = markWidth <= cells && !mark.isEmpty
        let budget = useMark ? cells - markWidth : cells
        var out = ""
        var used = 0
        forEachCluster(text) { c, cw in
            if used + cw > budget { return false }
            out += c
            used += cw
            return true
        }
        if useMark {
            out += mark
            used += markWidth
        }
        return pad ? out + spaces(cells - used) : out
    }

    /// `s` padded with spaces to at least `cells` cells. Never shortens; see `fit`.
    public static func pad(_ s: String, to cells: Int, align: Alignment = .left) -> String {
        let text = Sanitize.text(s)
        let missing = cells - of(text)
        if missing <= 0 { return text }
        switch align {
        case .left: return text + spaces(missing)
        case .right: return spaces(missing) + text
        case .center: return spaces(missing / 2) + text + spaces(missing - missing / 2)
        }
    }

    /// `s` made exactly `cells` wide: truncated with `ellipsis` when too long, padded when short.
    public static func fit(_ s: String, to cells: Int, align: Alignment = .left, ellipsis: String = "…") -> String {
        let cells = max(0, cells)
        let text = Sanitize.text(s)
        if of(text) > cells { return truncate(text, to: cells, ellipsis: ellipsis, pad: true) }
        return pad(text, to: cells, align: align)
    }

    /// `n` spaces (none when `n <= 0`).
    public static func spaces(_ n: Int) -> String {
        n > 0 ? String(repeating: " ", count: n) : ""
    }
}
