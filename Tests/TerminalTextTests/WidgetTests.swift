import XCTest
@testable import TerminalText

final class WidgetTests: XCTestCase {
    func testProgressBarFraction() {
        let cases: [(Double, Int, String, UInt)] = [
            (0.45, 10, "████▌·····", #line),
            (0, 10, "··········", #line),
            (1, 10, "██████████", #line),
            (1.5, 4, "████", #line),
            (-1, 4, "····", #line),
            (.nan, 4, "····", #line),
            (0.999, 10, "█████████▉", #line),
            (0.5, 1, "▌", #line),
            (0.3, 0, "", #line),
        ]
        for (f, w, expected, line) in cases {
            XCTAssertEqual(ProgressBar.render(fraction: f, width: w), expected, "\(f) x \(w)", line: line)
        }
        XCTAssertEqual(ProgressBar.render(fraction: 1.0 / 16, width: 1), "·")       // below 1/8: nothing
        XCTAssertEqual(ProgressBar.render(fraction: 0.125, width: 1), "▏")
        XCTAssertEqual(ProgressBar.render(fraction: 0.25, width: 3, empty: " "), "▊  ")
    }

    func testProgressBarValue() {
        let cases: [(Int64, Int64, Int, String, UInt)] = [
            (1, 3, 6, "██····", #line),
            (1, 8, 1, "▏", #line),
            (3, 3, 5, "█████", #line),
            (4, 3, 5, "█████", #line),
            (5, 0, 3, "···", #line),
            (-2, 10, 3, "···", #line),
            (7, 10, 8, "█████▌··", #line),
            (Int64.max / 2, Int64.max, 4, "██··", #line),   // no overflow
        ]
        for (v, m, w, expected, line) in cases {
            XCTAssertEqual(ProgressBar.render(value: v, max: m, width: w), expected, "\(v)/\(m) x \(w)", line: line)
        }
    }

    func testSparkline() {
        let cases: [([Int64], Int, String, UInt)] = [
            ([0, 1, 2, 3, 4, 5, 6, 7], 8, "▁▂▃▄▅▆▇█", #line),
            ([0, 0], 5, "▁▁", #line),
            ([], 5, "", #line),
            ([1, 100], 2, "▂█", #line),
            ([1, 2, 3, 4, 5], 3, "▆▇█", #line),   // the last 3
            ([-5, 5], 2, "▁█", #line),
            ([3, 3, 3], 3, "███", #line),
            ([1, 2], 0, "", #line),
        ]
        for (values, w, expected, line) in cases {
            XCTAssertEqual(Sparkline.render(values, width: w), expected, "\(values)", line: line)
        }
    }

    func testBarChart() {
        let lines = BarChart.render([
            .init(label: "alice", value: 10),
            .init(label: "bob", value: 5),
            .init(label: "日本", value: 0, valueText: "-"),
        ], width: 20)
        XCTAssertEqual(lines, [
            "alice " + "███████████" + " 10",
            "bob   " + "█████▌     " + "  5",
            "日本  " + "           " + "  -",
        ])
        for l in lines { XCTAssertEqual(Width.of(l), 20) }
        XCTAssertEqual(BarChart.render([.init(label: "a very long label", value: 1)], width: 5), ["a ve…"])
    }

    func testKeys() {
        XCTAssertEqual(Key.fromASCII(3), .ctrl("c"))
        XCTAssertEqual(Key.fromASCII(13), .enter)
        XCTAssertEqual(Key.fromASCII(10), .enter)
        XCTAssertEqual(Key.fromASCII(9), .tab)
        XCTAssertEqual(Key.fromASCII(27), .escape)
        XCTAssertEqual(Key.fromASCII(127), .backspace)
        XCTAssertEqual(Key.fromASCII(28), .ctrl("\\"))
        XCTAssertEqual(Key.fromASCII(65), .char("A"))
        XCTAssertNil(Key.fromASCII(200))
        XCTAssertEqual(Key.ctrl("c").description, "Ctrl-C")
        XCTAssertEqual(Key.backTab.description, "Shift-Tab")
        XCTAssertEqual(Key.char(" ").description, "Space")
        XCTAssertEqual(Key.f(5).description, "F5")
    }
}
