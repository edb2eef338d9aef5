import Foundation
import XCTest

/// `affdesk check`, which the README's guarantees name: the consistency check on a database opened
/// read-only (it did not exist: "unknown command 'check'").
final class CheckCommandTests: CLITestCase {
    func testTheDemoIsConsistentAndTheFileIsNotWritten() throws {
        try DemoDatabase.copy(to: db)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let r = try affdesk("check", "--db", db)
        XCTAssertTrue(r.stdout.hasPrefix("consistent: every check holds"), r.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before, "check wrote the database")
        let bad = try affdeskFailing("check", "--db", db, "--limit", "0")
        XCTAssertTrue(bad.stderr.contains("--limit must be a whole number from 1 to 1,000,000, got \"0\""), bad.stderr)
    }
}
