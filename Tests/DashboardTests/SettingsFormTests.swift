import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// The Settings form (issue 14): labels apart from values, toggles and pick-lists for the
/// enumerated settings (typing still works, read by the core's parser), the hint under the
/// field, every setting editable (the Stripe metadata key and the tax rule too), a warning for
/// an amount in another currency, and errors that keep the focus on the bad field.
final class SettingsFormTests: XCTestCase {
    var store: Store!

    override func setUpWithError() throws {
        store = try DemoFixture.shared.copy()
    }

    func edit(_ s: Session, _ field: SettingField) {
        s.go(.settings)
        s.send(.char("g"))
        for _ in 0..<field.rawValue { s.send(.down) }
        s.send(.enter)
    }

    func testRecurringIsAToggleAndTheModelAPickList() throws {
        let s = try session(store)
        edit(s, .recurring)
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(f.choices, [["on", "off"]])
        XCTAssertEqual(f.values, ["on"])
        let text = s.frame.description
        XCTAssert(text.contains("Recurring / Lifetime commissions  ● on  ○ off"), text)
        XCTAssertFalse(text.contains("commissionson"))
        // The hint is under the field.
        XCTAssert(text.contains("on | off — off: customer keys"), text)
        s.send(.key(.char(" ")))
        guard case .form(let g)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(g.values, ["off"])
        s.send(.enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssert(c.lines.contains("on → off"), "\(c.lines)")
        s.send(.char("y"))
        XCTAssertFalse(try store.settings().recurring)

        edit(s, .model)
        s.send(.right, .right)
        guard case .form(let m)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(m.values, ["generic"])
        s.send(.left, .enter, .char("y"))
        XCTAssertEqual(try store.settings().model, .leads)
    }

    func testTheMetadataKeyAndTheTaxRuleAreEditable() throws {
        let s = try session(store)
        edit(s, .tax)
        XCTAssert(s.frame.description.contains("● included  ○ excluded"), s.frame.description)
        s.send(.right, .enter, .char("y"))
        XCTAssertTrue(try store.adapterSettings().taxExcluded)
        edit(s, .metadataKey)
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(f.values, ["customer_key"])
        s.send(.ctrl("u"), .enter)
        guard case .form(let empty)? = s.state.overlays.last else { return XCTFail("an empty key was accepted") }
        // The core's sentence, as `program set --metadata-key` prints it after the option's name.
        XCTAssertEqual(empty.error, "must not be empty")
        // The core's rule (SettingRules.parseMetadataKey), the one `program set` and the store apply.
        s.type("customer[key]"); s.send(.enter)
        guard case .form(let brackets)? = s.state.overlays.last else { return XCTFail("a key with brackets was accepted") }
        XCTAssertEqual(brackets.error, "must not contain square brackets (Stripe refuses them in keys)")
        s.send(.ctrl("u")); s.type(String(repeating: "k", count: 41)); s.send(.enter)
        guard case .form(let long)? = s.state.overlays.last else { return XCTFail("a 41-character key was accepted") }
        XCTAssertEqual(long.error, "is 41 characters long; Stripe allows at most 40")
        s.send(.ctrl("u"))
        s.type("uid"); s.send(.enter, .char("y"))
        XCTAssertEqual(try store.adapterSettings(), AdapterSettings(metadataKey: "uid", taxExcluded: true))
        let a = try XCTUnwrap(try store.audit(page: .first(1)).first)
        XCTAssertEqual(a.action, "settings")
        XCTAssert(a.after?.contains("metadata_key=uid") == true, a.after ?? "")
        // The screen shows both.
        s.send(.char("G"))
        let text = s.frame.description
        XCTAssert(text.contains("Stripe metadata key                 uid"), text)
        XCTAssert(text.contains("Commission on amounts with tax      excluded"), text)
    }

    func testAnotherCurrencyIsWarnedOf() throws {
        let s = try session(store)
        edit(s, .commission)
        s.send(.ctrl("u")); s.type("15.00 EUR")
        XCTAssert(s.frame.description.contains("Warning: EUR is not the program's currency (USD)."))
        s.send(.enter)
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation") }
        XCTAssert(c.lines.contains("Warning: EUR is not the program's currency (USD)."), "\(c.lines)")
        s.send(.escape)
        // The add-conversion form says so too.
        s.go(.customers)
        s.send(.char("c")); s.type("inv_eur"); s.send(.enter); s.type("12"); s.send(.enter, .ctrl("u")); s.type("EUR")
        XCTAssert(s.frame.description.contains("Warning: EUR is not the program's currency (USD)."))
    }

    func testAnErrorKeepsTheFocusOnTheBadField() throws {
        let s = try session(store)
        s.send(.char("c")); s.type("inv_focus"); s.send(.enter); s.type("1.2.3"); s.send(.enter)
        guard case .form(let f)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(f.focus, 1)
        XCTAssert(f.error?.hasPrefix("Amount:") == true, f.error ?? "")
        s.send(.ctrl("u")); s.type("1.20"); s.send(.enter)
        guard case .form(let g)? = s.state.overlays.last else { return XCTFail("no form") }
        XCTAssertEqual(g.focus, 2)
        XCTAssertNil(g.error)
    }
}
