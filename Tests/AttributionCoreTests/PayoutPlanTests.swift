import AttributionCore
import XCTest

/// Payout runs: netting clawbacks, the minimum, carry-over, currencies.
final class PayoutPlanTests: XCTestCase {
    func line(_ id: Int64, _ affiliate: Int64, _ money: Money, at: Instant = t0, clawback: Bool = false) -> PayableEntry {
        PayableEntry(id: id, kind: clawback ? .clawback : .commission, affiliateID: affiliate, amount: money, earnedAt: at)
    }

    func testPlanTable() {
        let through = t0.adding(days: 10)
        let rows: [(String, [PayableEntry], Money?, [PlannedPayout], [CarryOver])] = [
            ("one affiliate, two commissions", [line(1, A.alice, usd(3_000)), line(2, A.alice, usd(2_500))], usd(5_000),
             [PlannedPayout(affiliateID: A.alice, amount: usd(5_500), entryIDs: [1, 2])], []),
            ("a commission after the date waits", [line(1, A.alice, usd(6_000)), line(2, A.alice, usd(2_500), at: through.adding(seconds: 1))],
             nil, [PlannedPayout(affiliateID: A.alice, amount: usd(6_000), entryIDs: [1])], []),
            ("exactly the date is in", [line(1, A.alice, usd(100), at: through)], nil,
             [PlannedPayout(affiliateID: A.alice, amount: usd(100), entryIDs: [1])], []),
            ("a clawback is netted, whatever its date", [line(1, A.alice, usd(6_000)), line(2, A.alice, usd(-1_000), at: through.adding(days: 5), clawback: true)],
             usd(5_000), [PlannedPayout(affiliateID: A.alice, amount: usd(5_000), entryIDs: [1, 2])], []),
            ("netted below the minimum: carried over", [line(1, A.alice, usd(6_000)), line(2, A.alice, usd(-1_001), clawback: true)],
             usd(5_000), [], [CarryOver(affiliateID: A.alice, net: usd(4_999), reason: .belowMinimum)]),
            ("clawbacks above what is due: nothing to pay", [line(1, A.alice, usd(1_000)), line(2, A.alice, usd(-1_500), clawback: true)],
             nil, [], [CarryOver(affiliateID: A.alice, net: usd(-500), reason: .nothingToPay)]),
            ("exactly zero: settled in a zero payout", [line(1, A.alice, usd(1_000)), line(2, A.alice, usd(-1_000), clawback: true)],
             nil, [PlannedPayout(affiliateID: A.alice, amount: usd(0), entryIDs: [1, 2])], []),
            ("exactly zero settles whatever the minimum", [line(1, A.alice, usd(300)), line(2, A.alice, usd(-100), clawback: true),
                                                           line(3, A.alice, usd(-200), clawback: true)],
             usd(5_000), [PlannedPayout(affiliateID: A.alice, amount: usd(0), entryIDs: [1, 2, 3])], []),
            ("a zero commission alone settles too", [line(1, A.alice, usd(0))], usd(5_000),
             [PlannedPayout(affiliateID: A.alice, amount: usd(0), entryIDs: [1])], []),
            ("a clawback alone", [line(2, A.alice, usd(-1_000), clawback: true)], nil, [],
             [CarryOver(affiliateID: A.alice, net: usd(-1_000), reason: .nothingToPay)]),
            ("two affiliates, each on its own", [line(1, A.alice, usd(6_000)), line(2, A.bob, usd(100)), line(3, A.bob, usd(-200), clawback: true)],
             usd(5_000), [PlannedPayout(affiliateID: A.alice, amount: usd(6_000), entryIDs: [1])],
             [CarryOver(affiliateID: A.bob, net: usd(-100), reason: .nothingToPay)]),
            ("two currencies: two payouts, the minimum in its own currency", [line(1, A.alice, usd(6_000)), line(2, A.alice, jpy(300))],
             usd(5_000), [PlannedPayout(affiliateID: A.alice, amount: jpy(300), entryIDs: [2]),
                          PlannedPayout(affiliateID: A.alice, amount: usd(6_000), entryIDs: [1])], []),
            ("the minimum itself is enough", [line(1, A.alice, usd(5_000))], usd(5_000),
             [PlannedPayout(affiliateID: A.alice, amount: usd(5_000), entryIDs: [1])], []),
            ("sums past Int64 are carried, not trapped", [line(1, A.alice, usd(.max)), line(2, A.alice, usd(.max))], nil, [],
             [CarryOver(affiliateID: A.alice, net: usd(-2), reason: .amountOverflow)]),
        ]
        for (name, entries, minimum, payouts, carried) in rows {
            let plan = Payouts.plan(entries, through: through, minimum: minimum)
            XCTAssertEqual(plan.payouts, payouts, name)
            XCTAssertEqual(plan.carried, carried, name)
            let ids = plan.payouts.flatMap(\.entryIDs)
            XCTAssertEqual(ids.count, Set(ids).count, "\(name): an entry in one payout at most")
        }
    }

    func testOnlyAZeroPayoutSettlesAtOnce() {
        XCTAssertTrue(Payouts.settlesAtOnce(PlannedPayout(affiliateID: A.alice, amount: usd(0), entryIDs: [1, 2])))
        XCTAssertFalse(Payouts.settlesAtOnce(PlannedPayout(affiliateID: A.alice, amount: usd(1), entryIDs: [1])))
    }

    func testPayoutTransitions() {
        XCTAssertEqual(try Payouts.markPaid(.open), .paid)
        XCTAssertEqual(try Payouts.cancel(.open), .canceled)
        XCTAssertThrowsError(try Payouts.markPaid(.paid)) { XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .payoutNotOpen) }
        XCTAssertThrowsError(try Payouts.markPaid(.canceled)) { XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .payoutNotOpen) }
        XCTAssertThrowsError(try Payouts.cancel(.paid)) { XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .payoutAlreadyPaid) }
        XCTAssertThrowsError(try Payouts.cancel(.canceled)) { XCTAssertEqual(($0 as? LedgerRefusal)?.reason, .payoutNotOpen) }
    }
}
