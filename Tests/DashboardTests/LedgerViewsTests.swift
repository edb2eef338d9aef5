import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Foundation
import TerminalText
import XCTest

/// The ledger on the screens: the affiliate view's Earnings split by state and its Payouts tab
/// (Enter: the lines, each only "Customer #X"), and the admin's customer detail and triage pane
/// with each conversion's commission state, refunds and disputes. Drawn over a copy of the demo
/// with its ledger (`DemoLedger.add`, as `affdesk demo` makes it), plus one customer given a
/// refund and a lost dispute, at 80x24 and 120x40, against the goldens in Expected/.
final class LedgerViewsTests: XCTestCase {
    struct Fixture: @unchecked Sendable {
        var store: Store
        /// The affiliate of the demo's first clawback (paid payouts, an open one netting it).
        var affiliate: AffiliateIdentity
        /// A customer with a refunded conversion and a disputed one.
        var customerKey: String
        var refunded: String
        var disputed: String
    }

    static let shared: Result<Fixture, Error> = Result { try build() }
    func fixture() throws -> Fixture { try Self.shared.get() }

    static func build() throws -> Fixture {
        let s = try DemoFixture.shared.copy()
        _ = try DemoLedger.add(into: s)
        let claw = try XCTUnwrap(try s.commissions(CommissionQuery()).first { $0.kind == .clawback })
        let affiliate = try s.identity(code: claw.affiliate)
        // A customer with two conversions approved or pending, not in a payout yet: one
        // refunded in part, one disputed and lost.
        let ledger = try s.commissions(CommissionQuery())
        let free = Dictionary(grouping: ledger.filter { $0.kind == .commission && $0.payoutID == nil && [.approved, .pending].contains($0.state)
                                                          && $0.customerKey != nil },
                              by: { $0.customerKey! })
        let key = try XCTUnwrap(free.filter { $0.value.count >= 2 }.keys.sorted().first)
        let mine = free[key]!.sorted { $0.id < $1.id }
        let refunded = mine[0].externalID, disputed = mine[1].externalID
        let sale = try XCTUnwrap(try s.conversion(externalID: refunded)).amount
        let at = mine[1].earnedAt.adding(days: 2)
        _ = try s.recordRefund(externalID: refunded, RefundRequest(refundID: "re_golden_1", amount: .partial(Money(minor: sale.minor / 2, currency: sale.currency))),
                               at: at, who: "tester")
        _ = try s.recordDispute(externalID: disputed, disputeID: "dp_golden_1", .opened, at: at, who: "tester")
        _ = try s.recordDispute(externalID: disputed, disputeID: "dp_golden_1", .lost, at: at.adding(days: 10), who: "tester")
        return Fixture(store: s, affiliate: affiliate, customerKey: key, refunded: refunded, disputed: disputed)
    }

    func view(_ f: Fixture, _ w: Int, _ h: Int) throws -> Session {
        try session(f.store, width: w, height: h, mode: .affiliate(id: f.affiliate.id, code: f.affiliate.code, name: f.affiliate.name))
    }

    func golden(_ name: String, admin: Bool = false, _ steps: (Session) throws -> Void) throws {
        let f = try fixture()
        for (w, h) in [(80, 24), (120, 40)] {
            let s = admin ? try session(f.store, width: w, height: h) : try view(f, w, h)
            try steps(s)
            FrameCheck.assertClean(s.frame, "\(name)-\(w)x\(h)")
            Golden.check(s.frame, "\(name)-\(w)x\(h)")
        }
    }

    // MARK: - The affiliate view

    func testEarningsSplitByState() throws {
        try golden("affiliate-earnings") { s in
            s.go(.earnings)
            XCTAssertEqual(Screens.columns(.earnings, s.state).map(\.title),
                           ["Month", "Cur", "Conv.", "Pending", "Approved", "Paid", "Clawed back", "On hold", ""])
        }
        let f = try fixture()
        let s = try view(f, 120, 40)
        s.go(.earnings)
        let months = s.rows.compactMap { row -> LedgerMonth? in if case .earnings(let m, _) = row.item { return m } else { return nil } }
        XCTAssertEqual(months.map(\.month), months.map(\.month).sorted().reversed(), "newest first")
        XCTAssertTrue(months.contains { $0.paid > 0 } && months.contains { $0.clawedBack < 0 } && months.contains { $0.approved > 0 })
        // The split is the ledger's, as `commissions` reads it now.
        let ledger = try f.store.commissions(CommissionQuery(affiliateCode: f.affiliate.code))
        XCTAssertEqual(months.map(\.paid).reduce(0, +), ledger.filter { $0.kind == .commission && $0.state == .paid }.map(\.amount.minor).reduce(0, +))
        XCTAssertEqual(months.map(\.clawedBack).reduce(0, +), ledger.filter { $0.kind == .clawback }.map(\.amount.minor).reduce(0, +))
        XCTAssertEqual(months.map(\.pending).reduce(0, +), ledger.filter { $0.state == .pending }.map(\.amount.minor).reduce(0, +))
    }

    func testPayoutsTabListsOnlyMyPayoutsAndEnterShowsTheLines() throws {
        let f = try fixture()
        try golden("affiliate-payouts") { s in s.go(.myPayouts) }
        try golden("affiliate-payout-lines") { s in
            s.go(.myPayouts)
            s.send(.enter)
            guard case .myPayout(let d)? = s.state.detail else { return XCTFail("no payout pane") }
            XCTAssertFalse(d.lines.isEmpty)
        }
        let s = try view(f, 120, 40)
        s.go(.myPayouts)
        let mine = try f.store.payouts(affiliateCode: f.affiliate.code)
        XCTAssertEqual(s.rows.map(\.id), mine.map(\.id).sorted().reversed(), "my payouts, newest first, and only mine")
        XCTAssertEqual(s.state.list.total, mine.count)
        // Enter asks for that payout, for this affiliate only; the admin's driver never runs it.
        var st = s.state
        XCTAssertEqual(update(&st, .key(.enter)), [.loadMyPayout(id: s.rows[0].id)])
        let admin = Driver(store: f.store, who: "tester", clock: demoClock)
        XCTAssertFalse(admin.allows(.loadMyPayout(id: s.rows[0].id)))
        let theirs = try XCTUnwrap(try f.store.payouts().first { $0.affiliate != f.affiliate.code })
        let driver = Driver(store: f.store, who: "tester", clock: demoClock, viewer: s.state.mode)
        guard case .failed(let refusal)? = driver.run(.loadMyPayout(id: theirs.id)).first else { return XCTFail("another's payout opened") }
        XCTAssertEqual(refusal, "Payout #\(theirs.id) is not one of yours.")
        // The lines: a customer number, a month and an amount; a clawback negative.
        s.send(.enter)
        let text = s.frame.lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("Customer #"), text)
        XCTAssertFalse(text.contains("inv_") || text.contains("re_") || text.contains("@"), text)
        s.send(.escape)
        XCTAssertNil(s.state.detail)
    }

    // MARK: - The admin's customer detail and triage

    func testCustomerDetailShowsEachCommissionsStateRefundsAndDisputes() throws {
        let f = try fixture()
        try golden("customer-detail-ledger", admin: true) { s in
            s.send(.char("/")); s.type(f.customerKey); s.send(.enter)
            s.send(.enter)
            guard case .customer(let d)? = s.state.detail else { return XCTFail("no customer pane") }
            let states = d.conversions.compactMap { d.ledger[$0.id] }
            XCTAssertEqual(states.count, d.conversions.count)
        }
        // On a screen tall enough for the whole history.
        let s = try session(f.store, width: 220, height: 90)
        s.send(.char("/")); s.type(f.customerKey); s.send(.enter, .enter)
        let text = s.frame.lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("refund re_golden_1"), text)
        XCTAssertTrue(text.contains("dispute dp_golden_1 lost on \(f.disputed)"), text)
        XCTAssertTrue(text.contains("[voided disputed]"), text)
        XCTAssertTrue(text.contains("[approved now ") || text.contains("[pending now "), "the partly refunded commission shows what is left: \(text)")
    }

    func testTriagePaneExplainsAVoidedCommission() throws {
        let f = try fixture()
        let v = try XCTUnwrap(try f.store.conversion(externalID: f.disputed))
        let events = try f.store.events(EventQuery(customerID: try XCTUnwrap(try f.store.customer(key: f.customerKey)).id), page: .first(500))
        let event = try XCTUnwrap(events.first { $0.conversionID == v.id })
        let driver = Driver(store: f.store, who: "tester", clock: demoClock)
        guard case .detailLoaded(.event(let d))? = driver.run(.loadEvent(id: event.id)).first else { return XCTFail("no event pane") }
        XCTAssertEqual(d.ledger?.state, .voided)
        XCTAssertEqual(d.ledger?.explanation?.code, "disputed")
        // Drawn: the pane's commission section with the core's sentence and fix.
        let s = try session(f.store, width: 220, height: 90)
        s.send(.detailLoaded(.event(d)))
        let text = s.frame.lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("disputed: " + LedgerReason.disputed.sentence), text)
        XCTAssertTrue(text.contains(LedgerReason.disputed.hint), text)
        XCTAssertTrue(text.contains("dp_golden_1 lost"), text)
    }
}
