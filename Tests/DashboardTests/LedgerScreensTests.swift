import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import Foundation
import XCTest

/// The demo with its ledger added (`DemoLedger`), built once per process into a template; each
/// test that writes gets its own copy (in the demo copies' directory, removed at exit).
final class LedgerFixture: @unchecked Sendable {
    static let shared = LedgerFixture()
    private let lock = NSLock()
    private var template: Store?

    /// The shared store: read-only use only.
    func store() throws -> Store {
        lock.lock(); defer { lock.unlock() }
        if let t = template { return t }
        let s = try DemoFixture.shared.copy()
        _ = try DemoLedger.add(into: s)
        template = s
        return s
    }

    func copy() throws -> Store {
        let t = try store()
        lock.lock(); defer { lock.unlock() }
        return try CopiesDirectory.copy(of: t)
    }
}

/// The admin's Commissions and Payouts tabs driven through `update` (keys in, the store's answers
/// fed back), checked against the store. Each test works on its own copy of the demo program.
final class LedgerScreensTests: XCTestCase {
    var store: Store!

    /// The demo with its ledger (refunds, disputes, a self-referral, payouts paid and open), as `affdesk demo` makes it.
    override func setUpWithError() throws {
        store = try LedgerFixture.shared.copy()
    }

    static let selections: [CommissionSelection] = [.all, .state(.pending), .state(.approved), .state(.onHold), .state(.paid),
                                                     .state(.voided), .clawbacks]

    /// The overlay on top, if a confirmation: its lines.
    func confirm(_ s: Session) -> Confirm? {
        if case .confirm(let c)? = s.state.overlays.last { return c }
        return nil
    }

    func testTheStateSelectorNarrowsTheListAndTheTotalsAreTheStores() throws {
        let s = try session(store)
        s.go(.commissions)
        XCTAssertEqual(s.state.ledgerTotals, try store.commissionTotals())
        for (i, sel) in Self.selections.enumerated() {
            XCTAssertEqual(s.state.ledgerSelection, i)
            XCTAssertEqual(s.state.list.total, try store.commissionCount(CommissionListQuery(selection: sel)), "\(sel)")
            XCTAssertEqual(s.state.list.total, s.state.ledgerTotals?.count(sel), "\(sel)")
            for r in s.rows {
                guard case .commission(let c) = r.item else { return XCTFail("not a commission row") }
                switch sel {
                case .state(let st): XCTAssertEqual(c.state, st)
                case .clawbacks: XCTAssertEqual(c.kind, .clawback)
                case .all: break
                }
            }
            s.send(.right)
        }
        XCTAssertEqual(s.state.ledgerSelection, 0, "→ wraps to all")
        s.send(.left)
        XCTAssertEqual(s.state.ledgerSelection, Self.selections.count - 1)
        // The filter: an affiliate code's prefix.
        s.send(.right, .char("/")); s.type("ali"); s.send(.enter)
        XCTAssertEqual(s.state.list.total, try store.commissionCount(CommissionListQuery(filter: "ali")))
        XCTAssertTrue(s.rows.allSatisfy { if case .commission(let c) = $0.item { return c.affiliate.hasPrefix("ali") }; return false })
    }

    /// Space marks two approved entries, H holds them after a confirmation that shows each
    /// state's count and totals before → after; applied, audited, marks cleared.
    func testHoldAMarkedSelectionConfirmedWithTheTotalsBeforeAndAfter() throws {
        let s = try session(store, width: 120, height: 40)
        s.go(.commissions)
        s.send(.right, .right)   // approved
        let free = s.rows.compactMap { r -> CommissionRow? in if case .commission(let c) = r.item, c.payoutID == nil { return c }; return nil }
        XCTAssertGreaterThanOrEqual(free.count, 2, "the demo has approved entries in no payout")
        for target in free.prefix(2) {
            while s.selectedRow?.id != target.id { s.send(.down) }
            s.send(.char(" "))
        }
        XCTAssertEqual(s.state.commissionMarks, Set(free.prefix(2).map(\.id)))
        let before = try store.commissionTotals()
        s.send(.char("H"))
        let c = try XCTUnwrap(confirm(s), "\(s.state.overlays)")
        XCTAssertEqual(c.action, .commissionAction(.hold, ids: free.prefix(2).map(\.id).sorted()))
        let n = before.count(.state(.approved)), h = before.count(.state(.onHold))
        func g(_ n: Int) -> String { Money.grouped(String(n)) }
        XCTAssertTrue(c.lines.contains { $0.hasPrefix("approved") && $0.contains("\(g(n)) · ") && $0.contains("→ \(g(n - 2)) · ") }, "\(c.lines)")
        XCTAssertTrue(c.lines.contains { $0.hasPrefix("on hold") && $0.contains("→ \(g(h + 2)) · ") }, "\(c.lines)")
        s.send(.char("y"))
        XCTAssertEqual(s.state.pendingWrite, nil)
        XCTAssertEqual(try store.commissionRows(ids: free.prefix(2).map(\.id)).map(\.state), [.onHold, .onHold])
        XCTAssertEqual(try store.audit(page: .first(2)).map(\.action), ["commission.hold", "commission.hold"])
        XCTAssertTrue(s.state.commissionMarks.isEmpty, "the marks were acted on")
        XCTAssertEqual(s.state.ledgerTotals?.count(.state(.onHold)), h + 2, "the totals are read again")
        XCTAssertTrue(s.messageText.hasPrefix("Held 2 of 2 entries"), s.messageText)
    }

    /// X asks for a reason from the core's list; the entry is voided with it.
    func testVoidAsksForTheReasonFromTheCoresList() throws {
        let s = try session(store, width: 120, height: 40)
        s.go(.commissions)
        s.send(.right)   // pending
        let target = try XCTUnwrap(s.selectedRow)
        s.send(.char("X"))
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("\(s.state.overlays)") }
        XCTAssertEqual(f.choices.first, LedgerReason.adminVoidReasons.map(\.rawValue))
        s.send(.right, .enter)   // duplicate? the second reason
        let c = try XCTUnwrap(confirm(s))
        XCTAssertEqual(c.action, .commissionAction(.void(LedgerReason.adminVoidReasons[1]), ids: [target.id]))
        s.send(.char("y"))
        let after = try XCTUnwrap(try store.commissionRows(ids: [target.id]).first)
        XCTAssertEqual(after.state, .voided)
        XCTAssertEqual(after.reason, LedgerReason.adminVoidReasons[1])
    }

    /// Every entry refused: the core's refusal replaces the confirmation; nothing is written.
    func testARefusalIsKnownBeforeAnyConfirmation() throws {
        let s = try session(store)
        s.go(.commissions)
        for _ in 0..<4 { s.send(.right) }   // paid
        XCTAssertFalse(s.rows.isEmpty)
        let version = try store.dataVersion()
        s.send(.char("A"))
        guard case .notice(let n)? = s.state.overlays.last else { return XCTFail("\(s.state.overlays)") }
        XCTAssertEqual(n.title, "Refused: already_paid")
        XCTAssertTrue(s.state.message?.isError == true)
        s.send(.enter)
        XCTAssertTrue(s.state.overlays.isEmpty)
        XCTAssertEqual(try store.dataVersion(), version)
    }

    func testPayoutsListLinesMarkPaidCancelAndCreate() throws {
        let s = try session(store, width: 120, height: 40)
        s.go(.payouts)
        XCTAssertEqual(s.state.list.total, try store.payoutCount())
        XCTAssertEqual(s.state.payoutTotals, try store.payoutTotals())
        let payouts = s.rows.compactMap { r -> PayoutRow? in if case .payout(let p) = r.item { return p }; return nil }
        let paid = try XCTUnwrap(payouts.first { $0.state == .paid }), open = try XCTUnwrap(payouts.first { $0.state == .open })
        // Enter: its lines.
        while s.selectedRow?.id != paid.id { s.send(.down) }
        s.send(.enter)
        guard case .notice(let lines)? = s.state.overlays.last else { return XCTFail("\(s.state.overlays)") }
        XCTAssertEqual(lines.title, "Payout #\(paid.id): \(paid.commissions) line\(paid.commissions == 1 ? "" : "s")")
        s.send(.escape)
        XCTAssertTrue(s.state.trail.isEmpty, "the lines are a dialog, not a place")
        // A paid payout cannot be canceled: said before any confirmation.
        s.send(.char("X"))
        guard case .notice(let refused)? = s.state.overlays.last else { return XCTFail("\(s.state.overlays)") }
        XCTAssertEqual(refused.title, "Payout #\(paid.id) cannot be canceled")
        s.send(.enter)
        // Mark the open one paid, with a reference.
        while s.selectedRow?.id != open.id { s.send(.up) }
        s.send(.char("P")); s.type("PP-7"); s.send(.enter)
        let c = try XCTUnwrap(confirm(s), "\(s.state.overlays)")
        XCTAssertTrue(c.lines.contains { $0.hasPrefix("open") && $0.contains("→") }, "\(c.lines)")
        XCTAssertTrue(c.lines.contains { $0.hasPrefix("paid") && $0.contains("→") }, "\(c.lines)")
        s.send(.char("y"))
        XCTAssertEqual(try store.payout(id: open.id)?.payout.state, .paid)
        XCTAssertEqual(try store.payout(id: open.id)?.payout.reference, "PP-7")
        XCTAssertEqual(try store.audit(page: .first(1)).first?.action, "payout.paid")
        // A run: what it would make is read before the confirmation.
        s.send(.char("N"), .enter, .enter)
        switch s.state.overlays.last {
        case .confirm(let run)?:
            XCTAssertTrue(run.lines.first?.hasPrefix("Would make") == true, "\(run.lines)")
            let count = try store.payoutCount()
            s.send(.char("y"))
            XCTAssertGreaterThan(try store.payoutCount(), count)
        case .notice(let none)?:
            XCTAssertEqual(none.title, "Nothing to pay")
        default:
            XCTFail("\(s.state.overlays)")
        }
    }

    /// The affiliate view never runs the ledger's admin reads.
    func testTheLedgerReadsAreTheAdmins() throws {
        let d = Driver(store: store, who: "t", clock: demoClock, viewer: .affiliate(id: 1, code: "x", name: "x"))
        for e in [Effect.loadLedgerTotals, .loadPayoutTotals, .loadPayoutLines(id: 1), .preview(.cancelPayout(id: 1))] {
            XCTAssertFalse(d.allows(e), "\(e)")
        }
        XCTAssertNil(Screens.tabs(.affiliate(id: 1, code: "x", name: "x")).first { $0 == .commissions || $0 == .payouts })
    }
}
