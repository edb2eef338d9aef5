import XCTest
@testable import TerminalText

final class SanitizeTests: XCTestCase {
    func testTable() {
        let cases: [(String, String, UInt)] = [
            ("plain text", "plain text", #line),
            ("", "", #line),
            // CR, LF, TAB and line/paragraph separators: one space per run.
            ("a\tb", "a b", #line),
            ("a\r\nb", "a b", #line),
            ("a\n\n\tb", "a b", #line),
            ("line\u{2028}next\u{2029}para", "line next para", #line),
            ("end\n", "end ", #line),
            // Other C0, DEL, C1 dropped.
            ("a\u{0}b\u{7}c\u{8}d", "abcd", #line),
            ("bell\u{7}\u{7F}", "bell", #line),
            ("x\u{85}y\u{80}z", "xyz", #line),
            // CSI sequences dropped whole.
            ("\u{1B}[31mred\u{1B}[0m", "red", #line),
            ("\u{1B}[2J\u{1B}[Hhome", "home", #line),
            ("\u{1B}[?1049h\u{1B}[38;5;196mX", "X", #line),
            ("\u{9B}31mc1csi", "c1csi", #line),
            // OSC to BEL or ST, and the other string sequences.
            ("\u{1B}]0;evil title\u{7}after", "after", #line),
            ("\u{1B}]52;c;ZXZpbA==\u{1B}\\clip", "clip", #line),
            ("\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\", "link", #line),
            ("\u{1B}Pdcs\u{1B}\\ok", "ok", #line),
            ("\u{9D}0;t\u{9C}ok", "ok", #line),
            ("\u{1B}]0;never ends", "", #line),
            // Short escapes: ESC + intermediates + final.
            ("\u{1B}(Bascii", "ascii", #line),
            ("\u{1B}cX", "X", #line),
            ("\u{1B}", "", #line),
            // A broken CSI gives the breaking character back as text.
            ("\u{1B}[12日本", "日本", #line),
            // Bidi controls.
            ("abc\u{202E}fed", "abcfed", #line),
            ("\u{202A}\u{202B}\u{202C}\u{202D}x", "x", #line),
            ("\u{2066}a\u{2067}b\u{2068}c\u{2069}", "abc", #line),
            ("\u{200E}l\u{200F}r\u{61C}", "lr", #line),
            // Invisible format characters.
            ("zero\u{200B}width\u{2060}\u{FEFF}", "zerowidth", #line),
            ("soft\u{AD}hyphen", "softhyphen", #line),
            // Kept: CJK, emoji (with ZWJ and tags), combining marks, ZWNJ, NBSP.
            ("日本語", "日本語", #line),
            ("👨‍👩‍👧 🇫🇷 👍🏽", "👨‍👩‍👧 🇫🇷 👍🏽", #line),
            ("e\u{301}", "e\u{301}", #line),
            ("\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}", #line),
            ("a\u{E0067}b", "ab", #line),
            ("می\u{200C}خواهم", "می\u{200C}خواهم", #line),
            ("a\u{A0}b", "a\u{A0}b", #line),
        ]
        for (input, expected, line) in cases {
            XCTAssertEqual(Sanitize.text(input), expected, "input \(input.debugDescription)", line: line)
            XCTAssertEqual(Sanitize.text(expected), expected, "idempotent \(expected.debugDescription)", line: line)
        }
    }

    func testOutputHasNoControls() {
        var all = ""
        for v in 0..<0x300 { if let u = Unicode.Scalar(v) { all.unicodeScalars.append(u) } }
        all += "\u{202E}\u{2066}\u{200B}\u{1B}[1mx"
        let out = Sanitize.text(all)
        for u in out.unicodeScalars {
            XCTAssertFalse(u.value < 0x20 || (0x7F...0x9F).contains(u.value), "U+\(String(u.value, radix: 16))")
            XCTAssertNotEqual(u.properties.generalCategory, .format, "U+\(String(u.value, radix: 16))")
        }
    }
}
