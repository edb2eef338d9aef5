import Foundation
import XCTest

/// Issue 10: the command line (`program set`) and the dashboard's Settings form refuse the same
/// settings with the same sentence, because both read every value with the core's parser for
/// that setting (`SettingRules`). One table of bad values goes to both, through the real binary.
final class SettingsSameRefusalTests: CLITestCase {
    /// The option, the form's row (SettingField order), a bad value, the core's sentence.
    static let table: [(option: String, row: Int, value: String, sentence: String)] = [
        ("name", 0, "", "must not be empty"),
        ("model", 1, "retail", #""retail" is not saas, leads or generic"#),
        ("recurring", 2, "maybe", #""maybe" is not on or off"#),
        ("commission", 3, "150%", #""150%" is not like "20%" or "15.00 USD""#),
        ("commission", 3, "15.00XYZ", #""15.00XYZ" is not like "20%" or "15.00 USD""#),
        ("cap-count", 4, "0", #""0" is not a positive number or "none""#),
        ("cap-count", 4, "1000001", "must be at most 1000000 commissions"),
        ("cap-months", 5, "1201", "must be at most 1200 months"),
        ("cap-amount", 6, "-5", "must be greater than zero"),
        ("cap-amount", 6, "abc", #""abc" is not a decimal amount; type an amount in USD like 500.00, or none"#),
        ("window", 7, "3651", "must be at most 3650 days"),
        ("window", 7, "0", "must be at least 1 day"),
        ("window", 7, "ten", #""ten" is not a whole number of days from 1 to 3650"#),
        ("currency", 8, "XYZ", #""XYZ" is not an ISO 4217 currency code"#),
        ("metadata-key", 9, "customer[key]", "must not contain square brackets (Stripe refuses them in keys)"),
        ("metadata-key", 9, "", "must not be empty"),
    ]

    func testTheCommandLineAndTheSettingsFormRefuseWithTheSameSentence() throws {
        try affdesk("init", "--db", db)
        let before = try affdesk("program", "show", "--json", "--db", db).stdout
        for row in Self.table {
            let cli = try affdeskFailing("program", "set", "--\(row.option)", row.value, "--db", db)
            XCTAssertEqual(cli.status, 1, "\(row)")
            XCTAssertEqual(cli.stderr, "Error: --\(row.option): \(row.sentence)\n", "\(row.option) \(row.value)")

            // The form: tab 7, down to the row, Enter, clear the field, type, Enter.
            let keys = ["7"] + Array(repeating: "Down", count: row.row) + ["Enter", "C-u"] + (row.value.isEmpty ? [] : [row.value]) + ["Enter"]
            let frame = try affdesk("dashboard", "--db", db, "--snapshot", "200x40", "--keys", keys.joined(separator: " ")).stdout
            let shown = frame.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " │")) }
            XCTAssertTrue(shown.contains(row.sentence), "\(row.option) \(row.value): the form shows the same sentence\n\(frame)")
        }
        XCTAssertEqual(try affdesk("program", "show", "--json", "--db", db).stdout, before, "nothing was saved")
    }
}
