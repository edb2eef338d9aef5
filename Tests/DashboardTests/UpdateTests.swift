import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Feeds
import TerminalText
import XCTest

/// `update` driven through a `Session` (keys and mouse in, the store's answers fed back), checked
/// against the store itself. Every test works on its own copy of the demo program.
final class UpdateTests: XCTestCase {
    var store: Store!

    override func setUpWithError() throws {
        store = try DemoFixture.shared.copy()
    }

    /// The ids of the first `n` customers in an order, straight from the store.
    func customerIDs(_ q: CustomerQuery, _ n: Int) throws -> [Int64] {
        try store.customers(q, page: .first(n)).map(\.id)
    }

    /// The window invariants every list state keeps.
    func assertWindow(_ s: Session, file: StaticString = #filePath, line: UInt = #line) {
        let l = s.state.list
        let visible = Layout(s.state).visibleRows
        XCTAssertGreaterThanOrEqual(l.selected, 0, file: file, line: line)
        XCTAssertLessThan(l.selected, max(1, l.total), file: file, line: line)
        XCTAssert(l.selected >= l.offset && l.selected < l.offset + l.rows.count,
                  "selected \(l.selected) outside the window \(l.offset)..<\(l.offset + l.rows.count)", file: file, line: line)
        XCTAssert(l.selected >= l.top && l.selected < l.top + visible,
                  "selected \(l.selected) off screen (top \(l.top), \(visible) rows)", file: file, line: line)
        XCTAssertLessThanOrEqual(l.rows.count, 3 * pageSize, file: file, line: line)
        XCTAssertFalse(l.loading, "a load is still marked in flight", file: file, line: line)
    }

    /// Selects the customer with `key` by filtering the Customers list to it.
    func select(_ s: Session, key: String, file: StaticString = #filePath, line: UInt = #line) {
        s.go(.customers)
        s.send(.key(.escape))
        s.send(.char("/")); s.type(key); s.send(.enter)
        XCTAssertEqual(s.selectedRow?.ref, key, file: file, line: line)
    }

    // MARK: - Filter

    func testFilterNarrowsAsYouTypeEnterKeepsEscClears() throws {
        let s = try session(store)
        let all = try store.customerCount()
        XCTAssertEqual(s.state.tab, .customers)
        XCTAssertEqual(s.state.list.total, all)

        s.send(.char("/"))
        XCTAssertTrue(s.state.filtering)
        var previous = all
        for (i, c) in "usr_1001".enumerated() {
            s.type(String(c))
            let typed = String("usr_1001".prefix(i + 1))
            XCTAssertEqual(s.state.list.filter, typed)
            XCTAssertEqual(s.state.list.total, try store.customerCount(CustomerQuery(filter: typed)), typed)
            XCTAssertLessThanOrEqual(s.state.list.total, previous)
            previous = s.state.list.total
        }
        XCTAssertLessThan(s.state.list.total, all)
        let narrowed = s.state.list.total
        XCTAssertGreaterThan(narrowed, 50)
        XCTAssert(s.rows.allSatisfy { $0.ref.hasPrefix("usr_1001") }, "\(s.rows.map(\.ref))")
        XCTAssertEqual(s.rows.map(\.id), try customerIDs(CustomerQuery(filter: "usr_1001"), s.rows.count))
        XCTAssert(s.frame.row(Layout(s.state).messageY).contains("/ usr_1001█"))

        // Backspace widens again.
        s.type("9")
        XCTAssertLessThan(s.state.list.total, narrowed)
        s.send(.backspace)
        XCTAssertEqual(s.state.list.total, narrowed)

        // Enter keeps the filter and leaves the editing.
        s.send(.enter)
        XCTAssertFalse(s.state.filtering)
        XCTAssertEqual(s.state.list.filter, "usr_1001")
        XCTAssertEqual(s.state.list.total, narrowed)
        s.send(.down, .down)
        XCTAssertEqual(s.state.list.selected, 2)

        // Esc clears it.
        s.send(.escape)
        XCTAssertEqual(s.state.list.filter, "")
        XCTAssertEqual(s.state.list.total, all)
        XCTAssertEqual(s.state.list.selected, 0)

        // Esc while typing clears too; a filter nothing matches says so.
        s.send(.char("/")); s.type("no-such-customer")
        XCTAssertEqual(s.state.list.total, 0)
        XCTAssert(s.frame.description.contains("No row matches \"no-such-customer\""))
        s.send(.escape)
        XCTAssertFalse(s.state.filtering)
        XCTAssertEqual(s.state.list.filter, "")
        XCTAssertEqual(s.state.list.total, all)
        assertWindow(s)
    }

    func testFilterOnOtherLists() throws {
        let s = try session(store)
        s.go(.conversions)
        s.send(.char("/")); s.type("manual_"); s.send(.enter)
        XCTAssertEqual(s.state.list.total, try store.conversionCount(ConversionQuery(filter: "manual_")))
        XCTAssertEqual(s.cells(s.rows.first)[1], "manual_0001 ✎")
        s.go(.audit)
        s.send(.char("/")); s.type("reassign"); s.send(.enter)
        XCTAssertEqual(s.state.list.total, try store.auditCount(filter: "reassign"))
        XCTAssert(s.state.list.total > 0)
        XCTAssert(s.drawnRows.allSatisfy { $0[2] == "customer.reassign" })
        // Each list keeps its own filter.
        s.go(.conversions)
        XCTAssertEqual(s.state.list.filter, "manual_")
    }

    /// Enter on an affiliate lists its customers; Esc (the Customers screen's own) lists every
    /// customer again.
    func testAnAffiliatesCustomersAndBackToAll() throws {
        let s = try session(store)
        let all = s.state.list.total
        s.go(.affiliates)
        guard case .affiliate(let a, _)? = s.selectedRow?.item else { return XCTFail("no affiliate row") }
        s.send(.enter)
        XCTAssertEqual(s.state.tab, .customers)
        XCTAssertEqual(s.state.affiliateFilter?.code, a.affiliate.code)
        XCTAssertEqual(s.state.list.total, try store.customerCount(CustomerQuery(affiliateID: a.affiliate.id)))
        XCTAssertLessThan(s.state.list.total, all)
        XCTAssertTrue(s.frame.description.contains("Customers of \(a.affiliate.code)"))
        // Esc goes back where the list came from: the Affiliates, on the same affiliate.
        s.send(.escape)
        XCTAssertNil(s.state.affiliateFilter)
        XCTAssertEqual(s.state.tab, .affiliates)
        XCTAssertEqual(s.selectedRow?.ref, a.affiliate.code)
        // The whole customer list again, on its tab.
        s.go(.customers)
        XCTAssertEqual(s.state.list.total, all)
        XCTAssertEqual(s.state.tab, .customers)
    }

    /// Rows travel typed (`Msg.loaded`) and `view` draws them: settings that change show on
    /// the rows already loaded (the model's status names), with nothing read again.
    func testLoadedRowsAreDrawnWithTheCurrentSettings() throws {
        let s = try session(store)
        func table(_ st: State) -> String {
            let f = view(st), l = Layout(st)
            return (l.firstRowY..<(l.firstRowY + l.visibleRows)).map { FrameCheck.row(f, $0) }.joined(separator: "\n")
        }
        var st = s.state
        XCTAssertTrue(table(st).contains(" Paying "), table(st))
        var leads = st.settings
        leads.model = .leads
        XCTAssertEqual(update(&st, .settingsLoaded(leads)), [], "nothing is read again")
        XCTAssertTrue(table(st).contains(" Won "), table(st))
        XCTAssertFalse(table(st).contains("Paying"), table(st))
    }

    // MARK: - Sort

    func testSortByKeysFollowsTheStore() throws {
        let s = try session(store)
        let n = 30
        // Default: last activity, newest first.
        XCTAssertEqual(s.rows.prefix(n).map(\.id), try customerIDs(CustomerQuery(sort: .activity, descending: true), n))
        s.send(.char(">"))   // the next sortable column after "Last activity" wraps to "Customer"
        XCTAssertEqual(s.state.list.sortColumn, 0)
        XCTAssertEqual(s.state.list.selected, 0)
        // Text sorts A to Z first (issue 14); o reverses it.
        XCTAssertFalse(s.state.list.descending)
        XCTAssertEqual(s.rows.prefix(n).map(\.id), try customerIDs(CustomerQuery(sort: .key, descending: false), n))
        XCTAssertEqual(s.rows.first?.ref, "usr_100001")
        s.send(.char("o"))
        XCTAssertTrue(s.state.list.descending)
        XCTAssertEqual(s.rows.prefix(n).map(\.id), try customerIDs(CustomerQuery(sort: .key, descending: true), n))
        s.send(.char(">"))
        XCTAssertEqual(s.rows.prefix(n).map(\.id), try customerIDs(CustomerQuery(sort: .affiliate, descending: false), n))
        // Times sort newest first.
        s.send(.char("<"), .char("<"))
        XCTAssertEqual(s.state.list.sortColumn, 6)
        XCTAssertEqual(s.rows.prefix(n).map(\.id), try customerIDs(CustomerQuery(sort: .activity, descending: true), n))
        // The header marks the sort column.
        XCTAssert(s.frame.row(Layout(s.state).headerY).contains("Last activity ▼"))
        assertWindow(s)
    }

    func testClickOnAHeaderSorts() throws {
        let s = try session(store, width: 120, height: 40)
        let layout = Layout(s.state)
        let rects = layout.columnRects(s.state)
        let commission = try XCTUnwrap(rects.first { $0.index == 4 })
        s.click(x: commission.x + 1, y: layout.headerY)
        XCTAssertEqual(s.state.list.sortColumn, 4)
        XCTAssertTrue(s.state.list.descending, "a new sort column keeps the direction")
        XCTAssertEqual(s.rows.prefix(40).map(\.id), try customerIDs(CustomerQuery(sort: .commission, descending: true), 40))
        // Again: the other way.
        s.click(x: commission.x + commission.width - 1, y: layout.headerY)
        XCTAssertFalse(s.state.list.descending)
        XCTAssertEqual(s.rows.prefix(40).map(\.id), try customerIDs(CustomerQuery(sort: .commission, descending: false), 40))
        // The "Cap" column does not sort, and a click between columns does nothing.
        let before = s.state
        let cap = try XCTUnwrap(rects.first { $0.index == 5 })
        s.click(x: cap.x, y: layout.headerY)
        s.click(x: commission.x - 1, y: layout.headerY)
        XCTAssertEqual(s.state, before)
        // Sorting by a header works on other lists too.
        s.go(.conversions)
        let amount = try XCTUnwrap(Layout(s.state).columnRects(s.state).first { $0.index == 4 })
        s.click(x: amount.x, y: Layout(s.state).headerY)
        XCTAssertEqual(s.rows.prefix(20).map(\.id),
                       try store.conversions(ConversionQuery(sort: .amount, descending: true), page: .first(20)).map(\.id))
    }

    // MARK: - Paging

    func testPagingThroughEveryCustomer() throws {
        let s = try session(store)
        let all = try store.customers(CustomerQuery(), page: .first(10_000)).map(\.id)
        let total = all.count
        XCTAssertEqual(s.state.list.total, total)
        XCTAssertGreaterThan(total, 3 * pageSize, "the demo must be larger than the window")
        let visible = Layout(s.state).visibleRows
        XCTAssertEqual(s.state.list.rows.count, pageSize)

        func check(_ what: String) {
            assertWindow(s)
            XCTAssertEqual(s.selectedRow?.id, all[s.state.list.selected], "\(what): row \(s.state.list.selected)")
            let l = s.state.list
            XCTAssertEqual(l.rows.map(\.id), Array(all[l.offset..<(l.offset + l.rows.count)]), "\(what): the window")
        }

        s.send(.down, .down, .up)
        XCTAssertEqual(s.state.list.selected, 1)
        check("j j k")
        s.send(.pageDown)
        XCTAssertEqual(s.state.list.selected, 1 + visible)
        check("PgDn")
        // Down through the whole list a page at a time: the window slides, pages load as it goes.
        var maxOffset = 0
        var pages = 0
        while s.state.list.selected < total - 1 {
            s.send(.pageDown)
            pages += 1
            maxOffset = max(maxOffset, s.state.list.offset)
            check("PgDn #\(pages)")
            if pages > total { return XCTFail("PgDn never reached the end") }
        }
        XCTAssertGreaterThan(maxOffset, 0, "the window never slid")
        XCTAssertTrue(s.state.list.atEnd)
        // And back up.
        while s.state.list.selected > 0 {
            s.send(.pageUp)
            check("PgUp")
        }
        XCTAssertEqual(s.state.list.offset, 0)

        // G: the last row, read from the end; g: the first again.
        s.send(.char("G"))
        XCTAssertEqual(s.state.list.selected, total - 1)
        XCTAssertEqual(s.selectedRow?.id, all.last)
        check("G")
        XCTAssertEqual(s.state.list.top, total - visible)
        s.send(.down)
        XCTAssertEqual(s.state.list.selected, total - 1, "nothing after the last row")
        s.send(.up, .up)
        check("G k k")
        for _ in 0..<40 { s.send(.pageUp) }
        check("G then 40 PgUp")
        s.send(.char("g"))
        XCTAssertEqual(s.state.list.selected, 0)
        XCTAssertEqual(s.state.list.top, 0)
        check("g")
        s.send(.up)
        XCTAssertEqual(s.state.list.selected, 0, "nothing before the first row")
        s.send(.end)
        XCTAssertEqual(s.state.list.selected, total - 1)
        s.send(.home)
        XCTAssertEqual(s.state.list.selected, 0)

        // The wheel and a click on a row.
        s.send(.mouse(MouseEvent(x: 5, y: 10, kind: .wheelDown)))
        XCTAssertEqual(s.state.list.selected, 3)
        let layout = Layout(s.state)
        s.click(x: 3, y: layout.firstRowY + 5)
        XCTAssertEqual(s.state.list.selected, s.state.list.top + 5)
        check("click")
        // A double click opens the row.
        s.send(.mouse(MouseEvent(x: 3, y: layout.firstRowY + 2, kind: .doubleClick)))
        guard case .customer(let d)? = s.state.detail else { return XCTFail("no detail") }
        XCTAssertEqual(d.customer.id, all[s.state.list.selected])
    }

    // MARK: - Tabs

    func testTabSwitchingByKeysAndMouse() throws {
        let s = try session(store)
        XCTAssertEqual(s.state.tab, .customers)
        s.send(.tab)
        XCTAssertEqual(s.state.tab, .conversions)
        XCTAssertEqual(s.state.list.total, try store.conversionCount())
        s.send(.backTab, .backTab)
        XCTAssertEqual(s.state.tab, .affiliates)
        XCTAssertEqual(s.state.list.total, try store.affiliateCount(AffiliateQuery()))
        s.send(.backTab)
        XCTAssertEqual(s.state.tab, .payouts, "Shift-Tab wraps to the last tab")
        s.send(.tab)
        XCTAssertEqual(s.state.tab, .affiliates, "Tab wraps to the first tab")
        for t in Screens.tabs(.admin) {
            s.go(t)
            XCTAssertEqual(s.state.tab, t)
            if t != .settings { XCTAssertTrue(s.state.list.loaded, "\(t)") }
        }
        s.send(.char("9"), .char("0"))
        XCTAssertEqual(s.state.tab, .payouts, "no tab 0")
        // Keep a selection across a visit elsewhere.
        s.go(.customers); s.send(.down, .down, .down)
        let id = s.selectedRow?.id
        s.go(.audit); s.go(.customers)
        XCTAssertEqual(s.selectedRow?.id, id)
        XCTAssertEqual(s.state.list.selected, 3)

        // Clicks on the tab bar, at every size and label style.
        for (w, h) in [(120, 40), (80, 24), (Layout.minWidth, Layout.minHeight)] {
            s.send(.resize(width: w, height: h))
            let layout = Layout(s.state)
            let ranges = layout.tabRanges(s.state)
            XCTAssertEqual(ranges.map(\.0), Screens.tabs(.admin))
            XCTAssertLessThanOrEqual(ranges.last!.1.upperBound, w)
            // Where a label is drawn depends on the shown tab (at 80 columns its title is whole and
            // the others' are cut), so each click aims at the label as it is drawn at that moment.
            func drawn(_ tab: Tab) -> Range<Int> { Layout(s.state).tabRanges(s.state).first { $0.0 == tab }!.1 }
            for tab in ranges.map(\.0).reversed() {
                let first = drawn(tab).lowerBound
                s.click(x: first, y: layout.tabsY)
                XCTAssertEqual(s.state.tab, tab, "\(w)x\(h) click at \(first)")
                s.go(.customers)
                let last = drawn(tab).upperBound - 1
                s.click(x: last, y: layout.tabsY)
                XCTAssertEqual(s.state.tab, tab, "\(w)x\(h) click at \(last)")
            }
            // Each label is drawn over its range and names its tab.
            let bar = s.frame.row(layout.tabsY)
            for (i, (tab, range)) in ranges.enumerated() {
                let label = String(Array(bar)[range]).trimmingCharacters(in: .whitespaces)
                XCTAssert(label.hasPrefix("\(i + 1) "), "\(w)x\(h): \(label)")
                XCTAssert(tab.title.hasPrefix(String(label.dropFirst(2))), "\(w)x\(h): \(label) for \(tab)")
            }
        }
    }

    // MARK: - Status

    func testStatusMenuOffersExactlyTheAllowedTransitions() throws {
        let s = try session(store)
        let settings = try store.settings()
        for status in CustomerStatus.allCases {
            let c = try XCTUnwrap(try store.customers(CustomerQuery(sort: .key, descending: false, status: status), page: .first(1)).first,
                                  "the demo has a \(status) customer")
            select(s, key: c.key)
            s.send(.char("s"))
            guard case .menu(let m)? = s.state.overlays.last else { XCTFail("no menu for \(status)"); continue }
            let allowed = Engine.allowedTransitions(from: status)
            XCTAssertEqual(m.items.map(\.status), allowed, "\(status)")
            XCTAssertEqual(m.items.map(\.label), allowed.map { settings.label($0) }, "\(status)")
            let text = s.frame.description
            for label in allowed.map({ settings.label($0) }) { XCTAssert(text.contains(label), "\(label) on screen") }
            XCTAssert(text.contains("Status of \(c.key) (now \(settings.label(status)))"))
            s.send(.escape)
            XCTAssert(s.state.overlays.isEmpty)
        }
    }

    func testChangeStatusWithConfirmation() throws {
        let s = try session(store)
        let row = try XCTUnwrap(s.selectedRow)
        let key = row.ref
        XCTAssertEqual(try store.customer(key: key)?.status, .active)
        let audits = try store.auditCount()
        s.send(.char("s"), .down, .enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(c.action, .setStatus(customerKey: key, to: .ended))
        XCTAssert(s.frame.description.contains("Paying → Canceled"))
        XCTAssertEqual(try store.customer(key: key)?.status, .active, "nothing before y")
        s.send(.char("y"))
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertEqual(try store.customer(key: key)?.status, .ended)
        XCTAssertEqual(try store.auditCount(), audits + 1)
        let a = try XCTUnwrap(try store.audit(page: .first(1)).first)
        XCTAssertEqual(a.action, "customer.status")
        XCTAssertEqual(a.who, "tester")
        XCTAssertEqual(a.target, key)
        XCTAssertEqual(a.before, "Paying")
        XCTAssertEqual(a.after, "Canceled")
        XCTAssertEqual(s.state.message, Note("\(key): status is now Canceled."))
        // The list shows it, on the same row.
        XCTAssertEqual(s.selectedRow?.id, row.id)
        XCTAssertEqual(s.cells(s.selectedRow)[2], "Canceled")
        XCTAssertEqual(s.selectedRow?.status, .ended)
    }

    func testChangeStatusCancelled() throws {
        let s = try session(store)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        let version = try store.dataVersion()
        s.send(.char("s"), .enter)
        guard case .confirm? = s.state.overlays.last else { return XCTFail("no confirmation") }
        s.send(.char("n"))
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertEqual(try store.customer(key: key)?.status, .active)
        XCTAssertEqual(try store.dataVersion(), version)
        XCTAssertEqual(s.state.message?.text, "Cancelled: nothing was changed.")
        // Esc in the menu closes it without asking anything.
        s.send(.char("s"), .escape)
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertEqual(try store.dataVersion(), version)
    }

    // MARK: - Reassign

    func testReassignThroughThePicker() throws {
        let s = try session(store)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        let from = try XCTUnwrap(try store.customer(key: key)).affiliateCode
        XCTAssertNotEqual(from, "zoe")
        s.send(.char("r"))
        guard case .picker(let p)? = s.state.overlays.last else { return XCTFail("no picker") }
        XCTAssertEqual(p.items.count, try store.affiliates().count)
        XCTAssertEqual(p.currentCode, from)
        XCTAssertNotEqual(p.visible[p.selected].code, from, "the current affiliate is not preselected")
        s.type("zo")
        guard case .picker(let narrowed)? = s.state.overlays.last else { return XCTFail("no picker") }
        XCTAssertEqual(narrowed.filter, "zo")
        XCTAssertLessThan(narrowed.visible.count, p.items.count)
        XCTAssert(narrowed.visible.contains { $0.code == "zoe" })
        s.type("e")
        guard case .picker(let one)? = s.state.overlays.last else { return XCTFail("no picker") }
        XCTAssertEqual(one.visible.map(\.code), ["zoe"])
        XCTAssert(s.frame.description.contains("Filter: zoe█"))
        s.send(.enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(c.action, .reassign(customerKey: key, affiliateCode: "zoe"))
        XCTAssertEqual(try store.customer(key: key)?.affiliateCode, from, "nothing before y")
        s.send(.char("y"))
        XCTAssertEqual(try store.customer(key: key)?.affiliateCode, "zoe")
        let a = try XCTUnwrap(try store.audit(page: .first(1)).first)
        XCTAssertEqual(a.action, "customer.reassign")
        XCTAssertEqual(a.before, from)
        XCTAssertEqual(a.after, "zoe")
        XCTAssertEqual(s.cells(s.selectedRow)[1], "zoe")
        XCTAssertFalse(s.state.message?.isError ?? true, s.messageText)

        // A disabled affiliate is listed with the core's reason, and cannot be picked.
        s.send(.char("r")); s.type("deal-hunter")
        XCTAssert(s.frame.description.contains("affiliate deal-hunter is disabled"), s.frame.description)
        s.send(.enter)
        guard case .picker? = s.state.overlays.last else { return XCTFail("a disabled affiliate was picked") }
        s.send(.escape)
        XCTAssertEqual(try store.customer(key: key)?.affiliateCode, "zoe")
        // Esc closes the picker; a filter nothing matches says so.
        s.send(.char("r")); s.type("qqq")
        XCTAssert(s.frame.description.contains("no affiliate matches"))
        s.send(.enter)
        guard case .picker? = s.state.overlays.last else { return XCTFail("Enter with nothing to choose closed the picker") }
        s.send(.escape)
        XCTAssert(s.state.overlays.isEmpty)
    }

    // MARK: - Manual conversions

    func testAddConversionThroughTheForm() throws {
        let s = try session(store)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        let before = try XCTUnwrap(try store.customer(key: key))
        s.send(.char("c"))
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(f.values, ["", "", "USD", ""])
        s.type("inv_test_1"); s.send(.enter); s.type("25.00"); s.send(.enter, .enter, .enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation: \(s.state.overlays)") }
        XCTAssertEqual(c.action, .addConversion(customerKey: key, externalID: "inv_test_1", amount: Money(minor: 2_500, currency: .usd), at: nil))
        XCTAssertNil(try store.conversion(externalID: "inv_test_1"))
        s.send(.char("y"))
        let v = try XCTUnwrap(try store.conversion(externalID: "inv_test_1"))
        XCTAssertEqual(v.amount, Money(minor: 2_500, currency: .usd))
        XCTAssertEqual(v.customerKey, key)
        XCTAssertTrue(v.manual)
        XCTAssertEqual(v.at, DemoProgram.now)
        XCTAssertEqual(try store.customer(key: key)?.conversions, before.conversions + 1)
        XCTAssert(s.messageText.hasPrefix("Conversion inv_test_1 added: 25.00 USD"), s.messageText)
        XCTAssertEqual(s.cells(s.selectedRow)[3], String(before.conversions + 1))
    }

    func testInvalidAmountStaysInTheForm() throws {
        let s = try session(store)
        let version = try store.dataVersion()
        s.send(.char("c"))
        s.type("inv_test_2"); s.send(.enter); s.type("twelve"); s.send(.enter, .enter, .enter)
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("the form closed: \(s.state.overlays)") }
        let error = try XCTUnwrap(f.error)
        XCTAssert(error.hasPrefix("Amount:"), error)
        XCTAssert(s.frame.description.contains(error), "the error is on screen")
        // The focus stays on the field at fault; fixing it clears the error; Esc leaves without writing.
        XCTAssertEqual(f.focus, 1)
        s.send(.ctrl("u"))
        guard case .form(let g)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertNil(g.error)
        XCTAssertEqual(g.values[1], "")
        s.send(.escape)
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertNil(try store.conversion(externalID: "inv_test_2"))
        XCTAssertEqual(try store.dataVersion(), version)
        // Other fields are checked too, each when Enter leaves it.
        s.send(.char("c"), .enter)
        guard case .form(let h)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(h.error, "External id: required")
        XCTAssertEqual(h.focus, 0)
        s.type("x1"); s.send(.enter); s.type("10"); s.send(.enter, .ctrl("u")); s.type("US"); s.send(.enter)
        guard case .form(let k)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssert(k.error?.hasPrefix("Currency:") == true, k.error ?? "")
        XCTAssertEqual(k.focus, 2)
        s.send(.escape)
        XCTAssertEqual(try store.dataVersion(), version)
    }

    func testDuplicateExternalIDIsRefusedWithTheCoresReason() throws {
        let s = try session(store)
        let version = try store.dataVersion()
        s.send(.char("c")); s.type("manual_0001"); s.send(.enter); s.type("10.00"); s.send(.enter, .enter, .enter, .char("y"))
        XCTAssertEqual(s.state.message?.isError, true)
        XCTAssertEqual(s.messageText, "Refused: \(Reason.duplicateExternalID.sentence) \(Reason.duplicateExternalID.hint)")
        XCTAssertEqual(try store.dataVersion(), version, "a refusal writes nothing")
        // The reason sentence is on the screen, whole, at 80x24: the message takes two rows.
        let layout = Layout(s.state)
        XCTAssertEqual(layout.messageLines, 2)
        let message = (layout.messageY..<layout.statusY).map { s.frame.row($0).trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        XCTAssert(message.hasPrefix("Refused: \(Reason.duplicateExternalID.sentence)"), message)
        // ... and the selected row stays in view above it.
        assertWindow(s)
        FrameCheck.assertSelection(s.state, s.frame)
        // The next key clears the message, and the list has its row back.
        s.send(.down)
        XCTAssertNil(s.state.message)
        XCTAssertEqual(Layout(s.state).messageLines, 1)
    }

    // MARK: - Settings

    func testChangeASettingOnTheSettingsTab() throws {
        let s = try session(store)
        s.go(.settings)
        XCTAssertEqual(s.state.settingsField, 0)
        // The window is the third from the end (the Stripe metadata key and the tax rule follow).
        s.send(.char("G"), .up, .up, .up)
        XCTAssertEqual(SettingField(rawValue: s.state.settingsField), .window)
        s.send(.enter)
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(f.values, ["60"])
        // The same value is not a change.
        s.send(.enter)
        guard case .form(let same)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(same.error, "Unchanged: type a new value or press Esc")
        // Nor is nonsense.
        s.send(.ctrl("u")); s.type("abc"); s.send(.enter)
        guard case .form(let bad)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(bad.error, #""abc" is not a whole number of days from 1 to 3650"#, "the core's sentence, as program set prints it")
        s.send(.ctrl("u")); s.type("90"); s.send(.enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssert(c.lines.contains("60 → 90"), "\(c.lines)")
        XCTAssertEqual(try store.settings().windowDays, 60)
        let audits = try store.auditCount()
        s.send(.char("y"))
        XCTAssertEqual(try store.settings().windowDays, 90)
        XCTAssertEqual(s.state.settings.windowDays, 90)
        XCTAssertEqual(try store.auditCount(), audits + 1)
        let a = try XCTUnwrap(try store.audit(page: .first(1)).first)
        XCTAssertEqual(a.action, "settings")
        XCTAssertEqual(a.who, "tester")
        XCTAssertEqual(s.state.message?.text, "Settings saved and audited.")
        // The row of the edited setting shows the new value, highlighted.
        let frame = s.frame
        let y = try XCTUnwrap((0..<frame.height).first { frame.row($0).contains("Attribution window (days)") })
        XCTAssert(frame.row(y).trimmingCharacters(in: .whitespaces).hasSuffix(" 90"), frame.row(y))
        XCTAssertEqual(frame[2, y].style.role, .selected)
        XCTAssertNotEqual(frame[2, y - 1].style.role, .selected)
        XCTAssert(frame.row(Layout(s.state).statusY).contains("⏎ edit"))

        // A change that shows elsewhere: the business model renames every status.
        s.send(.char("g"), .down, .enter, .ctrl("u"))
        s.type("leads"); s.send(.enter, .char("y"))
        XCTAssertEqual(try store.settings().model, .leads)
        s.go(.customers)
        XCTAssert(s.frame.description.contains("Won"), "statuses use the new model's names")
        XCTAssertFalse(s.frame.description.contains("Paying"))
    }

    // MARK: - Resize

    func testResizeKeepsTheSelectionVisibleAndRecoversFromTooSmall() throws {
        let s = try session(store)
        for _ in 0..<30 { s.send(.down) }
        let id = s.selectedRow?.id
        XCTAssertEqual(s.state.list.selected, 30)
        for (w, h) in [(Layout.minWidth, Layout.minHeight), (120, 40), (200, 60), (80, 24), (61, 17)] {
            s.send(.resize(width: w, height: h))
            XCTAssertEqual(s.state.width, w)
            assertWindow(s)
            XCTAssertEqual(s.selectedRow?.id, id)
            FrameCheck.assertSelection(s.state, s.frame)
        }
        // Too small: a message instead of the screen, keys other than q do nothing.
        s.send(.resize(width: 40, height: 10))
        XCTAssertTrue(Layout(s.state).tooSmall)
        XCTAssert(s.frame.description.contains("Terminal too small"))
        XCTAssert(s.frame.description.contains("now 40x10"))
        s.send(.down, .char("2"), .char("/"))
        s.click(x: 1, y: 1)
        XCTAssertEqual(s.state.list.selected, 30)
        XCTAssertEqual(s.state.tab, .customers)
        XCTAssertFalse(s.state.filtering)
        s.send(.resize(width: 80, height: 24))
        XCTAssertFalse(Layout(s.state).tooSmall)
        assertWindow(s)
        XCTAssertEqual(s.selectedRow?.id, id)
        FrameCheck.assertClean(s.frame, "after too small")
        // At the end of the list, a taller window shows more rows above, not blank ones below.
        s.send(.char("G"))
        s.send(.resize(width: 80, height: 50))
        let l = s.state.list
        XCTAssertEqual(l.top, l.total - Layout(s.state).visibleRows)
        assertWindow(s)
        // q quits even when too small.
        s.send(.resize(width: 20, height: 5))
        s.send(.char("q"))
        XCTAssertTrue(s.state.quit)
    }

    // MARK: - Live refresh

    func testTickShowsWritesFromAnotherProcessAndKeepsTheSelection() throws {
        let s = try session(store)
        s.send(.down, .down, .down)
        let selected = try XCTUnwrap(s.selectedRow)
        let total = s.state.list.total
        // Nothing changed: a tick changes nothing.
        let quiet = s.state
        s.send(.tick)
        XCTAssertEqual(s.state, quiet)

        // Another process opens the same file and ingests a new customer.
        let other = try Store(path: store.path, clock: demoClock)
        let feed = TrackingFeed(defaultCurrency: .usd, file: "live.jsonl")
        let lines = [
            #"{"type":"click","click_id":"clk_live_1","affiliate":"zoe","at":"2026-11-15T11:59:00Z"}"#,
            #"{"type":"signup","customer_key":"usr_live_1","click_id":"clk_live_1","at":"2026-11-15T12:00:00Z"}"#,
        ]
        let summary = try other.ingest(lines.enumerated().compactMap { feed.read(line: $1, number: $0 + 1) })
        XCTAssertEqual(summary.accepted, 2)
        XCTAssertEqual(s.state.list.total, total, "nothing shows before the tick")

        s.send(.tick)
        XCTAssertEqual(s.state.list.total, total + 1)
        XCTAssertEqual(s.rows.first?.ref, "usr_live_1", "the newest customer is at the top")
        XCTAssertEqual(s.selectedRow?.id, selected.id, "the same customer stays selected")
        XCTAssertEqual(s.state.list.selected, 4)
        assertWindow(s)
        XCTAssertEqual(s.rows.map(\.id), try customerIDs(CustomerQuery(), s.rows.count))

        // A status change by someone else shows on the selected row.
        _ = try other.setStatus(customerKey: selected.ref, to: .ended, who: "someone")
        s.send(.tick)
        XCTAssertEqual(s.selectedRow?.id, selected.id)
        XCTAssertEqual(s.selectedRow?.status, .ended)
        // And in an open detail pane, and on the Triage and Audit counts.
        s.send(.enter)
        guard case .customer(let d)? = s.state.detail else { return XCTFail("no detail") }
        XCTAssertEqual(d.customer.status, .ended)
        _ = try other.setStatus(customerKey: selected.ref, to: .active, who: "someone")
        s.send(.tick)
        guard case .customer(let d2)? = s.state.detail else { return XCTFail("the detail closed") }
        XCTAssertEqual(d2.customer.status, .active)
        s.send(.escape)
        s.go(.audit)
        XCTAssertEqual(s.cells(s.rows.first)[1], "someone")
    }
    // MARK: - Sort markers, fixed orders, panes and help

    func testSortMarkerSurvivesANarrowColumnAndFixedOrdersDoNotPretend() throws {
        // At 79 columns "Affiliate" and its marker do not both fit (at 80 they just do).
        let s = try session(store, width: 79)
        s.go(.caps)
        // "Affiliate" fills its column; the marker still shows which column sorts.
        let header = s.frame.row(Layout(s.state).headerY)
        XCTAssert(header.contains("Affilia… ▲"), header)
        // The inbox and the audit log are newest first, always: nothing offers to reverse them.
        for t in [Tab.triage, .audit] {
            s.go(t)
            let before = s.rows.map(\.id)
            s.send(.char("o"), .char(">"))
            XCTAssertEqual(s.rows.map(\.id), before, "\(t)")
            let frame = s.frame
            XCTAssertFalse(frame.row(Layout(s.state).headerY).contains("▲"), "\(t)")
            XCTAssertFalse(frame.row(Layout(s.state).statusY).contains("order"), "\(t)")
            // Triage by the event's time (its own, else when received), the audit log by id (schema v7).
            func time(_ r: ListRow) -> (Int64, Int64) {
                guard case .event(let e) = r.item else { return (r.id, r.id) }
                return ((e.at ?? e.receivedAt).seconds, e.id)
            }
            XCTAssertEqual(s.rows.first?.id, s.rows.max { time($0) < time($1) }?.id, "\(t): newest first")
        }
    }

    func testDetailScrollStopsAtTheEnds() throws {
        let s = try session(store, width: Layout.minWidth, height: Layout.minHeight)
        let key = try XCTUnwrap(try store.conversion(externalID: "manual_0001")?.customerKey)
        select(s, key: key)
        s.send(.enter)
        func scroll() -> Int { if case .customer(let d)? = s.state.detail { return d.scroll }; return -1 }
        XCTAssertEqual(scroll(), 0)
        s.send(.up)
        XCTAssertEqual(scroll(), 0)
        s.send(.char("G"))
        let bottom = scroll()
        XCTAssertGreaterThan(bottom, 0)
        let last = s.frame
        s.send(.down, .pageDown)
        XCTAssertEqual(scroll(), bottom, "nothing below the last line")
        s.send(.up)
        XCTAssertEqual(scroll(), bottom - 1, "Up after End moves at once")
        XCTAssertNotEqual(s.frame, last)
        XCTAssert(s.frame.description.contains("Esc back"), "the status bar says how to leave")
        s.send(.escape)
        XCTAssertNil(s.state.detail)
    }

    func testHelpScrollsWhenTallerThanTheScreen() throws {
        let s = try session(store)
        s.send(.char("?"))
        XCTAssertEqual(s.state.overlays, [.help])
        XCTAssertFalse(s.frame.description.contains("Add a conversion"), "at 80x24 the customer help does not fit")
        XCTAssert(s.frame.description.contains("↑/↓"), "and says it scrolls")
        s.send(.char("G"))
        let max = s.state.helpScroll
        XCTAssertGreaterThan(max, 0)
        XCTAssert(s.frame.description.contains("Add a conversion for the customer by hand"), s.frame.description)
        XCTAssert(s.frame.description.contains("Mouse: click a tab"))
        s.send(.down)
        XCTAssertEqual(s.state.helpScroll, max)
        s.send(.up, .char("g"), .up)
        XCTAssertEqual(s.state.helpScroll, 0)
        s.send(.pageDown)
        XCTAssertGreaterThan(s.state.helpScroll, 0)
        s.send(.escape)
        XCTAssert(s.state.overlays.isEmpty)
        // Opened again, it starts at the top.
        s.send(.char("?"))
        XCTAssertEqual(s.state.helpScroll, 0)
        // Where it fits, it does not scroll.
        s.send(.resize(width: 120, height: 40))
        s.send(.char("G"))
        XCTAssertEqual(s.state.helpScroll, 0)
    }
}
