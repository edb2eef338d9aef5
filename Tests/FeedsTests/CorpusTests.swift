import AttributionCore
@testable import Feeds
import Foundation
import XCTest

/// The inputs that crashed or hung the ingest (issue 9), kept in Corpus/ and fed through the
/// ingest's path (reader, feed, core: `Pipeline`) under a time limit: each must end in clean
/// rejections, never a trap or a hang. A file's name says its format (`jsonl-`, `stripe-`,
/// `woocommerce-`) and `tax-excluded` the adapter setting it needs. New crashing or hanging
/// inputs from fuzzing (Tests/Fuzz) go here too.
final class CorpusTests: XCTestCase {
    /// Integer overflows in the core and the Stripe amounts (issue 9 item 2): each trapped the
    /// ingest before arithmetic on untrusted numbers was checked; now its first event is refused.
    static let overflows: Set<String> = [
        "jsonl-click-at-min-epoch.jsonl",
        "stripe-tax-excluded-total-taxes-overflow.json",
        "stripe-tax-excluded-tax-min.json",
    ]

    final class Steps: @unchecked Sendable { var all: [Pipeline.Step] = [] }

    static func corpus() throws -> [URL] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Corpus", withExtension: nil))
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func run(_ url: URL) throws -> [Pipeline.Step] {
        let name = url.lastPathComponent
        let format = try XCTUnwrap(Pipeline.Format.allCases.first { name.hasPrefix($0.rawValue + "-") }, name)
        let bytes = Array(try Data(contentsOf: url))
        let steps = Steps()
        finishes(within: 30, name) {
            Pipeline.run(bytes, format: format, taxExcluded: name.contains("tax-excluded")) { steps.all.append($0) }
        }
        return steps.all
    }

    func testReaderCorpusEndsInCleanRejections() throws {
        let files = try CorpusTests.corpus().filter { !CorpusTests.overflows.contains($0.lastPathComponent) }
        XCTAssertEqual(files.map(\.lastPathComponent), ["stripe-comma-after-value.json", "woocommerce-comma-after-value.json"])
        for url in files {
            let steps = try CorpusTests.run(url)
            XCTAssertFalse(steps.isEmpty, url.lastPathComponent)
            XCTAssertTrue(steps.allSatisfy(\.isRejection), url.lastPathComponent)
            // `{\n},\n`: the stray comma is an error on line 2.
            XCTAssertEqual(steps.last?.inbound.invalidMessage, "fuzz.json:2: not valid JSON: unexpected character at column 1", url.lastPathComponent)
        }
    }

    func testOverflowCorpus() throws {
        for name in CorpusTests.overflows.sorted() {
            let url = try XCTUnwrap(try CorpusTests.corpus().first { $0.lastPathComponent == name }, name)
            let steps = try CorpusTests.run(url)
            XCTAssertEqual(steps.first?.isRejection, true, "\(name): the hostile value is refused: \(String(describing: steps.first))")
        }
    }

    func testATenMegabyteArrayOfScalarsIsReadThrough() {
        // Issue 9 item 3: 10 MB of scalars in one array on one line. Each element is a record of
        // its own (and not an object, so rejected); the reader streams it in bounded memory.
        var input: [UInt8] = [UInt8(ascii: "[")]
        input.reserveCapacity(10_000_010)
        var n = 0
        while input.count < 10_000_000 { input += [UInt8(ascii: "0") + UInt8(n % 10), UInt8(ascii: ",")]; n += 1 }
        input += Array("0]\n".utf8)
        let bytes = input
        let elements = n + 1
        finishes(within: 120, "a 10 MB array of scalars") {
            var reader = JSONRecordReader(lines: LineReader(bytes: bytes))
            var count = 0
            var lastLine = 0
            var truncated = 0
            while let r = reader.nextRecord() {
                count += 1
                lastLine = r.line
                if r.truncation != nil { truncated += 1 }
            }
            XCTAssertEqual(count, elements)
            XCTAssertEqual(truncated, 0)
            XCTAssertEqual(lastLine, 1)
            // Through the feed: every element rejected, none accepted, in order.
            var steps = 0
            var rejected = 0
            Pipeline.run(Array(bytes.prefix(200_000)) + Array("0]\n".utf8), format: .stripe) { s in
                steps += 1
                if s.isRejection { rejected += 1 }
            }
            XCTAssertEqual(rejected, steps)
            XCTAssertGreaterThan(steps, 90_000)
        }
    }
}
