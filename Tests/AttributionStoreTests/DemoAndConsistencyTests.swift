import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// A demo build on another thread; `report()` waits for it.
final class BuildOnAnotherThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<DemoProgram.Report, any Error>?

    init(_ build: @escaping @Sendable () throws -> DemoProgram.Report) {
        DispatchQueue.global().async {
            self.result = Result { try build() }
            self.done.signal()
        }
    }

    func report() throws -> DemoProgram.Report {
        done.wait()
        done.signal()
        return try result!.get()
    }
}

final class DemoTests: StoreTestCase {
    /// The demo (seed 1, small) once for the class: a copy of the process's template (a build
    /// takes seconds).
    nonisolated(unsafe) static var built: (store: Store, report: DemoProgram.Report)?

    func demo() throws -> (store: Store, report: DemoProgram.Report) {
        if let b = DemoTests.built { return b }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-demo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try DemoTemplate.shared.copy(to: dir + "/demo.sqlite")
        let s = try Store(path: dir + "/demo.sqlite", clock: FixedClock(DemoProgram.now))
        DemoTests.built = (s, r)
        return (s, r)
    }

    override class func tearDown() {
        if let b = built { try? FileManager.default.removeItem(atPath: (b.store.path as NSString).deletingLastPathComponent) }
        built = nil
        super.tearDown()
    }

    func testTheSameSeedGivesTheSameDatabase() throws {
        let (a, reportA) = try demo()
        let b = try Store.temporary(clock: FixedClock(DemoProgram.now))
        defer { try? FileManager.default.removeItem(atPath: (b.path as NSString).deletingLastPathComponent) }
        // b is built on another thread while a is read here (the machine has a second core).
        let building = BuildOnAnotherThread { try DemoProgram.build(into: b, seed: 1, size: .small) }
        let digestA = try a.contentDigest()
        let customersA = try allCustomers(a), conversionsA = try allConversions(a), eventsA = try allEvents(a)
        let auditA = try a.audit(page: .first(10_000))
        let reportB = try building.report()
        XCTAssertEqual(reportA.summary, reportB.summary)
        XCTAssertEqual(reportA.lines, reportB.lines)
        XCTAssertEqual(digestA, try b.contentDigest())
        // And through the list APIs.
        XCTAssertEqual(customersA, try allCustomers(b))
        XCTAssertEqual(conversionsA, try allConversions(b))
        XCTAssertEqual(eventsA, try allEvents(b))
        XCTAssertEqual(auditA, try b.audit(page: .first(10_000)))
    }

    func testADifferentSeedGivesADifferentProgram() {
        // The generator alone: cheaper than a second database, and what the seed feeds.
        let one = DemoProgram.generate(seed: 1, size: .small)
        XCTAssertEqual(one.map(\.1), DemoProgram.generate(seed: 1, size: .small).map(\.1))
        XCTAssertNotEqual(one.map(\.1), DemoProgram.generate(seed: 2, size: .small).map(\.1))
        XCTAssertEqual(one.map(\.0), one.map(\.0).sorted(), "in time order")
    }

    func testTheDemoHasCustomersInEveryStatus() throws {
        let (s, report) = try demo()
        let counts = try s.customerStatusCounts()
        for status in CustomerStatus.allCases {
            XCTAssertGreaterThan(counts[status] ?? 0, 0, "\(status)")
        }
        XCTAssertEqual(report.affiliates, try s.affiliates().count)
        XCTAssertGreaterThan(try s.customerCount(), 2_000)
        XCTAssertEqual(try s.eventCount(), report.summary.received)
        XCTAssertEqual(report.summary.received + report.summary.alreadyIngested, report.lines, "every line is accounted for")
    }

    func testTheDemoHasRejectedEventsOfEveryEventLevelReason() throws {
        let (s, _) = try demo()
        let found = Set(try s.rejectionCounts().map(\.reason))
        let adminOnly: Set<Reason> = [.transitionNotAllowed, .sameAffiliate]
        // The demo is fed by the tracking feed alone: the reasons of subscription payments (Stripe,
        // WooCommerce) are not in it.
        let paymentsOnly: Set<Reason> = [.unknownSubscription, .unknownParentOrder, .unpaidInvoice, .orderNotPaid, .ignoredEventType,
                                         .renewalFirstSeen]
        // Refunds and disputes are not in the demo yet (see TriageTests.ledgerReasons for each of their codes).
        let ledgerOnly = Set(Reason.allCases.filter { $0.ledger != nil })
        for reason in Reason.allCases where reason.isRefusal && !adminOnly.contains(reason) && !paymentsOnly.contains(reason)
            && !ledgerOnly.contains(reason) {
            XCTAssertTrue(found.contains(reason.rawValue), "no \(reason.rawValue) in the demo")
        }
        for note in Reason.allCases where !note.isRefusal && !paymentsOnly.contains(note) && !ledgerOnly.contains(note) {
            XCTAssertGreaterThan(try s.eventCount(EventQuery(reason: note.rawValue)), 0, "no \(note.rawValue) note in the demo")
        }
        XCTAssertEqual(found.subtracting(Reason.allCases.map(\.rawValue)), [], "only known codes")
    }

    func testTheDemoHasAdminHistoryAndIsConsistent() throws {
        let (s, _) = try demo()
        let actions = Set(try s.audit(page: .first(10_000)).map(\.action))
        XCTAssertTrue(actions.isSuperset(of: ["init", "affiliate.add", "settings", "affiliate.disable", "customer.status",
                                              "conversion.add"]), "\(actions)")
        XCTAssertEqual(Set(try s.audit(page: .first(10_000)).map(\.who)), [DemoProgram.admin])
        XCTAssertEqual(try s.affiliate(code: "deal-hunter")?.disabled, true)
        XCTAssertEqual(try s.conversion(externalID: "manual_0001")?.manual, true)
        XCTAssertEqual(try s.settings().recurring, true)
        try assertConsistent(s)
    }
}

final class ConsistencyTests: StoreTestCase {
    /// The check must be able to fail: break each invariant by hand and see it named.
    func testEachBrokenInvariantIsReported() throws {
        func broken(_ sql: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let s = try store()
            try ingest(s, [
                Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
                Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: 60)),
                Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 120)),
                Line.conversion("o3", "0.00", customer: "u9", click: "c1", t0.adding(seconds: 120), extra: #","first_payment":true"#),
            ])
            XCTAssertEqual(try s.consistencyProblems(), [], file: file, line: line)
            try s.write { db in try db.execute(sql: sql) }
            let problems = try s.consistencyProblems()
            XCTAssertTrue(problems.contains { $0.contains(expected) }, "\(problems) lacks \(expected)", file: file, line: line)
        }
        try broken("UPDATE customer SET conversions = 5 WHERE key = 'u1'", "customer u1: 5 conversions and commission 390 stored")
        try broken("UPDATE customer SET commission_minor = 1 WHERE key = 'u1'", "but 2 conversion rows summing to 390")
        try broken("UPDATE event SET conversion_id = NULL WHERE external_id = 'o2'", "conversion o2 is linked to 0 inbox events")
        try broken("UPDATE event SET conversion_id = NULL WHERE external_id = 'o2'", "has no conversion row")
        try broken("UPDATE event SET conversion_id = (SELECT id FROM conversion WHERE external_id = 'o1') WHERE external_id = 'o2'",
                   "conversion o1 is linked to 2 inbox events")
        try broken("DELETE FROM event WHERE type = 'click'", "click c1 has 0 accepted click events")
        try broken("DELETE FROM click", "has no click row")
        try broken("UPDATE customer SET status = 'initial' WHERE key = 'u1'", "customer u1 is initial with 2 conversions")
        try broken("UPDATE event SET outcome = 'rejected' WHERE type = 'trial'", "customer u1 was not created by an accepted event")
        try broken("UPDATE event SET reason = 'unknown_click' WHERE type = 'trial'", "is accepted with reason unknown_click")
        try broken("UPDATE affiliate SET last_customer_number = 0", "affiliate alice has counter 0 but customer number 2")
        try broken("UPDATE conversion SET manual = 1 WHERE external_id = 'o1'", "manual conversion o1 is linked to 1 inbox event(s)")
        try broken("UPDATE customer SET first_commission_at = NULL WHERE key = 'u1'", "customer u1")
    }

    /// The conversions-to-events check, a merge of two sorted passes since session 10 (a dictionary of
    /// every linked event before): an event linking to a missing conversion, and a conversion's one
    /// event of the wrong kind, are still named (with the other problems of the same break).
    func testTheMergedConversionCheckNamesMissingAndWrongEvents() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
                       Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: 60)),
                       Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 120))])
        XCTAssertEqual(try s.consistencyProblems(), [])
        let o1 = try XCTUnwrap(try s.read { db in try Int64.fetchOne(db, sql: "SELECT id FROM event WHERE external_id = 'o1'") })
        try s.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "UPDATE event SET conversion_id = 999 WHERE external_id = 'o2'")
            try db.execute(sql: "UPDATE event SET kind = 'signup' WHERE external_id = 'o1'")
        }
        let problems = try s.consistencyProblems()
        XCTAssertEqual(Array(problems.prefix(3)), [
            "conversion o1 is linked to event \(o1) (signup, accepted, external id o1)",
            "conversion o2 is linked to 0 inbox events, not 1",
            "events link to missing conversion id 999",
        ])
    }

    /// No check walks a table inside a join or per row (a nested loop: the kept sums per customer
    /// against their recount, a FULL OUTER JOIN, ran for hours at a million customers). Only the
    /// kept totals per outcome or per state, a few rows each, are joined by a walk.
    func testNoCheckWalksATablePerRow() throws {
        let s = try store()
        let queries = Store.invariantQueries + Store.aggregateQueries + Store.ledgerInvariantQueries + Store.capCandidateQueries
        try s.read { db in
            for sql in queries where !sql.contains("FROM event_total") && !sql.contains("JOIN commission_total")
                && !sql.contains("JOIN commission_pending_day") {
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: [20])
                let correlated = Set(plan.filter { ($0["detail"] as String).hasPrefix("CORRELATED") }.map { $0["id"] as Int })
                for row in plan {
                    let detail: String = row["detail"], parent: Int = row["parent"]
                    let nested = detail.hasSuffix("LEFT-JOIN") || correlated.contains(parent)
                    XCTAssertFalse(detail.hasPrefix("SCAN ") && nested, "\(detail) in\n\(sql)")
                }
            }
        }
    }

    func testTheDigestSeesEveryTableAndIgnoresOnlyWriteTimes() throws {
        let a = try store()
        let b = try store()
        XCTAssertEqual(try a.contentDigest(), try b.contentDigest())
        XCTAssertEqual(Set(try a.contentDigest().keys),
                       ["program", "affiliate", "click", "customer", "conversion", "event", "event_ref", "audit"])
        // A write time differs: still equal.
        try a.write { db in try db.execute(sql: "UPDATE affiliate SET created_at = created_at + 5") }
        XCTAssertEqual(try a.contentDigest(), try b.contentDigest())
        // Any content differs: not equal, and only that table.
        try ingest(a, [Line.click("c1", "alice")])
        try ingest(b, [Line.click("c1", "bob")])
        let da = try a.contentDigest(), db = try b.contentDigest()
        XCTAssertNotEqual(da["click"], db["click"])
        XCTAssertNotEqual(da["event"], db["event"])
        XCTAssertEqual(da["customer"], db["customer"])
        XCTAssertTrue(da["click"]?.hasPrefix("1 rows") ?? false)
    }
}
