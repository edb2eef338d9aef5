import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// The new looks of issue 14's workflow, as golden frames at 80x24, 120x40 and the minimum
/// size: a jump, the command line and its completions, a refusal known before the form, the
/// picker with what the core refuses, and a confirmation's buttons.
final class WorkflowGoldenTests: XCTestCase {
    nonisolated(unsafe) static var store: Store!

    override class func setUp() {
        super.setUp()
        store = try! DemoFixture.shared.store()
    }

    func golden(_ name: String, file: StaticString = #filePath, line: UInt = #line, _ steps: (Session) throws -> Void) throws {
        for (w, h) in GoldenFrameTests.sizes {
            let s = try session(Self.store, width: w, height: h)
            try steps(s)
            let f = s.frame
            let tag = "\(name)-\(w)x\(h)"
            FrameCheck.assertClean(f, tag, file: file, line: line)
            Golden.check(f, tag, file: file, line: line)
        }
    }

    func testJumpToTheAffiliate() throws {
        try golden("jump-affiliate") { s in
            s.send(.enter, .char("a"))
            XCTAssertEqual(s.selectedRow?.ref, "jose")
        }
    }

    func testCustomerPaneShowsItsJumps() throws {
        try golden("customer-pane-jumps") { s in s.send(.enter) }
    }

    func testCommandLineCompletions() throws {
        try golden("command-line") { s in
            s.send(.char(":")); s.type("a"); s.send(.tab, .tab)
            XCTAssertEqual(s.state.prompt?.text, "affiliate ")
        }
    }

    func testCommandLineError() throws {
        try golden("command-line-error") { s in
            s.send(.char(":")); s.type("frob"); s.send(.enter)
        }
    }

    func testEditAnAffiliate() throws {
        try golden("affiliate-edit") { s in
            s.go(.affiliates)
            s.send(.char("E"))
        }
        try golden("affiliate-edit-confirm") { s in
            s.go(.affiliates)
            s.send(.char("E"), .enter, .enter); s.type("15.00 EUR"); s.send(.enter)
        }
    }

    func testRefusalBeforeTheForm() throws {
        try golden("notice-canceled") { s in
            s.send(.down)
            XCTAssertEqual(s.selectedRow?.status, .ended)
            s.send(.char("c"))
        }
    }

    func testPickerShowsWhatTheCoreRefuses() throws {
        try golden("picker-refusals") { s in s.send(.char("r")); s.type("jo") }
    }

    func testConfirmationButtons() throws {
        try golden("confirm-yes") { s in s.send(.char("s"), .down, .enter, .right) }
    }
}

extension WorkflowGoldenTests {
    func testSettingsToggle() throws {
        try golden("settings-toggle") { s in s.go(.settings); s.send(.down, .down, .enter, .right) }
    }

    func testSettingsCurrencyWarning() throws {
        try golden("settings-warning") { s in
            s.go(.settings); s.send(.down, .down, .down, .enter, .ctrl("u")); s.type("15.00 EUR")
        }
    }

    func testSettingsAdapterFields() throws {
        try golden("settings-adapters") { s in s.go(.settings); s.send(.char("G")) }
    }
}

extension WorkflowGoldenTests {
    func testAddAffiliateForm() throws {
        try golden("affiliate-add") { s in s.go(.affiliates); s.send(.char("n")); s.type("zed") }
    }

    func testAuditEntry() throws {
        try golden("audit-entry") { s in s.go(.audit); s.send(.down, .enter) }
    }
}

extension WorkflowGoldenTests {
    func testColumnChooser() throws {
        try golden("column-chooser") { s in s.send(.char("C"), .down, .char(" "), .down) }
    }
}
