import AttributionCore
import XCTest

/// Who a hand-added conversion credits, and the one list of an event's text fields.
final class ManualCreditAndTextFieldTests: XCTestCase {
    func testADraftCreditsTheCustomersAffiliateThenTheClicksThenTheEvents() {
        XCTAssertTrue(ManualCredit.drafted(customerAffiliate: "alice", clickAffiliate: "bob", eventAffiliate: "carol") == ("alice", .customer))
        XCTAssertTrue(ManualCredit.drafted(customerAffiliate: nil, clickAffiliate: "bob", eventAffiliate: "carol") == ("bob", .click))
        XCTAssertTrue(ManualCredit.drafted(customerAffiliate: nil, clickAffiliate: nil, eventAffiliate: "carol") == ("carol", .event))
        XCTAssertTrue(ManualCredit.drafted(customerAffiliate: nil, clickAffiliate: nil, eventAffiliate: nil) == (nil, .none))
    }

    func testOnlyADraftNamingNobodyNeedsAnAffiliate() {
        XCTAssertTrue(ManualCredit.needsAffiliate(customerKey: nil, drafted: nil))
        XCTAssertFalse(ManualCredit.needsAffiliate(customerKey: "u1", drafted: nil))
        XCTAssertFalse(ManualCredit.needsAffiliate(customerKey: nil, drafted: "bob"))
    }

    func testATrackedCustomersConversionNamesNoAffiliateUnlessTheAdminChoseOne() {
        XCTAssertNil(ManualCredit.affiliateToCredit(chosen: nil, customerKey: "u1", drafted: "alice"))
        XCTAssertEqual(ManualCredit.affiliateToCredit(chosen: "bob", customerKey: "u1", drafted: "alice"), "bob")
        XCTAssertEqual(ManualCredit.affiliateToCredit(chosen: nil, customerKey: nil, drafted: "alice"), "alice")
        XCTAssertEqual(ManualCredit.affiliateToCredit(chosen: "bob", customerKey: nil, drafted: "alice"), "bob")
    }

    func testTheBlankAndNulChecksReadTheSameListOfFields() {
        let at = Instant(seconds: 1_700_000_000)
        let conversion = Event.conversion(.init(externalID: "o1", amount: Money(minor: 100, currency: .usd), customerKey: "u1", at: at))
        XCTAssertEqual(conversion.textFields.map(\.name), ["external_id", "customer_key", "click_id", "subscription_id", "parent_id"])
        let track = Event.track(.init(kind: .trial, customerKey: "u1", clickID: "c1", at: at))
        XCTAssertEqual(track.textFields.map(\.name), ["customer_key", "click_id", "email"])
        XCTAssertEqual(track.textFields.map(\.isIdentifier), [true, true, false], "an email is free text: blank is allowed")
        let click = Event.click(.init(clickID: " ", affiliateCode: "alice\u{0}", at: at))
        XCTAssertEqual(Engine.malformedField(click), "click_id")
        XCTAssertEqual(click.nulField, "affiliate")
        let blankCode = Event.click(.init(clickID: "c1", affiliateCode: "", at: at))
        XCTAssertEqual(Engine.malformedField(blankCode), "affiliate code", "the blank message keeps its wording")
    }
}
