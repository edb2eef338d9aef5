@testable import Feeds
import Foundation
import XCTest

/// The payment feeds' input: JSON Lines, or arrays and pretty-printed objects, with the line
/// each record starts on.
final class JSONRecordReaderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-records-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func records(_ content: String) throws -> [(line: Int, text: String)] {
        let url = dir.appendingPathComponent("r-\(UUID().uuidString).json")
        try Data(content.utf8).write(to: url)
        var reader = JSONRecordReader(lines: try LineReader(path: url.path))
        var out: [(line: Int, text: String)] = []
        while let r = reader.next() { out.append(r) }
        XCTAssertEqual(reader.bytesRead, Int64(content.utf8.count), "every byte is counted")
        XCTAssertNil(reader.readError)
        return out
    }

    func lines(_ content: String) throws -> [Int] { try records(content).map(\.line) }
    func texts(_ content: String) throws -> [String] { try records(content).map(\.text) }

    func testJSONLines() throws {
        let content = "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":[1,\n"
        // One object per line: a broken line is a record of its own and the next line proceeds.
        XCTAssertEqual(try lines(content), [1, 3, 4])
        XCTAssertEqual(try texts(content), [#"{"a":1}"#, #"{"b":2}"#, #"{"c":[1,"#])
        // A line with a brace inside a string is still one line.
        XCTAssertEqual(try texts("{\"a\":\"{[\"}\n{\"b\":\"]}\"}\n"), [#"{"a":"{["}"#, #"{"b":"]}"}"#])
        // A balanced line that is not JSON stays a line.
        XCTAssertEqual(try texts("{\"a\": tru}\n{\"b\":1}\n"), [#"{"a": tru}"#, #"{"b":1}"#])
    }

    func testAnArrayOfObjects() throws {
        let content = """
        [
          {
            "id": "evt_1",
            "data": {"object": {"lines": [1, 2]}}
          },
          {"id": "evt_2"}, {"id": "evt_3"}
        ]
        """
        let r = try records(content)
        XCTAssertEqual(r.map(\.line), [2, 6, 6])
        XCTAssertEqual(r.map(\.text), ["{\n    \"id\": \"evt_1\",\n    \"data\": {\"object\": {\"lines\": [1, 2]}}\n  }", #"{"id": "evt_2"}"#,
                                       #"{"id": "evt_3"}"#])
        for t in r.map(\.text) { XCTAssertNoThrow(try JSON.parse(t)) }
        XCTAssertEqual(try lines("[{\"a\":1},{\"b\":2}]"), [1, 1])
        XCTAssertEqual(try texts("[]\n"), [])
        XCTAssertEqual(try texts("[{\"a\":1}]\n[{\"b\":2}]\n"), [#"{"a":1}"#, #"{"b":2}"#], "arrays one after another")
    }

    func testPrettyPrintedObjectsOneAfterAnother() throws {
        let content = "{\n  \"a\": 1\n}\n{\n  \"b\": {\"c\": \"}\"}\n}\n"
        XCTAssertEqual(try lines(content), [1, 4])
        XCTAssertEqual(try texts(content), ["{\n  \"a\": 1\n}", "{\n  \"b\": {\"c\": \"}\"}\n}"])
    }

    func testDamagedRecordsDoNotSwallowTheRest() throws {
        // A truncated object: the next object at column 0 starts a new record.
        let cut = "[\n{\"a\": {\"b\": 1,\n{\"c\": 2},\n{\"d\": 3}\n]\n"
        XCTAssertEqual(try lines(cut), [2, 3, 4])
        XCTAssertEqual(try texts(cut).dropFirst(), [#"{"c": 2}"#, #"{"d": 3}"#])
        // An unterminated string ends with its line.
        let string = "{\n  \"a\": \"never closed,\n  \"b\": 2\n}\n{\"c\": 3}\n"
        let r = try records(string)
        XCTAssertEqual(r.map(\.line), [1, 5])
        XCTAssertEqual(r.last?.text, #"{"c": 3}"#)
        // Scalars and stray text at the top are records of their own (and invalid for the feeds).
        XCTAssertEqual(try texts("[1, \"x\", {\"a\":1}]"), ["1", "\"x\"", #"{"a":1}"#])
        // An object still open at the end of the input is the last record.
        XCTAssertEqual(try texts("[{\"a\":\n1"), ["{\"a\":\n1\n"])
    }

    func testStandardInputSizedChunksAndLineNumbers() throws {
        // Many records across the reader's 1 MiB chunks keep their line numbers.
        var content = "[\n"
        for i in 0..<20_000 { content += "  {\"id\": \"evt_\(i)\", \"pad\": \"\(String(repeating: "x", count: 60))\"},\n" }
        content += "  {\"id\": \"last\"}\n]\n"
        let r = try records(content)
        XCTAssertEqual(r.count, 20_001)
        XCTAssertEqual(r[12_345].line, 12_347)
        XCTAssertTrue(r[12_345].text.hasPrefix(#"{"id": "evt_12345""#))
        XCTAssertEqual(r.last?.text, #"{"id": "last"}"#)
    }
}
