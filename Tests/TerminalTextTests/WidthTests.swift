import XCTest
@testable import TerminalText

final class WidthTests: XCTestCase {
    func testWidths() {
        let cases: [(String, Int, UInt)] = [
            ("", 0, #line),
            ("hello", 5, #line),
            ("日本語", 6, #line),
            ("한국어", 6, #line),
            ("ｶﾀｶﾅ", 4, #line),          // halfwidth katakana: narrow
            ("ＡＢ", 4, #line),           // fullwidth Latin
            ("　", 2, #line),             // ideographic space
            ("👍", 2, #line),
            ("👍🏽", 2, #line),           // skin tone
            ("👨‍👩‍👧", 2, #line),         // ZWJ family
            ("🇫🇷", 2, #line),            // flag
            ("🇫", 1, #line),             // lone regional indicator
            ("❤️", 2, #line),            // text-default emoji + VS16
            ("❤", 1, #line),             // text presentation
            ("1️⃣", 2, #line),            // keycap
            ("e\u{301}", 1, #line),      // combining acute
            ("\u{301}", 0, #line),       // lone combining mark
            ("é", 1, #line),
            ("a\tb", 3, #line),          // TAB is drawn as one space
            ("\u{1B}[31mred", 3, #line), // escape sequences take no cells
            ("a\u{202E}b", 2, #line),
            ("€100", 4, #line),
            ("─│┌", 3, #line),
            ("█▌·", 3, #line),
            ("Customer #42 — 日本", 19, #line),
            ("\u{20000}", 2, #line),     // CJK extension B
            ("🈂", 2, #line),
        ]
        for (s, w, line) in cases {
            XCTAssertEqual(Width.of(s), w, s.debugDescription, line: line)
        }
    }

    func testTruncate() {
        let cases: [(String, Int, String, Bool, String, UInt)] = [
            ("hello", 10, "…", false, "hello", #line),
            ("hello", 5, "…", false, "hello", #line),
            ("hello world", 8, "…", false, "hello w…", #line),
            ("hello world", 8, "...", false, "hello...", #line),
            ("hello world", 8, "", false, "hello wo", #line),
            ("hello", 1, "…", false, "…", #line),
            ("hello", 0, "…", false, "", #line),
            ("hello", -3, "…", false, "", #line),
            ("hello", 3, "...", false, "...", #line),
            ("hello", 2, "...", false, "he", #line),     // ellipsis wider than the room
            // Wide characters never straddle the limit.
            ("日本語テキスト", 6, "…", false, "日本…", #line),
            ("日本語テキスト", 5, "…", false, "日本…", #line),
            ("日本語テキスト", 4, "…", false, "日…", #line),
            ("日本語テキスト", 4, "…", true, "日… ", #line),
            ("日本語", 5, "", false, "日本", #line),
            ("日本語", 5, "", true, "日本 ", #line),
            ("a日本", 4, "…", false, "a日…", #line),
            ("ab日本", 4, "…", false, "ab…", #line),
            ("ab日本", 4, "…", true, "ab… ", #line),
            ("👨‍👩‍👧👨‍👩‍👧", 3, "…", false, "👨‍👩‍👧…", #line),
            ("e\u{301}e\u{301}e\u{301}", 2, "…", false, "e\u{301}…", #line),
            ("hi", 5, "…", true, "hi   ", #line),
            ("a\tb\nc", 10, "…", false, "a b c", #line),
        ]
        for (s, cells, mark, pad, expected, line) in cases {
            let out = Width.truncate(s, to: cells, ellipsis: mark, pad: pad)
            XCTAssertEqual(out, expected, "\(s.debugDescription) to \(cells)", line: line)
            XCTAssertLessThanOrEqual(Width.of(out), max(0, cells), line: line)
            if pad { XCTAssertEqual(Width.of(out), cells, line: line) }
        }
    }

    func testPadAndFit() {
        XCTAssertEqual(Width.pad("ab", to: 5), "ab   ")
        XCTAssertEqual(Width.pad("ab", to: 5, align: .right), "   ab")
        XCTAssertEqual(Width.pad("ab", to: 5, align: .center), " ab  ")
        XCTAssertEqual(Width.pad("日本", to: 6, align: .right), "  日本")
        XCTAssertEqual(Width.pad("toolong", to: 3), "toolong")
        XCTAssertEqual(Width.fit("toolong", to: 5), "tool…")
        XCTAssertEqual(Width.fit("日本語", to: 5, align: .right), "日本…")
        XCTAssertEqual(Width.fit("日本語", to: 4, align: .right), "日… ")
        XCTAssertEqual(Width.fit("42", to: 6, align: .right), "    42")
        XCTAssertEqual(Width.fit("x", to: 0), "")
    }

    /// Every width a truncation produces is within the limit, for many limits and texts.
    func testTruncateNeverOverflows() {
        let texts = ["日本語テキスト", "a日b本c", "👍🏽x👨‍👩‍👧y🇫🇷", "e\u{301}日\u{301}", "plain ascii"]
        for t in texts {
            for cells in 0...16 {
                for mark in ["…", "...", "", "日"] {
                    let out = Width.truncate(t, to: cells, ellipsis: mark, pad: true)
                    XCTAssertEqual(Width.of(out), cells, "\(t) \(cells) \(mark)")
                }
            }
        }
    }

    /// The fast path (every scalar its own cluster) must agree with grapheme breaking: no
    /// "simple" scalar joins a neighbour into one Character.
    func testSimpleScalarsNeverJoin() {
        let neighbours: [Unicode.Scalar] = ["a", "\u{1F44D}"]
        var checked = 0
        for v in UInt32(0x300)...UInt32(0x1FFFF) {
            if (0x3400...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v) { continue }  // ideographs, syllables
            guard let u = Unicode.Scalar(v), Width.isSimple(u) else { continue }
            for n in neighbours {
                for pair in n == "a" ? [[n, u], [u, n], [u, u]] : [[n, u], [u, n]] {
                    var s = String.UnicodeScalarView()
                    s.append(contentsOf: pair)
                    let text = String(s)
                    if text.count != 2 {
                        XCTFail("U+\(String(v, radix: 16)) joins \(text.debugDescription)")
                    }
                }
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 50_000)
    }

    func testFastAndGraphemeWidthsAgree() {
        let texts = ["日本語", "€29.00 → ok", "a\u{301}b", "👍🏽👍", "ﾊﾟ", "กำ", "🇫🇷🇩🇪", "한글", "\u{1100}\u{1161}", "x\u{FE0F}"]
        for t in texts {
            let clusters = Sanitize.text(t).reduce(0) { $0 + Width.of($1) }
            XCTAssertEqual(Width.of(t), clusters, t.debugDescription)
        }
    }
}

/// Terminals measure by code point: a Devanagari cluster of several spacing letters takes a cell
/// per letter, and the frame draws it in exactly those cells.
final class SpacingClusterTests: XCTestCase {
    func testDevanagariTakesACellPerSpacingLetter() {
        let pri = "प्रि"   // प + virama + र + vowel sign i: one grapheme cluster
        XCTAssertEqual(pri.count, 1)
        XCTAssertEqual(Width.of(pri), 3)
        XCTAssertEqual(Width.of("प्रिया शर्मा"), 10)
        var f = Frame(width: 6, height: 1)
        let end = f.put(pri + "x", x: 0, y: 0)
        XCTAssertEqual(end, 4)
        XCTAssertEqual((0..<4).map { f[$0, 0].text }, ["प्", "र", "ि", "x"])
        // Cut between the cells it is drawn in, as much as fits.
        XCTAssertEqual(Width.truncate("प्रिया", to: 2, ellipsis: ""), "प्र")
    }

    func testCombiningAndEmojiStayOneGlyph() {
        XCTAssertEqual(Width.of("e\u{301}"), 1)
        XCTAssertEqual(Width.of("👨‍👩‍👧"), 2)
        XCTAssertEqual(Width.of("❤️"), 2)
        XCTAssertEqual(Width.of("🇫🇷"), 2)
    }
}
