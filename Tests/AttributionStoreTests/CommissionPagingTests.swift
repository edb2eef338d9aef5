import AttributionCore
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

/// The Commissions tab's reads: keyset pages of the ledger by state as it stands now, and the
/// totals per state from the maintained `commission_total` plus the entries inside their hold.
final class CommissionPagingTests: StoreTestCase {
    static let selections: [CommissionSelection] = [.all, .state(.pending), .state(.approved), .state(.onHold), .state(.paid),
                                                     .state(.voided), .clawbacks]

    /// Every state at once: paid (and a clawback of one), voided, held, approval required, pending
    /// inside its hold, and pending past its date (never settled by a write).
    func ledger() throws -> Store {
        let s = try store()
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 0), who: "t")
        try ingest(s, [Line.click("c1", "alice"), Line.click("c2", "bob"), Line.track("signup", "cus_1", click: "c1"),
                       Line.conversion("o1", "100.00", customer: "cus_1"), Line.conversion("o2", "50.00", click: "c2"),
                       Line.conversion("o3", "10.00", click: "c1")])
        let run = try s.createPayouts(through: t0, minimum: nil, who: "t")
        for p in run.created { _ = try s.markPayoutPaid(id: p.id, reference: nil, who: "t") }
        _ = try s.recordRefund(externalID: "o2", RefundRequest(refundID: "re_1", amount: .partial(usd(2_500))), at: t0, who: "t")
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 30, approvalAbove: usd(1_000)), who: "t")
        try ingest(s, [Line.conversion("p1", "20.00", click: "c1", t0.adding(days: -40)), Line.conversion("p2", "300.00", click: "c2", t0.adding(days: -35)),
                       Line.conversion("p3", "30.00", click: "c1", t0.adding(days: -45)), Line.conversion("p4", "40.00", click: "c2", t0.adding(days: -50)),
                       Line.conversion("h1", "60.00", click: "c1"), Line.conversion("h2", "70.00", customer: "cus_1")])
        let p3 = try XCTUnwrap(try s.commissions(CommissionQuery()).first { $0.externalID == "p3" }).id
        let p4 = try XCTUnwrap(try s.commissions(CommissionQuery()).first { $0.externalID == "p4" }).id
        _ = try s.commissionAction(.hold, ids: [p3], who: "t")
        _ = try s.commissionAction(.void(.duplicate), ids: [p4], who: "t")
        // Ingested at t0 - 60 days (stored pending), read at t0: past their date, never settled.
        let early = try Store(path: s.path, clock: FixedClock(t0.adding(days: -60)))
        try ingest(early, [Line.conversion("q1", "80.00", click: "c1", t0.adding(days: -60)),
                           Line.conversion("q2", "900.00", click: "c2", t0.adding(days: -60))])
        return s
    }

    func expected(_ s: Store, _ sel: CommissionSelection) throws -> [CommissionRow] {
        try s.commissions(CommissionQuery()).filter {
            switch sel {
            case .all: return true
            case .clawbacks: return $0.kind == .clawback
            case .state(let st): return $0.state == st
            }
        }
    }

    func testTheTotalsPerStateAreTheLedgersAsItStandsNow() throws {
        let s = try ledger()
        try assertConsistent(s)
        for moment in [t0, t0.adding(days: 20), t0.adding(days: 40)] {
            let at = try Store(path: s.path, clock: FixedClock(moment))
            let t = try at.commissionTotals()
            for sel in Self.selections {
                let rows = try expected(at, sel)
                var sums: [String: Int64] = [:]
                for r in rows { sums[r.amount.currency.code, default: 0] += sel == .all && r.state == .voided ? 0 : r.amount.minor }
                XCTAssertEqual(t.count(sel), rows.count, "\(sel) at \(moment)")
                XCTAssertEqual(Dictionary(uniqueKeysWithValues: t.totals(sel).map { ($0.amount.currency.code, $0.amount.minor) }), sums,
                               "\(sel) at \(moment)")
            }
        }
        // The states it has at t0: something in every one.
        let t = try s.commissionTotals()
        for sel in Self.selections { XCTAssertGreaterThan(t.count(sel), 0, "\(sel)") }
        XCTAssertEqual(t.count(.state(.pending)), 2, "h1 and h2 are inside their hold")
        XCTAssertEqual(try expected(s, .state(.onHold)).map(\.externalID).sorted(), ["p2", "p3", "q2"])
    }

    func testPagesWalkEveryStateBothWaysAndCountIt() throws {
        let s = try ledger()
        defer { Store.pendingWindow = nil }
        // Pending by id: the stored pending entries in id order, or (a window of 2 that ends
        // before a page is found) the hold's range sorted.
        for window in [nil, 2] as [Int?] {
            Store.pendingWindow = window
            try walkEveryState(s)
        }
    }

    func walkEveryState(_ s: Store) throws {
        for sel in Self.selections {
            for sort in [CommissionSort.id, .amount] {
                for descending in [false, true] {
                    let q = CommissionListQuery(selection: sel, sort: sort, descending: descending)
                    let key: (CommissionRow) -> [Int64] = { sort == .id ? [$0.id] : [$0.amount.minor, $0.id] }
                    let want = try expected(s, sel).sorted { descending ? key($1).lexicographicallyPrecedes(key($0)) : key($0).lexicographicallyPrecedes(key($1)) }
                    let label = "\(sel) by \(sort) \(descending ? "desc" : "asc")"
                    XCTAssertEqual(try walk(s, q, forward: true).map(\.id), want.map(\.id), label)
                    XCTAssertEqual(try walk(s, q, forward: false).map(\.id), want.map(\.id), label + " from the end")
                    XCTAssertEqual(try s.commissionCount(q), want.count, label)
                }
            }
        }
    }

    /// Every page of two rows, from the first forward or from the last backward.
    func walk(_ s: Store, _ q: CommissionListQuery, forward: Bool) throws -> [CommissionRow] {
        var out: [CommissionRow] = []
        var page = forward ? PageRequest.first(2) : PageRequest.last(2)
        for _ in 0..<50 {
            let rows = try s.commissionPage(q, page: page)
            out = forward ? out + rows : rows + out
            guard rows.count == 2, let edge = forward ? rows.last : rows.first else { return out }
            page = PageRequest(after: edge.cursor(q.sort), direction: forward ? .forward : .backward, limit: 2)
        }
        XCTFail("never ended")
        return out
    }

    func testTheFilterMatchesAnExternalIDCustomerOrAffiliatePrefixBothWays() throws {
        let s = try ledger()
        defer { IndexedMatch.sparse = nil }
        for sparse in [20_000, 0] {
            IndexedMatch.sparse = sparse
            for (filter, sel, ids) in [("o", CommissionSelection.all, ["o1", "o2", "o2", "o3"]), ("cus_1", .all, ["o1", "h2"]),
                                       ("bo", .state(.onHold), ["p2", "q2"]), ("o2", .clawbacks, ["o2"]), ("zzz", .all, [])] {
                let q = CommissionListQuery(selection: sel, sort: .id, descending: false, filter: filter)
                XCTAssertEqual(try walk(s, q, forward: true).map(\.externalID).sorted(), ids.sorted(), "\(filter) \(sel) sparse \(sparse)")
                XCTAssertEqual(try s.commissionCount(q), ids.count, "\(filter) \(sel)")
            }
        }
    }

    /// A database at v10 (before the totals) migrates: the totals are summed from its entries.
    func testAV10LedgerMigratesWithItsTotals() throws {
        let s = try ledger()
        let before = try s.commissionTotals()
        let path = s.path
        try takeBack(path, migrations: ["v13-ledger-admin"], toVersion: 10, undo: """
            DROP TRIGGER commission_total_insert; DROP TRIGGER commission_total_delete; DROP TRIGGER commission_total_update;
            DROP TABLE commission_total; DROP INDEX commission_state_order; DROP INDEX commission_state_amount;
            DROP INDEX commission_amount; DROP INDEX commission_clawback_order; DROP INDEX commission_clawback_amount;
            DROP INDEX commission_conversion_entries; DROP INDEX commission_pending_order; DROP INDEX commission_pending_amount;
            DROP INDEX commission_pending_hold;
            """)
        let migrated = try Store(path: path, clock: FixedClock(t0))
        XCTAssertEqual(try migrated.commissionTotals(), before)
        try assertConsistent(migrated)
    }

    /// The kept pending amounts per day of `approves_at`, recounted from the stored pending
    /// entries (days rounded down in Swift, not by the schema's SQL).
    @discardableResult
    func assertKeptPendingDays(_ s: Store, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let (kept, entries) = try s.read { db in
            (try Row.fetchAll(db, sql: "SELECT day, needs_approval, currency, entries, amount_minor FROM commission_pending_day"),
             try Row.fetchAll(db, sql: "SELECT approves_at, needs_approval, currency, amount_minor FROM commission WHERE state = 'pending'"))
        }
        var counted: [String: [Int64]] = [:]
        for r in entries {
            let at: Int64 = r[0], day = at >= 0 ? at / 86_400 : -((-1 - at) / 86_400) - 1
            let key = "\(day) \(r[1] as Int64) \(r[2] as String)"
            counted[key, default: [0, 0]][0] += 1
            counted[key, default: [0, 0]][1] += r[3] as Int64
        }
        var got: [String: [Int64]] = [:]
        for r in kept where (r[3] as Int64) != 0 || (r[4] as Int64) != 0 {
            got["\(r[0] as Int64) \(r[1] as Int64) \(r[2] as String)"] = [r[3], r[4]]
        }
        XCTAssertEqual(got, counted, label, file: file, line: line)
        return counted.count
    }

    /// Every writer keeps `commission_pending_day`: the ingest (pending, approved and held
    /// entries), admin actions, refunds (partial and full), disputes, payout runs (which settle
    /// the due entries first), each followed by a recount; the consistency check agrees.
    func testTheKeptPendingDaysAreARecountAfterEveryWriter() throws {
        let s = try ledger()
        XCTAssertGreaterThan(try assertKeptPendingDays(s, "after the fixture"), 1)
        let rows = try s.commissions(CommissionQuery())
        func id(_ ext: String) throws -> Int64 { try XCTUnwrap(rows.first { $0.externalID == ext && $0.kind == .commission }).id }
        try ingest(s, [Line.conversion("n1", "15.00", click: "c1"), Line.conversion("n2", "2000.00", click: "c2", t0.adding(days: -1)),
                       Line.conversion("n3", "25.00", click: "c1", t0.adding(days: -31))])
        try assertKeptPendingDays(s, "after an ingest")
        _ = try s.commissionAction(.approve, ids: [try id("h1")], who: "t")
        _ = try s.commissionAction(.hold, ids: [try id("h2")], who: "t")
        try assertKeptPendingDays(s, "after approve and hold")
        _ = try s.commissionAction(.release, ids: [try id("h2")], who: "t")
        try assertKeptPendingDays(s, "after release")
        _ = try s.recordRefund(externalID: "n1", RefundRequest(refundID: "re_n1", amount: .partial(usd(500))), at: t0, who: "t")
        try assertKeptPendingDays(s, "after a partial refund of a pending entry")
        _ = try s.recordDispute(externalID: "n2", disputeID: "dp_n2", .opened, at: t0, who: "t")
        try assertKeptPendingDays(s, "after a dispute opened")
        _ = try s.recordDispute(externalID: "n2", disputeID: "dp_n2", .won, at: t0, who: "t")
        _ = try s.recordRefund(externalID: "h2", RefundRequest(refundID: "re_h2", amount: .full), at: t0, who: "t")
        try assertKeptPendingDays(s, "after a dispute won and a full refund")
        let later = try Store(path: s.path, clock: FixedClock(t0.adding(days: 45)))
        _ = try later.createPayouts(through: t0.adding(days: 45), minimum: nil, who: "t")
        try assertKeptPendingDays(later, "after a payout run 45 days later (every due entry settled)")
        try assertConsistent(later)
        XCTAssertEqual(try later.commissionTotals().count(.state(.pending)), 0)
    }

    /// The totals around the end of a hold, to the second, inside its day and on either side of
    /// it (the kept days after today's, and today's range of entries still ahead).
    func testTheTotalsAroundTheEndOfAHoldToTheSecond() throws {
        let s = try ledger()
        let h1 = try XCTUnwrap(try s.commissions(CommissionQuery()).first { $0.externalID == "h1" }).approvesAt.seconds
        let dayStart = h1 - ((h1 % 86_400) + 86_400) % 86_400
        for at in [h1 - 86_400, dayStart - 1, dayStart, h1 - 1, h1, h1 + 1, dayStart + 86_399, dayStart + 86_400] {
            let store = try Store(path: s.path, clock: FixedClock(Instant(seconds: at)))
            let t = try store.commissionTotals()
            for sel in Self.selections {
                let want = try expected(store, sel)
                XCTAssertEqual(t.count(sel), want.count, "\(sel) at \(at - h1) s from h1's date")
                let sum = want.reduce(Int64(0)) { $0 + (sel == .all && $1.state == .voided ? 0 : $1.amount.minor) }
                XCTAssertEqual(t.totals(sel).reduce(Int64(0)) { $0 + $1.amount.minor }, sum, "\(sel) at \(at - h1) s from h1's date")
            }
        }
        // The schema's day and the readers' agree, before 1970 too.
        for at: Int64 in [-86_401, -86_400, -1, 0, 86_399, 86_400, .max] {
            let sql = try s.read { db in try Int64.fetchOne(db, sql: "SELECT \(CommissionPendingDaySchema.day("?1"))", arguments: [at]) }
            XCTAssertEqual(sql, CommissionPendingDaySchema.day(of: at), "\(at)")
        }
    }

    /// The SQL fragment every ledger query uses for "pending past its date" says what the core's
    /// rule says, to the second, with and without an admin's approval needed.
    func testTheStandingFragmentIsTheCoresRuleToTheSecond() throws {
        let s = try store()
        let now = t0
        for delta: Int64 in [-86_400, -1, 0, 1, 86_400] {
            for needsApproval in [false, true] {
                let e = LedgerEntry(id: 1, affiliateID: 1, amount: usd(100), state: .pending, approvesAt: Instant(seconds: now.seconds + delta),
                                    needsApproval: needsApproval)
                let core = e.current(at: now).state
                let (inHold, due) = try s.read { db in
                    (try Bool.fetchOne(db, sql: "SELECT \(CommissionStanding.inHold("x.", now: "?1")) FROM (SELECT 'pending' AS state, ?2 AS approves_at) x",
                                       arguments: [now.seconds, e.approvesAt.seconds])!,
                     try Bool.fetchOne(db, sql: "SELECT \(CommissionStanding.due("x.", now: "?1")) FROM (SELECT 'pending' AS state, ?2 AS approves_at) x",
                                       arguments: [now.seconds, e.approvesAt.seconds])!)
                }
                let label = "approves \(delta) s from now, needs approval \(needsApproval)"
                XCTAssertEqual(inHold, core == .pending, label)
                XCTAssertEqual(due, core != .pending, label)
                if due { XCTAssertEqual(CommissionStanding.standing(needsApproval: needsApproval), core, label) }
            }
        }
    }

    /// Every writer keeps the totals: a broken total is found by the consistency check.
    func testTheConsistencyCheckFindsABrokenTotal() throws {
        let s = try ledger()
        try assertConsistent(s)
        try s.write { db in try db.execute(sql: "UPDATE commission_total SET entries = entries + 1 WHERE state = 'paid'") }
        XCTAssertTrue(try s.consistencyProblems().contains { $0.contains("commission totals") })
        try s.write { db in try db.execute(sql: "UPDATE commission_pending_day SET amount_minor = amount_minor + 1 WHERE entries > 0") }
        XCTAssertTrue(try s.consistencyProblems().contains { $0.contains("commission pending day") })
    }
}
