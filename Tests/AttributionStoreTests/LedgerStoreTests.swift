import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// The ledger in the store: a commission per credited conversion, written with it; the holding
/// period read by the clock; admin actions audited; refunds, disputes, payouts and their invariants.
final class LedgerStoreTests: StoreTestCase {
    /// A program (10 %) with alice, bob and carol; conversions of `lines` ingested.
    func ledgerStore(_ lines: [String] = [], settings: LedgerSettings? = nil) throws -> Store {
        let s = try store()
        if let settings { try s.updateLedgerSettings(settings, who: "tester") }
        try ingest(s, [Line.click("c1", "alice"), Line.click("c2", "bob")] + lines)
        return s
    }

    /// The same database seen at another moment.
    func at(_ s: Store, _ moment: Instant) throws -> Store { try Store(path: s.path, clock: FixedClock(moment)) }

    func row(_ s: Store, _ externalID: String, kind: EntryKind = .commission, file: StaticString = #filePath, line: UInt = #line) throws -> CommissionRow {
        try XCTUnwrap(try s.commissions(CommissionQuery()).first { $0.externalID == externalID && $0.kind == kind }, file: file, line: line)
    }

    func testACreditedConversionIsACommissionPendingForItsHoldingPeriod() throws {
        let s = try ledgerStore([Line.conversion("o1", "29.00", click: "c1"), Line.conversion("o2", "100.00", click: "c2", t0.adding(days: -40))])
        let o1 = try row(s, "o1")
        XCTAssertEqual(o1.amount, usd(290))
        XCTAssertEqual(o1.state, .pending)
        XCTAssertEqual(o1.approvesAt, t0.adding(days: 30))
        XCTAssertEqual(o1.affiliate, "alice")
        XCTAssertEqual(try row(s, "o2").state, .approved, "an old sale is past its hold when it arrives")
        // The clock passes the date: read as approved, with no write in between.
        let later = try at(s, t0.adding(days: 30))
        XCTAssertEqual(try row(later, "o1").state, .approved)
        XCTAssertEqual(try later.commissions(CommissionQuery(state: .pending)).count, 0)
        XCTAssertEqual(try later.commissions(CommissionQuery(state: .approved)).map(\.externalID), ["o1", "o2"])
        XCTAssertEqual(try later.commissions(CommissionQuery(affiliateCode: "bob")).map(\.externalID), ["o2"])
        try assertConsistent(s)
    }

    func testHoldingDaysZeroAndTheApprovalThreshold() throws {
        let s = try ledgerStore([Line.conversion("small", "29.00", click: "c1"), Line.conversion("big", "900.00", click: "c1")],
                                settings: LedgerSettings(holdingDays: 0, approvalAbove: usd(5_000)))
        XCTAssertEqual(try row(s, "small").state, .approved)
        XCTAssertEqual(try row(s, "big").state, .onHold)
        XCTAssertEqual(try row(s, "big").reason, .approvalRequired)
        let big = try row(s, "big").id
        let results = try s.commissionAction(.approve, ids: [big, 999], who: "ana")
        XCTAssertEqual(results.map { (try? $0.outcome.get()) }, [.approved, nil])
        if case .failure(let f) = results[1].outcome { XCTAssertEqual(f.reason, .unknownCommission) } else { XCTFail() }
        XCTAssertEqual(try row(s, "big").state, .approved)
        let audit = try s.audit(page: .first(10)).first
        XCTAssertEqual(audit?.action, "commission.approve")
        XCTAssertEqual(audit?.who, "ana")
        XCTAssertEqual(audit?.before, "on_hold approval_required 90.00 USD")
        XCTAssertEqual(audit?.after, "approved 90.00 USD")
    }

    func testLedgerSettingsAreValidatedAndAudited() throws {
        let s = try store()
        XCTAssertEqual(try s.ledgerSettings(), .standard)
        XCTAssertThrowsError(try s.updateLedgerSettings(LedgerSettings(holdingDays: -1), who: "t")) {
            XCTAssertEqual($0 as? StoreError, .invalid(field: "holding-days", message: "must be from 0 to 3650 days"))
        }
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 14, approvalAbove: usd(10_000)), who: "t")
        XCTAssertEqual(try s.ledgerSettings(), LedgerSettings(holdingDays: 14, approvalAbove: usd(10_000)))
        XCTAssertEqual(try s.audit(page: .first(1)).first?.after, "holding=14d approval_above=100.00 USD")
    }

    func testASelfReferralIsHeld() throws {
        let s = try store()
        _ = try s.addAffiliate(code: "dora", name: "Dora", email: "Dora@Example.com", who: "t")
        try ingest(s, [Line.click("c9", "dora"),
                       #"{"type":"signup","customer_key":"u9","click_id":"c9","email":"dora+shop@example.com","at":"\#(t0.iso8601)"}"#,
                       Line.conversion("o9", "50.00", customer: "u9")])
        let e = try row(s, "o9")
        XCTAssertEqual(e.state, .onHold)
        XCTAssertEqual(e.reason, .selfReferral)
        XCTAssertEqual(try row(at(s, t0.adding(days: 90)), "o9").state, .onHold, "a hold never moves on by itself")
        let results = try s.commissionAction(.release, ids: [e.id], who: "t")
        XCTAssertEqual(try results[0].outcome.get(), .pending)
    }

    func testRefundsReduceVoidAndClawBack() throws {
        let s = try ledgerStore([Line.conversion("o1", "29.00", click: "c1"), Line.conversion("o2", "100.00", click: "c1"),
                                 Line.conversion("o3", "10.00", click: "c1")], settings: LedgerSettings(holdingDays: 0))
        // Partial: 10 % of 29.00 = 2.90; 14.50 refunded takes back 1.45.
        let r1 = try s.recordRefund(externalID: "o1", RefundRequest(refundID: "re_1", amount: .partial(usd(1_450))), at: t0, who: "t")
        XCTAssertEqual(try r1.get().reduction, 145)
        XCTAssertEqual(try row(s, "o1").amount, usd(145))
        // Retried: nothing.
        _ = try s.recordRefund(externalID: "o1", RefundRequest(refundID: "re_1", amount: .partial(usd(1_450))), at: t0, who: "t")
        XCTAssertEqual(try row(s, "o1").amount, usd(145))
        // Full refund of o3: voided.
        _ = try s.recordRefund(externalID: "o3", RefundRequest(refundID: "re_3", amount: .full), at: t0, who: "t")
        XCTAssertEqual(try row(s, "o3").state, .voided)
        XCTAssertEqual(try row(s, "o3").reason, .refunded)
        // More than the sale: refused, nothing written.
        let over = try s.recordRefund(externalID: "o1", RefundRequest(refundID: "re_2", amount: .partial(usd(1_451))), at: t0, who: "t")
        guard case .failure(let f) = over else { return XCTFail() }
        XCTAssertEqual(f.reason, .refundExceedsSale)
        guard case .failure(let unknown) = try s.recordRefund(externalID: "nope", RefundRequest(refundID: "x", amount: .full), at: t0, who: "t")
        else { return XCTFail() }
        XCTAssertEqual(unknown.reason, .unknownSale)
        // Pay out, then refund o2 in full: a clawback netted in the next payout.
        let run = try s.createPayouts(through: t0, minimum: nil, who: "t")
        XCTAssertEqual(run.created.map(\.amount), [usd(145 + 1_000)])
        let paid = try s.markPayoutPaid(id: run.created[0].id, reference: "PP-1", who: "t")
        XCTAssertEqual(paid.state, .paid)
        XCTAssertEqual(try row(s, "o2").state, .paid)
        _ = try s.recordRefund(externalID: "o2", RefundRequest(refundID: "re_4", amount: .full), at: t0.adding(days: 1), who: "t")
        XCTAssertEqual(try row(s, "o2").state, .paid, "a paid commission never changes")
        XCTAssertEqual(try row(s, "o2", kind: .clawback).amount, usd(-1_000))
        try ingest(s, [Line.conversion("o4", "200.00", click: "c1", t0.adding(days: 2))])
        let next = try s.createPayouts(through: t0.adding(days: 3), minimum: usd(500), who: "t")
        XCTAssertEqual(next.created.map(\.amount), [usd(2_000 - 1_000)])
        XCTAssertEqual(try s.payout(id: next.created[0].id)?.lines.map(\.amount), [usd(-1_000), usd(2_000)])
        try assertConsistent(s)
    }

    func testPayoutsCarryOverCancelAndNeverTakeAnEntryTwice() throws {
        let s = try ledgerStore([Line.conversion("o1", "100.00", click: "c1"), Line.conversion("o2", "300.00", click: "c2")],
                                settings: LedgerSettings(holdingDays: 0))
        let run = try s.createPayouts(through: t0, minimum: usd(2_000), who: "t")
        XCTAssertEqual(run.created.map(\.affiliate), ["bob"])
        XCTAssertEqual(run.carried.map(\.affiliate), ["alice"])
        XCTAssertEqual(run.carried.map(\.reason), [.belowMinimum])
        XCTAssertTrue(try s.createPayouts(through: t0, minimum: usd(2_000), who: "t").created.isEmpty, "bob's commission is taken")
        // An entry in an open payout cannot be voided; cancel frees it.
        let o2 = try row(s, "o2").id
        if case .failure(let f) = try s.commissionAction(.void(.canceledByAdmin), ids: [o2], who: "t")[0].outcome {
            XCTAssertEqual(f.reason, .inPayout)
        } else { XCTFail() }
        XCTAssertEqual(try s.cancelPayout(id: run.created[0].id, who: "t").state, .canceled)
        XCTAssertThrowsError(try s.markPayoutPaid(id: run.created[0].id, reference: nil, who: "t")) {
            XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .payoutNotOpen)
        }
        XCTAssertNil(try row(s, "o2").payoutID)
        let again = try s.createPayouts(through: t0, minimum: nil, who: "t")
        XCTAssertEqual(again.created.map(\.affiliate).sorted(), ["alice", "bob"])
        XCTAssertThrowsError(try s.cancelPayout(id: 99, who: "t")) { XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .unknownPayout) }
        _ = try s.markPayoutPaid(id: again.created[0].id, reference: nil, who: "t")
        XCTAssertThrowsError(try s.cancelPayout(id: again.created[0].id, who: "t")) {
            XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .payoutAlreadyPaid)
        }
        try assertConsistent(s)
    }

    func testDisputesHoldAndReturnOrVoid() throws {
        let s = try ledgerStore([Line.conversion("o1", "29.00", click: "c1"), Line.conversion("o2", "29.00", click: "c1")])
        _ = try s.recordDispute(externalID: "o1", disputeID: "dp_1", .opened, at: t0, who: "t")
        _ = try s.recordDispute(externalID: "o2", disputeID: "dp_2", .opened, at: t0, who: "t")
        XCTAssertEqual(try row(s, "o1").reason, .disputeOpen)
        _ = try s.recordDispute(externalID: "o1", disputeID: "dp_1", .won, at: t0, who: "t")
        XCTAssertEqual(try row(s, "o1").state, .pending)
        _ = try s.recordDispute(externalID: "o2", disputeID: "dp_2", .lost, at: t0, who: "t")
        XCTAssertEqual(try row(s, "o2").state, .voided)
        XCTAssertEqual(try row(s, "o2").reason, .disputed)
        let retry = try s.recordDispute(externalID: "o2", disputeID: "dp_2", .won, at: t0, who: "t")
        XCTAssertEqual(try retry.get().note, .disputeAlreadyRecorded)
        XCTAssertEqual(try row(s, "o2").state, .voided)
        try assertConsistent(s)
    }

    /// Voids do not give back cap room, nor change the customer's totals or status: caps count
    /// what was credited.
    func testAVoidedCommissionStillCountsTowardTheCaps() throws {
        let s = try store(ProgramSettings(name: "T", model: .saas, recurring: true, commission: .percent(basisPoints: 1000), caps: Caps(count: 2)))
        try ingest(s, [Line.click("c1", "alice"), Line.track("signup", "u1", click: "c1"),
                       Line.conversion("o1", "29.00", customer: "u1"), Line.conversion("o2", "29.00", customer: "u1")])
        _ = try s.recordRefund(externalID: "o1", RefundRequest(refundID: "re_1", amount: .full), at: t0, who: "t")
        XCTAssertEqual(try row(s, "o1").state, .voided)
        let before = try customer(s, "u1")
        try ingest(s, [Line.conversion("o3", "29.00", customer: "u1", t0.adding(days: 1))])
        XCTAssertEqual(try allEvents(s).last?.reason, .customerCapped)
        let after = try customer(s, "u1")
        XCTAssertEqual(after.conversions, 2)
        XCTAssertEqual(after.commission, before.commission)
        XCTAssertEqual(after.status, .capped)
        try assertConsistent(s)
    }

    func testTheConsistencyCheckFindsABrokenLedger() throws {
        let s = try ledgerStore([Line.conversion("o1", "100.00", click: "c1")], settings: LedgerSettings(holdingDays: 0))
        let p = try s.createPayouts(through: t0, minimum: nil, who: "t").created[0].id
        try assertConsistent(s)
        try s.write { db in
            try db.execute(sql: "UPDATE payout SET amount_minor = amount_minor + 1 WHERE id = ?", arguments: [p])
            try db.execute(sql: "INSERT INTO payout (affiliate_id, amount_minor, currency, state, through, created_at) VALUES (1, 1000, 'USD', 'open', 0, 0)")
            try db.execute(sql: "INSERT INTO payout_line (payout_id, commission_id, amount_minor) SELECT ?, id, amount_minor FROM commission",
                           arguments: [db.lastInsertedRowID])
            try db.execute(sql: "INSERT INTO refund (conversion_id, refund_key, sale_minor, currency, commission_minor, reason, at) SELECT id, 'r', 10001, 'USD', 0, 'refunded', 0 FROM conversion")
        }
        let problems = try s.consistencyProblems()
        XCTAssertTrue(problems.contains("payout #\(p) is 1001 but its lines sum to 1000"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("commission #1 is in 2 payouts") }, "\(problems)")
        XCTAssertTrue(problems.contains("conversion o1 is 10000 but 10001 was refunded"), "\(problems)")
    }
}

/// Refunds and disputes through the tracking feed and the inbox.
final class LedgerIngestTests: StoreTestCase {
    func testRefundAndDisputeLinesAreRecordedAndApplied() throws {
        let s = try store()
        let summary = try ingest(s, [
            Line.click("c1", "alice"), Line.conversion("inv_1", "100.00", click: "c1"), Line.conversion("inv_2", "50.00", click: "c1"),
            #"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"25.00","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"25.00","at":"2026-01-07T10:00:00Z"}"#,
            #"{"type":"refund","external_id":"inv_1","refund_id":"re_2","amount":"80.00","at":"2026-01-07T10:00:00Z"}"#,
            #"{"type":"dispute","external_id":"inv_2","dispute_id":"dp_1","status":"opened","at":"2026-01-08T10:00:00Z"}"#,
            #"{"type":"dispute","external_id":"inv_2","dispute_id":"dp_1","status":"lost","at":"2026-01-09T10:00:00Z"}"#,
        ])
        XCTAssertEqual(summary.byReason["refund_exceeds_sale"], 1)
        XCTAssertEqual(summary.byReason["refund_already_applied"], 1)
        let ledger = try s.commissions(CommissionQuery())
        XCTAssertEqual(ledger.map(\.externalID), ["inv_1", "inv_2"])
        XCTAssertEqual(ledger[0].amount, usd(750), "10.00 less a quarter")
        XCTAssertEqual(ledger[1].state, .voided)
        XCTAssertEqual(ledger[1].reason, .disputed)
        let events = try allEvents(s)
        XCTAssertEqual(events.filter { $0.type == "refund" }.map(\.outcome), [.accepted, .accepted, .rejected])
        XCTAssertEqual(events.first { $0.type == "refund" }?.detail, "inv_1: re_1 commission -2.50 USD (pending 7.50 USD)")
        // Ingesting the same lines again changes nothing.
        let digest = try s.contentDigest()
        try ingest(s, [#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"25.00","at":"2026-01-06T10:00:00Z"}"#])
        XCTAssertEqual(try s.contentDigest(), digest)
        XCTAssertEqual(try s.commissions(CommissionQuery())[0].amount, usd(750))
        try assertConsistent(s)
    }
}
