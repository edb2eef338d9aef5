import AttributionCore
import AttributionStore
import Dashboard
import Foundation
import TerminalText
import XCTest

/// Lists whose size is not maintained (Caps, a Triage search) are counted only up to their
/// screen's bound (issue 11; 1,000, it was 10,000): more is shown "1,000+", a jump to the end does not
/// invent a position, and paging up from the end never stops short of the real top.
final class BoundedCountTests: XCTestCase {
    /// The Customers list as a session leaves it; its rows lend their items to Caps' made-up pages.
    func state() throws -> (State, ListRow) {
        var s = try session(try DemoFixture.shared.store()).state
        s.uptimeMs = 1_000
        return (s, try XCTUnwrap(s.lists[.customers]?.rows.first))
    }

    func page(_ base: ListRow, from: Int64, count: Int) -> [ListRow] {
        (0..<Int64(count)).map { ListRow(id: from + $0, item: base.item, cursor: Cursor(int: from + $0, id: from + $0)) }
    }

    /// Answers the list load among `effects` with `rows` (as the store would), returning what update asks next.
    @discardableResult
    func answer(_ s: inout State, _ effects: [Effect], _ mode: LoadMode, rows: [ListRow], total: Int, atEnd: Bool, floor: Bool = false,
                file: StaticString = #filePath, line: UInt = #line) -> [Effect] {
        let loads = effects.compactMap { e -> ListQuery? in
            if case .load(let q, let m, _) = e, m == mode, q.tab == .caps { return q } else { return nil }
        }
        guard let q = loads.first else { XCTFail("no \(mode) load of Caps in \(effects)", file: file, line: line); return [] }
        return update(&s, .loaded(.caps, mode, rows: rows, total: mode == .prepend ? -1 : total, atEnd: atEnd, ticket: q.ticket,
                                  totalIsFloor: floor))
    }

    func statusBar(_ s: State) -> String { view(s).lines().last ?? "" }

    /// Caps' count bound.
    let capsBound = ListState.searchBound

    /// Triage's identifier search is counted up to 1,000 ("1,000+"; it was counted to 10,000,
    /// 35–113 ms for a one-letter filter at a million customers); a reason's list still to 10,000.
    func testATriageSearchIsCountedUpToAThousand() throws {
        let s = try session(try DemoFixture.shared.store())
        s.go(.triage)
        XCTAssertFalse(s.state.list.totalIsFloor)
        s.send(.char("/"))
        for ch in "usr_" { s.send(.char(ch)) }
        s.send(.enter)
        XCTAssertEqual(s.state.list.filter, "usr_")
        XCTAssertTrue(s.state.list.totalIsFloor)
        XCTAssertTrue(statusBar(s.state).hasSuffix("/1,000+ "), statusBar(s.state))
    }

    /// A count the store could only bound from below (it looked at a bounded number of near-cap
    /// customers, `Store.capsCount`) is shown as that floor, "312+", never as an exact size; the
    /// window read down to the end makes it exact.
    func testAFloorFromTheStoreIsShownAsAtLeastThatMany() throws {
        var (s, base) = try state()
        var next = answer(&s, update(&s, .key(.char("4"))), .reset, rows: page(base, from: 0, count: pageSize), total: 312, atEnd: false,
                          floor: true)
        XCTAssertTrue(s.list.totalIsFloor)
        XCTAssertTrue(statusBar(s).hasSuffix(" 1/312+ "), statusBar(s))
        // Only 250 rows in truth: read to the end, the count is exact.
        for _ in 0..<200 where !next.contains(where: { if case .load(_, .append, _) = $0 { return true } else { return false } }) {
            next = update(&s, .key(.pageDown))
        }
        answer(&s, next, .append, rows: page(base, from: Int64(pageSize), count: 50), total: -1, atEnd: true)
        XCTAssertFalse(s.list.totalIsFloor)
        XCTAssertEqual(s.list.total, 250)
    }

    func testAListCountedPastItsBoundSaysSoAndPagesUpFromTheEndToTheRealTop() throws {
        var (s, base) = try state()
        let more = capsBound + 1
        var next = answer(&s, update(&s, .key(.char("4"))), .reset, rows: page(base, from: 0, count: pageSize), total: more, atEnd: false)
        XCTAssertEqual(s.tab, .caps)
        XCTAssertTrue(s.list.totalIsFloor)
        XCTAssertTrue(statusBar(s).hasSuffix(" 1/1,000+ "), statusBar(s))
        // The end: 12,000 rows in truth; the position of its last page is not known.
        next = answer(&s, update(&s, .key(.char("G"))), .last, rows: page(base, from: 11_800, count: pageSize), total: more, atEnd: true)
        XCTAssertFalse(s.list.positionKnown)
        XCTAssertEqual(s.list.rows.last?.id, 12_000 - 1)
        XCTAssertTrue(statusBar(s).hasSuffix(" 1,000+ "), statusBar(s))
        XCTAssertFalse(statusBar(s).contains("/1,000+"), statusBar(s))
        // Page up all the way: every page before the window is asked for, past where the count said the top was.
        var from: Int64 = 11_800
        var keys = 0
        while from > 0, keys < 20_000 {
            keys += 1
            var effects = next
            if !effects.contains(where: { if case .load(_, .prepend, _) = $0 { return true } else { return false } }) {
                // The selection at the window's first row (as paging up leaves it), then one more page up.
                let o = s.list.offset
            s.lists[.caps]?.selected = o
                effects = update(&s, .key(.pageUp))
            }
            guard effects.contains(where: { if case .load(_, .prepend, _) = $0 { return true } else { return false } }) else { continue }
            from -= Int64(pageSize)
            next = answer(&s, effects, .prepend, rows: page(base, from: from, count: pageSize), total: -1, atEnd: true)
            XCTAssertEqual(s.list.rows.first?.id, from)
        }
        XCTAssertEqual(from, 0, "paging up reached the list's real top")
        // The top says so with a short page (nothing before it): positions are known again.
        for _ in 0..<100 {
            let o = s.list.offset
            s.lists[.caps]?.selected = o
            let top = update(&s, .key(.pageUp))
            if top.contains(where: { if case .load(_, .prepend, _) = $0 { return true } else { return false } }) {
                answer(&s, top, .prepend, rows: [], total: -1, atEnd: true)
                break
            }
        }
        for _ in 0..<5 { _ = update(&s, .key(.pageUp)) }
        XCTAssertTrue(s.list.positionKnown)
        XCTAssertEqual(s.list.offset, 0)
        XCTAssertEqual(s.list.rows[s.list.selected - s.list.offset].id, Int64(s.list.selected))
        XCTAssertTrue(statusBar(s).hasSuffix(" \(s.list.selected + 1)/1,000+ "), statusBar(s))
    }

    func testAListReadFromTheTopToItsEndHasAnExactCount() throws {
        var (s, base) = try state()
        let more = capsBound + 1
        var next = answer(&s, update(&s, .key(.char("4"))), .reset, rows: page(base, from: 0, count: pageSize), total: more, atEnd: false)
        // Exactly 10,150 rows, read down page after page.
        var from = Int64(pageSize)
        while from < 10_150 {
            var effects = next
            for _ in 0..<200 where !effects.contains(where: { if case .load(_, .append, _) = $0 { return true } else { return false } }) {
                effects = update(&s, .key(.pageDown))
            }
            let n = min(pageSize, 10_150 - Int(from))
            next = answer(&s, effects, .append, rows: page(base, from: from, count: n), total: -1, atEnd: n < pageSize)
            from += Int64(n)
        }
        XCTAssertFalse(s.list.totalIsFloor)
        XCTAssertEqual(s.list.total, 10_150)
        XCTAssertTrue(statusBar(s).hasSuffix("/10150 "), statusBar(s))
    }
}
