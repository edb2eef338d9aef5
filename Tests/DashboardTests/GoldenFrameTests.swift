import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// Every screen of the admin dashboard over the demo program, as text, at 80x24, 120x40 and the
/// minimum size, compared with the goldens in Expected/ (AFFDESK_RECORD=1 records them).
final class GoldenFrameTests: XCTestCase {
    /// The demo program, built once for the class. The scenarios only read (a refused action
    /// writes nothing, which `testRefusal` checks).
    nonisolated(unsafe) static var store: Store!

    override class func setUp() {
        super.setUp()
        store = try! DemoFixture.shared.store()
    }

    static let sizes: [(Int, Int)] = [(80, 24), (120, 40), (Layout.minWidth, Layout.minHeight)]

    /// Opens a session at each size, runs `steps`, and compares the frame with
    /// `Expected/<name>-<w>x<h>.txt`. `list` also checks the selected row's highlight.
    func golden(_ name: String, list: Bool = false, ledger: Bool = false, file: StaticString = #filePath, line: UInt = #line,
                _ steps: (Session) throws -> Void = { _ in }) throws {
        for (w, h) in Self.sizes {
            let s = try session(ledger ? try Self.ledgerStore() : Self.store, width: w, height: h)
            try steps(s)
            let f = s.frame
            let tag = "\(name)-\(w)x\(h)"
            XCTAssertEqual(f.width, w); XCTAssertEqual(f.height, h)
            FrameCheck.assertClean(f, tag, file: file, line: line)
            if list { FrameCheck.assertSelection(s.state, f, file: file, line: line) }
            // The title and tab bar are always there; the active tab is the one drawn bold.
            XCTAssert(FrameCheck.row(f, 0).hasPrefix(" affdesk "), tag, file: file, line: line)
            if s.state.overlays.isEmpty {
                let active = Layout(s.state).tabRanges(s.state).first { $0.0 == s.state.tab }!.1
                XCTAssert(active.allSatisfy { f[$0, 1].style == Style(.tabActive, bold: true) }, "\(tag): active tab", file: file, line: line)
            }
            Golden.check(f, tag, file: file, line: line)
        }
    }

    // MARK: The seven tabs

    func testAffiliatesTab() throws {
        try golden("affiliates", list: true) { $0.go(.affiliates); $0.send(.down, .down) }
    }

    func testCustomersTab() throws {
        try golden("customers", list: true)
    }

    func testCustomersFiltered() throws {
        try golden("customers-filter", list: true) { s in
            s.send(.char("/")); s.type("ada"); s.send(.enter, .down)
        }
    }

    func testConversionsTab() throws {
        try golden("conversions", list: true) { $0.go(.conversions) }
    }

    func testCapsTab() throws {
        try golden("caps", list: true) { $0.go(.caps) }
    }

    func testTriageTab() throws {
        try golden("triage", list: true) { s in s.go(.triage); s.send(.right) }
    }

    func testAuditTab() throws {
        try golden("audit", list: true) { $0.go(.audit) }
    }

    func testSettingsTab() throws {
        try golden("settings") { s in s.go(.settings); s.send(.down, .down) }
    }

    // MARK: Panes and overlays

    func testCustomerDetail() throws {
        // A customer with history: the one given a manual conversion by the demo's admin.
        let key = try XCTUnwrap(try Self.store.conversion(externalID: "manual_0001")?.customerKey)
        try golden("customer-detail") { s in
            s.send(.char("/")); s.type(key); s.send(.enter)
            XCTAssertEqual(s.selectedRow?.ref, key)
            s.send(.enter)
            guard case .customer? = s.state.detail else { return XCTFail("no customer pane") }
        }
    }

    func testEventDetail() throws {
        try golden("event-detail") { s in
            s.go(.triage)
            s.send(.enter)
            guard case .event? = s.state.detail else { return XCTFail("no event pane") }
        }
    }

    func testHelp() throws {
        try golden("help") { $0.send(.char("?")) }
    }

    func testStatusMenu() throws {
        try golden("status-menu") { $0.send(.char("s")) }
    }

    func testConfirmation() throws {
        try golden("confirm-status") { $0.send(.char("s"), .down, .enter) }
    }

    func testReassignPicker() throws {
        try golden("reassign-picker") { s in s.send(.char("r")); s.type("o"); s.send(.down) }
    }

    func testAddConversionForm() throws {
        try golden("add-conversion") { s in s.send(.char("c")); s.type("inv_2001"); s.send(.enter); s.type("49.00") }
    }

    func testFormError() throws {
        try golden("add-conversion-error") { s in
            s.send(.char("c")); s.type("inv_2001"); s.send(.enter); s.type("12.3.4"); s.send(.enter, .enter, .enter)
        }
    }

    func testRefusal() throws {
        let before = try Self.store.dataVersion()
        try golden("refusal", list: true) { s in
            s.send(.char("c")); s.type("manual_0001"); s.send(.enter); s.type("10.00"); s.send(.enter, .enter, .enter)
            s.send(.char("y"))
            XCTAssert(s.state.message?.isError == true, s.messageText)
        }
        XCTAssertEqual(try Self.store.dataVersion(), before, "a refused action wrote something")
    }

    // MARK: The ledger's tabs (Commissions, Payouts) and their dialogs

    /// The demo with its ledger (`DemoLedger`: refunds, disputes, payouts paid and open); the
    /// scenarios only read.
    static func ledgerStore() throws -> Store { try LedgerFixture.shared.store() }

    func testCommissionsTab() throws {
        try golden("commissions", list: true, ledger: true) { $0.go(.commissions) }
    }

    func testCommissionsApprovedMarked() throws {
        try golden("commissions-approved-marked", list: true, ledger: true) { s in s.go(.commissions); s.send(.right, .right, .char(" "), .char(" ")) }
    }

    func testCommissionsHoldConfirmation() throws {
        try golden("commissions-confirm-hold", ledger: true) { s in s.go(.commissions); s.send(.right, .char(" "), .char(" "), .char("H")) }
    }

    func testCommissionsVoidForm() throws {
        try golden("commissions-void-form", ledger: true) { s in s.go(.commissions); s.send(.right, .char("X")) }
    }

    func testCommissionsRefusal() throws {
        try golden("commissions-refusal", ledger: true) { s in s.go(.commissions); s.send(.right, .right, .right, .right, .char("A")) }
    }

    func testPayoutsTab() throws {
        try golden("payouts", list: true, ledger: true) { $0.go(.payouts) }
    }

    func testPayoutLines() throws {
        try golden("payout-lines", ledger: true) { s in s.go(.payouts); s.send(.enter) }
    }

    func testPayoutCreateForm() throws {
        try golden("payout-create-form", ledger: true) { s in s.go(.payouts); s.send(.char("N")) }
    }

    func testPayoutCreateConfirmation() throws {
        try golden("payout-create-confirm", ledger: true) { s in s.go(.payouts); s.send(.char("N"), .enter, .enter) }
    }

    func testPayoutMarkPaidConfirmation() throws {
        try golden("payout-paid-confirm", ledger: true) { s in
            s.go(.payouts)
            while case .payout(let p)? = s.selectedRow?.item, p.state != .open, s.state.list.selected < s.state.list.total - 1 { s.send(.down) }
            s.send(.char("P")); s.type("PP-BATCH-7"); s.send(.enter)
        }
    }

    func testTooSmall() throws {
        for (w, h) in [(Layout.minWidth - 1, Layout.minHeight), (Layout.minWidth, Layout.minHeight - 1), (40, 12)] {
            let s = try session(Self.store, width: w, height: h)
            XCTAssert(Layout(s.state).tooSmall)
            let f = s.frame
            FrameCheck.assertClean(f, "too-small-\(w)x\(h)")
            XCTAssert(f.description.contains("Terminal too small"))
            Golden.check(f, "too-small-\(w)x\(h)")
        }
    }
}
