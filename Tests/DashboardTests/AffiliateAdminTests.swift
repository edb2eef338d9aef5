import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// The Affiliates tab's admin actions (add with a commission override, disable, enable:
/// confirmed and audited) and the Audit tab's entry (only the changed fields, before → after).
final class AffiliateAdminTests: XCTestCase {
    var store: Store!

    override func setUpWithError() throws {
        store = try DemoFixture.shared.copy()
    }

    func testAddAnAffiliateWithTheCoresCodeRule() throws {
        let s = try session(store)
        s.go(.affiliates)
        let count = try store.affiliates().count
        s.send(.char("n"))
        guard case .form? = s.state.overlays.last else { return XCTFail("no form") }
        s.type("bad code"); s.send(.enter)
        guard case .form(let bad)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(bad.focus, 0)
        XCTAssert(bad.error?.hasPrefix("Code: ") == true, bad.error ?? "")
        s.send(.ctrl("u")); s.type("zed"); s.send(.enter); s.type("Zed Zone"); s.send(.enter, .enter); s.type("150%"); s.send(.enter)
        guard case .form(let pct)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(pct.focus, 3)
        s.send(.ctrl("u")); s.type("15%"); s.send(.enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(c.action, .addAffiliate(code: "zed", name: "Zed Zone", email: nil, commission: .percent(basisPoints: 1500)))
        XCTAssertEqual(try store.affiliates().count, count, "nothing before y")
        s.send(.char("y"))
        let zed = try XCTUnwrap(try store.affiliate(code: "zed"))
        XCTAssertEqual(zed.commission, .percent(basisPoints: 1500))
        let a = try XCTUnwrap(try store.audit(page: .first(1)).first)
        XCTAssertEqual(a.action, "affiliate.add")
        XCTAssertEqual(a.who, "tester")
        XCTAssertEqual(s.messageText, "Affiliate zed added with commission 15%.")
        // A code differing only in case from another is refused by the store, and said.
        s.send(.char("n")); s.type("ZOE"); s.send(.enter); s.type("Other"); s.send(.enter, .enter, .enter, .char("y"))
        XCTAssertEqual(s.state.message?.isError, true)
        XCTAssertEqual(try store.affiliates().count, count + 1)
    }

    func testDisableAndEnableTheSelectedAffiliate() throws {
        let s = try session(store)
        s.go(.affiliates)
        let code = try XCTUnwrap(s.selectedRow?.ref)
        s.send(.char("d"))
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(c.action, .setAffiliateDisabled(code: code, disabled: true))
        s.send(.char("y"))
        XCTAssertEqual(try store.affiliate(code: code)?.disabled, true)
        XCTAssertEqual(s.cells(s.selectedRow).last, "disabled")
        XCTAssertEqual(try store.audit(page: .first(1)).first?.action, "affiliate.disable")
        s.send(.char("d"))
        guard case .confirm(let e)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(e.action, .setAffiliateDisabled(code: code, disabled: false))
        s.send(.char("y"))
        XCTAssertEqual(try store.affiliate(code: code)?.disabled, false)
        XCTAssertEqual(try store.audit(page: .first(1)).first?.action, "affiliate.enable")
    }

    /// `n` reads the email by the core's rule (AffiliateFields), as `E` and the store do: a refusal
    /// keeps the focus on the email.
    func testTheAddFormReadsTheEmailByTheCoresRule() throws {
        let s = try session(store)
        s.go(.affiliates)
        s.send(.char("n")); s.type("yan"); s.send(.enter); s.type("Yan"); s.send(.enter); s.type("yan at example"); s.send(.enter, .enter)
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(f.focus, 2)
        XCTAssert(f.error?.hasPrefix("Email: must not contain a space") == true, f.error ?? "")
        s.send(.ctrl("u")); s.type("yan@example"); s.send(.enter, .enter)
        guard case .form(let g)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssert(g.error?.hasPrefix("Email: ") == true, g.error ?? "")
        s.send(.ctrl("u")); s.type("yan@example.com"); s.send(.enter, .enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(c.action, .addAffiliate(code: "yan", name: "Yan", email: "yan@example.com", commission: nil))
    }

    /// `E`: the selected affiliate's commission override, payout email and name, in a form
    /// filled with what they are; refusals keep the focus on their field; the confirmation shows
    /// only what changes, before → after; the store audits it.
    func testEditTheSelectedAffiliatesCommissionEmailAndName() throws {
        let s = try session(store)
        s.go(.affiliates)
        XCTAssertEqual(s.selectedRow?.ref, "zoe")
        s.send(.char("E"))
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("E opened no form") }
        XCTAssertEqual(f.values, ["Zoë Müller", "zoe@partners.example", ""])
        // A commission outside the core's bounds, then an email it refuses: each keeps the focus.
        s.send(.enter, .enter); s.type("150%"); s.send(.enter)
        guard case .form(let pct)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(pct.focus, 2)
        XCTAssertEqual(pct.error, #"Commission: "150%" is not like "20%" or "15.00 USD""#)
        s.send(.ctrl("u")); s.type("30%"); s.send(.up, .ctrl("u")); s.type("zoe at example"); s.send(.enter, .enter)
        guard case .form(let mail)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(mail.focus, 1)
        XCTAssert(mail.error?.hasPrefix("Email: must not contain a space") == true, mail.error ?? "")
        s.send(.ctrl("u")); s.type("pay@zoe.example"); s.send(.enter, .enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(c.action, .updateAffiliate(code: "zoe", change: AffiliateChange(email: .set("pay@zoe.example"),
                                                                                        commission: .set(.percent(basisPoints: 3000)))))
        XCTAssertEqual(c.lines, ["Affiliate   zoe", "", "Email       zoe@partners.example → pay@zoe.example",
                                 "Commission  the program's (20%) → 30%"])
        XCTAssertNil(try store.affiliate(code: "zoe")?.commission, "nothing before y")
        s.send(.char("y"))
        let zoe = try XCTUnwrap(try store.affiliate(code: "zoe"))
        XCTAssertEqual(zoe.commission, .percent(basisPoints: 3000))
        XCTAssertEqual(zoe.email, "pay@zoe.example")
        XCTAssertEqual(s.messageText, "Affiliate zoe: email pay@zoe.example, commission 30%.")
        let a = try XCTUnwrap(try store.audit(page: .first(1)).first)
        XCTAssertEqual([a.action, a.who, a.target], ["affiliate.set", "tester", "zoe"])
        XCTAssertEqual(a.before, "email=zoe@partners.example commission=program")
        XCTAssertEqual(a.after, "email=pay@zoe.example commission=30%")
        // Back to the program's commission (an empty field), and nothing else: one line.
        s.send(.char("E"), .enter, .enter, .ctrl("u"), .enter)
        guard case .confirm(let back)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssertEqual(back.lines, ["Affiliate   zoe", "", "Commission  30% → the program's (20%)"])
        s.send(.char("y"))
        XCTAssertNil(try store.affiliate(code: "zoe")?.commission)
        // Nothing changed: said in the form, which stays.
        s.send(.char("E"), .enter, .enter, .enter)
        guard case .form(let same)? = s.state.overlays.last else { return XCTFail("the form closed") }
        XCTAssertEqual(same.error, "Unchanged: edit a field or press Esc")
    }

    func testAnAuditEntryShowsOnlyWhatChanged() throws {
        let s = try session(store)
        s.go(.settings)
        s.send(.char("G"), .up, .up, .up, .enter, .ctrl("u")); s.type("90"); s.send(.enter, .char("y"))
        XCTAssertEqual(try store.settings().windowDays, 90)
        s.go(.audit)
        s.send(.char("g"), .enter)
        guard case .notice(let n)? = s.state.overlays.last else { return XCTFail("Enter opened nothing") }
        XCTAssertEqual(n.title, "Audit #\(try XCTUnwrap(s.selectedRow?.id)) · settings")
        XCTAssert(n.lines.contains("  window: 60d → 90d"), "\(n.lines)")
        XCTAssertFalse(n.lines.contains { $0.contains("model") }, "\(n.lines)")
        s.send(.escape)
        XCTAssert(s.state.overlays.isEmpty)
        XCTAssertEqual(s.state.tab, .audit)
    }
}
