import AttributionCore
import AttributionStore
import Foundation
import GRDB
import XCTest

/// Issue 9, items 7 and 8, end to end. The real dashboard in tmux changes a status while
/// another connection holds SQLite's write lock: the screen says the change is waiting, keys
/// still work, and the outcome (not applied after the store's 10 s, then applied once the lock
/// is released) is said in words and kept in the history (`M`); a command-line write during the
/// same lock says in words that nothing was changed. And its database deleted under it.
extension DashboardTmuxTests {
    func testAChangeWaitsForALockedDatabaseWhileKeysWorkAndTheOutcomeIsKept() throws {
        let db = try makeProgram()
        let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 100, height: 30)
        defer { tmux.kill() }
        try waitForSmallProgram(tmux)
        let reader = try Store(path: db, readOnly: true)
        let before = try XCTUnwrap(try reader.customer(key: "cust_first")).status
        let lock = try WriteLock(path: db)
        try lock.hold()

        // 1. The lock is held until the dashboard gives up.
        let first = try askStatusChange(tmux)
        tmux.sendKeys("y")
        try tmux.waitFor("cust_first → \(first): waiting for the database… (another process is writing)", timeout: uiTimeout)
        // The command line meanwhile (issue 9, item 7, there too): a write waits the same 10 s
        // beside the dashboard's and says in words that nothing was changed, never a raw
        // "SQLite error 5: database is locked".
        let cli = try CLIRunner.start(["affiliates", "add", "--db", db, "--code", "zoe", "--name", "Zoe"])
        // Keys work while it waits: another tab, and back.
        tmux.sendKeys("3")
        try waitForTab(tmux, .conversions, after: "3 while the change waits")
        tmux.sendKeys("2")
        try waitForTab(tmux, .customers, after: "2 while the change waits")
        try waitForAll(tmux, ["cust_first → \(first): not applied: the database stayed locked by another process"],
                       absent: ["waiting for the database", "SQLite error"])
        XCTAssertEqual(try reader.customer(key: "cust_first")?.status, before, "nothing was changed")
        let refused = cli.finish(timeout: 900)
        XCTAssertFalse(refused.timedOut, "timed out")
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("the database stayed locked by another process for 10 s; nothing was changed. Try again."), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("SQLite error"), refused.stderr)
        XCTAssertNil(try reader.affiliate(code: "zoe"), "nothing was added")

        // 2. The lock is released while the change waits: it is applied.
        let second = try askStatusChange(tmux)
        tmux.sendKeys("y")
        try tmux.waitFor("cust_first → \(second): waiting for the database…", timeout: uiTimeout)
        try lock.release()
        try tmux.waitFor("cust_first: status is now \(second).", timeout: uiTimeout)
        let settings = try reader.settings()
        XCTAssertEqual(try reader.customer(key: "cust_first").map { settings.label($0.status) }, second)
        let audit = try XCTUnwrap(try reader.audit(page: .first(1)).first)
        XCTAssertEqual(audit.action, "customer.status")
        XCTAssertEqual(audit.after, second)
        // Once the lock is gone the command line's write works too.
        try affdesk("affiliates", "add", "--db", db, "--code", "zoe", "--name", "Zoe")

        // 3. A tab switch clears the line; the history keeps both outcomes, newest first.
        tmux.sendKeys("3")
        try waitForTab(tmux, .conversions)
        try waitForAll(tmux, ["External id"], absent: ["status is now", "not applied"])
        tmux.sendKeys("M")
        let screen = try waitForAll(tmux, ["Messages (UTC) · M or Esc closes", "  applied      cust_first: status is now \(second).",
                                           "  not applied  cust_first → \(first): not applied:"])
        let applied = try XCTUnwrap(screen.firstIndex { $0.contains("applied      cust_first: status is now") })
        let failed = try XCTUnwrap(screen.firstIndex { $0.contains("not applied  cust_first → ") })
        XCTAssertLessThan(applied, failed, screen.joined(separator: "\n"))
        XCTAssertNotNil(screen[applied].range(of: #"│ \d\d:\d\d:\d\d  applied"#, options: .regularExpression), screen[applied])
        tmux.sendKeys("Escape")
        try waitForAll(tmux, ["External id"], absent: ["Messages (UTC)"])
        tmux.sendKeys("q")
        try assertRestored(tmux, after: "q")
    }

    /// Issue 9, item 8: the database deleted while the dashboard is open. The next refresh says
    /// so, naming the file, and no change is started; nothing claims success.
    func testADatabaseDeletedUnderTheDashboardIsSaidAndRefusesChanges() throws {
        let db = try makeProgram()
        let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 100, height: 30)
        defer { tmux.kill() }
        try waitForSmallProgram(tmux)
        XCTAssertEqual(unlink(db), 0)
        // No key: the refresh notices it. (The message wraps; its lines joined are the sentence.)
        let notice = "The database file \(db) was deleted while affdesk was open; no change can be saved. Quit and reopen."
        try tmux.waitUntil("the notice", timeout: uiTimeout) { $0.joined().contains(notice) }
        tmux.sendKeys("s")
        try tmux.waitUntil("the refusal", timeout: uiTimeout) {
            $0.joined().contains("The database file \(db) was deleted while affdesk was open") && !$0.contains { $0.contains("Status of") }
        }
        // The notice outlives a tab switch, and the history has it.
        tmux.sendKeys("3")
        try waitForTab(tmux, .conversions)
        try tmux.waitUntil("the notice after a tab switch", timeout: uiTimeout) { $0.joined().contains(notice) }
        tmux.sendKeys("M")
        try waitForAll(tmux, ["Messages (UTC) · M or Esc closes", "  not applied  The database file "], absent: ["status is now"])
        tmux.sendKeys("Escape")
        tmux.sendKeys("q")
        try assertRestored(tmux, after: "q")
    }

    /// `s` on the selected customer, Enter on the menu's first target; returns the target's
    /// label from the confirmation ("Status    Paying → Canceled").
    func askStatusChange(_ tmux: Tmux) throws -> String {
        tmux.sendKeys("s")
        try waitForAll(tmux, ["Status of cust_first", "↑/↓ choose · Enter · Esc cancel"])
        tmux.sendKeys("Enter")
        let screen = try waitForAll(tmux, ["Change status?", "y confirm · n / Esc cancel"])
        let line = try XCTUnwrap(screen.first { $0.contains("Status    ") && $0.contains(" → ") })
        let after = line[line.range(of: " → ")!.upperBound...]
        return String(after.prefix { $0 != " " && $0 != "│" })
    }
}

/// Another connection to the database holding SQLite's write lock (BEGIN IMMEDIATE) until
/// released, as another process writing would.
final class WriteLock {
    let queue: DatabaseQueue

    init(path: String) throws {
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: config)
    }

    func hold() throws { try queue.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") } }

    func release() throws { try queue.inDatabase { try $0.execute(sql: "ROLLBACK") } }
}
