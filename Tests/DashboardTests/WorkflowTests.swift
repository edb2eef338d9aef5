import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// Moving between records (jumps, the trail Esc and q go back along, the `:` command line),
/// copying an identifier, pickers that offer only what the core allows, confirmations whose
/// Enter presses the highlighted button, and refusals known before the confirmation. Driven
/// through `update` (a `Session`), checked against the store.
final class WorkflowTests: XCTestCase {
    var store: Store!

    override func setUpWithError() throws {
        store = try DemoFixture.shared.copy()
    }

    /// Opens the customer pane for `key` through the filter.
    func openCustomer(_ s: Session, _ key: String, file: StaticString = #filePath, line: UInt = #line) {
        s.go(.customers)
        s.send(.char("/")); s.type(key); s.send(.enter)
        XCTAssertEqual(s.selectedRow?.ref, key, file: file, line: line)
        s.send(.enter)
        guard case .customer(let d)? = s.state.detail, d.customer.key == key else {
            return XCTFail("no pane for \(key)", file: file, line: line)
        }
    }

    // MARK: - Jumps and the trail

    func testEscFromAnAffiliatesCustomersReturnsToTheAffiliate() throws {
        let s = try session(store)
        s.go(.affiliates)
        s.send(.down, .down)
        let code = try XCTUnwrap(s.selectedRow?.ref)
        s.send(.enter)
        XCTAssertEqual(s.state.tab, .customers)
        XCTAssertEqual(s.state.affiliateFilter?.code, code)
        s.send(.escape)
        XCTAssertEqual(s.state.tab, .affiliates)
        XCTAssertEqual(s.selectedRow?.ref, code, "the affiliate the list came from is still selected")
        XCTAssertNil(s.state.affiliateFilter)
    }

    func testJumpFromTheCustomerPaneToItsAffiliateAndBack() throws {
        let s = try session(store)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        let code = try XCTUnwrap(try store.customer(key: key)).affiliateCode
        s.send(.escape)   // nothing to go back to on the first screen: nothing happens
        s.send(.enter)
        guard case .customer? = s.state.detail else { return XCTFail("no pane") }
        // The status bar offers the pane's jumps.
        let bar = s.frame.row(Layout(s.state).statusY)
        XCTAssert(bar.contains("a →affiliate"), bar)
        s.send(.char("a"))
        XCTAssertNil(s.state.detail)
        XCTAssertEqual(s.state.tab, .affiliates)
        XCTAssertEqual(s.selectedRow?.ref, code)
        XCTAssertEqual(s.state.list.filter, code)
        // Esc: the pane again, on the same customer; Esc again: the list it was opened from.
        s.send(.escape)
        XCTAssertEqual(s.state.tab, .customers)
        guard case .customer(let back)? = s.state.detail else { return XCTFail("Esc did not come back to the pane") }
        XCTAssertEqual(back.customer.key, key)
        XCTAssertEqual(s.state.lists[.affiliates]?.filter, "", "the jump's filter is not left on the Affiliates tab")
        s.send(.escape)
        XCTAssertNil(s.state.detail)
        XCTAssertEqual(s.selectedRow?.ref, key)
        XCTAssertFalse(s.state.quit)
    }

    func testJumpFromAnEventToItsCustomerAndFromAConversionToItsEvents() throws {
        let s = try session(store)
        s.go(.triage)
        // The first refused event that names a tracked customer.
        var found: EventRow?
        for _ in 0..<40 {
            if case .event(let e)? = s.selectedRow?.item, let k = e.customerKey, try store.customer(key: k) != nil { found = e; break }
            s.send(.down)
        }
        let e = try XCTUnwrap(found)
        s.send(.enter)
        guard case .event? = s.state.detail else { return XCTFail("no event pane") }
        s.send(.char("u"))
        guard case .customer(let d)? = s.state.detail else { return XCTFail("u did not open the customer") }
        XCTAssertEqual(d.customer.key, e.customerKey)
        s.send(.escape)
        guard case .event(let back)? = s.state.detail else { return XCTFail("Esc did not come back to the event") }
        XCTAssertEqual(back.event.id, e.id)

        // A conversion row leads to its events (Triage searching its external id); one added
        // by hand has none to lead to.
        s.go(.conversions)
        guard case .conversion(let manual)? = s.selectedRow?.item, manual.manual else { return XCTFail("no manual conversion first") }
        XCTAssertNil(Navigation.targets(s.state)[.event])
        s.send(.down)
        guard case .conversion(let v)? = s.selectedRow?.item, !v.manual else { return XCTFail("no conversion row") }
        s.send(.char("e"))
        XCTAssertEqual(s.state.tab, .triage)
        XCTAssertEqual(s.state.list.filter, v.externalID)
        XCTAssert(s.rows.contains { if case .event(let x) = $0.item { return x.externalID == v.externalID }; return false })
        // A key with nothing to go to says so.
        s.go(.settings)
        s.send(.char("t"))
        XCTAssertEqual(s.state.tab, .settings)
    }

    func testQClosesThePaneAndQuitsOnlyAtTheTopLevel() throws {
        let s = try session(store)
        s.send(.enter)
        guard case .customer? = s.state.detail else { return XCTFail("no pane") }
        s.send(.char("q"))
        XCTAssertNil(s.state.detail)
        XCTAssertFalse(s.state.quit, "q in a pane quit the program")
        // In an affiliate's customers, q goes back to the Affiliates.
        s.go(.affiliates)
        s.send(.enter, .char("q"))
        XCTAssertEqual(s.state.tab, .affiliates)
        XCTAssertFalse(s.state.quit)
        s.send(.char("q"))
        XCTAssertTrue(s.state.quit)
    }

    func testTheTrailIsBounded() throws {
        let s = try session(store)
        for _ in 0..<(Navigation.trailLimit + 20) { s.send(.char(":")); s.type("customer usr_100017"); s.send(.enter) }
        guard case .customer? = s.state.detail else { return XCTFail("no pane") }
        XCTAssertLessThanOrEqual(s.state.trail.count, Navigation.trailLimit)
    }

    // MARK: - The command line

    func testCommandLineJumpsAndCompletes() throws {
        let s = try session(store)
        s.send(.char(":"))
        XCTAssertNotNil(s.state.prompt)
        XCTAssert(s.frame.row(Layout(s.state).statusY).contains(":█"))
        s.type("cu"); s.send(.tab)
        XCTAssertEqual(s.state.prompt?.text, "customer ")
        s.type("usr_100017"); s.send(.enter)
        XCTAssertNil(s.state.prompt)
        guard case .customer(let d)? = s.state.detail else { return XCTFail(":customer did not open the customer") }
        XCTAssertEqual(d.customer.key, "usr_100017")

        // Affiliate codes complete (read once, when the line opens).
        s.send(.char(":")); s.type("a"); s.send(.tab)
        XCTAssertEqual(s.state.prompt?.text, "affiliate ")
        s.type("jo"); s.send(.tab)
        XCTAssertEqual(s.state.prompt?.text, "affiliate jose")
        s.send(.enter)
        XCTAssertEqual(s.state.tab, .affiliates)
        XCTAssertEqual(s.selectedRow?.ref, "jose")
        // Esc goes back to the customer pane the command was typed on.
        s.send(.escape)
        guard case .customer? = s.state.detail else { return XCTFail("Esc did not come back") }

        // :event N opens the event; :triage ID searches the identifier's chain.
        let id = try XCTUnwrap(try store.events(EventQuery(rejectedOnly: true), page: .first(1)).first).id
        s.send(.char(":")); s.type("event"); s.send(.key(.char(" "))); s.type("\(id)"); s.send(.enter)
        guard case .event(let ev)? = s.state.detail else { return XCTFail(":event did not open the event") }
        XCTAssertEqual(ev.event.id, id)
        s.send(.char(":")); s.type("triage usr_100017"); s.send(.enter)
        XCTAssertEqual(s.state.tab, .triage)
        XCTAssertNil(s.state.detail)
        XCTAssertEqual(s.state.list.filter, "usr_100017")
    }

    func testCommandLineErrorsKeepItOpen() throws {
        let s = try session(store)
        s.send(.char(":")); s.type("frobnicate x"); s.send(.enter)
        XCTAssertEqual(s.state.prompt?.isError, true)
        XCTAssert(s.state.prompt?.hint?.contains("unknown command") == true, s.state.prompt?.hint ?? "")
        s.send(.key(.ctrl("u"))); s.type("event 12x"); s.send(.enter)
        XCTAssert(s.state.prompt?.hint?.contains("not an event number") == true, s.state.prompt?.hint ?? "")
        s.send(.escape)
        XCTAssertNil(s.state.prompt)
        XCTAssertEqual(s.state.tab, .customers)
        XCTAssertEqual(Prompts.parse("cust k1"), .success(.customer(key: "k1")))
        XCTAssertEqual(Prompts.parse("e #12"), .success(.event(id: 12)))
        XCTAssertEqual(Prompts.parse("a ZOE"), .success(.affiliate(code: "ZOE")))
        // A command line is bounded.
        s.send(.char(":")); s.type(String(repeating: "x", count: 1000))
        XCTAssertLessThanOrEqual(s.state.prompt?.text.utf8.count ?? 0, Prompts.maxLength)
    }

    func testTheAffiliateViewHasNoJumpsNorCommands() throws {
        let zoe = try XCTUnwrap(try store.affiliate(code: "zoe"))
        let s = try session(store, mode: .affiliate(id: zoe.id, code: zoe.code, name: zoe.name))
        s.send(.char(":"))
        XCTAssertNil(s.state.prompt)
        s.send(.char("a"), .char("u"))
        XCTAssertEqual(s.state.tab, .myCustomers)
        XCTAssert(Navigation.targets(s.state).isEmpty)
    }

    // MARK: - Copy

    func testYCopiesTheSelectedIdentifier() throws {
        let s = try session(store)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        s.send(.char("y"))
        XCTAssertEqual(s.state.clipboard, Clipboard(text: key, serial: 1))
        XCTAssertEqual(s.messageText, "Copied \(key) to the clipboard.")
        s.go(.conversions)
        guard case .conversion(let v)? = s.selectedRow?.item else { return XCTFail("no conversion") }
        s.send(.char("y"))
        XCTAssertEqual(s.state.clipboard, Clipboard(text: v.externalID, serial: 2))
        s.go(.triage); s.send(.enter, .char("y"))
        guard case .event(let e)? = s.state.detail else { return XCTFail("no event pane") }
        XCTAssertEqual(s.state.clipboard?.text, String(e.event.id))
    }

    func testYInTheAffiliateViewCopiesOnlyWhatItShows() throws {
        let zoe = try XCTUnwrap(try store.affiliate(code: "zoe"))
        let s = try session(store, mode: .affiliate(id: zoe.id, code: zoe.code, name: zoe.name))
        let keys = Set(try store.customers(CustomerQuery(affiliateID: zoe.id), page: .first(2000)).map(\.key))
        var serial = 0
        for tab in s.state.tabs {
            s.go(tab)
            for opened in [false, true] {
                if opened { s.send(.enter) }
                s.send(.char("y"))
                guard let c = s.state.clipboard, c.serial > serial else {
                    XCTAssertEqual(s.messageText, "Nothing to copy here.", "\(tab)")
                    continue
                }
                serial = c.serial
                XCTAssertFalse(keys.contains(c.text), "\(tab) copied a customer key")
                XCTAssert(s.frame.description.contains(c.text), "\(tab) copied \(c.text), which the screen does not show")
            }
            s.send(.escape)
        }
        XCTAssertGreaterThanOrEqual(serial, 3)
    }

    // MARK: - Pickers and confirmations

    func testPickerRanksCodePrefixesFirstAndOffersOnlyWhatTheCoreAllows() throws {
        let s = try session(store)
        // A customer of neither jose nor ingrid.
        let c = try XCTUnwrap(try store.customers(CustomerQuery(), page: .first(50)).first { !["jose", "ingrid"].contains($0.affiliateCode) })
        s.send(.char("/")); s.type(c.key); s.send(.enter)
        s.send(.char("r")); s.type("jo"); s.send(.enter)
        guard case .confirm(let confirm)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(confirm.action, .reassign(customerKey: c.key, affiliateCode: "jose"))
        s.send(.escape)

        // The current affiliate is shown with the core's reason and cannot be picked.
        s.send(.char("r")); s.type(c.affiliateCode)
        guard case .picker(let p)? = s.state.overlays.last else { return XCTFail("no picker") }
        XCTAssertEqual(p.visible.first?.code, c.affiliateCode)
        XCTAssertNotNil(p.refusal(p.visible[0], s.state.settings))
        XCTAssert(s.frame.description.contains("(current)"))
        s.send(.enter)
        if case .confirm? = s.state.overlays.last { XCTFail("the current affiliate was offered") }
        // Moving skips what cannot be picked.
        s.send(.escape, .char("r"))
        guard case .picker(var all)? = s.state.overlays.last else { return XCTFail("no picker") }
        for _ in 0..<all.items.count {
            XCTAssertNil(all.refusal(all.visible[all.selected], s.state.settings), all.visible[all.selected].code)
            s.send(.down)
            guard case .picker(let next)? = s.state.overlays.last else { return XCTFail("no picker") }
            all = next
        }
    }

    func testEnterPressesTheHighlightedButtonNoByDefault() throws {
        let s = try session(store)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        let version = try store.dataVersion()
        s.send(.char("s"), .down, .enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertFalse(c.yes)
        XCTAssert(s.frame.description.contains("[ No ]"))
        s.send(.enter)
        XCTAssertEqual(try store.dataVersion(), version, "Enter on No changed something")
        XCTAssertEqual(s.messageText, "Cancelled: nothing was changed.")
        s.send(.char("s"), .down, .enter, .right)
        XCTAssert(s.frame.description.contains("[ Yes ]"))
        s.send(.enter)
        XCTAssertEqual(try store.customer(key: key)?.status, .ended)
    }

    func testAConversionForACanceledCustomerIsRefusedAtOnce() throws {
        let s = try session(store)
        let canceled = try XCTUnwrap(try store.customers(CustomerQuery(status: .ended), page: .first(1)).first)
        s.send(.char("/")); s.type(canceled.key); s.send(.enter)
        s.send(.char("c"))
        guard case .notice(let n)? = s.state.overlays.last else { return XCTFail("no refusal before the form: \(s.state.overlays)") }
        XCTAssertEqual(n.lines.first, Reason.customerEnded.sentence)
        XCTAssert(n.lines.contains("How to fix: " + Reason.customerEnded.hint))
        // The whole sentence and fix are on screen at 80 columns, wrapped.
        let text = s.frame.lines().joined(separator: " ").split(separator: " ").joined(separator: " ")
        for word in Reason.customerEnded.hint.split(separator: " ") { XCTAssert(text.contains(word), "\(word) missing") }
        s.send(.enter)
        XCTAssert(s.state.overlays.isEmpty)
    }

    func testARefusalReplacesTheConfirmationBeforeY() throws {
        let s = try session(store)
        let version = try store.dataVersion()
        s.send(.char("c")); s.type("manual_0001"); s.send(.enter); s.type("10.00"); s.send(.enter, .enter, .enter)
        guard case .notice(let n)? = s.state.overlays.last else { return XCTFail("the confirmation stayed: \(s.state.overlays)") }
        XCTAssertEqual(n.lines.first, Reason.duplicateExternalID.sentence)
        XCTAssertEqual(s.state.history.last?.result, .refused)
        s.send(.char("y"))
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertEqual(try store.dataVersion(), version)
    }
}
