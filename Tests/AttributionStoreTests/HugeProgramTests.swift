import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import XCTest

/// The huge demo's generator, built tiny (2,000 customers): the same seed gives the same
/// database, it is consistent, and it has the shape of the million-customer program.
final class HugeProgramTests: StoreTestCase {
    func build(seed: UInt64) throws -> (Store, HugeProgram.Report) {
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
        return (s, try HugeProgram.build(into: s, seed: seed, customers: 2_000))
    }

    /// Two builds of `seed`, side by side on two threads, each into its own database (they share
    /// nothing; the machine's second core does the other).
    func buildTwice(seed: UInt64) throws -> [(Store, HugeProgram.Report)] {
        let stores = [try Store.temporary(clock: FixedClock(DemoProgram.now)), try Store.temporary(clock: FixedClock(DemoProgram.now))]
        for s in stores { addTeardownBlock { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) } }
        let reports = Reports()
        DispatchQueue.concurrentPerform(iterations: stores.count) { i in
            reports.set(i, Result { try HugeProgram.build(into: stores[i], seed: seed, customers: 2_000) })
        }
        return try stores.indices.map { (stores[$0], try reports.get($0)) }
    }

    /// The builds' reports, written from their threads.
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Int: Result<HugeProgram.Report, any Error>] = [:]
        func set(_ i: Int, _ r: Result<HugeProgram.Report, any Error>) { lock.withLock { results[i] = r } }
        func get(_ i: Int) throws -> HugeProgram.Report { try lock.withLock { results[i] }!.get() }
    }

    func testTheSameSeedGivesTheSameDatabaseAndItIsConsistent() throws {
        let built = try buildTwice(seed: 3)
        let (a, ra) = built[0], (b, rb) = built[1]
        XCTAssertEqual(ra.summary, rb.summary)
        XCTAssertEqual(ra.lines, rb.lines)
        XCTAssertEqual(try a.contentDigest(), try b.contentDigest())
        XCTAssertEqual(try a.consistencyProblems(), [])
        XCTAssertEqual(ra.summary.received + ra.summary.alreadyIngested, ra.lines, "every line is accounted for")
    }

    func testTheStreamIsInTimeOrderAndDependsOnTheSeed() {
        func lines(_ seed: UInt64) -> [(Instant, String)] { Array(HugeLives(seed: seed, shape: .scaled(customers: 300))) }
        let one = lines(1)
        XCTAssertEqual(one.map(\.0), one.map(\.0).sorted(), "in time order")
        XCTAssertEqual(one.map(\.1), lines(1).map(\.1))
        XCTAssertNotEqual(one.map(\.1), lines(2).map(\.1))
        XCTAssertTrue(one.allSatisfy { $0.0 <= DemoProgram.now }, "nothing in the future")
    }

    func testTheProgramHasTheIssuesShape() throws {
        let (s, r) = try build(seed: 1)
        // One customer a slot; a few are refused (their click came from the disabled affiliate).
        XCTAssertGreaterThan(try s.customerCount(), 1_900)
        XCTAssertLessThanOrEqual(try s.customerCount(), 2_000)
        XCTAssertEqual(r.affiliates, try s.affiliates().count)
        XCTAssertGreaterThanOrEqual(r.affiliates, 20)
        XCTAssertGreaterThan(try s.conversionCount(), 4 * 2_000, "renewals: about five conversions a customer")
        let counts = try s.customerStatusCounts()
        for status in CustomerStatus.allCases { XCTAssertGreaterThan(counts[status] ?? 0, 0, "\(status)") }
        let reasons = Dictionary(uniqueKeysWithValues: try s.rejectionCounts())
        for reason in ["customer_capped", "duplicate_external_id", "invalid_event", "unknown_affiliate", "affiliate_disabled",
                       "unknown_customer", "invalid_amount", "duplicate_click"] {
            XCTAssertGreaterThan(reasons[reason] ?? 0, 0, "no \(reason) in \(reasons)")
        }
        XCTAssertLessThan(r.peakRunning, 2_000, "the stream holds the lives running, not the program")
    }
}
