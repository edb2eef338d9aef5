import AttributionCore
@testable import AttributionStore
import Feeds
import GRDB
import XCTest

/// The ingest's parts: a fact read inside a unit of work sees the rows it decided but has not
/// written yet, whichever query answers it.
final class UnitOfWorkTests: StoreTestCase {
    func testEveryQueryOfTheFactCacheSeesThePendingRows() throws {
        let s = try store()
        let feed = TrackingFeed(defaultCurrency: .usd, file: "t.jsonl")
        let lines = [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
                     Line.conversion("o1", "10.00", customer: "u1")]
        let inbound = lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
        try s.write { db in
            let work = try UnitOfWork(db, store: s)
            for e in inbound { XCTAssertNotNil(try work.decideAndApply(e)) }
            // Straight to SQL, past the caches: each query first writes what is pending.
            let click = try work.facts.fresh(.click, .text("c1"))
            XCTAssertTrue(try click.step())
            click.done()
            let customer = try work.facts.fresh(.customerByKey, .text("u1"))
            XCTAssertTrue(try customer.step())
            XCTAssertEqual(CustomerState(customer).conversions, 1, "the customer's counters as the transaction left them")
            customer.done()
            let conversion = try work.facts.fresh(.conversionExists, .text("o1"))
            XCTAssertTrue(try conversion.step())
            conversion.done()
            let event = try work.facts.fresh(.dedupe, .text(inbound[2].dedupeKey))
            XCTAssertTrue(try event.step())
            event.done()
            try work.finish()
        }
        XCTAssertEqual(try s.consistencyProblems(), [])
    }
}
