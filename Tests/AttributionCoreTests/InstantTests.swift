import AttributionCore
import XCTest

final class InstantTests: XCTestCase {
    func testParse() {
        let cases: [(String, String?)] = [
            ("2026-01-05T10:00:00Z", "2026-01-05T10:00:00Z"),
            ("2026-01-05t10:00:00z", "2026-01-05T10:00:00Z"),
            ("2026-01-05 10:00:00Z", "2026-01-05T10:00:00Z"),
            ("2026-01-05T10:00Z", "2026-01-05T10:00:00Z"),
            ("2026-01-05T10:00:00.123Z", "2026-01-05T10:00:00Z"),       // fractions are dropped, not rounded
            ("2026-01-05T10:00:00.999999999Z", "2026-01-05T10:00:00Z"),
            ("2026-01-05T10:00:00,5Z", "2026-01-05T10:00:00Z"),
            ("2026-01-05T12:00:00+02:00", "2026-01-05T10:00:00Z"),
            ("2026-01-05T05:30:00-04:30", "2026-01-05T10:00:00Z"),
            ("2026-01-05T01:00:00+02:00", "2026-01-04T23:00:00Z"),
            ("2025-12-31T23:00:00-02:00", "2026-01-01T01:00:00Z"),
            ("2026-01-05T10:00:00.5+00:00", "2026-01-05T10:00:00Z"),
            ("2026-01-05T10:00:00-00:00", "2026-01-05T10:00:00Z"),
            ("2026-01-05T10:00+01:00", "2026-01-05T09:00:00Z"),
            ("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"),           // a leap second folds into the next
            ("2026-01-05", "2026-01-05T00:00:00Z"),
            ("2024-02-29", "2024-02-29T00:00:00Z"),
            ("2000-02-29", "2000-02-29T00:00:00Z"),
            ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
            // Malformed.
            ("2025-02-29", nil),
            ("1900-02-29", nil),
            ("2026-02-30", nil),
            ("2026-04-31", nil),
            ("2026-13-01", nil),
            ("2026-00-10", nil),
            ("2026-01-00", nil),
            ("2026-01-32", nil),
            ("yesterday", nil),
            ("", nil),
            ("2026", nil),
            ("2026-1-5", nil),
            ("20260105", nil),
            ("2026/01/05", nil),
            ("2026-01-05X", nil),
            ("2026-01-05T", nil),
            ("2026-01-05T10", nil),
            ("2026-01-05T10:00", nil),                                  // no zone
            ("2026-01-05T10:00:00", nil),                               // no zone
            ("2026-01-05T24:00:00Z", nil),
            ("2026-01-05T10:60:00Z", nil),
            ("2026-01-05T10:00:61Z", nil),
            ("2026-01-05T1:00:00Z", nil),
            ("2026-01-05T10:00:00.Z", nil),
            ("2026-01-05T10:00:00Zjunk", nil),
            ("2026-01-05T10:00:00+0200", nil),
            ("2026-01-05T10:00:00+02", nil),
            ("2026-01-05T10:00:00+24:00", nil),
            ("2026-01-05T10:00:00+02:60", nil),
            ("2026-01-05T10:00:00+02:00:00", nil),
            (" 2026-01-05", nil),
            ("2026-01-05 ", nil),
            ("２０２６-01-05", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(Instant.parse(text)?.iso8601, expected, "\"\(text)\"")
        }
    }

    func testKnownSeconds() {
        let cases: [(String, Int64)] = [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01", 0),
            ("1969-12-31T23:59:59Z", -1),
            ("2000-03-01", 951_868_800),
            ("2026-01-05T10:00:00Z", 1_767_607_200),
            ("9999-12-31T23:59:59Z", 253_402_300_799),
            ("1900-03-01", -2_203_891_200),
            ("0001-01-01", -62_135_596_800),
        ]
        for (text, seconds) in cases {
            XCTAssertEqual(Instant.parse(text)?.seconds, seconds, text)
            XCTAssertEqual(Instant(seconds: seconds).iso8601, text.count == 10 ? text + "T00:00:00Z" : text)
        }
    }

    func testISO8601RoundTrip() {
        var samples: [Int64] = [-62_135_596_800, -2_203_891_200, -86_401, -86_400, -1, 0, 1, 59, 60, 3599, 86_399, 86_400,
                                951_782_400, 951_868_799, 1_767_607_200, 253_402_300_799]
        var s: Int64 = -62_135_596_800
        while s < 253_402_300_799 { samples.append(s); s += 7_777_777 }     // about every 90 days, all hours of the day
        for seconds in samples {
            let i = Instant(seconds: seconds)
            XCTAssertEqual(Instant.parse(i.iso8601), i, "\(seconds) -> \(i.iso8601)")
            XCTAssertEqual(Instant.parse(i.dateDisplay), Instant(seconds: seconds - ((seconds % 86_400) + 86_400) % 86_400))
        }
    }

    func testAddingMonths() {
        let cases: [(String, Int, String)] = [
            ("2026-01-31T10:00:00Z", 1, "2026-02-28T10:00:00Z"),
            ("2024-01-31T10:00:00Z", 1, "2024-02-29T10:00:00Z"),
            ("2026-01-30T00:00:00Z", 1, "2026-02-28T00:00:00Z"),
            ("2026-01-28T23:59:59Z", 1, "2026-02-28T23:59:59Z"),
            ("2026-01-31T10:00:00Z", 2, "2026-03-31T10:00:00Z"),
            ("2026-01-31T10:00:00Z", 3, "2026-04-30T10:00:00Z"),
            ("2026-03-31T10:00:00Z", -1, "2026-02-28T10:00:00Z"),
            ("2026-12-15T23:59:59Z", 1, "2027-01-15T23:59:59Z"),
            ("2026-01-05T10:00:00Z", 12, "2027-01-05T10:00:00Z"),
            ("2026-01-05T10:00:00Z", 0, "2026-01-05T10:00:00Z"),
            ("2026-01-15T00:00:00Z", -13, "2024-12-15T00:00:00Z"),
            ("2024-02-29T12:00:00Z", 12, "2025-02-28T12:00:00Z"),
            ("2024-02-29T12:00:00Z", 48, "2028-02-29T12:00:00Z"),
            ("1969-12-31T12:00:00Z", 2, "1970-02-28T12:00:00Z"),
            ("1970-01-31T00:00:00Z", -1, "1969-12-31T00:00:00Z"),
            ("2026-08-31T10:00:00Z", 6, "2027-02-28T10:00:00Z"),
            ("2026-05-31T10:00:00Z", 120, "2036-05-31T10:00:00Z"),
        ]
        for (start, months, expected) in cases {
            XCTAssertEqual(instant(start).adding(months: months).iso8601, expected, "\(start) + \(months) months")
        }
    }

    func testAddingDaysAndSeconds() {
        XCTAssertEqual(t0.adding(days: 60).iso8601, "2026-03-06T10:00:00Z")
        XCTAssertEqual(t0.adding(days: -60).iso8601, "2025-11-06T10:00:00Z")
        XCTAssertEqual(t0.adding(seconds: -36_001).iso8601, "2026-01-04T23:59:59Z")
        XCTAssertEqual(t0.adding(days: 1).seconds - t0.seconds, 86_400)
    }

    func testDisplays() {
        let i = instant("2026-03-07T09:05:03Z")
        XCTAssertEqual(i.description, "2026-03-07T09:05:03Z")
        XCTAssertEqual(i.shortDisplay, "2026-03-07 09:05")
        XCTAssertEqual(i.dateDisplay, "2026-03-07")
        XCTAssertEqual(i.monthKey, "2026-03")
        XCTAssertEqual(instant("2026-11-30").monthKey, "2026-11")
        XCTAssertTrue(i.civil == (2026, 3, 7))
        XCTAssertTrue(Instant(seconds: -1).civil == (1969, 12, 31))
        XCTAssertLessThan(instant("2026-01-01"), instant("2026-01-01T00:00:01Z"))
    }
}

final class ProgramTests: XCTestCase {
    func testLabels() {
        let cases: [(BusinessModel, [CustomerStatus: String], String)] = [
            (.saas, [.initial: "Trial", .active: "Paying", .capped: "Capped", .ended: "Canceled"], "SaaS"),
            (.leads, [.initial: "Lead", .active: "Won", .capped: "Capped", .ended: "Lost"], "Lead generation"),
            (.generic, [.initial: "New", .active: "Active", .capped: "Capped", .ended: "Stopped"], "Generic / eCommerce"),
        ]
        XCTAssertEqual(cases.map(\.0), BusinessModel.allCases)
        for (model, labels, name) in cases {
            XCTAssertEqual(model.displayName, name)
            for s in CustomerStatus.allCases {
                XCTAssertEqual(model.label(s), labels[s], "\(model) \(s)")
                XCTAssertEqual(ProgramSettings(model: model).label(s), labels[s])
                XCTAssertEqual(model.status(named: labels[s]!), s, "\(model) finds \(labels[s]!)")
            }
        }
        XCTAssertEqual(CustomerStatus.allCases, [.initial, .active, .capped, .ended])
    }

    func testStatusNamed() {
        let cases: [(BusinessModel, String, CustomerStatus?)] = [
            (.saas, "Trial", .initial), (.saas, "trial", .initial), (.saas, "TRIAL", .initial),
            (.saas, "Paying", .active), (.saas, "capped", .capped), (.saas, "Canceled", .ended),
            (.saas, "Won", nil), (.saas, "Lead", nil), (.saas, "Stopped", nil), (.saas, "New", nil),
            (.leads, "Lead", .initial), (.leads, "won", .active), (.leads, "Capped", .capped), (.leads, "LOST", .ended),
            (.leads, "Trial", nil), (.leads, "Paying", nil), (.leads, "Canceled", nil),
            (.generic, "New", .initial), (.generic, "Active", .active), (.generic, "Capped", .capped), (.generic, "stopped", .ended),
            (.generic, "Trial", nil), (.generic, "Lost", nil),
            // Lifecycle names work under every model.
            (.saas, "initial", .initial), (.leads, "Active", .active), (.generic, "ENDED", .ended), (.leads, "initial", .initial),
            (.saas, "", nil), (.saas, "paid", nil), (.generic, "cancelled", nil),
        ]
        for (model, name, expected) in cases {
            XCTAssertEqual(model.status(named: name), expected, "\(model) \"\(name)\"")
        }
    }

    func testDefaults() {
        let s = ProgramSettings()
        XCTAssertEqual(s.windowDays, 60)
        XCTAssertEqual(s.model, .saas)
        XCTAssertTrue(s.recurring)
        XCTAssertEqual(s.caps, .none)
        XCTAssertEqual(s.currency, .usd)
        XCTAssertEqual(BusinessModel(rawValue: "leads"), .leads)
        XCTAssertNil(BusinessModel(rawValue: "ecommerce"))
    }
}
