import AttributionCore
import XCTest

/// Refunds (full, partial, cumulative, after a payout), their rounding, and disputes.
final class RefundTableTests: XCTestCase {
    func refund(_ id: String, _ amount: RefundRequest.Amount, sale: Money, original: Money, history: RefundHistory = .none,
                entry e: LedgerEntry) -> Result<LedgerEffect, LedgerRefusal> {
        Refunds.apply(RefundRequest(refundID: id, amount: amount), sale: sale, original: original, history: history, entry: e, now: t0)
    }

    /// The rounding rule: commission × refunded ÷ sale, half up, on the refunded total.
    func testReductionRoundingTable() {
        let rows: [(String, Int64, Int64, Int64, Int64)] = [
            // name, original, refunded, sale, cumulative reduction
            ("half of 5.80", 580, 1_450, 2_900, 290),
            ("1 cent commission, 40 % refunded: 0.4 rounds down", 1, 2, 5, 0),
            ("1 cent commission, 50 % refunded: 0.5 rounds up", 1, 1, 2, 1),
            ("1 cent commission, 60 % refunded", 1, 3, 5, 1),
            ("JPY 333 of a 1000 sale commission 200: 66.6", 200, 333, 1_000, 67),
            ("KWD 3 decimals: 1.234 of 10.000, commission 2.005", 2_005, 1_234, 10_000, 247),
            ("a full refund takes exactly the commission", 1_234_567, 9_999, 9_999, 1_234_567),
            ("more than the sale takes no more", 7, 20, 10, 7),
            ("nothing refunded", 580, 0, 2_900, 0),
            ("a zero commission", 0, 500, 2_900, 0),
            ("the largest amounts do not overflow", Money.maxMinor, Money.maxMinor - 1, Money.maxMinor, Money.maxMinor - 1),
        ]
        for (name, original, refunded, sale, expected) in rows {
            XCTAssertEqual(Refunds.reduction(original: original, refunded: refunded, sale: sale), expected, name)
        }
    }

    /// Many partial refunds that add up to the sale take back exactly the commission, in every
    /// currency, whatever the split; each reduction is the difference of the cumulative figures.
    func testManyPartialRefundsAddUpToTheWholeCommission() {
        let cases: [(Money, Money, [Int64])] = [
            (usd(2_900), usd(580), [100, 100, 100, 1_000, 1, 1, 1, 1_597]),
            (usd(3), usd(1), [1, 1, 1]),
            (jpy(1_000), jpy(333), Array(repeating: 100, count: 10)),
            (Money(minor: 10_000, currency: kwd), Money(minor: 2_005, currency: kwd), [3_333, 3_333, 3_333, 1]),
            (usd(99_999), usd(7), Array(repeating: 1, count: 99) + [99_900]),
        ]
        for (sale, original, parts) in cases {
            XCTAssertEqual(parts.reduce(0, +), sale.minor)
            var history = RefundHistory.none
            var e = entry(.pending, original.minor, approvesAt: t0.adding(days: 30), currency: sale.currency)
            var taken: Int64 = 0
            for (i, p) in parts.enumerated() {
                guard case .success(let fx) = refund("re_\(i)", .partial(Money(minor: p, currency: sale.currency)), sale: sale,
                                                     original: original, history: history, entry: e) else { return XCTFail("\(sale) part \(i)") }
                XCTAssertGreaterThanOrEqual(fx.reduction, 0)
                taken += fx.reduction
                history.byID[fx.record!.key] = fx.record!.saleMinor
                e = fx.entry
                XCTAssertEqual(e.amount.minor, original.minor - taken, "\(sale) part \(i): the entry holds what is left")
                XCTAssertEqual(e.state, i == parts.count - 1 ? .voided : .pending, "\(sale) part \(i)")
            }
            XCTAssertEqual(taken, original.minor, "\(sale): the reductions add up to the commission exactly")
            XCTAssertEqual(e.reason, .refunded)
        }
    }

    func testRefundTable() {
        let sale = usd(2_900), original = usd(580)
        let pending = entry(.pending, 580, approvesAt: t0.adding(days: 30))
        let half = RefundHistory(byID: ["re_1": 1_450])
        let rows: [(String, String, RefundRequest.Amount, RefundHistory, LedgerEntry, Want)] = [
            ("full refund of a pending commission voids it", "re_1", .full, .none, pending, .to((.voided, 0, nil, 580, nil))),
            ("full refund of an approved one voids it", "re_1", .full, .none, entry(.approved, 580), .to((.voided, 0, nil, 580, nil))),
            ("full refund of one on hold voids it", "re_1", .full, .none, entry(.onHold, 580, reason: .adminHold),
             .to((.voided, 0, nil, 580, nil))),
            ("partial refund reduces in proportion", "re_1", .partial(usd(1_450)), .none, pending,
             .to((.pending, 290, nil, 290, nil))),
            ("the rest after a half: voided", "re_2", .partial(usd(1_450)), half, entry(.pending, 290, approvesAt: t0.adding(days: 30)),
             .to((.voided, 0, nil, 290, nil))),
            ("a full refund after a half takes the rest", "re_2", .full, half, entry(.pending, 290, approvesAt: t0.adding(days: 30)),
             .to((.voided, 0, nil, 290, nil))),
            ("the same refund id again: nothing", "re_1", .partial(usd(1_450)), half, entry(.pending, 290, approvesAt: t0.adding(days: 30)),
             .to((.pending, 290, nil, 0, .refundAlreadyApplied))),
            ("the same full refund again: nothing", "re_1", .full, RefundHistory(byID: ["re_1": 2_900]), entry(.voided, 0, reason: .refunded),
             .to((.voided, 0, nil, 0, .refundAlreadyApplied))),
            ("more than the sale: refused", "re_2", .partial(usd(1_451)), half, pending, .refused(.refundExceedsSale)),
            ("more than the sale at once: refused", "re_1", .partial(usd(2_901)), .none, pending, .refused(.refundExceedsSale)),
            ("another currency: refused", "re_1", .partial(eur(100)), .none, pending, .refused(.refundCurrencyMismatch)),
            ("a zero refund: refused", "re_1", .partial(usd(0)), .none, pending, .refused(.invalidRefundAmount)),
            ("a negative refund: refused", "re_1", .partial(usd(-5)), .none, pending, .refused(.invalidRefundAmount)),
            ("cumulative 14.50 after re_1 of 14.50 (its charge.refunded): nothing", "ch_1", .cumulative(usd(1_450)), half,
             entry(.pending, 290, approvesAt: t0.adding(days: 30)), .to((.pending, 290, nil, 0, .refundAlreadyApplied))),
            ("cumulative 20.00 after re_1 of 14.50: the difference", "ch_1", .cumulative(usd(2_000)), half,
             entry(.pending, 290, approvesAt: t0.adding(days: 30)), .to((.pending, 180, nil, 110, nil))),
            ("re_1 of 14.50 after a cumulative 14.50: nothing more", "re_1", .partial(usd(1_450)), RefundHistory(cumulative: 1_450),
             entry(.pending, 290, approvesAt: t0.adding(days: 30)), .to((.pending, 290, nil, 0, .refundAlreadyApplied))),
            ("cumulative above the sale: refused", "ch_1", .cumulative(usd(2_901)), .none, pending, .refused(.refundExceedsSale)),
            ("a paid commission: clawed back, the entry stays", "re_1", .partial(usd(1_450)), .none, entry(.paid, 580, payout: 4),
             .to((.paid, 580, -290, 290, nil))),
            ("fully refunded after payment: the whole commission clawed back", "re_1", .full, .none, entry(.paid, 580, payout: 4),
             .to((.paid, 580, -580, 580, nil))),
            ("in an open payout: a clawback too (the payout keeps its sum)", "re_1", .full, .none, entry(.approved, 580, payout: 4),
             .to((.approved, 580, -580, 580, nil))),
            ("a voided commission: the refund is recorded, nothing moves", "re_1", .full, .none, entry(.voided, 580, reason: .canceledByAdmin),
             .to((.voided, 580, nil, 0, nil))),
        ]
        for (name, id, amount, history, e, expected) in rows {
            let got = refund(id, amount, sale: sale, original: original, history: history, entry: e)
            switch (got, expected) {
            case (.success(let fx), .to(let x)):
                XCTAssertEqual(fx.entry.state, x.state, name)
                XCTAssertEqual(fx.entry.amount.minor, x.amount, name)
                XCTAssertEqual(fx.clawback?.minor, x.clawback, name)
                XCTAssertEqual(fx.reduction, x.reduction, name)
                XCTAssertEqual(fx.note, x.note, name)
                if x.state == .voided && e.state != .voided { XCTAssertEqual(fx.entry.reason, .refunded, name) }
            case (.failure(let f), .refused(let r)): XCTAssertEqual(f.reason, r, name)
            default: XCTFail("\(name): got \(got)")
            }
        }
    }

    enum Want {
        case to((state: CommissionState, amount: Int64, clawback: Int64?, reduction: Int64, note: LedgerReason?))
        case refused(LedgerReason)
    }

    func testDisputeTable() {
        let sale = usd(2_900), original = usd(580)
        let pending = entry(.pending, 580, approvesAt: t0.adding(days: 30))
        var disputed = pending
        disputed.state = .onHold; disputed.reason = .disputeOpen; disputed.beforeDispute = .pending
        var disputedApproved = entry(.onHold, 580, reason: .disputeOpen)
        disputedApproved.beforeDispute = .approved
        typealias Expected = (state: CommissionState, reason: LedgerReason?, clawback: Int64?, note: LedgerReason?)
        let rows: [(String, DisputeStatus, DisputeStatus?, RefundHistory, LedgerEntry, Expected)] = [
            ("opened: a pending commission is held", .opened, nil, .none, pending, (.onHold, .disputeOpen, nil, nil)),
            ("opened: a self-referral hold becomes a dispute hold", .opened, nil, .none, entry(.onHold, reason: .selfReferral),
             (.onHold, .disputeOpen, nil, nil)),
            ("opened twice: nothing", .opened, .opened, .none, disputed, (.onHold, .disputeOpen, nil, .disputeAlreadyRecorded)),
            ("opened on a paid commission: stays paid", .opened, nil, .none, entry(.paid, payout: 2), (.paid, nil, nil, .disputeOnPaid)),
            ("won: back to pending", .won, .opened, .none, disputed, (.pending, nil, nil, nil)),
            ("won after the hold passed: approved", .won, .opened, .none,
             { var d = disputed; d.approvesAt = t0; return d }(), (.approved, nil, nil, nil)),
            ("won: back to approved", .won, .opened, .none, disputedApproved, (.approved, nil, nil, nil)),
            ("lost: voided as disputed", .lost, .opened, .none, disputed, (.voided, .disputed, nil, nil)),
            ("lost without an opened event: voided", .lost, nil, .none, pending, (.voided, .disputed, nil, nil)),
            ("lost after a partial refund: voided", .lost, .opened, RefundHistory(byID: ["re_1": 1_450]), disputed,
             (.voided, .disputed, nil, nil)),
            ("lost on a paid commission: clawed back", .lost, nil, .none, entry(.paid, 580, payout: 2), (.paid, nil, -580, nil)),
            ("lost on a paid one already half refunded: the rest clawed back", .lost, .opened, RefundHistory(byID: ["re_1": 1_450]),
             entry(.paid, 580, payout: 2), (.paid, nil, -290, nil)),
            ("won after lost: the dispute is closed", .won, .lost, .none, entry(.voided, 0, reason: .disputed),
             (.voided, .disputed, nil, .disputeAlreadyRecorded)),
            ("lost twice: nothing", .lost, .lost, .none, entry(.voided, 0, reason: .disputed),
             (.voided, .disputed, nil, .disputeAlreadyRecorded)),
        ]
        for (name, status, recorded, history, e, x) in rows {
            guard case .success(let fx) = Disputes.apply(status, disputeID: "dp_1", recorded: recorded, sale: sale, original: original,
                                                          history: history, entry: e, now: t0) else { XCTFail(name); continue }
            XCTAssertEqual(fx.entry.state, x.state, name)
            XCTAssertEqual(fx.entry.reason, x.reason, name)
            XCTAssertEqual(fx.clawback?.minor, x.clawback, name)
            XCTAssertEqual(fx.note, x.note, name)
            if x.state != .onHold { XCTAssertNil(fx.entry.beforeDispute, name) }
        }
        // A lost dispute is recorded like a full refund keyed by the dispute: later refunds exceed the sale.
        guard case .success(let lost) = Disputes.apply(.lost, disputeID: "dp_1", recorded: .opened, sale: sale, original: original,
                                                        history: .none, entry: disputed, now: t0) else { return XCTFail() }
        XCTAssertEqual(lost.record?.key, "dispute:dp_1")
        XCTAssertEqual(lost.record?.saleMinor, 2_900)
        let after = RefundHistory(byID: ["dispute:dp_1": 2_900])
        guard case .failure(let f) = refund("re_9", .partial(usd(1)), sale: sale, original: original, history: after, entry: lost.entry)
        else { return XCTFail() }
        XCTAssertEqual(f.reason, .refundExceedsSale)
    }
}
