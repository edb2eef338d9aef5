import AttributionCore
import AttributionStore
import Dashboard
import TerminalText
import XCTest

/// Another process writing every tick (`affdesk serve` at a steady rate) must not stop the keys:
/// found on the 1M program with a writer landing events every few ms, where Down stopped at the
/// 200th row of Customers for good. The page asked for at the window's edge was dropped by the
/// refresh's reload (the list's newest load), which read the same 200 rows again, tick after tick.
final class RefreshUnderWritesTests: XCTestCase {
    /// Runs the effects on the store at once, and the messages they answer, to the end.
    func pump(_ s: inout State, _ effects: [Effect], _ driver: Driver) {
        for e in effects where driver.allows(e) {
            for m in driver.run(e) { pump(&s, update(&s, m), driver) }
        }
    }

    func testAPageOnItsWayIsNotDroppedByARefresh() throws {
        let store = try DemoFixture.shared.store()
        let driver = Driver(store: store, who: "tester", clock: demoClock)
        var s = try session(store, width: 100, height: 30).state
        s.uptimeMs = 1_000
        pump(&s, update(&s, .key(.char("2"))), driver)
        XCTAssertEqual(s.tab, .customers)
        XCTAssertEqual(s.list.rows.count, pageSize)
        XCTAssertFalse(s.list.atEnd)
        // Down to the window's edge: the next page is asked for (and is on its way).
        var page: [Effect] = []
        for _ in 0..<pageSize where page.isEmpty {
            page = update(&s, .key(.down)).filter { if case .load(_, .append, _) = $0 { return true } else { return false } }
        }
        XCTAssertEqual(page.count, 1, "no page asked for at the window's edge")
        // Another process writes: the tick notices before the page's answer lands.
        let refresh = update(&s, .dataChanged)
        pump(&s, page, driver)
        XCTAssertEqual(s.list.rows.count, 2 * pageSize, "the page on its way was dropped by the refresh")
        pump(&s, refresh, driver)
        // The list was read again after the page landed, and Down goes on past the old edge.
        XCTAssertFalse(s.list.refreshDue)
        XCTAssertFalse(s.list.loading)
        let before = s.list.selected
        for _ in 0..<60 { pump(&s, update(&s, .key(.down)), driver) }
        XCTAssertEqual(s.list.selected, before + 60)
        XCTAssertGreaterThanOrEqual(s.list.selected, pageSize)
    }

    func testARefreshWhileNothingLoadsReadsTheListAtOnce() throws {
        let store = try DemoFixture.shared.store()
        var s = try session(store, width: 100, height: 30).state
        let effects = update(&s, .dataChanged)
        XCTAssertTrue(effects.contains { if case .load(_, .reload, _) = $0 { return true } else { return false } }, "\(effects)")
        XCTAssertFalse(s.list.refreshDue)
    }
}

extension RefreshUnderWritesTests {
    /// Rows new since a refresh push the kept selection down to the window's last row (a list
    /// newest first, under a steady writer): the next page is asked for when the reload lands, so
    /// the next Down moves at once instead of being lost while that page is read.
    func testAReloadThatLeavesTheSelectionAtTheEdgeAsksForTheNextPage() throws {
        let store = try DemoFixture.shared.store()
        let driver = Driver(store: store, who: "tester", clock: demoClock)
        var s = try session(store, width: 100, height: 30).state
        pump(&s, update(&s, .key(.char("2"))), driver)
        XCTAssertEqual(s.list.rows.count, pageSize)
        s.lists[.customers]!.selected = pageSize - 1
        pump(&s, update(&s, .dataChanged), driver)
        XCTAssertGreaterThan(s.list.rows.count, pageSize, "the reload left the selection at the edge without the next page")
        pump(&s, update(&s, .key(.down)), driver)
        XCTAssertEqual(s.list.selected, pageSize)
    }
}
