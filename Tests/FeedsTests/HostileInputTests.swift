import AttributionCore
@testable import Feeds
import Foundation
import XCTest

/// Runs `body` on a thread of its own and stops the whole test run with a message if it has not
/// finished in time: a reader that hangs fails here instead of hanging `swift test`.
func finishes(within seconds: Double, _ what: String, _ body: @escaping @Sendable () -> Void) {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread { body(); done.signal() }
    thread.stackSize = 8 << 20
    thread.start()
    if done.wait(timeout: .now() + seconds) == .timedOut {
        fatalError("\(what) did not finish within \(seconds) s: the reader hangs")
    }
}

/// Hostile input to the readers (issue 9, items 3 and 10): every malformed stream ends, with a
/// clear error naming where; a line or record past the size limit is rejected with the limit
/// named, without being held in memory, and the lines around it proceed.
final class HostileInputTests: XCTestCase {
    static func records(_ s: String, chunk: Int = 1 << 20, limit: Int = FeedLimits.recordBytes) -> [InputRecord] {
        var reader = JSONRecordReader(lines: LineReader(bytes: Array(s.utf8), chunkBytes: chunk, maxLineBytes: limit))
        var out: [InputRecord] = []
        while let r = reader.nextRecord() { out.append(r) }
        return out
    }

    func testAValueThenACommaAtTheTopEndsWithAnErrorNamingTheLine() {
        // Issue 9 item 3: `printf '{\n},\n' | affdesk ingest --format stripe -` looped forever.
        finishes(within: 20, "{\\n},\\n") {
            let r = HostileInputTests.records("{\n},\n")
            XCTAssertEqual(r.map(\.line), [1, 2])
            XCTAssertEqual(r.map(\.text), ["{\n}", ","])
            let stripe = StripeFeed(file: "in.json")
            XCTAssertEqual(r.compactMap { stripe.read($0)?.invalidMessage }.last, "in.json:2: not valid JSON: unexpected character at column 1")
            let woo = WooCommerceFeed(file: "in.json")
            XCTAssertEqual(r.compactMap { woo.read($0)?.invalidMessage }.last, "in.json:2: not valid JSON: unexpected character at column 1")
        }
        finishes(within: 20, "stray text between values") {
            XCTAssertEqual(HostileInputTests.records("{\n\"c\":3\n},{\"a\":1},,\n{\"b\":2}\n").map(\.text),
                           ["{\n\"c\":3\n}", ",", #"{"a":1}"#, ",", ",", #"{"b":2}"#])
            XCTAssertEqual(HostileInputTests.records("[1,2]],\n}\n").map(\.text), ["1", "2", "]", ",", "}"])
        }
    }

    func testAnErrorInAPrettyPrintedRecordNamesItsLineInTheFile() {
        let r = HostileInputTests.records("[\n{\n  \"a\": 1,\n  \"b\" 2\n}\n]\n")
        XCTAssertEqual(r.map(\.line), [2])
        XCTAssertEqual(StripeFeed(file: "in.json").read(r[0])?.invalidMessage, "in.json:2: not valid JSON: expected ':' at line 4, column 7")
        XCTAssertEqual((try? JSON.parse("{\n\"a\" 1}")).debugDescription, "nil")
        do { _ = try JSON.parse("{\n\"a\" 1}") } catch {
            XCTAssertEqual(error.description, "not valid JSON: expected ':' at line 2 of the value, column 5")
        }
    }

    func testEveryStreamEndsAndEachRecordTakesAByte() {
        // Random streams over JSON's structural bytes: the reader always ends, and never yields
        // more records than there are bytes (every record consumes at least one).
        finishes(within: 60, "random structural streams") {
            var rng = SplitMix(seed: 9)
            let alphabet = Array("{}[],:\" \n\r\\a1".utf8)
            for _ in 0..<3_000 {
                let bytes = (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                for chunk in [1, 3, 1 << 20] {
                    var reader = JSONRecordReader(lines: LineReader(bytes: bytes, chunkBytes: chunk))
                    var n = 0
                    while reader.nextRecord() != nil {
                        n += 1
                        if n > bytes.count + 1 { XCTFail("no progress on \(String(decoding: bytes, as: UTF8.self).debugDescription)"); break }
                    }
                    XCTAssertEqual(reader.bytesRead, Int64(bytes.count))
                }
            }
        }
    }

    func testChunkEndsDoNotChangeTheRecords() {
        let inputs = ["{\"a\":1}\r\n\n{\"b\":\"x\\\"}\"}\r\n", "[\r\n {\"a\": [1,\r\n 2]},\r\n 3, \"s\"\r\n]\r", "{\n  \"a\": \"é🚀\"\n}\n{\"b\":\n",
                      "  \n[{\"a\":1}]\n[{\"b\":2}]", "a\rb\n\r\n\r"]
        for s in inputs {
            let whole = HostileInputTests.records(s)
            for chunk in [1, 2, 3, 5, 8] {
                XCTAssertEqual(HostileInputTests.records(s, chunk: chunk), whole, "\(s.debugDescription) in chunks of \(chunk)")
            }
            var lines = LineReader(bytes: Array(s.utf8), chunkBytes: 1)
            var tiny: [String] = []
            while let l = lines.next() { tiny.append(l.text) }
            var big = LineReader(bytes: Array(s.utf8))
            var whole2: [String] = []
            while let l = big.next() { whole2.append(l.text) }
            XCTAssertEqual(tiny, whole2, s.debugDescription)
        }
    }
}

/// Item 10: the size limits.
final class SizeLimitTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ content: String) throws -> String {
        let url = dir.appendingPathComponent("in-\(UUID().uuidString)")
        try Data(content.utf8).write(to: url)
        return url.path
    }

    static let click = #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#

    func testAnOverLongLineIsRejectedWithTheLimitNamedAndTheLinesAroundItProceed() throws {
        let long = #"{"type":"click","click_id":""# + String(repeating: "é", count: FeedLimits.recordBytes / 2) + #"","at":1}"#
        let after = SizeLimitTests.click.replacingOccurrences(of: "c1", with: "c2")
        let content = SizeLimitTests.click + "\n" + long + "\r\n" + after + "\n"
        var reader = try LineReader(path: try write(content))
        let feed = TrackingFeed(defaultCurrency: .usd, file: "big.jsonl")
        var events: [InboundEvent] = []
        var records: [InputRecord] = []
        while let r = reader.nextRecord() { records.append(r); if let e = feed.read(r) { events.append(e) } }
        XCTAssertEqual(reader.bytesRead, Int64(content.utf8.count))
        XCTAssertEqual(records.map(\.line), [1, 2, 3])
        XCTAssertEqual(records[1].truncation?.bytes, Int64(long.utf8.count))
        XCTAssertLessThan(records[1].text.utf8.count, FeedLimits.keptBytes + 100, "only the first bytes are kept")
        XCTAssertTrue(records[1].text.hasPrefix(String(long.prefix(2_000))))
        XCTAssertTrue(records[1].text.hasSuffix("… [truncated by affdesk: \(long.utf8.count) bytes in all]"), records[1].text.suffix(80).description)
        XCTAssertEqual(events.count, 3)
        XCTAssertEqual(events[1].invalidMessage, "big.jsonl:2: too long: the line is \(long.utf8.count) bytes, over the limit of 1048576 bytes (1 MiB); "
                       + "skipped unread after the first 4096 bytes")
        XCTAssertEqual(events[1].raw, records[1].text)
        XCTAssertEqual(events[1].dedupeKey, "jsonl:" + StableHash.hex(long), "the same line gives the same key on a rerun")
        guard case .event(.click(let first)) = events[0].payload, case .event(.click(let last)) = events[2].payload else {
            return XCTFail("the lines around it proceed: \(events.map(\.payload))")
        }
        XCTAssertEqual([first.clickID, last.clickID], ["c1", "c2"])
        // The plain sequence gives the cut text too.
        var plain = try LineReader(path: try write(content))
        _ = plain.next()
        XCTAssertEqual(plain.next()?.text, records[1].text)
    }

    func testTheLimitIsInclusive() {
        var reader = LineReader(bytes: Array("0123456789\n01234567890\n\n".utf8), chunkBytes: 3, maxLineBytes: 10)
        XCTAssertEqual(reader.nextRecord(), InputRecord(line: 1, text: "0123456789"))
        let cut = reader.nextRecord()
        XCTAssertEqual(cut?.truncation?.bytes, 11)
        XCTAssertEqual(cut?.truncation?.digest, StableHash.hex("01234567890"))
        XCTAssertEqual(cut?.text, "0123456789 … [truncated by affdesk: 11 bytes in all]", "never more than the limit is kept")
        XCTAssertEqual(reader.nextRecord(), InputRecord(line: 3, text: ""))
        XCTAssertNil(reader.nextRecord())
        // A whole line in one chunk is held to the limit too.
        var oneChunk = LineReader(bytes: Array("01234567890\nab\n".utf8), maxLineBytes: 10)
        XCTAssertEqual(oneChunk.nextRecord()?.truncation?.bytes, 11)
        XCTAssertEqual(oneChunk.nextRecord(), InputRecord(line: 2, text: "ab"))
        var values = JSONRecordReader(lines: LineReader(bytes: Array("[\"0123456789\", 1]".utf8), maxLineBytes: 10))
        XCTAssertEqual(values.nextRecord()?.truncation?.bytes, 12)
        XCTAssertEqual(values.nextRecord(), InputRecord(line: 1, text: "1"))
    }

    func testAnOverLongRecordOfAPaymentFeedIsRejectedAndTheRecordsAroundItProceed() throws {
        let ok = #"{"id": "evt_%", "object": "event", "type": "customer.created", "data": {"object": {"id": "cus_%"}}}"#
        var big = #"{"id": "evt_big", "object": "event", "pad": ["#
        while big.utf8.count <= FeedLimits.recordBytes { big += "\n    \"" + String(repeating: "x", count: 200) + "\"," }
        big += "\n    1]}"
        let content = "[\n" + ok.replacingOccurrences(of: "%", with: "1") + ",\n" + big + ",\n" + ok.replacingOccurrences(of: "%", with: "2") + "\n]\n"
        var reader = JSONRecordReader(lines: try LineReader(path: try write(content)))
        var records: [InputRecord] = []
        while let r = reader.nextRecord() { records.append(r) }
        XCTAssertEqual(records.count, 3)
        XCTAssertEqual(records.map(\.line), [2, 3, 3 + big.filter { $0 == "\n" }.count + 1])
        XCTAssertEqual(records[1].truncation?.bytes, Int64(big.utf8.count))
        XCTAssertEqual(records[1].truncation?.digest, StableHash.hex(big))
        let stripe = StripeFeed(file: "events.json")
        let events = records.compactMap { stripe.read($0) }
        XCTAssertEqual(events[1].invalidMessage, "events.json:3: too long: the record is \(big.utf8.count) bytes, over the limit of 1048576 bytes (1 MiB); "
                       + "skipped unread after the first 4096 bytes")
        XCTAssertEqual(events.map(\.dedupeKey), ["stripe:evt_1", "stripe:" + StableHash.hex(big), "stripe:evt_2"])
        // The same record as a JSON Lines input (its first line longer than the limit).
        let oneLine = #"{"id": "evt_big", "pad": ""# + String(repeating: "x", count: FeedLimits.recordBytes) + #""}"#
        var lines = JSONRecordReader(lines: LineReader(bytes: Array((oneLine + "\n" + ok + "\n").utf8), chunkBytes: 4096))
        XCTAssertEqual(lines.nextRecord()?.truncation?.bytes, Int64(oneLine.utf8.count))
        XCTAssertEqual(lines.nextRecord(), InputRecord(line: 2, text: ok))
        XCTAssertNil(lines.nextRecord())
    }

    func testAnEventTypeIsHeldToTheLimitOfAnIdentifier() {
        let long = String(repeating: "t", count: FeedLimits.idBytes + 1)
        let tracking = TrackingFeed(file: "t.jsonl").read(line: #"{"type":""# + long + #"","at":1}"#, number: 4)
        XCTAssertEqual(tracking?.type, "unknown")
        XCTAssertEqual(tracking?.invalidMessage, "t.jsonl:4: type: longer than 256 bytes")
        let stripe = StripeFeed(file: "s.json").read(record: #"{"id":"evt_1","object":"event","type":""# + long + #"","data":{"object":{}}}"#, line: 2)
        XCTAssertEqual(stripe?.type, "unknown")
        XCTAssertEqual(stripe?.invalidMessage, "s.json:2: type: longer than 256 bytes")
        let atLimit = String(repeating: "t", count: FeedLimits.idBytes)
        XCTAssertEqual(StripeFeed().read(record: #"{"id":"evt_1","object":"event","type":""# + atLimit + #"","data":{"object":{}}}"#, line: 2)?.type, atLimit)
    }

    /// The resident memory of this process, from /proc (Linux).
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = s.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testAnOverLongLineIsNotHeldInMemory() throws {
        // 24 MiB on one line: read past with the memory of a chunk or two, not the line's.
        let path = dir.appendingPathComponent("huge.jsonl").path
        FileManager.default.createFile(atPath: path, contents: nil)
        let out = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<24 { out.write(block) }
        out.write(Data(("\n" + SizeLimitTests.click + "\n").utf8))
        try out.close()
        var reader = try LineReader(path: path)
        let before = SizeLimitTests.residentBytes()
        let cut = reader.nextRecord()
        let grown = SizeLimitTests.residentBytes() - before
        XCTAssertEqual(cut?.truncation?.bytes, 24 << 20)
        XCTAssertLessThan(grown, 12 << 20, "resident memory grew by \(grown >> 20) MiB reading a 24 MiB line")
        XCTAssertEqual(reader.nextRecord()?.text, SizeLimitTests.click)
    }
}

