import AttributionCore
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

/// The maintained aggregates (schema v7): per affiliate its customers, conversions and earnings,
/// per affiliate, month and currency its conversions and commission. Every writer keeps them
/// equal to the rows they sum, in the same transaction; the migration fills them from the rows;
/// the consistency check recomputes them.
final class AggregateTests: StoreTestCase {
    /// The aggregates as stored, as text lines (affiliate_total, then affiliate_month).
    func stored(_ s: Store) throws -> [String] {
        try s.read { db in
            try String.fetchAll(db, sql: """
                SELECT 'total ' || affiliate_id || ' ' || customers || ' ' || conversions || ' ' || earnings_minor
                FROM affiliate_total ORDER BY affiliate_id
                """)
                + String.fetchAll(db, sql: """
                    SELECT 'month ' || affiliate_id || ' ' || month || ' ' || currency || ' ' || conversions || ' ' || commission_minor
                    FROM affiliate_month ORDER BY affiliate_id, month, currency
                    """)
                + String.fetchAll(db, sql: "SELECT 'inbox ' || outcome || ' ' || reason || ' ' || events FROM event_total ORDER BY outcome, reason")
        }
    }

    /// The same, computed here from the rows (every affiliate, every conversion).
    func recomputed(_ s: Store) throws -> [String] {
        let currency = try s.settings().currency.code
        let customers = try allCustomers(s)
        let conversions = try allConversions(s)
        var totals: [String] = []
        var months: [String: (Int, Int64)] = [:]
        for a in try s.affiliates().sorted(by: { $0.id < $1.id }) {
            let mine = conversions.filter { $0.affiliateID == a.id }
            let earned = mine.filter { $0.commission.currency.code == currency }.reduce(Int64(0)) { $0 + $1.commission.minor }
            totals.append("total \(a.id) \(customers.filter { $0.affiliateID == a.id }.count) \(mine.count) \(earned)")
        }
        for v in conversions {
            let key = "\(v.affiliateID) \(v.at.monthKey) \(v.commission.currency.code)"
            months[key, default: (0, 0)].0 += 1
            months[key, default: (0, 0)].1 += v.commission.minor
        }
        let monthLines = months.map { (k, v) in (k, "month \(k) \(v.0) \(v.1)") }
            .sorted { a, b in
                let x = a.0.split(separator: " "), y = b.0.split(separator: " ")
                return (Int(x[0])!, String(x[1]), String(x[2])) < (Int(y[0])!, String(y[1]), String(y[2]))
            }.map(\.1)
        var inbox: [String: Int] = [:]
        for e in try s.events(page: .first(1_000_000)) { inbox["\(e.outcome.rawValue) \(e.reasonCode ?? "")", default: 0] += 1 }
        return totals + monthLines + inbox.sorted { $0.key < $1.key }.map { "inbox \($0.key) \($0.value)" }
    }

    func assertMaintained(_ s: Store, _ step: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try stored(s), try recomputed(s), step, file: file, line: line)
        XCTAssertEqual(try s.consistencyProblems(), [], step, file: file, line: line)
    }

    /// Clicks, sign-ups, payments over two months and in two currencies, a renewal, a cancel.
    let lines = [
        Line.click("c1", "alice"), Line.click("c2", "bob"), Line.click("c3", "carol"),
        Line.track("signup", "u1", click: "c1"), Line.track("signup", "u2", click: "c2"), Line.track("trial", "u3", click: "c3"),
        Line.conversion("o1", "10.00", customer: "u1", t0.adding(seconds: 60)),
        Line.conversion("o2", "20.00", customer: "u2", t0.adding(seconds: 120)),
        Line.conversion("o3", "30.00", customer: "u1", t0.adding(days: 40)),
        #"{"type":"conversion","external_id":"e1","amount":"50.00","currency":"EUR","customer_key":"u2","at":"2026-01-07T10:00:00Z"}"#,
        Line.conversion("o4", "15.00", customer: "u3", t0.adding(days: 2)),
        Line.cancel("u2", t0.adding(days: 50)),
        Line.conversion("o5", "15.00", customer: "u2", t0.adding(days: 51)),
        #"{"type":"conversion","external_id":"broken_9","amount":"x","currency":"USD","at":"2026-01-06T10:00:00Z"}"#,
    ]

    func testEveryWriterKeepsTheAggregatesEqualToTheRows() throws {
        let s = try store()
        try assertMaintained(s, "three affiliates, nothing yet")
        try ingest(s, lines)
        try assertMaintained(s, "after the ingest")
        XCTAssertTrue(try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "t").isAccepted)
        try assertMaintained(s, "after a reassignment")
        try ingest(s, [Line.conversion("o6", "12.00", customer: "u1", t0.adding(days: 45))])
        try assertMaintained(s, "after a payment of the reassigned customer")
        XCTAssertTrue(try s.addManualConversion(externalID: "bank_1", amount: usd(9_900), customerKey: "u3", affiliateCode: nil,
                                                at: t0.adding(days: 3), who: "t").isAccepted)
        XCTAssertTrue(try s.addManualConversion(externalID: "bank_2", amount: usd(500), customerKey: nil, affiliateCode: "alice",
                                                at: t0.adding(days: 70), who: "t").isAccepted)
        try assertMaintained(s, "after manual conversions")
        XCTAssertTrue(try s.setStatus(customerKey: "u3", to: .ended, who: "t").isAccepted)
        try assertMaintained(s, "after a status change")
        _ = try s.addAffiliate(code: "dave", name: "Dave", who: "t")
        try assertMaintained(s, "a new affiliate has its totals row")
        var euro = try s.settings()
        euro.currency = Currency(validated: "EUR")
        try s.updateSettings(euro, who: "t")
        try assertMaintained(s, "after the program's currency changed, earnings count EUR")
        // The screens read them: totals and months of a page of affiliates in one query each.
        let bob = try XCTUnwrap(try s.affiliateSummaries(AffiliateQuery(filter: "bob"), page: .first(10)).first)
        XCTAssertEqual(bob.earnings, try allConversions(s).filter { $0.affiliateCode == "bob" && $0.commission.currency.code == "EUR" }
            .reduce(0) { $0 + $1.commission.minor })
        XCTAssertEqual(bob.monthly.map(\.month), ["2026-01", "2026-02"])
    }

    func testTheAggregatesDoNotDependOnTheBatchSize() throws {
        let one = try store(), many = try store()
        try ingest(one, lines, batchSize: 1)
        try ingest(many, lines, batchSize: 4096)
        XCTAssertEqual(try stored(one), try stored(many))
        try assertMaintained(one, "one event per transaction")
    }

    func testTheConsistencyCheckSeesAWrongAggregate() throws {
        let s = try store()
        try ingest(s, lines)
        XCTAssertEqual(try s.consistencyProblems(), [])
        try s.write { db in
            try db.execute(sql: "UPDATE affiliate_total SET conversions = conversions + 1 WHERE affiliate_id = (SELECT id FROM affiliate WHERE code = 'bob')")
            try db.execute(sql: "UPDATE event_total SET events = events + 2 WHERE outcome = 'rejected' AND reason = 'invalid_event'")
            try db.execute(sql: """
                UPDATE affiliate_month SET commission_minor = commission_minor - 1
                WHERE month = '2026-01' AND affiliate_id = (SELECT id FROM affiliate WHERE code = 'alice')
                """)
            try db.execute(sql: "DELETE FROM affiliate_month WHERE month = '2026-02'")
        }
        let problems = try s.consistencyProblems()
        XCTAssertTrue(problems.contains { $0.hasPrefix("affiliate bob: totals") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0 == "inbox rejected invalid_event: 3 events stored, but 1 counted" }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("month 2026-01 USD: 1 conversions and commission 99 stored, but 1 summing to 100") },
                      "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("month 2026-02") && $0.contains(": 0 conversions") }, "\(problems)")
        // A kept month that counts no conversion (the other way of the recount).
        try s.write { db in
            try db.execute(sql: """
                INSERT INTO affiliate_month (affiliate_id, month, currency, conversions, commission_minor)
                SELECT id, '2025-07', 'USD', 0, 0 FROM affiliate WHERE code = 'alice'
                """)
        }
        XCTAssertTrue(try s.consistencyProblems().contains { $0.hasSuffix(" month 2025-07 USD: 0 conversions and commission 0 stored, but 0 summing to 0") })
    }

    /// A database of today's main (schema v6) with data in it gets its aggregates from the rows.
    func testTheMigrationFillsTheAggregatesFromTheRows() throws {
        let path: String
        let expected: [String]
        do {
            let s = try store()
            path = s.path
            try ingest(s, lines)
            XCTAssertTrue(try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "t").isAccepted)
            expected = try recomputed(s)
        }
        // Back to version 6: what v7 added is gone.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let added = try Row.fetchAll(db, sql: """
                SELECT type, name FROM sqlite_master WHERE sql LIKE '%affiliate_total%' OR sql LIKE '%affiliate_month%' OR name = 'event_total'
                  OR name IN ('affiliate_name', 'customer_affiliate_activity', 'customer_conversions', 'customer_commission', 'customer_email', 'customer_first_commission',
                              'conversion_affiliate_id', 'conversion_amount', 'conversion_commission', 'event_time', 'event_rejected_time',
                              'event_customer', 'event_ref_event', 'event_invalid_text')
                """)
            for r in added where (r["type"] as String) != "table" || (r["name"] as String).hasPrefix("affiliate_")
                || (r["name"] as String) == "event_total" {
                try db.execute(sql: "DROP \((r["type"] as String).uppercased()) IF EXISTS \(r["name"] as String)")
            }
            try db.execute(sql: "DROP TABLE event_invalid_text")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7-scale-aggregates'; PRAGMA user_version = 6")
        }
        try queue.close()
        let s = try Store(path: path, clock: FixedClock(now))
        XCTAssertEqual(try stored(s), expected)
        try assertMaintained(s, "migrated from v6")
        // The invalid payloads' words are indexed too: the refused line is found by what it names.
        XCTAssertEqual(try s.events(EventQuery(filter: "broken_9")).map(\.line), [14])
        XCTAssertEqual(try s.events(EventQuery(filter: "brok")).map(\.line), [14])
    }
}
