import AttributionCore
@testable import Feeds
import Foundation
import XCTest

/// Numbers at the ends of Int64 and times outside 1970-01-01 .. 2200-01-01 are refused at the
/// door as invalid events naming their field: none reaches the core, none traps.
final class ExtremeInputTests: XCTestCase {
    func payload(_ e: InboundEvent?) -> InboundEvent.Payload? { e?.payload }

    func invalidField(_ e: InboundEvent?, file: StaticString = #filePath, line: UInt = #line) -> String? {
        guard case .invalid(let f, _)? = e?.payload else {
            XCTFail("not invalid: \(String(describing: e?.payload))", file: file, line: line)
            return nil
        }
        return f
    }

    func isEvent(_ e: InboundEvent?) -> Bool {
        if case .event? = e?.payload { return true }
        return false
    }

    // MARK: Tracking lines

    func testTrackingTimesOutsideTheRangeAreInvalid() {
        let feed = TrackingFeed(defaultCurrency: .usd, file: "t.jsonl")
        func click(_ at: String) -> InboundEvent? {
            feed.read(line: #"{"type":"click","click_id":"c1","affiliate":"alice","at":\#(at)}"#, number: 1)
        }
        for bad in ["-9223372036854775808", "9223372036854775807", "-1", "7258118401", #""1969-12-31T23:59:59Z""#,
                    #""2200-01-01T00:00:01Z""#, #""9999-12-31T23:59:59Z""#, #""0000-01-01""#] {
            XCTAssertEqual(invalidField(click(bad)), "at", bad)
            guard case .invalid(_, let message)? = click(bad)?.payload else { continue }
            XCTAssertTrue(message.contains("1970-01-01T00:00:00Z") && message.contains("2200-01-01T00:00:00Z"), message)
        }
        for good in ["0", "7258118400", #""1970-01-01T00:00:00Z""#, #""2200-01-01T00:00:00Z""#, #""2026-01-05T10:00:00+02:00""#] {
            XCTAssertTrue(isEvent(click(good)), good)
        }
        // Every event type's time, and conversion amounts past the maximum.
        let lines = [
            #"{"type":"trial","customer_key":"u1","at":-9223372036854775808}"#,
            #"{"type":"conversion","external_id":"o1","amount":"1.00","customer_key":"u1","at":9223372036854775807}"#,
            #"{"type":"cancel","customer_key":"u1","at":"1900-01-01T00:00:00Z"}"#,
        ]
        for l in lines { XCTAssertEqual(invalidField(feed.read(line: l, number: 1)), "at", l) }
        XCTAssertEqual(invalidField(feed.read(line: #"{"type":"conversion","external_id":"o1","amount":"92233720368547758.07","customer_key":"u1","at":0}"#,
                                              number: 1)), "amount")
        XCTAssertEqual(invalidField(feed.read(line: #"{"type":"conversion","external_id":"o1","amount":"1.00","currency":"XYZ","customer_key":"u1","at":0}"#,
                                              number: 1)), "currency")
    }

    // MARK: Stripe

    func stripe(_ extra: String = "", created: String = "1767607200") -> String {
        #"{"id":"evt_x","object":"event","created":\#(created),"type":"invoice.paid","data":{"object":{"id":"in_x","object":"invoice","#
            + #""amount_paid":2900,"currency":"usd","status":"paid"\#(extra)}}}"#
    }

    func testStripeTaxSumPastInt64IsInvalid() {
        let feed = StripeFeed(taxExcluded: true)
        let e = feed.read(record: stripe(#","total_taxes":[{"amount":9223372036854775807},{"amount":1}]"#), line: 1)
        XCTAssertEqual(invalidField(e), "data.object.total_taxes[0].amount")
        let amounts = feed.read(record: stripe(#","total_tax_amounts":[{"amount":1},{"amount":-9223372036854775808}]"#), line: 1)
        XCTAssertEqual(invalidField(amounts), "data.object.total_tax_amounts[1].amount")
        let big = String(StripeFeed.maxStripeMinor)
        let sum = feed.read(record: stripe(#","total_taxes":[{"amount":\#(big)},{"amount":\#(big)},{"amount":1}]"#), line: 1)
        XCTAssertEqual(invalidField(sum), "data.object.total_taxes")
    }

    func testStripeExtremeTaxWithTaxExcludedIsInvalid() {
        let feed = StripeFeed(taxExcluded: true)
        for tax in ["-9223372036854775808", "9223372036854775807", "-1"] {
            XCTAssertEqual(invalidField(feed.read(record: stripe(#","tax":\#(tax)"#), line: 1)), "data.object.tax", tax)
        }
        // Tax above the amount paid leaves a commission base of zero, as before.
        guard case .event(.conversion(let c))? = feed.read(record: stripe(#","tax":5000"#), line: 1)?.payload else {
            return XCTFail("not a conversion")
        }
        XCTAssertEqual(c.commissionBase, Money(minor: 0, currency: .usd))
    }

    func testStripeTimesOutsideTheRangeAreInvalid() {
        let feed = StripeFeed()
        XCTAssertEqual(invalidField(feed.read(record: stripe(created: "-9223372036854775808"), line: 1)), "created")
        XCTAssertEqual(invalidField(feed.read(record: stripe(created: "9223372036854775807"), line: 1)), "created")
        XCTAssertEqual(invalidField(feed.read(record: stripe(#","status_transitions":{"paid_at":-5}"#), line: 1)),
                       "data.object.status_transitions.paid_at")
        let bare = #"{"id":"in_y","object":"invoice","amount_paid":100,"currency":"usd","status":"paid","created":99999999999}"#
        XCTAssertEqual(invalidField(feed.read(record: bare, line: 1)), "created")
        let cancel = #"{"id":"evt_c","object":"event","created":1767607200,"type":"customer.subscription.deleted","#
            + #""data":{"object":{"id":"sub_1","object":"subscription","ended_at":-9223372036854775808}}}"#
        XCTAssertEqual(invalidField(feed.read(record: cancel, line: 1)), "data.object.ended_at")
    }

    // MARK: WooCommerce

    func testWooCommerceTimesOutsideTheRangeAreInvalid() {
        func order(_ paid: String) -> String {
            #"{"id":7,"status":"completed","currency":"EUR","total":"10.00","date_paid_gmt":\#(paid),"meta_data":[]}"#
        }
        let feed = WooCommerceFeed()
        for bad in ["-9223372036854775808", "9223372036854775807", #""1969-12-31T23:59:59""#, #""2200-01-02T00:00:00""#] {
            XCTAssertEqual(invalidField(feed.read(record: order(bad), line: 1)), "date_paid_gmt", bad)
        }
        XCTAssertTrue(isEvent(feed.read(record: order(#""2026-01-05T10:00:00""#), line: 1)))
        let taxed = #"{"id":8,"status":"completed","currency":"EUR","total":"90000000000.00","total_tax":"-90000000000.00","#
            + #""date_paid_gmt":"2026-01-05T10:00:00"}"#
        XCTAssertTrue(isEvent(WooCommerceFeed(taxExcluded: true).read(record: taxed, line: 1)), "amounts at the maximum subtract safely")
    }
}
