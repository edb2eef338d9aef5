import Feeds
import Foundation
import XCTest

final class LineReaderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-feeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func lines(_ content: [UInt8]) throws -> (lines: [(Int, String)], bytes: Int64) {
        let url = dir.appendingPathComponent("f-\(UUID().uuidString).jsonl")
        try Data(content).write(to: url)
        var reader = try LineReader(path: url.path)
        var out: [(Int, String)] = []
        while let l = reader.next() { out.append((l.line, l.text)) }
        return (out, reader.bytesRead)
    }

    func texts(_ s: String) throws -> [String] {
        let r = try lines(Array(s.utf8))
        XCTAssertEqual(r.lines.map(\.0), Array(stride(from: 1, through: r.lines.count, by: 1)))
        XCTAssertEqual(r.bytes, Int64(s.utf8.count), "every byte is counted")
        return r.lines.map(\.1)
    }

    func testWithAndWithoutTrailingNewline() throws {
        XCTAssertEqual(try texts("a\nb\nc\n"), ["a", "b", "c"])
        XCTAssertEqual(try texts("a\nb\nc"), ["a", "b", "c"])
    }

    func testEmptyAndBlank() throws {
        XCTAssertEqual(try texts(""), [])
        XCTAssertEqual(try texts("\n"), [""])
        XCTAssertEqual(try texts("\n\n"), ["", ""])
        XCTAssertEqual(try texts("a\n\nb"), ["a", "", "b"], "blank lines keep their numbers")
    }

    func testCRLF() throws {
        XCTAssertEqual(try texts("a\r\nb\r\n"), ["a", "b"])
        XCTAssertEqual(try texts("a\r\nb\r"), ["a", "b"], "the last line loses its CR too")
        XCTAssertEqual(try texts("a\rb\n"), ["a\rb"], "a lone CR inside a line is kept")
    }

    func testLineNumbersAreOneBased() throws {
        let r = try lines(Array("x\ny\n\nz".utf8))
        XCTAssertEqual(r.lines.map(\.0), [1, 2, 3, 4])
        XCTAssertEqual(r.lines.map(\.1), ["x", "y", "", "z"])
    }

    func testLinesAcrossReadChunks() throws {
        // The reader reads 1 MiB at a time: lines (with multi-byte characters) straddle chunk ends.
        var expected: [String] = []
        var content = ""
        var i = 0
        while content.utf8.count < 3 << 20 {
            let line = "{\"n\":\(i),\"name\":\"Zoë 🚀 \(String(repeating: "é", count: i % 997))\"}"
            expected.append(line)
            content += line + (i % 3 == 0 ? "\r\n" : "\n")
            i += 1
        }
        // A line of exactly the size limit (1 MiB) is read whole, across chunks; one byte more is
        // cut short (see HostileInputTests).
        let long = String(repeating: "x", count: FeedLimits.recordBytes)
        expected.append(long)
        content += long
        XCTAssertEqual(try texts(content), expected)
    }

    func testAnUnreadableInputEndsTheLinesWithAnError() throws {
        // A directory opens but cannot be read: no trap, no lines, and the error is kept.
        guard var reader = try? LineReader(path: dir.path) else { return }  // some systems refuse to open it at all
        XCTAssertNil(reader.next())
        XCTAssertNotNil(reader.readError)
        XCTAssertNil(reader.next(), "and it stays ended")
        var ok = try LineReader(path: try writeFile("a\nb"))
        XCTAssertEqual(ok.next()?.text, "a")
        XCTAssertEqual(ok.next()?.text, "b")
        XCTAssertNil(ok.next())
        XCTAssertNil(ok.readError)
    }

    func writeFile(_ s: String) throws -> String {
        let url = dir.appendingPathComponent("w-\(UUID().uuidString)")
        try Data(s.utf8).write(to: url)
        return url.path
    }

    func testMissingFile() {
        XCTAssertThrowsError(try LineReader(path: dir.appendingPathComponent("nope.jsonl").path)) { error in
            XCTAssertEqual(error as? FeedError, .cannotOpen(dir.appendingPathComponent("nope.jsonl").path))
            XCTAssertEqual("\(error)", "\(dir.appendingPathComponent("nope.jsonl").path): cannot open the file")
        }
    }
}

final class StableHashTests: XCTestCase {
    /// The expected values were computed independently (FNV-1a streams + SplitMix finaliser, as
    /// documented). They must never change: they are idempotency keys stored in databases.
    func testFixedValues() {
        XCTAssertEqual(StableHash.hex(""), "f52a15e9a9b5e89b09c1c2ac598f9076")
        XCTAssertEqual(StableHash.hex("hello"), "16fe05a1c75bcd0fe362cf1fb6dcca37")
        XCTAssertEqual(StableHash.hex(#"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#),
                       "31f6589f236d54bac7bde8f252332013")
        XCTAssertEqual(StableHash.hex("Zoë 🚀"), "e0dca71788138b118e5d93100ff2a462")
    }

    func testShapeAndSensitivity() {
        let h = StableHash.hex("abc")
        XCTAssertEqual(h.count, 32)
        XCTAssertTrue(h.allSatisfy { "0123456789abcdef".contains($0) })
        XCTAssertEqual(StableHash.hex(Array("abc".utf8)), h)
        XCTAssertNotEqual(StableHash.hex("abd"), h)
        XCTAssertNotEqual(StableHash.hex("abc "), h)
        XCTAssertNotEqual(StableHash.hex("ab"), h)
    }
}
