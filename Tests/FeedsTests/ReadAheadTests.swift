import AttributionCore
import Feeds
import Foundation
import XCTest

/// `affdesk ingest` reads and parses on a second thread (`ReadAhead`): what comes out must be
/// exactly what the feed gives, in its order, whatever the chunk size.
final class ReadAheadTests: XCTestCase {
    func testItYieldsWhatTheProducerGivesInOrderWithEachChunksMark() {
        for (chunk, depth) in [(1, 1), (7, 2), (4096, 2)] {
            var n = 0
            let ahead = ReadAhead<Int>(chunk: chunk, depth: depth, mark: { Int64(n) }, produce: {
                guard n < 10_000 else { return nil }
                n += 1
                return n
            })
            var out: [Int] = []
            var marks: [Int64] = []
            while let x = ahead.next() {
                out.append(x)
                marks.append(ahead.consumedMark)
            }
            XCTAssertEqual(out, Array(1...10_000), "chunk \(chunk)")
            // The mark is what the producer had read once the element's chunk was complete.
            XCTAssertTrue(zip(out, marks).allSatisfy { x, m in Int64(x) <= m && m <= Int64(x + chunk) }, "chunk \(chunk)")
            XCTAssertNil(ahead.next())
        }
    }

    func testTrackingLinesComeOutAsTheFeedReadsThemInPlace() {
        let lines = (0..<3_000).map { i in
            i % 97 == 0 ? "{not json \(i)" : #"{"type":"click","click_id":"c\#(i)","affiliate":"aff\#(i % 5)","at":"2026-01-01T00:00:00Z"}"#
        }
        let inPlace = TrackingFeed(defaultCurrency: .usd, file: "a.jsonl")
        let expected = lines.enumerated().compactMap { inPlace.read(line: $0.element, number: $0.offset + 1) }
        let feed = TrackingFeed(defaultCurrency: .usd, file: "a.jsonl")
        var i = 0
        let ahead = ReadAhead<InboundEvent>(chunk: 100, produce: {
            while i < lines.count {
                i += 1
                if let e = feed.read(line: lines[i - 1], number: i) { return e }
            }
            return nil
        })
        XCTAssertEqual(Array(ahead).map(\.dedupeKey), expected.map(\.dedupeKey))
        XCTAssertEqual(Array(ahead).count, 0, "an exhausted read-ahead stays exhausted")
    }

    func testItReadsAtMostItsChunksAheadAndStopsWhenDropped() {
        // The consumer stops (an ingest failed): the producer, blocked with its chunks ready,
        // is released and ends; it never produces more than the chunks it may hold ahead.
        let produced = Counter()
        var ahead: ReadAhead<Int>? = ReadAhead<Int>(chunk: 10, depth: 2, produce: { produced.add() })
        XCTAssertEqual(ahead?.next(), 1)
        ahead = nil
        XCTAssertLessThanOrEqual(produced.value, 10 * 4)
    }
}

/// A count read by the test while the producing thread adds to it.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
