import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// The affiliate view's sums per (affiliate, customer number) (schema v11,
/// `affiliate_customer_sum`): every writer keeps them equal to the conversions they sum, the
/// migration fills them on a populated version 10 database, and My customers sorted by any column
/// lists what the conversions say, in that order.
final class AffiliateCustomerSumTests: StoreTestCase {
    /// The sums as stored, for every customer's current (affiliate, number).
    func stored(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT c.affiliate_id || ' #' || c.number || ' ' || s.conversions || ' ' || s.commission_minor || ' ' || COALESCE(s.commission_currency, '-')
            FROM customer c LEFT JOIN affiliate_customer_sum s ON s.affiliate_id = c.affiliate_id AND s.number = c.number
            ORDER BY c.affiliate_id, c.number
            """)
    }

    /// The same from the conversions (what the view summed per customer before v11).
    func recomputed(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT c.affiliate_id || ' #' || c.number || ' ' || COUNT(v.id) || ' ' || COALESCE(SUM(v.commission_minor), 0) || ' '
                   || COALESCE(MIN(v.commission_currency), '-')
            FROM customer c LEFT JOIN conversion v ON v.affiliate_id = c.affiliate_id AND v.customer_number = c.number
            GROUP BY c.id ORDER BY c.affiliate_id, c.number
            """)
    }

    func assertMaintained(_ s: Store, _ step: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (a, b) = try s.read { db in (try stored(db), try recomputed(db)) }
        XCTAssertFalse(a.isEmpty, step, file: file, line: line)
        XCTAssertEqual(a, b, step, file: file, line: line)
        XCTAssertEqual(try s.consistencyProblems(), [], step, file: file, line: line)
    }

    func testEveryWriterKeepsTheSumsPerCustomerNumber() throws {
        let s = try store()
        try ingest(s, [
            Line.click("c1", "alice"), Line.click("c2", "bob"),
            Line.track("signup", "u1", click: "c1"), Line.track("signup", "u2", click: "c2"),
            Line.conversion("o1", "10.00", customer: "u1", t0.adding(seconds: 60)),
            Line.conversion("o2", "20.00", customer: "u2", t0.adding(seconds: 120)),
            #"{"type":"conversion","external_id":"e1","amount":"50.00","currency":"EUR","customer_key":"u1","at":"2026-01-07T10:00:00Z"}"#,
        ], batchSize: 2)
        try assertMaintained(s, "after the ingest")
        XCTAssertTrue(try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "t").isAccepted)
        try assertMaintained(s, "a reassigned customer starts at nothing under its new number")
        try ingest(s, [Line.conversion("o3", "12.00", customer: "u1", t0.adding(days: 3))])
        XCTAssertTrue(try s.addManualConversion(externalID: "bank_1", amount: usd(9_900), customerKey: "u2", affiliateCode: nil,
                                                at: t0.adding(days: 4), who: "t").isAccepted)
        try assertMaintained(s, "after a payment and a manual conversion")
        let bob = try s.identity(code: "bob").id
        let mine = try s.affiliateCustomers(bob, sort: .commission, descending: true)
        XCTAssertEqual(mine.map(\.conversions), [2, 1], "u2's two conversions, then u1's one under its new number")
    }

    func testTheConsistencyCheckSeesAWrongOrMissingSum() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.track("signup", "u1", click: "c1"), Line.track("signup", "u2", click: "c1"),
                       Line.conversion("o1", "10.00", customer: "u1", t0.adding(seconds: 60))])
        XCTAssertEqual(try s.consistencyProblems(), [])
        try s.write { db in
            try db.execute(sql: "UPDATE affiliate_customer_sum SET conversions = 2 WHERE conversions = 1")
            try db.execute(sql: "DELETE FROM affiliate_customer_sum WHERE conversions = 0")
        }
        let problems = try s.consistencyProblems()
        XCTAssertTrue(problems.contains { $0.contains(": 2 conversions and commission ") && $0.contains(" stored, but 1 summing to ") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasSuffix(" has no sums row") }, "\(problems)")
        // A counted number without its row, and a kept row that counts nothing, each way of the recount.
        try s.write { db in
            try db.execute(sql: "DELETE FROM affiliate_customer_sum WHERE conversions = 2")
            try db.execute(sql: """
                INSERT INTO affiliate_customer_sum (affiliate_id, number, conversions, commission_minor)
                SELECT id, 77, 3, 5 FROM affiliate WHERE code = 'alice'
                """)
        }
        let more = try s.consistencyProblems()
        XCTAssertTrue(more.contains { $0.contains(": 0 conversions and commission 0 - stored, but 1 summing to ") }, "\(more)")
        XCTAssertTrue(more.contains { $0.hasSuffix(" customer #77: 3 conversions and commission 5 - stored, but 0 summing to 0 -") }, "\(more)")
    }

    /// My customers by each sort, both ways, page after page: the order the rows' own values give.
    func testMyCustomersPagesFollowEverySort() throws {
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        defer { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
        _ = try HugeProgram.build(into: s, seed: 3, customers: 300)
        let me = try XCTUnwrap(try s.affiliateSummaries(AffiliateQuery(sort: .customers, descending: true), page: .first(1)).first).affiliate.id
        let all = try s.affiliateCustomers(me, sort: .key, descending: false, page: .first(100_000))
        XCTAssertGreaterThan(all.count, 20)
        for sort in [CustomerSort.status, .conversions, .commission, .activity, .key] {
            for descending in [false, true] {
                var paged: [AffiliateCustomerRow] = []
                var page = PageRequest.first(7)
                while true {
                    let rows = try s.affiliateCustomers(me, sort: sort, descending: descending, page: page)
                    paged += rows
                    guard rows.count == 7, let last = rows.last else { break }
                    page = PageRequest(after: last.cursor(sort), limit: 7)
                }
                func key(_ r: AffiliateCustomerRow) -> String {
                    switch sort {
                    case .status: return r.status.rawValue
                    case .conversions: return String(format: "%09d", r.conversions)
                    case .commission: return String(format: "%018lld", r.commission?.minor ?? 0)
                    case .activity: return String(format: "%018lld", r.lastActivityAt.seconds)
                    default: return ""
                    }
                }
                let expected = all.sorted { a, b in
                    let (x, y) = (key(a), key(b))
                    return x != y ? (descending ? x > y : x < y) : (descending ? a.number > b.number : a.number < b.number)
                }
                XCTAssertEqual(paged.map(\.number), expected.map(\.number), "\(sort) \(descending)")
            }
        }
        // My conversions filtered by a customer number prefix: the conversions a plain reading finds, counted.
        let conversions = try s.affiliateConversions(me, page: .first(100_000))
        for filter in ["1", "#2", "10", "0", "x", "99999999999999999999"] {
            let digits = filter.trimmingCharacters(in: CharacterSet(charactersIn: "# "))
            let expected = conversions.filter { $0.customerNumber.map { String($0).hasPrefix(digits) } ?? false }.map(\.id)
            for sparse in [nil, 0] as [Int?] {
                IndexedMatch.sparse = sparse
                for sort in [ConversionSort.date, .amount, .commission] {
                    let got = try s.affiliateConversions(me, sort: sort, filter: filter, page: .first(100_000)).map(\.id)
                    XCTAssertEqual(Set(got), Set(expected), "'\(filter)' by \(sort)")
                    XCTAssertEqual(got.count, expected.count)
                }
            }
            IndexedMatch.sparse = nil
            XCTAssertEqual(try s.affiliateConversionCount(me, filter: filter), expected.count, "'\(filter)'")
        }
    }

    func testNumberPrefixRanges() {
        XCTAssertEqual(Store.numberRanges("12").prefix(3), [12...12, 120...129, 1_200...1_299])
        XCTAssertEqual(Store.numberRanges("9").last, 9_000_000_000_000_000_000...Int64.max)
        XCTAssertEqual(Store.numberRanges("0"), [0...0])
        XCTAssertEqual(Store.numberRanges("01"), [])
        XCTAssertEqual(Store.numberRanges("1a"), [])
        XCTAssertEqual(Store.numberRanges("99999999999999999999"), [])
    }

    /// "v11-affiliate-customer-sums" on a populated version 10 database (the huge demo's program,
    /// small, with a reassignment, taken back to version 10): the sums come from the conversions.
    func testTheMigrationFillsTheSumsOnAPopulatedVersion10Database() throws {
        let dir = try tempDir()
        let path = dir + "/demo.sqlite"
        do {
            let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
            _ = try HugeProgram.build(into: s, seed: 2, customers: 300)
            let key = try XCTUnwrap(try s.customers(CustomerQuery(sort: .conversions, descending: true), page: .first(1)).first)
            let other = try XCTUnwrap(try s.affiliates().first { $0.id != key.affiliateID })
            XCTAssertTrue(try s.reassign(customerKey: key.key, toAffiliate: other.code, who: "t").isAccepted)
        }
        try takeBack(path, migrations: ["v11-affiliate-customer-sums"], toVersion: 10,
                     undo: "DROP TABLE affiliate_customer_sum; DROP INDEX customer_affiliate_status")
        let queue = try DatabaseQueue(path: path)
        let expected = try queue.read { db in try recomputed(db) }
        try queue.close()
        XCTAssertGreaterThan(expected.count, 250)
        XCTAssertTrue(expected.contains { !$0.hasSuffix(" 0 0 -") })
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        XCTAssertEqual(try s.read { db in try stored(db) }, expected)
        try assertMaintained(s, "migrated from v10")
    }
}
