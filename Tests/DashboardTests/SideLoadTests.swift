import AttributionCore
import Dashboard
import Demo
import TerminalText
import XCTest

/// What a screen keeps beside its list (Triage's reasons, the ledger's totals) is read for the
/// shown tab only: opening on Customers, or a refresh while an ingest writes beside it, never
/// pays for the Commissions tab's totals (132 ms a time on the 1M-customer program).
final class SideLoadTests: XCTestCase {
    func state(_ tab: Tab) -> State {
        var s = State(mode: .admin, settings: DemoProgram.settings, now: DemoProgram.now)
        s.tab = tab
        return s
    }

    func testOpeningReadsOnlyTheShownTabsSideLoads() {
        let customers = State.start(state(.customers))
        XCTAssertFalse(customers.contains(.loadLedgerTotals), "\(customers)")
        XCTAssertFalse(customers.contains(.loadPayoutTotals), "\(customers)")
        XCTAssertFalse(customers.contains(.loadReasons(includeResolved: false)), "\(customers)")
        XCTAssertTrue(State.start(state(.commissions)).contains(.loadLedgerTotals))
        XCTAssertTrue(State.start(state(.triage)).contains(.loadReasons(includeResolved: false)))
    }

    func testARefreshReadsOnlyTheShownTabsSideLoads() {
        var s = state(.customers)
        let effects = update(&s, .dataChanged)
        XCTAssertFalse(effects.contains(.loadLedgerTotals), "\(effects)")
        XCTAssertFalse(effects.contains(.loadPayoutTotals), "\(effects)")
        XCTAssertFalse(effects.contains(.loadReasons(includeResolved: false)), "\(effects)")
        var c = state(.commissions)
        XCTAssertTrue(update(&c, .dataChanged).contains(.loadLedgerTotals))
    }

    func testSwitchingToATabReadsItsSideLoads() {
        var s = state(.customers)
        XCTAssertTrue(update(&s, .key(.char("8"))).contains(.loadLedgerTotals))
        XCTAssertTrue(update(&s, .key(.char("5"))).contains(.loadReasons(includeResolved: false)))
    }
}
