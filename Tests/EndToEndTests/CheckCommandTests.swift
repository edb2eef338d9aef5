import Foundation
import GRDB
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

    /// A problem quotes stored text (here a customer key holding an escape sequence, as a hostile
    /// feed could send): it is printed sanitized, as every line the command line writes is
    /// (`Console`), and the check exits non-zero.
    func testAProblemIsPrintedSanitizedAndExitsNonZero() throws {
        try DemoDatabase.copy(to: db)
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM customer WHERE conversions > 0 ORDER BY id LIMIT 1")
            try db.execute(sql: "UPDATE customer SET key = char(27) || ']52;c;aGk=' || char(7) || 'k', conversions = conversions + 1 WHERE id = ?",
                           arguments: [id])
        }
        try queue.close()
        let r = try affdeskFailing("check", "--db", db)
        XCTAssertTrue(r.stdout.contains("problem: customer "), r.stdout)
        XCTAssertFalse(r.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, r.stdout.debugDescription)
    }
}
