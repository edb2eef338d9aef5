import AttributionCore
@testable import AttributionStore
import Foundation
import XCTest

/// Settings past their bounds and affiliate codes that break the rules are refused when saved,
/// with the setting or field named; nothing is written.
final class SettingsBoundsTests: StoreTestCase {
    func assertRefused(_ change: (inout ProgramSettings) -> Void, field: String, _ message: String? = nil,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try store()
        let before = try snapshot(s)
        var settings = try s.settings()
        change(&settings)
        XCTAssertThrowsError(try s.updateSettings(settings, who: "t"), file: file, line: line) { error in
            guard case .invalid(let f, let m)? = error as? StoreError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(f, field, file: file, line: line)
            if let message { XCTAssertEqual(m, message, file: file, line: line) }
        }
        XCTAssertEqual(try snapshot(s), before, file: file, line: line)
        let fresh = try emptyStore()
        XCTAssertThrowsError(try fresh.initialize(settings, who: "t"), file: file, line: line)
    }

    func testOutOfRangeSettingsAreRefused() throws {
        try assertRefused({ $0.windowDays = 106_751_991_167_301 }, field: "window", "must be at most 3650 days")
        try assertRefused({ $0.windowDays = 3651 }, field: "window")
        try assertRefused({ $0.windowDays = 0 }, field: "window", "must be at least 1 day")
        try assertRefused({ $0.caps.months = Int.max }, field: "cap-months", "must be at most 1200 months")
        try assertRefused({ $0.caps.months = 1201 }, field: "cap-months")
        try assertRefused({ $0.caps.count = Int.max }, field: "cap-count", "must be at most 1000000 commissions")
        try assertRefused({ $0.caps.count = 0 }, field: "cap-count")
        try assertRefused({ $0.caps.amount = usd(Money.maxMinor + 1) }, field: "cap-amount")
        try assertRefused({ $0.caps.amount = usd(0) }, field: "cap-amount")
        try assertRefused({ $0.commission = .percent(basisPoints: 10_001) }, field: "commission")
        try assertRefused({ $0.commission = .fixed(usd(Money.maxMinor + 1)) }, field: "commission")
        try assertRefused({ $0.commission = .fixed(usd(-1)) }, field: "commission")
    }

    func testSettingsAtTheirBoundsAreSaved() throws {
        let s = try store()
        var settings = try s.settings()
        settings.windowDays = 3650
        settings.caps = Caps(count: 1_000_000, months: 1200, amount: usd(Money.maxMinor))
        settings.commission = .percent(basisPoints: 10_000)
        try s.updateSettings(settings, who: "t")
        XCTAssertEqual(try s.settings(), settings)
        settings.windowDays = 1
        settings.caps = Caps(count: 1, months: 1, amount: usd(1))
        settings.commission = .fixed(usd(Money.maxMinor))
        try s.updateSettings(settings, who: "t")
        XCTAssertEqual(try s.settings(), settings)
    }
}

final class AffiliateCodeRuleTests: StoreTestCase {
    func testCodesBreakingTheRulesAreRefused() throws {
        let s = try store()
        let before = try snapshot(s)
        for code in ["zoe smith", "zoe\u{1}", "zoe\u{7F}", "zoe\u{202E}x", String(repeating: "z", count: 65),
                     String(repeating: "z", count: 300), "-zoe", ".zoe", "_zoe", "zoe/1", "zoe?aff=1", "zoé\u{0}"] {
            XCTAssertThrowsError(try s.addAffiliate(code: code, name: "Zoe", who: "t"), code.debugDescription) { error in
                guard case .invalid(let f, let m)? = error as? StoreError else { return XCTFail("\(error)") }
                XCTAssertEqual(f, "code", code.debugDescription)
                XCTAssertFalse(m.isEmpty)
            }
        }
        XCTAssertEqual(try snapshot(s), before)
        for code in ["zoe", "Zoe.Smith_2-x", "7eleven", "山田", "zoë", String(repeating: "z", count: 64)] {
            XCTAssertEqual(try s.addAffiliate(code: code, name: "Zoe", who: "t").code, code)
        }
    }

    func testCodesDifferingOnlyInCaseAreOneCode() throws {
        let s = try store()
        _ = try s.addAffiliate(code: "zoe", name: "Zoe", who: "t")
        let before = try snapshot(s)
        for code in ["ZOE", "Zoe", " zOe "] {
            XCTAssertThrowsError(try s.addAffiliate(code: code, name: "Other Zoe", who: "t")) { error in
                XCTAssertEqual(error as? StoreError, .duplicate(what: "affiliate code", value: "zoe"), code)
            }
        }
        XCTAssertEqual(try snapshot(s), before)
        // An event or a command that names the code in another case finds the same affiliate.
        XCTAssertEqual(try s.affiliate(code: "ZOE")?.code, "zoe")
        XCTAssertEqual(try ingest(s, [Line.click("c1", "ZOE"), Line.click("c2", "Alice")]).accepted, 2)
        XCTAssertEqual(try s.affiliateSummaries().first { $0.affiliate.code == "zoe" }?.affiliate.code, "zoe")
    }
}
