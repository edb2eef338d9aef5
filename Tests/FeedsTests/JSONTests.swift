import Feeds
import XCTest

final class JSONTests: XCTestCase {
    func parse(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> JSON? {
        do { return try JSON.parse(s) } catch {
            XCTFail("\(s): \(error)", file: file, line: line)
            return nil
        }
    }

    func failure(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> JSONError? {
        do {
            let v = try JSON.parse(s)
            XCTFail("\(s) parsed as \(v)", file: file, line: line)
            return nil
        } catch { return error }
    }

    func testObjectsArraysAndLiterals() {
        let v = parse(#" { "a" : [1, true, false, null, "x", {}], "b": {"c": []} } "#)
        XCTAssertEqual(v, .object([
            "a": .array([.number("1"), .bool(true), .bool(false), .null, .string("x"), .object([:])]),
            "b": .object(["c": .array([])]),
        ]))
        XCTAssertEqual(v?[path: "b", "c"], .array([]))
        XCTAssertNil(v?[path: "b", "nope"])
        XCTAssertNil(v?["a"]?["x"], "subscripting an array by key is nil")
        XCTAssertEqual(parse("\t\r\n[]\n"), .array([]))
        XCTAssertEqual(parse("\"top\""), .string("top"))
        XCTAssertEqual(parse("null"), .null)
        XCTAssertEqual(parse("null")?.isNull, true)
    }

    func testNumbersKeepTheirExactText() {
        for n in ["0", "-0", "29.00", "0.10", "29.5", "-12.340", "1e5", "1E+5", "2.5e-3", "12345678901234567890123"] {
            XCTAssertEqual(parse(n), .number(n), n)
            XCTAssertEqual(parse("[\(n)]"), .array([.number(n)]), n)
        }
        XCTAssertEqual(parse(#"{"amount":29.00}"#)?["amount"]?.text, "29.00")
        XCTAssertEqual(parse("42")?.int, 42)
        XCTAssertEqual(parse("\"42\"")?.int, 42)
        XCTAssertNil(parse("4.2")?.int)
        XCTAssertNil(parse("true")?.text)
    }

    func testInvalidDocumentsAreRefusedWithAPlace() {
        let cases: [(String, String, Int)] = [
            ("", "unexpected end", 1),
            ("{", "expected a key", 2),
            ("[1,]", "unexpected character", 4),
            (#"{"a" 1}"#, "expected ':'", 6),
            (#"{"a":1 "b":2}"#, "expected ',' or '}'", 8),
            ("[1 2]", "expected ',' or ']'", 4),
            ("{'a':1}", "expected a key", 2),
            ("{1:2}", "expected a key", 2),
            ("01", "leading zero in a number", 3),
            ("-01", "leading zero in a number", 4),
            ("1.", "digits expected after '.'", 3),
            (".5", "unexpected character", 1),
            ("-", "unexpected character", 2),
            ("1e", "digits expected in the exponent", 3),
            ("1e+", "digits expected in the exponent", 4),
            ("+1", "unexpected character", 1),
            ("tru", "unexpected character", 4),
            ("nul", "unexpected character", 4),
            ("True", "unexpected character", 1),
            ("\"abc", "unterminated string", 5),
            ("\"a\u{1}b\"", "control character in a string", 3),
            ("\"tab\there\"", "control character in a string", 5),
            (#""\x""#, "invalid escape", 4),
            (#""\u12G4""#, #"bad \u escape"#, 6),
            (#""\u12""#, #"bad \u escape"#, 4),
            ("1 2", "unexpected text after the value", 3),
            ("{} x", "unexpected text after the value", 4),
            ("[", "unexpected end", 2),
            (#"{"a":"#, "unexpected end", 6),
        ]
        for (text, message, column) in cases {
            guard let e = failure(text) else { continue }
            XCTAssertEqual(e.message, message, text)
            XCTAssertEqual(e.offset + 1, column, text)
            XCTAssertEqual(e.description, "not valid JSON: \(message) at column \(column)", text)
        }
    }

    func testEscapesAndUnicode() {
        XCTAssertEqual(parse(#""a\"b\\c\/d\b\f\n\r\t""#), .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        XCTAssertEqual(parse(#""\u00e9\u00C9\u20AC""#), .string("éÉ€"))
        XCTAssertEqual(parse(#""\u0000""#), .string("\u{0}"))
        // A surrogate pair is one scalar.
        XCTAssertEqual(parse(#""\uD83D\uDE80""#), .string("🚀"))
        XCTAssertEqual(parse(#""\ud83d\ude80 go""#), .string("🚀 go"))
        XCTAssertEqual(parse(#""x\uD834\uDD1Ey""#), .string("x𝄞y"))
        // Lone surrogates cannot be represented: the replacement character stands in.
        XCTAssertEqual(parse(#""\uD83D""#), .string("\u{FFFD}"))
        XCTAssertEqual(parse(#""\uDE80x""#), .string("\u{FFFD}x"))
        XCTAssertEqual(parse(#""\uD83Dx""#), .string("\u{FFFD}x"))
        // A high surrogate followed by an escape that is not a low one is an error.
        XCTAssertEqual(failure(#""\uD83D\u0041""#)?.message, "invalid surrogate pair")
        // Raw UTF-8 passes through untouched, keys included.
        XCTAssertEqual(parse(#"{"名前":"Zoë 🚀 محمد"}"#), .object(["名前": .string("Zoë 🚀 محمد")]))
    }

    func testDepthLimit() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNotNil(parse(ok))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertEqual(failure(deep)?.message, "nested too deeply")
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        XCTAssertEqual(failure(objects)?.message, "nested too deeply")
        // A hostile line does not overflow the stack: it is refused at the limit.
        let hostile = String(repeating: "[", count: 100_000)
        XCTAssertEqual(failure(hostile)?.message, "nested too deeply")
    }

    func testDuplicateKeysKeepTheLast() {
        XCTAssertEqual(parse(#"{"a":1,"a":2}"#)?["a"], .number("2"))
    }

    func testAccessors() {
        let v = parse(#"{"s":"x","n":7,"b":true,"a":[1],"o":{"k":null}}"#)
        XCTAssertEqual(v?["s"]?.string, "x")
        XCTAssertNil(v?["n"]?.string)
        XCTAssertEqual(v?["n"]?.text, "7")
        XCTAssertEqual(v?["b"]?.bool, true)
        XCTAssertNil(v?["s"]?.bool)
        XCTAssertEqual(v?["a"]?.array, [.number("1")])
        XCTAssertEqual(v?["o"]?.object, ["k": .null])
        XCTAssertEqual(v?[path: "o", "k"]?.isNull, true)
    }
}
