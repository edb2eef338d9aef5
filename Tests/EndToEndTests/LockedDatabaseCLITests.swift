import Foundation
import XCTest

/// Issue 9, item 7, on the command line: a write while another process holds the write lock
/// says in words that nothing was changed, never a raw "SQLite error 5: database is locked".
final class LockedDatabaseCLITests: CLITestCase {
    func testAWriteWhileAnotherProcessHoldsTheLockSaysNothingWasChanged() throws {
        try affdesk("init", "--db", db)
        let lock = try WriteLock(path: db)
        try lock.hold()
        let r = try affdeskFailing("affiliates", "add", "--db", db, "--code", "zoe", "--name", "Zoe")
        try lock.release()
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("the database stayed locked by another process for 10 s; nothing was changed. Try again."), r.stderr)
        XCTAssertFalse(r.stderr.contains("SQLite error"), r.stderr)
        XCTAssertEqual(try jsonArray(try affdesk("affiliates", "list", "--db", db, "--json")).count, 0, "nothing was added")
        // Once the lock is gone the same command works.
        try affdesk("affiliates", "add", "--db", db, "--code", "zoe", "--name", "Zoe")
    }
}
