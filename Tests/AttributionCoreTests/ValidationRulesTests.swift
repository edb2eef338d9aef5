import AttributionCore
import XCTest

/// The rules every front end shares: ISO 4217 currencies with their minor units.
final class CurrencyTableTests: XCTestCase {
    func testOnlyActiveISO4217CodesAreCurrencies() {
        for code in ["XYZ", "ABC", "QQQ", "HRK", "XXX", "XAU", "XTS", "US", "USDX", "U$D", "usd\u{0}"] {
            XCTAssertThrowsError(try Currency(code), code) { XCTAssertEqual($0 as? MoneyError, .badCurrency(code)) }
        }
        let expected: [String: Int] = ["USD": 2, "usd": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0,
                                       "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3, "IQD": 3, "LYD": 3, "CLF": 4, "UYW": 4,
                                       "MGA": 2, "CHF": 2, "XOF": 0, "XPF": 0]
        for (code, digits) in expected {
            XCTAssertEqual(try Currency(code).minorDigits, digits, code)
            XCTAssertEqual(try Currency(code).code, code.uppercased())
        }
        // A code stored by an older build is still shown (as two-decimal).
        XCTAssertEqual(Money(minor: 1234, currency: Currency(validated: "XYZ")).description, "12.34 XYZ")
    }
}

/// The bounds of the program settings, as the store, `program set` and the Settings form apply them.
final class SettingRulesTests: XCTestCase {
    func testTypedSettingsAreParsedWithinTheirBounds() {
        XCTAssertEqual(try SettingRules.parseWindow("60"), 60)
        XCTAssertEqual(try SettingRules.parseWindow("3650"), 3650)
        for bad in ["0", "3651", "106751991167301", "-1", "x", ""] {
            XCTAssertThrowsError(try SettingRules.parseWindow(bad), bad) { XCTAssertEqual(($0 as? SettingError)?.field, "window") }
        }
        XCTAssertNil(try SettingRules.parseCapMonths("none"))
        XCTAssertEqual(try SettingRules.parseCapMonths("1200"), 1200)
        XCTAssertThrowsError(try SettingRules.parseCapMonths("9223372036854775807")) {
            XCTAssertEqual($0 as? SettingError, SettingError(field: "cap-months", message: "must be at most 1200 months"))
        }
        XCTAssertEqual(try SettingRules.parseCapCount("1000000"), 1_000_000)
        XCTAssertThrowsError(try SettingRules.parseCapCount("1000001"))
        XCTAssertThrowsError(try SettingRules.parseCapCount("0")) {
            XCTAssertEqual(($0 as? SettingError)?.description, #"cap-count: "0" is not a positive number or "none""#)
        }
        XCTAssertEqual(try SettingRules.parseStrategy("first_n_renewals:10000"), .firstNRenewals(10_000))
        XCTAssertEqual(try SettingRules.parseStrategy("first_order_only"), .firstOrderOnly)
        for bad in ["first_n_renewals:9223372036854775807", "first_n_renewals:10001", "first_n_renewals:-1", "first_n_renewals:", "all"] {
            XCTAssertThrowsError(try SettingRules.parseStrategy(bad), bad) { XCTAssertEqual(($0 as? SettingError)?.field, "strategy") }
        }
    }

    func testValidateAndClamp() {
        let wild = ProgramSettings(commission: .percent(basisPoints: Int.max),
                                   caps: Caps(count: Int.max, months: Int.min, amount: usd(.max)), windowDays: 106_751_991_167_301)
        XCTAssertThrowsError(try wild.validate())
        let c = wild.clamped
        XCTAssertNoThrow(try c.validate())
        XCTAssertEqual(c.windowDays, 3650)
        XCTAssertEqual(c.caps, Caps(count: 1_000_000, months: 1, amount: usd(Money.maxMinor)))
        XCTAssertEqual(c.commission, .percent(basisPoints: 10_000))
        XCTAssertEqual(ProgramSettings().clamped, ProgramSettings(), "valid settings are unchanged")
        XCTAssertNoThrow(try ProgramSettings().validate())
    }
}

/// Affiliate codes: letters, digits, ".", "_", "-", 1 to 64 characters; compared without case.
final class AffiliateCodeTests: XCTestCase {
    func testTheRule() {
        for good in ["zoe", "ZOE", "zoe.smith_2-x", "7eleven", "山田", "zoë", "e\u{301}x", String(repeating: "a", count: 64)] {
            XCTAssertEqual(try AffiliateCode.validate(good).get(), good)
        }
        XCTAssertEqual(try AffiliateCode.validate("  bob ").get(), "bob", "trimmed")
        let bad: [(String, String)] = [
            ("", "must not be empty"), ("  ", "must not be empty"),
            ("zoe smith", #"must hold only letters, digits, ".", "_" and "-" (found a space)"#),
            ("zoe\u{1}", #"must hold only letters, digits, ".", "_" and "-" (found a control character)"#),
            ("zoe\u{202E}", #"must hold only letters, digits, ".", "_" and "-" (found "\u{202E}")"#),
            (String(repeating: "a", count: 300), "is 300 characters long; at most 64 are allowed"),
            ("-zoe", "must start with a letter or a digit"), ("\u{301}x", "must start with a letter or a digit"),
            ("zoe\u{0}", "must not contain a NUL character"),
        ]
        for (code, message) in bad {
            XCTAssertEqual(AffiliateCode.validate(code), .failure(SettingError(field: "code", message: message)), code.debugDescription)
        }
        XCTAssertEqual(AffiliateCode.key("ZoE"), AffiliateCode.key("zoe"))
    }
}
