import AttributionCore
import XCTest

/// A refund that failed or was canceled is reversed (`Refunds.reverse`): what it took is given
/// back once, the commission returns to where it stood, an open clawback is voided, and money
/// already settled in a payout is refused for an admin.
final class RefundReversalTableTests: XCTestCase {
    enum Want: Equatable {
        case to(state: CommissionState, minor: Int64, reason: LedgerReason?, restored: Int64, note: LedgerReason, record: Bool)
        case refused(LedgerReason)
    }

    struct Row {
        var name: String
        var recorded: RecordedRefund?
        var history: RefundHistory
        var totalWithout: Int64
        var entry: LedgerEntry
        var want: Want
        var original: Int64 = 580
        var sale: Int64 = 2_900
    }

    func run(_ r: Row) -> Want {
        switch Refunds.reverse(r.recorded, sale: usd(r.sale), original: usd(r.original), history: r.history, totalWithout: r.totalWithout,
                               entry: r.entry, now: t0) {
        case .failure(let f): return .refused(f.reason)
        case .success(let fx):
            return .to(state: fx.entry.state, minor: fx.entry.amount.minor, reason: fx.entry.reason, restored: fx.restored, note: fx.note,
                       record: fx.record)
        }
    }

    func testReversalTable() {
        let later = t0.adding(days: 30)
        let half = RecordedRefund(saleMinor: 1_450, commissionMinor: 290)
        let halfHistory = RefundHistory(byID: ["re_1": 1_450])
        let fullHistory = RefundHistory(byID: ["re_1": 2_900])
        let rows: [Row] = [
            Row(name: "a partial refund failed: the commission is whole again", recorded: half, history: halfHistory, totalWithout: 0,
                entry: entry(.pending, 290, approvesAt: later), want: .to(state: .pending, minor: 580, reason: nil, restored: 290, note: .refundReversed, record: true)),
            Row(name: "a full refund of an approved commission failed: approved again",
                recorded: RecordedRefund(saleMinor: 2_900, commissionMinor: 580, stateBefore: .approved), history: fullHistory, totalWithout: 0,
                entry: entry(.voided, 0, reason: .refunded), want: .to(state: .approved, minor: 580, reason: nil, restored: 580, note: .refundReversed, record: true)),
            Row(name: "voided from pending: pending again, approved once its hold has passed",
                recorded: RecordedRefund(saleMinor: 2_900, commissionMinor: 580, stateBefore: .pending), history: fullHistory, totalWithout: 0,
                entry: entry(.voided, 0, reason: .refunded, approvesAt: t0), want: .to(state: .approved, minor: 580, reason: nil, restored: 580, note: .refundReversed, record: true)),
            Row(name: "voided from pending above approval_above: waits for an admin again",
                recorded: RecordedRefund(saleMinor: 2_900, commissionMinor: 580, stateBefore: .pending, needsApprovalBefore: true), history: fullHistory,
                totalWithout: 0, entry: entry(.voided, 0, reason: .refunded, approvesAt: t0),
                want: .to(state: .onHold, minor: 580, reason: .approvalRequired, restored: 580, note: .refundReversed, record: true)),
            Row(name: "a self-referral held, refunded, the refund canceled: held again, never payable by itself",
                recorded: RecordedRefund(saleMinor: 2_900, commissionMinor: 580, stateBefore: .onHold, reasonBefore: .selfReferral),
                history: fullHistory, totalWithout: 0, entry: entry(.voided, 0, reason: .refunded),
                want: .to(state: .onHold, minor: 580, reason: .selfReferral, restored: 580, note: .refundReversed, record: true)),
            Row(name: "voided before affdesk knew where it stood (a migrated refund): on hold for an admin",
                recorded: RecordedRefund(saleMinor: 2_900, commissionMinor: 580), history: fullHistory, totalWithout: 0,
                entry: entry(.voided, 0, reason: .refunded), want: .to(state: .onHold, minor: 580, reason: .adminHold, restored: 580, note: .refundReversed, record: true)),
            Row(name: "another full refund still covers the sale: stays voided",
                recorded: half, history: RefundHistory(byID: ["re_1": 1_450, "re_2": 1_450]), totalWithout: 2_900,
                entry: entry(.voided, 0, reason: .refunded), want: .to(state: .voided, minor: 0, reason: .refunded, restored: 0, note: .refundReversed, record: true)),
            Row(name: "voided by an admin: the refund is marked reversed, nothing given back", recorded: half, history: halfHistory, totalWithout: 0,
                entry: entry(.voided, 290, reason: .canceledByAdmin),
                want: .to(state: .voided, minor: 290, reason: .canceledByAdmin, restored: 0, note: .refundReversed, record: true)),
            Row(name: "its clawback still open: voided, the paid commission stays",
                recorded: RecordedRefund(saleMinor: 1_450, commissionMinor: 290, clawback: entry(.approved, -290, kind: .clawback)),
                history: halfHistory, totalWithout: 0, entry: entry(.paid, 580, payout: 4),
                want: .to(state: .paid, minor: 580, reason: nil, restored: 290, note: .refundReversed, record: true)),
            Row(name: "its clawback netted in a payout: refused for an admin",
                recorded: RecordedRefund(saleMinor: 1_450, commissionMinor: 290, clawback: entry(.approved, -290, payout: 9, kind: .clawback)),
                history: halfHistory, totalWithout: 0, entry: entry(.paid, 580, payout: 4), want: .refused(.reversalAfterPayout)),
            Row(name: "its clawback netted and paid: refused",
                recorded: RecordedRefund(saleMinor: 1_450, commissionMinor: 290, clawback: entry(.paid, -290, payout: 9, kind: .clawback)),
                history: halfHistory, totalWithout: 0, entry: entry(.paid, 580, payout: 4), want: .refused(.reversalAfterPayout)),
            Row(name: "the reduced commission was paid since: refused", recorded: half, history: halfHistory, totalWithout: 0,
                entry: entry(.paid, 290, payout: 4), want: .refused(.reversalAfterPayout)),
            Row(name: "the reduced commission is in an open payout: refused", recorded: half, history: halfHistory, totalWithout: 0,
                entry: entry(.approved, 290, payout: 4), want: .refused(.reversalAfterPayout)),
            Row(name: "a retry: nothing", recorded: RecordedRefund(saleMinor: 1_450, commissionMinor: 290, reversed: true),
                history: RefundHistory(reversed: ["re_1"]), totalWithout: 0, entry: entry(.pending, 580, approvesAt: later),
                want: .to(state: .pending, minor: 580, reason: nil, restored: 0, note: .refundAlreadyReversed, record: false)),
            Row(name: "never seen by its id: remembered, nothing given back", recorded: nil, history: .none, totalWithout: 0,
                entry: entry(.pending, 580, approvesAt: later), want: .to(state: .pending, minor: 580, reason: nil, restored: 0, note: .refundReversed, record: true)),
            Row(name: "rounding: gives back what it makes to the rounded total (its own take was 0, the next one's 1)",
                recorded: RecordedRefund(saleMinor: 1, commissionMinor: 0), history: RefundHistory(byID: ["re_1": 1, "re_2": 1]), totalWithout: 1,
                entry: entry(.pending, 0, approvesAt: later), want: .to(state: .pending, minor: 1, reason: nil, restored: 1, note: .refundReversed, record: true),
                original: 1, sale: 4),
            Row(name: "JPY: 333 of 1000 refunded then failed: the 67 back", recorded: RecordedRefund(saleMinor: 333, commissionMinor: 67),
                history: RefundHistory(byID: ["re_1": 333]), totalWithout: 0, entry: entry(.pending, 133, approvesAt: later),
                want: .to(state: .pending, minor: 200, reason: nil, restored: 67, note: .refundReversed, record: true), original: 200, sale: 1_000),
        ]
        for r in rows { XCTAssertEqual(run(r), r.want, r.name) }
    }

    /// A refund id once reversed is never applied again, whichever way it arrives (a late
    /// `refund.created`, its listing in a `charge.refunded`).
    func testAReversedRefundIsNeverAppliedAgain() {
        let history = RefundHistory(reversed: ["re_1"])
        for amount: RefundRequest.Amount in [.partial(usd(1_450)), .full] {
            guard case .success(let fx) = Refunds.apply(RefundRequest(refundID: "re_1", amount: amount), sale: usd(2_900), original: usd(580),
                                                        history: history, entry: entry(.pending, 580), now: t0) else { return XCTFail() }
            XCTAssertEqual(fx.reduction, 0)
            XCTAssertNil(fx.record)
            XCTAssertEqual(fx.note, .refundAlreadyReversed)
        }
    }

    /// A cumulative total that counted a reversed refund counts in force without it.
    func testCumulativeInForce() {
        XCTAssertEqual(RefundHistory(byID: ["re_2": 500], cumulative: 2_000, cumulativeInForce: 500).total, 500)
        XCTAssertEqual(RefundHistory(byID: ["re_2": 500], cumulative: 2_000).total, 2_000)
    }

    func testEveryReversalCodeHasItsSentenceAndFix() {
        for r in [LedgerReason.refundReversed, .refundAlreadyReversed, .reversalAfterPayout] {
            XCTAssertFalse(r.sentence.isEmpty); XCTAssertFalse(r.hint.isEmpty)
            XCTAssertEqual(Reason(rawValue: r.rawValue)?.sentence, r.sentence)
            XCTAssertEqual(Reason(rawValue: r.rawValue)?.isRefusal, r == .reversalAfterPayout)
        }
    }
}
