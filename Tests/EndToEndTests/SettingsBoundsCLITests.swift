import Foundation
import XCTest

/// `program set`, `init` and `affiliates add` refuse values past the core's bounds with a
/// sentence naming the option, and change nothing: the values of issue 9 that crashed
/// `program set` itself, or every reader after it.
final class SettingsBoundsCLITests: CLITestCase {
    func testOutOfBoundsSettingsAreRefusedAndNothingChanges() throws {
        try affdesk("init", "--db", db)
        let before = try affdesk("program", "show", "--json", "--db", db).stdout
        let cases: [([String], String)] = [
            (["--window", "106751991167301"], "--window: must be at most 3650 days"),
            (["--window", "3651"], "--window: must be at most 3650 days"),
            // A negative number is read as a value, not as an unknown option ("Missing value").
            (["--window", "-1"], "--window: must be at least 1 day"),
            (["--cap-count", "-5"], #"--cap-count: "-5" is not a positive number or "none""#),
            (["--cap-months", "-1"], #"--cap-months: "-1" is not a positive number or "none""#),
            (["--cap-months", "9223372036854775807"], "--cap-months: must be at most 1200 months"),
            (["--cap-count", "1000001"], "--cap-count: must be at most 1000000 commissions"),
            (["--strategy", "first_n_renewals:9223372036854775807"], "--strategy: first_n_renewals:N: N must be from 0 to 10000"),
            (["--commission", "100.01%"], #"--commission: "100.01%" is not like "20%" or "15.00 USD""#),
            (["--currency", "XYZ"], #"--currency: "XYZ" is not an ISO 4217 currency code"#),
        ]
        for (args, message) in cases {
            let r = try affdeskFailing(["program", "set"] + args + ["--db", db])
            XCTAssertEqual(r.status, 1, "\(args): a refusal, not a crash: \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(try affdesk("program", "show", "--json", "--db", db).stdout, before)
        // At the bounds, saved.
        try affdesk("program", "set", "--window", "3650", "--cap-months", "1200", "--strategy", "first_n_renewals:10000", "--db", db)
        let saved = try jsonObject(try affdesk("program", "show", "--json", "--db", db))
        XCTAssertEqual(saved["window_days"] as? Int, 3650)
        XCTAssertEqual(saved["cap_months"] as? Int, 1200)
        XCTAssertEqual(saved["cap_count"] as? Int, 10_001)
        XCTAssertEqual(try affdeskFailing("init", "--db", dir + "/other.sqlite", "--currency", "XYZ").status, 1)
    }

    func testAffiliateCodesFollowTheRule() throws {
        try affdesk("init", "--db", db)
        try affdesk("affiliates", "add", "--db", db, "--code", "zoe", "--name", "Zoe")
        for (code, message) in [("ZOE", #"affiliate code "zoe" already exists"#), ("zoe smith", "code: must hold only letters"),
                                (String(repeating: "z", count: 300), "code: is 300 characters long; at most 64 are allowed"),
                                ("zoe\u{7}", "code: must hold only letters")] {
            let r = try affdeskFailing("affiliates", "add", "--db", db, "--code", code, "--name", "Other")
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(message), "\(code.debugDescription): \(r.stderr)")
        }
        let list = try affdesk("affiliates", "list", "--db", db, "--json")
        XCTAssertEqual(try jsonArray(list).count, 1)
    }
}
