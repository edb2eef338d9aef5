import AttributionCore
import XCTest

final class MoneyTests: XCTestCase {
    enum Parsed: Equatable {
        case ok(Int64)
        case error(MoneyError)
    }

    func parsed(_ text: String, _ c: Currency) -> Parsed {
        do { let m = try Money.parse(text, currency: c); XCTAssertEqual(m.currency, c); return .ok(m.minor) } catch { return .error(error) }
    }

    func testParse() {
        let cases: [(String, Currency, Parsed)] = [
            ("29.00", .usd, .ok(2900)),
            ("29", .usd, .ok(2900)),
            ("29.5", .usd, .ok(2950)),
            ("0.5", .usd, .ok(50)),
            ("0.05", .usd, .ok(5)),
            (".5", .usd, .ok(50)),
            ("5.", .usd, .ok(500)),
            ("0", .usd, .ok(0)),
            ("0.00", .usd, .ok(0)),
            ("007.10", .usd, .ok(710)),
            (" 29.00\t", .usd, .ok(2900)),
            ("+3", .usd, .ok(300)),
            ("-3.25", .usd, .ok(-325)),
            ("-0", .usd, .ok(0)),
            ("29.000", .usd, .ok(2900)),          // exact: trailing zeros are not precision
            ("1.230", .usd, .ok(123)),
            ("1,000", .usd, .error(.notANumber("1,000"))),
            ("1 000", .usd, .error(.notANumber("1 000"))),
            ("29,50", .eur, .error(.notANumber("29,50"))),
            ("1.234", .usd, .error(.tooPrecise("1.234", .usd))),
            ("0.001", .usd, .error(.tooPrecise("0.001", .usd))),
            ("1.234", kwd, .ok(1234)),
            ("0.005", kwd, .ok(5)),
            ("1.2345", kwd, .error(.tooPrecise("1.2345", kwd))),
            ("1500", .jpy, .ok(1500)),
            ("1500.00", .jpy, .ok(1500)),
            ("15.5", .jpy, .error(.tooPrecise("15.5", .jpy))),
            ("", .usd, .error(.notANumber(""))),
            ("   ", .usd, .error(.notANumber("   "))),
            (".", .usd, .error(.notANumber("."))),
            ("-", .usd, .error(.notANumber("-"))),
            ("--5", .usd, .error(.notANumber("--5"))),
            ("- 5", .usd, .error(.notANumber("- 5"))),
            ("abc", .usd, .error(.notANumber("abc"))),
            ("1e3", .usd, .error(.notANumber("1e3"))),
            ("1.2.3", .usd, .error(.notANumber("1.2.3"))),
            ("$5", .usd, .error(.notANumber("$5"))),
            ("5 USD", .usd, .error(.notANumber("5 USD"))),
            ("１２", .usd, .error(.notANumber("１２"))),       // full-width digits
            ("٣", .usd, .error(.notANumber("٣"))),          // Arabic-Indic digit
            ("90000000000.00", .usd, .ok(Money.maxMinor)),
            ("90000000000.01", .usd, .error(.outOfRange("90000000000.01"))),
            ("-90000000000.01", .usd, .error(.outOfRange("-90000000000.01"))),
            ("9000000000000", .jpy, .ok(Money.maxMinor)),
            ("9000000000001", .jpy, .error(.outOfRange("9000000000001"))),
            ("99999999999999999999", .usd, .error(.outOfRange("99999999999999999999"))),
            ("92233720368547758.07", .usd, .error(.outOfRange("92233720368547758.07"))),
            ("9223372036854775807", .jpy, .error(.outOfRange("9223372036854775807"))),
            ("1" + String(repeating: "0", count: 40), .usd, .error(.outOfRange("1" + String(repeating: "0", count: 40)))),
        ]
        for (text, c, expected) in cases {
            XCTAssertEqual(parsed(text, c), expected, "\"\(text)\" \(c)")
        }
    }

    func testMaxMinorLeavesRoomForCommissionArithmetic() {
        XCTAssertEqual(Money.maxMinor, 9_000_000_000_000)
        let (_, overflow) = Money.maxMinor.multipliedReportingOverflow(by: 10_000)
        XCTAssertFalse(overflow)
    }

    func testDecimalStringAndDescription() {
        let cases: [(Money, String, String)] = [
            (usd(2900), "29.00", "29.00 USD"),
            (usd(5), "0.05", "0.05 USD"),
            (usd(0), "0.00", "0.00 USD"),
            (usd(-5), "-0.05", "-0.05 USD"),
            (usd(100_000), "1000.00", "1,000.00 USD"),
            (usd(99_999), "999.99", "999.99 USD"),
            (usd(123_456_789), "1234567.89", "1,234,567.89 USD"),
            (usd(-123_456), "-1234.56", "-1,234.56 USD"),
            (eur(100_000_000), "1000000.00", "1,000,000.00 EUR"),
            (jpy(1500), "1500", "1,500 JPY"),
            (jpy(999), "999", "999 JPY"),
            (jpy(-1_000_000), "-1000000", "-1,000,000 JPY"),
            (Money(minor: 1234, currency: kwd), "1.234", "1.234 KWD"),
            (Money(minor: 5, currency: kwd), "0.005", "0.005 KWD"),
            (Money(minor: 1_234_567, currency: kwd), "1234.567", "1,234.567 KWD"),
            (usd(Int64.min), "-92233720368547758.08", "-92,233,720,368,547,758.08 USD"),
        ]
        for (m, dec, desc) in cases {
            XCTAssertEqual(m.decimalString, dec, "\(m.minor) \(m.currency)")
            XCTAssertEqual(m.description, desc, "\(m.minor) \(m.currency)")
        }
    }

    func testDecimalStringRoundTrips() {
        for c in [Currency.usd, .jpy, kwd] {
            for minor: Int64 in [0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 123_456, -1, -1001, Money.maxMinor, -Money.maxMinor] {
                let m = Money(minor: minor, currency: c)
                XCTAssertEqual(try Money.parse(m.decimalString, currency: c), m, "\(minor) \(c)")
            }
        }
    }

    func testCurrency() throws {
        XCTAssertEqual(try Currency("usd"), .usd)
        XCTAssertEqual(try Currency("Jpy").code, "JPY")
        let bad = ["", "US", "USDD", "U5D", "U D", "ÜSD", "us$"]
        for b in bad {
            XCTAssertThrowsError(try Currency(b), b) { XCTAssertEqual($0 as? MoneyError, .badCurrency(b)) }
        }
        let digits: [(String, Int)] = [("USD", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("VND", 0), ("KWD", 3),
                                       ("BHD", 3), ("TND", 3)]
        for (code, n) in digits { XCTAssertEqual(try Currency(code).minorDigits, n, code) }
        // Issue 9: three letters are not enough, the code must be ISO 4217's; one stored by an older
        // build (which took any three letters) still reads, as two-decimal.
        XCTAssertThrowsError(try Currency("XYZ")) { XCTAssertEqual($0 as? MoneyError, .badCurrency("XYZ")) }
        XCTAssertEqual(Currency(validated: "XYZ").minorDigits, 2)
        XCTAssertEqual(Currency.usd.description, "USD")
    }

    func testErrorDescriptions() {
        XCTAssertEqual(MoneyError.notANumber("x").description, "\"x\" is not a decimal amount")
        XCTAssertEqual(MoneyError.tooPrecise("1.234", .usd).description, "\"1.234\" has more than 2 decimal places for USD")
        XCTAssertEqual(MoneyError.tooPrecise("1.5", .jpy).description, "\"1.5\" has more than 0 decimal places for JPY")
        XCTAssertEqual(MoneyError.outOfRange("9").description, "\"9\" is out of range")
        XCTAssertEqual(MoneyError.badCurrency("US").description, "\"US\" is not an ISO 4217 currency code")
    }
}

final class CommissionTests: XCTestCase {
    func testParse() {
        let cases: [(String, Commission?)] = [
            ("10%", .percent(basisPoints: 1000)),
            ("12.5%", .percent(basisPoints: 1250)),
            ("12.55%", .percent(basisPoints: 1255)),
            ("0%", .percent(basisPoints: 0)),
            ("100%", .percent(basisPoints: 10_000)),
            (" 7 % ", .percent(basisPoints: 700)),
            ("0.01%", .percent(basisPoints: 1)),
            ("100.01%", nil),
            ("150%", nil),
            ("-5%", nil),
            ("12.345%", nil),
            ("%", nil),
            ("ten%", nil),
            ("5.00 USD", .fixed(usd(500))),
            ("USD 5.00", .fixed(usd(500))),
            ("usd 5", .fixed(usd(500))),
            ("5 eur", .fixed(eur(500))),
            ("500 JPY", .fixed(jpy(500))),
            ("JPY 500", .fixed(jpy(500))),
            ("1.250 KWD", .fixed(Money(minor: 1250, currency: kwd))),
            ("0 USD", .fixed(usd(0))),
            ("5.5 JPY", nil),
            ("5.001 USD", nil),
            ("-5 USD", nil),
            ("5,00 USD", nil),
            ("5 US", nil),
            ("5", nil),
            ("USD", nil),
            ("5 USD extra", nil),
            ("", nil),
            ("abc", nil),
            ("inf USD", nil),
            ("USD nan", nil),
        ]
        for (text, expected) in cases { XCTAssertEqual(Commission.parse(text), expected, "\"\(text)\"") }
    }

    func testDescription() {
        let cases: [(Commission, String)] = [
            (.percent(basisPoints: 1000), "10%"),
            (.percent(basisPoints: 1250), "12.50%"),
            (.percent(basisPoints: 1205), "12.05%"),
            (.percent(basisPoints: 5), "0.05%"),
            (.percent(basisPoints: 0), "0%"),
            (.percent(basisPoints: 10_000), "100%"),
            (.fixed(usd(500)), "5.00 USD per conversion"),
            (.fixed(jpy(1500)), "1,500 JPY per conversion"),
        ]
        for (c, s) in cases {
            XCTAssertEqual(c.description, s)
            switch c {
            case .percent: XCTAssertEqual(Commission.parse(s), c, s)
            case .fixed(let m): XCTAssertEqual(Commission.parse("\(m.decimalString) \(m.currency)"), c, s)
            }
        }
    }

    /// Percentages round half up to the minor unit; fixed amounts ignore the amount.
    func testCommissionOn() {
        let cases: [(Commission, Money, Money)] = [
            (.percent(basisPoints: 1000), usd(5), usd(1)),            // 10 % of 0.05 = 0.005 -> 0.01
            (.percent(basisPoints: 1000), usd(4), usd(0)),            // 0.004 -> 0.00
            (.percent(basisPoints: 1000), usd(15), usd(2)),           // 0.015 -> 0.02
            (.percent(basisPoints: 1250), usd(100), usd(13)),         // 12.5 % of 1.00 = 0.125 -> 0.13
            (.percent(basisPoints: 1250), usd(99), usd(12)),          // 0.12375 -> 0.12
            (.percent(basisPoints: 2000), usd(2900), usd(580)),
            (.percent(basisPoints: 3333), usd(100), usd(33)),
            (.percent(basisPoints: 10_000), usd(12_345), usd(12_345)),
            (.percent(basisPoints: 0), usd(99_999), usd(0)),
            (.percent(basisPoints: 1), usd(5000), usd(1)),            // 0.5 cent -> 1
            (.percent(basisPoints: 1), usd(4999), usd(0)),
            (.percent(basisPoints: 1000), jpy(155), jpy(16)),
            (.percent(basisPoints: 1000), jpy(154), jpy(15)),
            (.percent(basisPoints: 2000), Money(minor: 1234, currency: kwd), Money(minor: 247, currency: kwd)),
            (.percent(basisPoints: 1000), usd(0), usd(0)),
            // Negative amounts (refunds) round symmetrically, half away from zero.
            (.percent(basisPoints: 1000), usd(-5), usd(-1)),
            (.percent(basisPoints: 1000), usd(-6), usd(-1)),
            (.percent(basisPoints: 1000), usd(-4), usd(0)),
            (.percent(basisPoints: 1000), usd(-15), usd(-2)),
            // Large amounts are exact (128-bit product).
            (.percent(basisPoints: 10_000), usd(Money.maxMinor), usd(Money.maxMinor)),
            (.percent(basisPoints: 2000), usd(Int64.max), usd(1_844_674_407_370_955_161)),
            (.percent(basisPoints: 5000), usd(Int64.max), usd(4_611_686_018_427_387_904)),
            (.fixed(usd(500)), usd(1), usd(500)),
            (.fixed(usd(500)), usd(1_000_000), usd(500)),
            (.fixed(jpy(500)), usd(2900), jpy(500)),                  // a fixed amount keeps its own currency
        ]
        for (c, amount, expected) in cases {
            XCTAssertEqual(c.commission(on: amount), expected, "\(c) of \(amount)")
        }
    }

    func testRateUsesTheAffiliateOverride() {
        let engine = Engine(settings: standardSettings)
        XCTAssertEqual(engine.rate(for: AffiliateFact(id: 1, code: "a")), .percent(basisPoints: 2000))
        XCTAssertEqual(engine.rate(for: AffiliateFact(id: 1, code: "a", commission: .fixed(usd(1)))), .fixed(usd(1)))
    }
}
