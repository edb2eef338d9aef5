import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// Column widths shared by priority and content (issue 14): at 80x24 the columns that tell
/// rows apart stay (Affiliates' State, Audit's Before, Triage's Detail); on wide terminals the
/// key column does not take all the room while another is cut.
final class ColumnTests: XCTestCase {
    nonisolated(unsafe) static var store: Store!

    override class func setUp() {
        super.setUp()
        store = try! DemoFixture.shared.store()
    }

    func header(_ s: Session) -> String { s.frame.row(Layout(s.state).headerY) }

    func testEightyColumnsKeepTheColumnsThatMatter() throws {
        let s = try session(Self.store)
        for (tab, title) in [(Tab.affiliates, "State"), (.audit, "Before"), (.triage, "Detail")] {
            s.go(tab)
            XCTAssert(header(s).contains(" \(title)"), "\(tab): \(header(s))")
        }
    }

    func testWideTerminalsDoNotGiveEverythingToTheKeyColumn() throws {
        for width in [120, 200] {
            let s = try session(Self.store, width: width, height: 40)
            // Sorted by Affiliate, its title and marker are whole.
            s.send(.char(">"), .char(">"))
            XCTAssertEqual(s.state.list.sortColumn, 1)
            XCTAssert(header(s).contains("Affiliate ▼") || header(s).contains("Affiliate ▲"), header(s))
            let rects = Layout(s.state).columnRects(s.state)
            let key = try XCTUnwrap(rects.first { $0.index == 0 })
            let longest = s.drawnRows.map { Width.of($0[0]) }.max() ?? 0
            let preferred = Screens.columns(.customers, s.state)[0].width
            XCTAssertLessThanOrEqual(key.width, max(preferred, longest, Width.of("Customer") + 2) + 3, "\(width): the key column took \(key.width) cells")
            // Every column shows its widest cell on screen whole.
            for r in rects {
                for row in s.drawnRows.prefix(Layout(s.state).visibleRows) where row.indices.contains(r.index) {
                    XCTAssertLessThanOrEqual(Width.of(row[r.index]), r.width, "\(width): column \(r.index) cuts \(row[r.index])")
                }
            }
        }
    }

    func testTheColumnChooserHidesAColumnForTheSession() throws {
        let s = try session(Self.store)
        XCTAssert(header(s).contains("Affiliate"))
        s.send(.char("C"), .down)
        XCTAssert(s.frame.description.contains("Columns of Customers"))
        s.send(.char(" "), .escape)
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertFalse(header(s).contains("Affiliate"), header(s))
        XCTAssertEqual(s.state.hiddenColumns[.customers], [1])
        // Kept when the tab is left and shown again; other tabs keep theirs.
        s.go(.conversions)
        XCTAssert(header(s).contains("Affiliate"), header(s))
        s.go(.customers)
        XCTAssertFalse(header(s).contains("Affiliate"), header(s))
        // One column always stays.
        s.send(.char("C"))
        s.send(.char(" "), .down, .down)   // Customer hidden; Affiliate already is
        for _ in 0..<5 { s.send(.char(" "), .down) }
        XCTAssertEqual(s.state.hiddenColumns[.customers]?.count, Screens.columns(.customers, s.state).count - 1)
        s.send(.escape)
        XCTAssertEqual(Layout(s.state).columnRects(s.state).count, 1)
    }
}
