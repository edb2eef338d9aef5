import AttributionCore
import Feeds
import XCTest

final class TrackingFeedTests: XCTestCase {
    let feed = TrackingFeed(defaultCurrency: nil, file: "events.jsonl")
    let t0 = Instant.parse("2026-01-05T10:00:00Z")!

    func read(_ line: String, _ feed: TrackingFeed? = nil, number: Int = 1) -> InboundEvent? {
        (feed ?? self.feed).read(line: line, number: number)
    }

    /// The parsed event, failing the test when the line was refused.
    func event(_ line: String, _ feed: TrackingFeed? = nil, file: StaticString = #filePath, line l: UInt = #line) -> Event? {
        guard let e = read(line, feed) else { XCTFail("blank: \(line)", file: file, line: l); return nil }
        guard case .event(let ev) = e.payload else { XCTFail("refused: \(e.payload)", file: file, line: l); return nil }
        return ev
    }

    /// The (field, message) of a refused line.
    func invalid(_ line: String, _ feed: TrackingFeed? = nil, file: StaticString = #filePath,
                 line l: UInt = #line) -> (field: String?, message: String)? {
        guard let e = read(line, feed) else { XCTFail("blank: \(line)", file: file, line: l); return nil }
        guard case .invalid(let f, let m) = e.payload else { XCTFail("accepted: \(e.payload)", file: file, line: l); return nil }
        return (f, m)
    }

    func amount(_ json: String, currency: String = "USD") -> Event? {
        event(#"{"type":"conversion","external_id":"o1","amount":\#(json),"currency":"\#(currency)","at":"2026-01-05T10:00:00Z"}"#)
    }

    func usd(_ minor: Int64) -> Money { Money(minor: minor, currency: .usd) }

    // MARK: Each event type

    func testClick() {
        let line = #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#
        let e = read(line, number: 7)
        XCTAssertEqual(e?.payload, .event(.click(.init(clickID: "c1", affiliateCode: "alice", at: t0))))
        XCTAssertEqual(e?.type, "click")
        XCTAssertEqual(e?.source, "jsonl")
        XCTAssertEqual(e?.raw, line)
        XCTAssertEqual(e?.file, "events.jsonl")
        XCTAssertEqual(e?.line, 7)
        // Led by the event's time (order-preserving hex), then the content hash.
        let t = String(UInt64(bitPattern: t0.seconds ^ Int64.min), radix: 16)
        XCTAssertEqual(e?.dedupeKey, "jsonl:" + String(repeating: "0", count: 16 - t.count) + t + ":" + StableHash.hex(line))
        XCTAssertNil(e?.invalidMessage)
    }

    func testDedupeKeysFollowTimeAndContent() {
        let a = read(#"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#, number: 1)!.dedupeKey
        let b = read(#"{"type":"click","click_id":"c2","affiliate":"alice","at":"2026-01-05T10:00:01Z"}"#, number: 2)!.dedupeKey
        let old = read(#"{"type":"click","click_id":"c0","affiliate":"alice","at":"1970-01-01T00:00:00Z"}"#, number: 3)!.dedupeKey
        XCTAssertLessThan(a, b)
        XCTAssertLessThan(old, a)
        XCTAssertEqual(a, read(#"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#, number: 9)!.dedupeKey)
        // A line that cannot be read has no time: its key is its content hash alone.
        XCTAssertEqual(read("{oops", number: 4)!.dedupeKey, "jsonl:" + StableHash.hex("{oops"))
    }

    func testTrackKinds() {
        for kind in ["trial", "lead", "signup"] {
            let ev = event(#"{"type":"\#(kind)","customer_key":"u1","click_id":"c1","email":"u1@x.example","at":"2026-01-05T10:00:00Z"}"#)
            XCTAssertEqual(ev, .track(.init(kind: Event.Kind(rawValue: kind)!, customerKey: "u1", clickID: "c1", at: t0,
                                            email: "u1@x.example")), kind)
        }
        // click_id and email are optional; null is the same as absent.
        XCTAssertEqual(event(#"{"type":"signup","customer_key":"u2","click_id":null,"at":"2026-01-05T10:00:00Z"}"#),
                       .track(.init(kind: .signup, customerKey: "u2", clickID: nil, at: t0)))
    }

    func testConversion() {
        let ev = event(#"{"type":"conversion","external_id":"inv_1","amount":"29.00","currency":"USD","customer_key":"u1","click_id":"c1","first_payment":true,"commission_base":"25.00","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(ev, .conversion(.init(externalID: "inv_1", amount: usd(2900), commissionBase: usd(2500), customerKey: "u1",
                                             clickID: "c1", isFirstPayment: true, at: t0)))
        let bare = event(#"{"type":"conversion","external_id":"inv_2","amount":"10","currency":"EUR","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(bare, .conversion(.init(externalID: "inv_2", amount: Money(minor: 1000, currency: .eur), at: t0)))
    }

    func testCancel() {
        XCTAssertEqual(event(#"{"type":"cancel","customer_key":"u1","at":"2026-01-05T10:00:00Z"}"#),
                       .cancel(.init(customerKey: "u1", at: t0)))
    }

    func testUnknownFieldsAreIgnored() {
        XCTAssertEqual(event(#"{"type":"cancel","customer_key":"u1","at":"2026-01-05T10:00:00Z","retry":3,"meta":{"a":[1]}}"#),
                       .cancel(.init(customerKey: "u1", at: t0)))
    }

    // MARK: Amounts

    func testAmountsAreExactWhetherStringsOrNumbers() {
        let cases: [(String, Int64)] = [
            (#""29.00""#, 2900), ("29", 2900), ("29.5", 2950), (#""0.10""#, 10), ("0.1", 10), (#""29""#, 2900),
            ("29.00", 2900), (#""1234567.89""#, 123_456_789), ("0.07", 7), (#"" 12.50 ""#, 1250), ("-5.00", -500),
            (#""29.10""#, 2910), ("19.99", 1999), (#""0.29""#, 29),
        ]
        for (json, minor) in cases {
            guard case .conversion(let c)? = amount(json) else { XCTFail(json); continue }
            XCTAssertEqual(c.amount, usd(minor), json)
        }
        // A currency with no minor digits, and one with three.
        guard case .conversion(let yen)? = amount(#""1500""#, currency: "JPY") else { return XCTFail() }
        XCTAssertEqual(yen.amount, Money(minor: 1500, currency: .jpy))
        guard case .conversion(let kwd)? = amount("1.234", currency: "KWD") else { return XCTFail() }
        XCTAssertEqual(kwd.amount, Money(minor: 1234, currency: Currency(validated: "KWD")))
    }

    func testTrailingZerosBeyondTheCurrencyAreNotTooPrecise() {
        guard case .conversion(let c)? = amount(#""29.000""#) else { return XCTFail() }
        XCTAssertEqual(c.amount, usd(2900))
    }

    func testTooPreciseAmountsAreRefused() {
        let e = invalid(#"{"type":"conversion","external_id":"o1","amount":"12.345","currency":"USD","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(e?.field, "amount")
        XCTAssertEqual(e?.message, #""12.345" has more than 2 decimal places for USD"#)
        let n = invalid(#"{"type":"conversion","external_id":"o1","amount":29.001,"currency":"USD","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(n?.field, "amount")
        XCTAssertEqual(n?.message, #""29.001" has more than 2 decimal places for USD"#)
        let yen = invalid(#"{"type":"conversion","external_id":"o1","amount":"1.5","currency":"JPY","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(yen?.message, #""1.5" has more than 0 decimal places for JPY"#)
    }

    func testExponentsAreRefused() {
        for json in ["2.9e1", "29E0", "2.9e+1", #""2.9e1""#, #""29E0""#] {
            let e = invalid(#"{"type":"conversion","external_id":"o1","amount":\#(json),"currency":"USD","at":"2026-01-05T10:00:00Z"}"#)
            XCTAssertEqual(e?.field, "amount", json)
            XCTAssertEqual(e?.message, "write the amount without an exponent", json)
        }
    }

    func testOtherBadAmountsSayWhy() {
        let line = { (a: String) in #"{"type":"conversion","external_id":"o1","amount":\#(a),"currency":"USD","at":"2026-01-05T10:00:00Z"}"# }
        // Text that merely contains an "e" is not an exponent problem.
        XCTAssertEqual(invalid(line(#""free""#))?.message, #""free" is not a decimal amount"#)
        XCTAssertEqual(invalid(line(#""abc""#))?.message, #""abc" is not a decimal amount"#)
        XCTAssertEqual(invalid(line(#""1,50""#))?.message, #""1,50" is not a decimal amount"#)
        XCTAssertEqual(invalid(line(#""""#))?.message, #""" is not a decimal amount"#)
        XCTAssertEqual(invalid(line("true"))?.message, #"must be a decimal string like "29.00" or a number"#)
        XCTAssertEqual(invalid(line("null"))?.message, #"must be a decimal string like "29.00" or a number"#)
        XCTAssertEqual(invalid(line(#""99999999999999999999""#))?.message, #""99999999999999999999" is out of range"#)
        let missing = invalid(#"{"type":"conversion","external_id":"o1","currency":"USD","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(missing?.field, "amount")
        XCTAssertEqual(missing?.message, "missing")
        let base = invalid(#"{"type":"conversion","external_id":"o1","amount":"1","commission_base":"x","currency":"USD","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(base?.field, "commission_base")
    }

    // MARK: Currency

    func testCurrency() {
        let noDefault = invalid(#"{"type":"conversion","external_id":"o1","amount":"1.00","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(noDefault?.field, "currency")
        XCTAssertEqual(noDefault?.message, "missing")
        let withDefault = TrackingFeed(defaultCurrency: .eur, file: nil)
        guard case .conversion(let c)? = event(#"{"type":"conversion","external_id":"o1","amount":"1.00","at":"2026-01-05T10:00:00Z"}"#, withDefault)
        else { return XCTFail() }
        XCTAssertEqual(c.amount, Money(minor: 100, currency: .eur))
        // A named currency wins over the default, in any case.
        guard case .conversion(let d)? = event(#"{"type":"conversion","external_id":"o1","amount":"1.00","currency":"usd","at":"2026-01-05T10:00:00Z"}"#, withDefault)
        else { return XCTFail() }
        XCTAssertEqual(d.amount, usd(100))
        for bad in [#""US""#, #""US1""#, "840", "null", #""dollar""#] {
            let e = invalid(#"{"type":"conversion","external_id":"o1","amount":"1.00","currency":\#(bad),"at":"2026-01-05T10:00:00Z"}"#, withDefault)
            XCTAssertEqual(e?.field, "currency", bad)
            XCTAssertEqual(e?.message, #"must be a three-letter ISO 4217 code like "USD""#, bad)
        }
    }

    // MARK: Missing and invalid fields name the field

    func testMissingFieldsAreNamed() {
        let cases: [(String, String)] = [
            (#"{"type":"click","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#, "click_id"),
            (#"{"type":"click","click_id":"c1","at":"2026-01-05T10:00:00Z"}"#, "affiliate"),
            (#"{"type":"click","click_id":"c1","affiliate":"alice"}"#, "at"),
            (#"{"type":"trial","click_id":"c1","at":"2026-01-05T10:00:00Z"}"#, "customer_key"),
            (#"{"type":"lead","at":"2026-01-05T10:00:00Z"}"#, "customer_key"),
            (#"{"type":"conversion","amount":"1","currency":"USD","at":"2026-01-05T10:00:00Z"}"#, "external_id"),
            (#"{"type":"cancel","at":"2026-01-05T10:00:00Z"}"#, "customer_key"),
            (#"{"type":"cancel","customer_key":"u1"}"#, "at"),
            (#"{"click_id":"c1"}"#, "type"),
        ]
        for (line, field) in cases {
            let e = invalid(line)
            XCTAssertEqual(e?.field, field, line)
            XCTAssertEqual(e?.message, "missing", line)
        }
    }

    func testInvalidFieldsAreNamed() {
        let cases: [(String, String, String)] = [
            (#"{"type":"click","click_id":"","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#, "click_id", "must not be empty"),
            (#"{"type":"click","click_id":true,"affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#, "click_id", "must be a string"),
            (#"{"type":"click","click_id":["c"],"affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#, "click_id", "must be a string"),
            (#"{"type":"trial","customer_key":{"id":1},"at":"2026-01-05T10:00:00Z"}"#, "customer_key", "must be a string"),
            (#"{"type":"trial","customer_key":"u1","email":false,"at":"2026-01-05T10:00:00Z"}"#, "email", "must be a string"),
            (#"{"type":"conversion","external_id":"o1","amount":"1","currency":"USD","first_payment":"yes","at":"2026-01-05T10:00:00Z"}"#,
             "first_payment", "must be true or false"),
            (#"{"type":7}"#, "type", "must be a string"),
            (#"{"type":"click","click_id":"\#(String(repeating: "x", count: 257))","affiliate":"a","at":"2026-01-05T10:00:00Z"}"#,
             "click_id", "longer than 256 bytes"),
        ]
        for (line, field, message) in cases {
            let e = invalid(line)
            XCTAssertEqual(e?.field, field, line)
            XCTAssertEqual(e?.message, message, line)
        }
        // Control characters in identifiers: a NUL would cut the id short in SQLite's C API, an
        // escape sequence would reach a terminal.
        for (json, field) in [(#"{"type":"trial","customer_key":"bob\u0000x","at":"2026-01-05T10:00:00Z"}"#, "customer_key"),
                              (#"{"type":"trial","customer_key":"\u001b[31mred","at":"2026-01-05T10:00:00Z"}"#, "customer_key"),
                              (#"{"type":"trial","customer_key":"u1","email":"a\tb@x","at":"2026-01-05T10:00:00Z"}"#, "email"),
                              (#"{"type":"click","click_id":"c\u007f","affiliate":"a","at":"2026-01-05T10:00:00Z"}"#, "click_id"),
                              (#"{"type":"conversion","external_id":"o\n1","amount":"1","currency":"USD","at":"2026-01-05T10:00:00Z"}"#,
                               "external_id")] {
            let e = invalid(json)
            XCTAssertEqual(e?.field, field, json)
            XCTAssertEqual(e?.message, "must not contain control characters", json)
        }
        // Other unicode is fine.
        XCTAssertEqual(event(#"{"type":"cancel","customer_key":"Zoë 🚀 \u00e9","at":"2026-01-05T10:00:00Z"}"#),
                       .cancel(.init(customerKey: "Zoë 🚀 é", at: t0)))
        // Exactly the limit is fine.
        XCTAssertNotNil(event(#"{"type":"click","click_id":"\#(String(repeating: "x", count: 256))","affiliate":"a","at":"2026-01-05T10:00:00Z"}"#))
    }

    func testInvalidMessageNamesFileLineAndField() {
        let e = feed.read(line: #"{"type":"conversion","external_id":"o1","amount":"abc","currency":"USD","at":"2026-01-05T10:00:00Z"}"#,
                          number: 12)
        XCTAssertEqual(e?.invalidMessage, #"events.jsonl:12: amount: "abc" is not a decimal amount"#)
        XCTAssertEqual(e?.type, "conversion")
        let noFile = TrackingFeed().read(line: "{", number: 3)
        XCTAssertEqual(noFile?.invalidMessage, "jsonl:3: not valid JSON: expected a key at column 2")
    }

    func testUnknownType() {
        let e = read(#"{"type":"payout","external_id":"o1","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(e?.type, "payout")
        guard case .invalid(let f, let m)? = e?.payload else { return XCTFail() }
        XCTAssertEqual(f, "type")
        XCTAssertEqual(m, #"unknown type "payout"; expected click, trial, lead, signup, conversion, cancel, refund or dispute"#)
        // The unknown type is what is wrong, even when other fields are missing too.
        XCTAssertEqual(invalid(#"{"type":"payout"}"#)?.field, "type")
        XCTAssertEqual(invalid(#"{"type":"Click","click_id":"c1","affiliate":"a","at":"2026-01-05T10:00:00Z"}"#)?.field, "type")
    }

    func testTimes() {
        let base = { (at: String) in #"{"type":"cancel","customer_key":"u1","at":\#(at)}"# }
        let ok: [(String, Instant)] = [
            (#""2026-01-05T10:00:00Z""#, t0),
            (#""2026-01-05T11:00:00+01:00""#, t0),
            (#""2026-01-05T10:00:00.123Z""#, t0),
            (#""2026-01-05""#, Instant.parse("2026-01-05T00:00:00Z")!),
            ("1767607200", t0),
        ]
        for (at, expected) in ok {
            XCTAssertEqual(event(base(at)), .cancel(.init(customerKey: "u1", at: expected)), at)
        }
        let bad = invalid(base(#""yesterday""#))
        XCTAssertEqual(bad?.field, "at")
        XCTAssertEqual(bad?.message, #""yesterday" is not an ISO 8601 time like "2026-01-05T10:00:00Z""#)
        for at in [#""2026-02-30T10:00:00Z""#, #""2026-01-05T25:00:00Z""#, #""2026-01-05T10:00:00""#] {
            XCTAssertEqual(invalid(base(at))?.field, "at", at)
        }
        for at in ["1.5", "true", "null", "{}"] {
            let e = invalid(base(at))
            XCTAssertEqual(e?.field, "at", at)
            XCTAssertEqual(e?.message, #"must be an ISO 8601 time like "2026-01-05T10:00:00Z""#, at)
        }
    }

    // MARK: Lines

    func testBlankLinesAreSkipped() {
        for blank in ["", " ", "\t", "\r", "  \t \r"] {
            XCTAssertNil(read(blank), "\(Array(blank.unicodeScalars))")
        }
    }

    func testCRLFLinesAreRead() {
        let line = "{\"type\":\"cancel\",\"customer_key\":\"u1\",\"at\":\"2026-01-05T10:00:00Z\"}\r"
        XCTAssertEqual(event(line), .cancel(.init(customerKey: "u1", at: t0)))
    }

    func testNotAnObject() {
        for line in ["[1,2]", "\"click\"", "42", "null"] {
            let e = invalid(line)
            XCTAssertNil(e?.field, line)
            XCTAssertEqual(e?.message, "a line must be a JSON object", line)
            XCTAssertEqual(read(line)?.type, "unknown")
        }
        let broken = invalid(#"{"type":"click", "click_id": "c1" "affiliate":"a"}"#)
        XCTAssertNil(broken?.field)
        XCTAssertEqual(broken?.message, "not valid JSON: expected ',' or '}' at column 35")
    }

    func testIDsGivenAsNumbers() {
        XCTAssertEqual(event(#"{"type":"click","click_id":123,"affiliate":7,"at":"2026-01-05T10:00:00Z"}"#),
                       .click(.init(clickID: "123", affiliateCode: "7", at: t0)))
        guard case .conversion(let c)? = event(#"{"type":"conversion","external_id":98765,"amount":"1.00","currency":"USD","customer_key":42,"click_id":5,"at":"2026-01-05T10:00:00Z"}"#)
        else { return XCTFail() }
        XCTAssertEqual(c.externalID, "98765")
        XCTAssertEqual(c.customerKey, "42")
        XCTAssertEqual(c.clickID, "5")
        XCTAssertEqual(event(#"{"type":"cancel","customer_key":1.5,"at":"2026-01-05T10:00:00Z"}"#),
                       .cancel(.init(customerKey: "1.5", at: t0)), "a number's text is kept as written")
    }

    func testDedupeKeysFollowTheExactText() {
        let a = read(#"{"type":"cancel","customer_key":"u1","at":"2026-01-05T10:00:00Z"}"#, number: 1)
        let b = read(#"{"type":"cancel","customer_key":"u1","at":"2026-01-05T10:00:00Z"}"#, number: 9)
        let c = read(#"{"type":"cancel", "customer_key":"u1","at":"2026-01-05T10:00:00Z"}"#, number: 1)
        XCTAssertEqual(a?.dedupeKey, b?.dedupeKey, "the line number is not part of the key")
        XCTAssertNotEqual(a?.dedupeKey, c?.dedupeKey)
        let otherFile = TrackingFeed(file: "other.jsonl").read(line: #"{"type":"cancel","customer_key":"u1","at":"2026-01-05T10:00:00Z"}"#, number: 1)
        XCTAssertEqual(a?.dedupeKey, otherFile?.dedupeKey, "nor the file name: the same event from another file is the same event")
    }
}
