import XCTest
@testable import TerminalText

final class FrameTests: XCTestCase {
    func testNewFrameIsBlank() {
        let f = Frame(width: 4, height: 2)
        XCTAssertEqual(f.lines(), ["    ", "    "])
        XCTAssertEqual(f.lines(trimTrailing: true), ["", ""])
        XCTAssertEqual(Frame(width: 0, height: 0).lines(), [])
    }

    /// Each case writes into a fresh 8x1 frame (after `before`, when given).
    func testPutTable() {
        let cases: [(before: String?, text: String, x: Int, maxWidth: Int?, row: String, next: Int, line: UInt)] = [
            (nil, "hello", 0, nil, "hello   ", 5, #line),
            (nil, "hello world", 0, nil, "hello wo", 8, #line),           // clipped at the edge
            (nil, "abcdef", 2, 3, "  abc   ", 5, #line),                  // clipped by maxWidth
            (nil, "abc", 2, 0, "        ", 2, #line),
            (nil, "abc", -2, nil, "c       ", 1, #line),                  // starts left of the frame
            (nil, "abc", 9, nil, "        ", 9, #line),                   // starts right of it
            (nil, "日本語", 0, nil, "日本語  ", 6, #line),
            (nil, "ab日本語", 0, nil, "ab日本語", 8, #line),
            (nil, "abc日本語", 0, nil, "abc日本 ", 8, #line),             // wide char at the last column
            (nil, "日本語", 1, 4, " 日本   ", 5, #line),
            (nil, "日本語", 0, 3, "日      ", 3, #line),                  // maxWidth cuts a wide char
            (nil, "日本語", -1, nil, " 本語   ", 5, #line),               // left half clipped
            (nil, "e\u{301}x", 0, nil, "e\u{301}x      ", 2, #line),     // combining mark stays
            (nil, "\u{301}ab", 0, nil, "ab      ", 2, #line),            // lone mark dropped
            (nil, "a\u{1B}[31mb\tc\u{202E}d", 0, nil, "ab cd   ", 5, #line),  // sanitized
            (nil, "👍🏽ok🇫🇷", 0, nil, "👍🏽ok🇫🇷  ", 6, #line),
            // Overwriting half of a wide character blanks the other half.
            ("日本語", "x", 1, nil, " x本語  ", 2, #line),
            ("日本語", "x", 2, nil, "日x 語  ", 3, #line),
            ("日本語", "xy", 1, nil, " xy 語  ", 3, #line),
            ("日本語", "中", 1, nil, " 中 語  ", 3, #line),
            ("abcdef", "日", 1, nil, "a日def  ", 3, #line),
        ]
        for c in cases {
            var f = Frame(width: 8, height: 1)
            if let b = c.before { f.put(b, x: 0, y: 0) }
            let next = f.put(c.text, x: c.x, y: 0, maxWidth: c.maxWidth)
            XCTAssertEqual(f.row(0), c.row, c.text.debugDescription, line: c.line)
            XCTAssertEqual(next, c.next, "next column", line: c.line)
            assertWellFormed(f, line: c.line)
        }
    }

    func testPutOutsideRowsIsIgnored() {
        var f = Frame(width: 3, height: 1)
        f.put("abc", x: 0, y: -1)
        f.put("日本", x: 0, y: 1)
        XCTAssertEqual(f.lines(), ["   "])
    }

    func testChainingAndStyles() {
        var f = Frame(width: 12, height: 1)
        let x = f.put("Name: ", x: 0, y: 0, style: Style(.dim))
        f.put("日本", x: x, y: 0, style: Style(.accent, bold: true))
        XCTAssertEqual(f.row(0), "Name: 日本  ")
        XCTAssertEqual(f.styleMap(), ["ddddddAAAA.."])
        XCTAssertEqual(f[6, 0], Cell(text: "日", style: Style(.accent, bold: true)))
        XCTAssertTrue(f[7, 0].isContinuation)
        f.paint(Rect(x: 0, y: 0, width: 12, height: 1), style: Style(.selected))
        XCTAssertEqual(f.styleMap(), ["ssssssssssss"])
        XCTAssertEqual(f.row(0), "Name: 日本  ")
    }

    func testBox() {
        var f = Frame(width: 12, height: 4)
        f.box(f.bounds, title: "Caps")
        XCTAssertEqual(f.lines(), [
            "┌ Caps ────┐",
            "│          │",
            "│          │",
            "└──────────┘",
        ])
        XCTAssertEqual(f.styleMap()[0], "llTTTTllllll")
    }

    func testBoxTitleTruncatedAndKinds() {
        var f = Frame(width: 8, height: 3)
        f.box(f.bounds, title: "Affiliates", kind: .rounded)
        XCTAssertEqual(f.lines(), ["╭ Aff… ╮", "│      │", "╰──────╯"])
        var g = Frame(width: 6, height: 3)
        g.box(g.bounds, title: "日本語", kind: .double)
        XCTAssertEqual(g.lines(), ["╔ … ═╗", "║    ║", "╚════╝"])
        var h = Frame(width: 3, height: 1)
        h.box(h.bounds)
        XCTAssertEqual(h.lines(), ["   "])
    }

    func testFillAndLines() {
        var f = Frame(width: 5, height: 3)
        f.fill(Rect(x: 1, y: 1, width: 10, height: 10), style: Style(.chart), with: "·")
        f.hline(x: 0, y: 0, length: 3)
        f.vline(x: 0, y: 0, length: 3, char: "┃")
        XCTAssertEqual(f.lines(), ["┃──  ", "┃····", "┃····"])
        f.fill(Rect(x: 0, y: 0, width: 5, height: 1), with: "日")
        XCTAssertEqual(f.row(0), "日日 ")
        assertWellFormed(f)
    }

    func testDrawClipsWideCharacters() {
        var overlay = Frame(width: 4, height: 1, style: Style(.dialog))
        overlay.put("日本", x: 0, y: 0, style: Style(.dialog))
        var f = Frame(width: 5, height: 2)
        f.draw(overlay, x: -1, y: 0)
        f.draw(overlay, x: 2, y: 1)
        XCTAssertEqual(f.lines(), [" 本  ", "  日 "])
        XCTAssertEqual(f.styleMap(), ["ggg..", "..ggg"])
        assertWellFormed(f)
    }

    func testDumps() {
        var f = Frame(width: 4, height: 2)
        f.put("ab  ", x: 0, y: 0, style: Style(.header, bold: true))
        f.put("x", x: 3, y: 1, style: Style(.error))
        XCTAssertEqual(f.description, "ab\n   x")
        XCTAssertEqual(f.styledDump(), "ab  \n   x\n\nHHHH\n...e")
    }

    /// A Frame redraw at dashboard size must be cheap: 200x60, full of text, many times.
    func testLargeFrameIsFast() {
        let line = String(repeating: "Customer #1234  Paying  €29.00  ", count: 7)
        let cjk = String(repeating: "日本語テキスト ", count: 20)
        measure {
            for _ in 0..<3 {
                var f = Frame(width: 200, height: 60)
                for y in 0..<60 { f.put(y % 5 == 0 ? cjk : line, x: 0, y: y) }
                f.box(f.bounds, title: "Customers")
                XCTAssertEqual(f.lines().count, 60)
            }
        }
    }

    /// Every row is exactly `width` cells, and continuation cells always follow a wide lead.
    private func assertWellFormed(_ f: Frame, line: UInt = #line) {
        for y in 0..<f.height {
            XCTAssertEqual(Width.of(f.row(y)), f.width, "row \(y) width", line: line)
            for x in 0..<f.width {
                let c = f[x, y]
                if c.isContinuation {
                    XCTAssertTrue(x > 0 && Width.of(f[x - 1, y].text) == 2, "orphan continuation at \(x),\(y)", line: line)
                } else if Width.of(c.text) == 2 {
                    XCTAssertTrue(x + 1 < f.width && f[x + 1, y].isContinuation, "wide without continuation at \(x),\(y)", line: line)
                }
            }
        }
    }
}
