import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// The affiliate view's ledger ("v14-ledger-views"): Earnings split by state from sums the
/// triggers keep with every ledger write, the clock applied at read time, and the affiliate's
/// own payouts. Each split is checked against a plain reading of the ledger (`commissions`).
final class LedgerViewsTests: StoreTestCase {
    /// The split a plain reading of the ledger gives, per month and currency (conversions left out).
    func expected(_ s: Store, _ code: String) throws -> [String: LedgerMonth] {
        var out: [String: LedgerMonth] = [:]
        for c in try s.commissions(CommissionQuery(affiliateCode: code)) {
            let k = c.earnedAt.monthKey + " " + c.amount.currency.code
            var m = out[k] ?? LedgerMonth(month: c.earnedAt.monthKey, currency: c.amount.currency)
            switch (c.kind, c.state) {
            case (.clawback, _): m.clawedBack += c.amount.minor
            case (_, .pending): m.pending += c.amount.minor
            case (_, .approved): m.approved += c.amount.minor
            case (_, .onHold): m.onHold += c.amount.minor
            case (_, .paid): m.paid += c.amount.minor
            case (_, .voided): break
            }
            out[k] = m
        }
        return out
    }

    /// The store's split agrees with the plain reading, month by month, for an affiliate.
    func assertSplit(_ s: Store, _ code: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let id = try XCTUnwrap(try s.affiliate(code: code), file: file, line: line).id
        let want = try expected(s, code)
        var got: [String: LedgerMonth] = [:]
        for m in try s.affiliateLedgerMonths(id) {
            var m = m
            m.conversions = 0
            got[m.month + " " + m.currency.code] = m
        }
        for k in Set(want.keys).union(got.keys) {
            let w = want[k] ?? LedgerMonth(month: "", currency: .usd), g = got[k] ?? LedgerMonth(month: "", currency: .usd)
            XCTAssertEqual([g.pending, g.approved, g.onHold, g.paid, g.clawedBack], [w.pending, w.approved, w.onHold, w.paid, w.clawedBack],
                           "\(what): \(code) \(k) (pending, approved, on hold, paid, clawed back)", file: file, line: line)
        }
    }

    func testTheEarningsSplitFollowsEveryLedgerWriteAndTheClock() throws {
        let s = try store()
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 30, approvalAbove: usd(5_000)), who: "tester")
        try ingest(s, [Line.click("c1", "alice", t0.adding(days: -60)), Line.click("c2", "bob", t0.adding(days: -60)),
                       Line.conversion("small", "29.00", click: "c1"), Line.conversion("big", "900.00", click: "c1"),
                       Line.conversion("old", "100.00", click: "c1", t0.adding(days: -40)),
                       Line.conversion("old2", "80.00", click: "c1", t0.adding(days: -39)),
                       Line.conversion("bobs", "50.00", click: "c2", t0.adding(days: -40))])
        let alice = try s.identity(code: "alice").id
        // January: 2.90 and 90.00 still in their hold; November: 10.00 and 8.00 approved.
        let jan = try XCTUnwrap(try s.affiliateLedgerMonths(alice).first { $0.month == "2026-01" })
        XCTAssertEqual([jan.conversions, Int(jan.pending), Int(jan.approved), Int(jan.onHold)], [2, 9_290, 0, 0])
        let nov = try XCTUnwrap(try s.affiliateLedgerMonths(alice).first { $0.month == "2025-11" })
        XCTAssertEqual([nov.conversions, Int(nov.pending), Int(nov.approved)], [2, 0, 1_800])
        try assertSplit(s, "alice", "credited")

        // A month later, with no write in between: the small one approved, the big one waits for an admin.
        let later = try Store(path: s.path, clock: FixedClock(t0.adding(days: 31)))
        let jan2 = try XCTUnwrap(try later.affiliateLedgerMonths(alice).first { $0.month == "2026-01" })
        XCTAssertEqual([Int(jan2.pending), Int(jan2.approved), Int(jan2.onHold)], [0, 290, 9_000])
        try assertSplit(later, "alice", "a month later")

        // Every kind of ledger write keeps the sums: refunds, a dispute, admin actions, payouts, a clawback.
        _ = try later.recordRefund(externalID: "old", RefundRequest(refundID: "re_1", amount: .partial(usd(2_500))), at: t0, who: "t")
        try assertSplit(later, "alice", "partial refund")
        _ = try later.recordDispute(externalID: "old2", disputeID: "dp_1", .opened, at: t0, who: "t")
        try assertSplit(later, "alice", "dispute opened")
        let big = try XCTUnwrap(try later.commissions(CommissionQuery(affiliateCode: "alice")).first { $0.amount.minor == 9_000 }).id
        _ = try later.commissionAction(.approve, ids: [big], who: "t")
        try assertSplit(later, "alice", "approved by an admin")
        let run = try later.createPayouts(through: t0.adding(days: 31), minimum: nil, who: "t")
        XCTAssertFalse(run.created.isEmpty)
        try assertSplit(later, "alice", "payout created")
        for p in run.created { _ = try later.markPayoutPaid(id: p.id, reference: "PP-\(p.id)", who: "t") }
        try assertSplit(later, "alice", "payout paid")
        _ = try later.recordRefund(externalID: "small", RefundRequest(refundID: "re_2", amount: .full), at: t0.adding(days: 31), who: "t")
        let feb = try XCTUnwrap(try later.affiliateLedgerMonths(alice).first { $0.month == "2026-02" })
        XCTAssertEqual([Int(feb.clawedBack), feb.conversions], [-290, 0], "the refund of a paid sale is clawed back in the refund's month")
        try assertSplit(later, "alice", "clawback")
        _ = try later.recordDispute(externalID: "old2", disputeID: "dp_1", .lost, at: t0.adding(days: 31), who: "t")
        try assertSplit(later, "alice", "dispute lost")
        _ = try later.createPayouts(through: t0.adding(days: 31), minimum: nil, who: "t")
        try assertSplit(later, "alice", "clawback netted")
        try assertSplit(later, "bob", "another affiliate")
        XCTAssertEqual(try later.affiliateLedgerMonths(alice).map(\.conversions).reduce(0, +), 4)
        try assertConsistent(later)
        // The consistency check finds sums that drifted from the ledger.
        try later.write { db in try db.execute(sql: "UPDATE affiliate_ledger_month SET amount_minor = amount_minor + 1 WHERE bucket = 'paid'") }
        let problems = try later.consistencyProblems()
        XCTAssertTrue(problems.contains { $0.contains("paid: the sums say") }, "\(problems)")
        // Each way of the recount: a ledger month without its kept row, a kept row the ledger lacks.
        try later.write { db in
            try db.execute(sql: "DELETE FROM affiliate_ledger_month WHERE bucket = 'paid'")
            try db.execute(sql: """
                INSERT INTO affiliate_ledger_month (affiliate_id, month, currency, bucket, entries, amount_minor)
                SELECT affiliate_id, '2020-01', currency, bucket, 2, 7 FROM affiliate_ledger_month LIMIT 1
                """)
        }
        let more = try later.consistencyProblems()
        XCTAssertTrue(more.contains { $0.contains(" paid: the sums say 0 in 0 entries, the ledger ") }, "\(more)")
        XCTAssertTrue(more.contains { $0.contains(" 2020-01 ") && $0.hasSuffix(": the sums say 7 in 2 entries, the ledger 0 in 0") }, "\(more)")
    }

    func testMyPayoutsAreOnlyMineWithTheirLines() throws {
        let s = try store()
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 0, approvalAbove: nil), who: "tester")
        try ingest(s, [Line.click("c1", "alice"), Line.click("c2", "bob"),
                       Line.track("signup", "cus_a", click: "c1"),
                       Line.conversion("o1", "29.00", customer: "cus_a"), Line.conversion("o2", "50.00", customer: "cus_a", t0.adding(days: 1)),
                       Line.conversion("o3", "10.00", click: "c2")])
        let run = try s.createPayouts(through: t0.adding(days: 2), minimum: nil, who: "t")
        XCTAssertEqual(run.created.count, 2)
        let alice = try s.identity(code: "alice").id, bob = try s.identity(code: "bob").id
        let mine = try XCTUnwrap(run.created.first { $0.affiliate == "alice" })
        _ = try s.markPayoutPaid(id: mine.id, reference: "PP-7", who: "t")
        let view = try Store.affiliateView(path: s.path, clock: FixedClock(now))
        let list = try view.affiliatePayouts(alice)
        XCTAssertEqual(list.map(\.id), [mine.id])
        XCTAssertEqual(list.first?.amount, usd(790))
        XCTAssertEqual(list.first?.state, .paid)
        XCTAssertEqual(list.first?.lines, 2)
        XCTAssertEqual(list.first?.reference, "PP-7")
        XCTAssertEqual(list.first?.paidAt, now)
        XCTAssertEqual(try view.affiliatePayoutCount(alice), 1)
        let opened = try XCTUnwrap(try view.affiliatePayout(alice, id: mine.id))
        XCTAssertEqual(opened.lines, [AffiliatePayoutLine(customerNumber: 1, month: "2026-01", amount: usd(290), isClawback: false),
                                      AffiliatePayoutLine(customerNumber: 1, month: "2026-01", amount: usd(500), isClawback: false)])
        XCTAssertEqual(try view.affiliatePayout(alice, id: mine.id, limit: 1)?.lines.count, 1)
        let bobs = try XCTUnwrap(run.created.first { $0.affiliate == "bob" })
        XCTAssertNil(try view.affiliatePayout(alice, id: bobs.id), "another affiliate's payout")
        XCTAssertEqual(try view.affiliatePayout(bob, id: bobs.id)?.lines.map(\.customerNumber), [nil], "a one-off sale")
        // Paging: newest first, one at a time.
        _ = try s.recordRefund(externalID: "o2", RefundRequest(refundID: "re_9", amount: .full), at: t0.adding(days: 3), who: "t")
        try ingest(s, [Line.conversion("o4", "100.00", customer: "cus_a", t0.adding(days: 3))], file: "more.jsonl")
        let second = try XCTUnwrap(try s.createPayouts(through: t0.adding(days: 4), minimum: nil, who: "t").created.first { $0.affiliate == "alice" })
        let first = try view.affiliatePayouts(alice, page: .first(1))
        XCTAssertEqual(first.map(\.id), [second.id])
        XCTAssertEqual(try view.affiliatePayouts(alice, page: PageRequest(after: first[0].cursor, limit: 1)).map(\.id), [mine.id])
        let netted = try XCTUnwrap(try view.affiliatePayout(alice, id: second.id))
        XCTAssertEqual(netted.lines.map(\.amount.minor).sorted(), [-500, 1_000])
        XCTAssertEqual(netted.lines.filter(\.isClawback).count, 1)
    }

    /// Sums past Int64 (three clawbacks of -4e18 in one month, written raw: far past what the
    /// door lets in, which would take a million of the largest commissions) neither trap nor fail
    /// a write: the sum turns real in SQLite and the read clamps it.
    func testSumsPastInt64AreClampedNotATrap() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.conversion("o1", "29.00", click: "c1")])
        let alice = try XCTUnwrap(try s.affiliate(code: "alice")).id
        try s.write { db in
            let v = try Int64.fetchOne(db, sql: "SELECT id FROM conversion")!
            for _ in 0..<3 {
                try db.execute(sql: """
                    INSERT INTO commission (kind, conversion_id, affiliate_id, amount_minor, original_minor, currency, state, approves_at, earned_at)
                    VALUES ('clawback', ?, ?, ?, ?, 'USD', 'approved', ?, ?)
                    """, arguments: [v, alice, -4_000_000_000_000_000_000 as Int64, -4_000_000_000_000_000_000 as Int64, t0.seconds, t0.seconds])
            }
        }
        let jan = try XCTUnwrap(try s.affiliateLedgerMonths(alice).first { $0.month == "2026-01" })
        XCTAssertEqual(jan.clawedBack, Int64.min)
        XCTAssertEqual(jan.pending, 290)
        XCTAssertNoThrow(try s.consistencyProblems())
    }

    /// "v14-ledger-views" on a populated version 10 database (the demo with its ledger, taken back
    /// to version 10): the sums are backfilled from the ledger, and the triggers keep them after.
    func testAPopulatedVersion10DatabaseGetsItsLedgerSumsBackfilled() throws {
        let path = try tempDir() + "/demo.sqlite"
        do {
            try DemoTemplate.shared.copy(to: path)
            _ = try DemoLedger.add(into: try Store(path: path, clock: FixedClock(DemoProgram.now)))
        }
        try takeBack(path, migrations: ["v14-ledger-views"], toVersion: 10, undo: """
            DROP TRIGGER affiliate_ledger_month_insert; DROP TRIGGER affiliate_ledger_month_update;
            DROP TRIGGER affiliate_ledger_month_delete; DROP INDEX commission_affiliate_pending; DROP TABLE affiliate_ledger_month;
            """)
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        let codes = try s.affiliates().map(\.code)
        XCTAssertGreaterThan(codes.count, 5)
        for code in codes { try assertSplit(s, code, "migrated") }
        let all = try s.affiliates().flatMap { try s.affiliateLedgerMonths($0.id) }
        XCTAssertLessThan(all.map(\.clawedBack).reduce(0, +), 0, "the demo's clawbacks")
        XCTAssertGreaterThan(all.map(\.paid).reduce(0, +), 0)
        XCTAssertGreaterThan(all.map(\.pending).reduce(0, +), 0)
        // And kept after it: the next payout run.
        _ = try s.createPayouts(through: DemoProgram.now, minimum: nil, who: "t")
        for code in codes { try assertSplit(s, code, "after a payout run") }
        try assertConsistent(s)
    }
}
