import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Foundation
import GRDB
import TerminalText
import XCTest

/// Issue 9, items 7 and 8: an admin change while another process writes, and a database file
/// deleted under the dashboard. `update()` alone (pending, applied, not applied, the history),
/// then through a `Session` against a copy of the demo program with the write lock really held
/// by another connection.
final class WriteOutcomeTests: XCTestCase {
    // MARK: update() alone

    let change = PendingAction.setStatus(customerKey: "usr_1", to: .ended)
    let later = Instant.parse("2026-11-15T12:00:10Z")!

    /// The admin on Customers with two rows, usr_1 (Paying) selected: typed as the list reads
    /// them, a demo customer as usr_1 and usr_2 of zoe, active.
    func adminState() -> State {
        var s = State(mode: .admin, settings: DemoProgram.settings, now: DemoProgram.now)
        guard let stored = try? DemoFixture.shared.store().customers(CustomerQuery(), page: .first(1)).first else {
            XCTFail("no customer in the demo"); return s
        }
        let rows = ["usr_1", "usr_2"].enumerated().map { i, key in
            var c = stored
            c.id = Int64(i + 1); c.key = key; c.affiliateCode = "zoe"; c.status = .active
            return ListRow(id: Int64(i + 1), item: .customer(c), cursor: Cursor(int: Int64(i + 1), id: Int64(i + 1)))
        }
        _ = update(&s, .loaded(.customers, .reset, rows: rows, total: 2, atEnd: true))
        XCTAssertEqual(Screens.drawn(rows[0], .customers, s).cells.prefix(3), ["usr_1", "zoe", "Paying"])
        return s
    }

    /// Answers y to a confirmation of `action`.
    func confirm(_ s: inout State, _ action: PendingAction) -> [Effect] {
        s.overlays = [.confirm(Confirm(title: "Sure?", lines: [], action: action))]
        return update(&s, .key(.char("y")))
    }

    func screen(_ s: State) -> String { view(s).description }

    func clock(_ i: Instant) -> String { String(i.iso8601.dropFirst(11).prefix(8)) }

    func testAChangeWaitingForTheDatabaseSaysSoAndKeysStillWork() {
        var s = adminState()
        XCTAssertEqual(confirm(&s, change), [.perform(change)])
        XCTAssertEqual(s.pendingWrite?.summary, "usr_1 → Canceled")
        XCTAssertEqual(s.message?.text, "Working…")
        // A refresh later it is still unanswered: another process holds the database.
        XCTAssertEqual(update(&s, .tick), [.checkForChanges])
        XCTAssertTrue(screen(s).contains(" usr_1 → Canceled: waiting for the database… (another process is writing)"), screen(s))
        // Keys work meanwhile, and the line stays.
        _ = update(&s, .key(.char("j")))
        XCTAssertEqual(s.list.selected, 1)
        _ = update(&s, .key(.char("3")))
        XCTAssertEqual(s.tab, .conversions)
        XCTAssertTrue(screen(s).contains("usr_1 → Canceled: waiting for the database…"), screen(s))
        // A second change waits its turn: refused before its dialog, or at y, and never sent.
        _ = update(&s, .key(.char("2")))
        _ = update(&s, .key(.char("s")))
        XCTAssertTrue(s.overlays.isEmpty)
        XCTAssertEqual(s.message?.text, "usr_1 → Canceled is still waiting for the database (one change at a time); nothing was changed. "
                       + "Try again when it is done.")
        XCTAssertEqual(confirm(&s, .reassign(customerKey: "usr_2", affiliateCode: "emma")), [])
        XCTAssertEqual(s.message, Note("usr_2 → emma: not applied: usr_1 → Canceled is still waiting for the database (one change at a time); "
                                       + "nothing was changed. Try again when it is done.", isError: true))
        XCTAssertEqual(s.history.map(\.result), [.notApplied])
        // q asks first: quitting now may leave the change unapplied.
        XCTAssertEqual(update(&s, .key(.char("q"))), [])
        XCTAssertFalse(s.quit)
        XCTAssertTrue(s.message?.text.contains("press q again to quit anyway") ?? false)
        XCTAssertEqual(s.pendingWrite?.action, change, "still waiting")
    }

    func testANotAppliedChangeIsSaidAndKeptInTheHistory() {
        var s = adminState()
        _ = confirm(&s, change)
        _ = update(&s, .tick)
        let failed = Outcome(result: .notApplied, text: "usr_1 → Canceled: not applied: the database stayed locked by another process for "
                             + "10 s; nothing was changed. Try again.", at: later)
        XCTAssertEqual(update(&s, .writeFinished(failed)), [], "nothing changed: nothing to read again")
        XCTAssertNil(s.pendingWrite)
        XCTAssertEqual(s.message, Note(failed.text, isError: true))
        XCTAssertTrue(screen(s).contains(" usr_1 → Canceled: not applied: the database stayed locked by another process\n for 10 s; "
                                         + "nothing was changed. Try again."), screen(s))
        // A tab switch clears the line; the history keeps it, with its time.
        _ = update(&s, .key(.char("3")))
        XCTAssertNil(s.shownNote)
        XCTAssertFalse(screen(s).contains("not applied"))
        XCTAssertEqual(s.history, [failed])
        _ = update(&s, .key(.char("M")))
        XCTAssertEqual(s.overlays, [.history])
        let text = screen(s)
        XCTAssertTrue(text.contains("Messages (UTC) · M or Esc closes"), text)
        XCTAssertTrue(text.contains("│ \(clock(later))  not applied  usr_1 → Canceled: not applied: the database stayed  │"), text)
        XCTAssertTrue(text.contains("│                        locked by another process for 10 s; nothing was     │"), text)
        XCTAssertTrue(text.contains("│                        changed. Try again.                                 │"), text)
        _ = update(&s, .key(.escape))
        XCTAssertTrue(s.overlays.isEmpty)
        // The next change can be sent.
        XCTAssertEqual(confirm(&s, change), [.perform(change)])
    }

    func testAnAppliedChangeIsReadAgainAndKeptInTheHistory() {
        var s = adminState()
        _ = confirm(&s, change)
        let done = Outcome(result: .applied, text: "usr_1: status is now Canceled.", at: later)
        let effects = update(&s, .writeFinished(done))
        XCTAssertTrue(effects.contains(.loadSettings), "an applied change reads the screen again: \(effects)")
        XCTAssertEqual(s.message, Note("usr_1: status is now Canceled."))
        let refused = Outcome(result: .refused, text: "Refused: the customer has ended.", at: later.adding(seconds: 5))
        _ = confirm(&s, change)
        XCTAssertEqual(update(&s, .writeFinished(refused)), [])
        XCTAssertEqual(s.message?.isError, true)
        _ = update(&s, .key(.char("5")))
        _ = update(&s, .key(.char("M")))
        // Newest first.
        let lines = view(s).lines()
        let applied = lines.firstIndex { $0.contains("\(clock(later))  applied      usr_1: status is now Canceled.") }
        let refusal = lines.firstIndex { $0.contains("\(clock(later.adding(seconds: 5)))  refused      Refused: the customer has ended.") }
        XCTAssertNotNil(applied, lines.joined(separator: "\n"))
        XCTAssertLessThan(refusal ?? .max, applied ?? .min, lines.joined(separator: "\n"))
        // The history keeps the last hundred.
        for i in 0..<150 { _ = update(&s, .writeFinished(Outcome(result: .applied, text: "change \(i)", at: later))) }
        XCTAssertEqual(s.history.count, Outcome.historyLimit)
        XCTAssertEqual(s.history.last?.text, "change 149")
        XCTAssertEqual(s.history.first?.text, "change 50")
    }

    func testADatabaseFileChangedUnderTheScreenRefusesEveryChange() {
        var s = adminState()
        let notice = Outcome(result: .fileChanged, text: DatabaseFileChanged(path: "/x/y.db", deleted: true).notice, at: later)
        XCTAssertEqual(update(&s, .fileChanged(notice)), [])
        XCTAssertEqual(s.message, Note("The database file /x/y.db was deleted while affdesk was open; no change can be saved. "
                                       + "Quit and reopen.", isError: true))
        // The notice outlives the next key.
        _ = update(&s, .key(.char("j")))
        XCTAssertEqual(s.shownNote?.text, notice.text)
        XCTAssertTrue(screen(s).contains("The database file /x/y.db was deleted while affdesk was open;"), screen(s))
        // No change is started or sent.
        _ = update(&s, .key(.char("s")))
        XCTAssertTrue(s.overlays.isEmpty)
        XCTAssertEqual(confirm(&s, change), [])
        XCTAssertEqual(s.message?.text, "usr_1 → Canceled: not applied: " + notice.text)
        XCTAssertEqual(s.history.map(\.result), [.fileChanged, .notApplied])
        // Said once.
        _ = update(&s, .fileChanged(notice))
        XCTAssertEqual(s.history.count, 2)
    }

    // MARK: Through a session, on a real database

    var store: Store!

    override func setUpWithError() throws {
        store = try DemoFixture.shared.copy()
    }

    /// Opens the status menu on the selected customer, picks its first target and confirms;
    /// returns the change.
    func changeStatus(_ s: Session) throws -> PendingAction {
        s.send(.char("s"), .enter)
        guard case .confirm(let c)? = s.state.overlays.last else { throw XCTSkip("no confirmation: \(s.state.overlays)") }
        s.send(.char("y"))
        return c.action
    }

    func testAChangeRunsOffTheLoopWhileAnotherConnectionHoldsTheWriteLock() throws {
        let s = try Session(store: store, who: "tester", clock: demoClock, writes: .background)
        let key = try XCTUnwrap(s.selectedRow?.ref)
        let before = try XCTUnwrap(try store.customer(key: key)).status
        let lock = try WriteLockHolder(path: store.path)

        // The lock held until the store gives up: keys work all along, and the outcome says why.
        try lock.hold()
        let first = try changeStatus(s)
        let summary = first.summary(s.state.settings)
        XCTAssertEqual(s.state.pendingWrite?.action, first, "y returned at once: the write waits off the loop")
        s.send(.tick)
        XCTAssertEqual(s.state.shownNote?.text, "\(summary): waiting for the database… (another process is writing)")
        XCTAssertTrue(s.frame.description.contains("waiting for the database…"), s.frame.description)
        s.send(.down)
        XCTAssertEqual(s.state.list.selected, 1, "a key works while the change waits")
        s.send(.up)
        s.settle()
        XCTAssertNil(s.state.pendingWrite)
        let expected = "\(summary): not applied: the database stayed locked by another process for 10 s; nothing was changed. Try again."
        XCTAssertEqual(s.state.message, Note(expected, isError: true))
        XCTAssertEqual(try store.customer(key: key)?.status, before, "nothing was changed")
        XCTAssertEqual(s.state.history.map(\.text), [expected])

        // The lock released while the change waits: it is applied.
        let second = try changeStatus(s)
        s.send(.tick)
        XCTAssertNotNil(s.state.pendingWrite)
        s.send(.char("3"))
        XCTAssertEqual(s.state.tab, .conversions, "a tab switch works while the change waits")
        try lock.release()
        s.settle()
        guard case .setStatus(_, let to) = second else { return XCTFail("\(second)") }
        XCTAssertEqual(try store.customer(key: key)?.status, to)
        XCTAssertEqual(try store.audit(page: .first(1)).first?.action, "customer.status")
        XCTAssertEqual(s.state.message, Note("\(key): status is now \(s.state.settings.label(to))."))
        XCTAssertEqual(s.state.history.map(\.result), [.notApplied, .applied])
    }

    func testADeletedDatabaseIsNoticedAndNoChangeClaimsSuccess() throws {
        // Deleted before any refresh noticed it: the store refuses the write itself.
        let s = try session(store)
        XCTAssertEqual(unlink(store.path), 0)
        let action = try changeStatus(s)
        let text = "\(action.summary(s.state.settings)): not applied: The database file \(store.path) was deleted while affdesk was open; "
            + "nothing was written. Quit and reopen."
        XCTAssertEqual(s.state.message, Note(text, isError: true))
        XCTAssertFalse(s.messageText.contains("status is now"))
        XCTAssertNotNil(s.state.fileChanged)
        XCTAssertEqual(s.state.history.map(\.result), [.fileChanged])

        // Noticed by a refresh: said at once, and no change is even started.
        let other = try DemoFixture.shared.copy()
        let t = try session(other)
        XCTAssertEqual(unlink(other.path), 0)
        t.send(.tick)
        XCTAssertEqual(t.state.message, Note(DatabaseFileChanged(path: other.path, deleted: true).notice, isError: true))
        t.send(.char("s"))
        XCTAssertTrue(t.state.overlays.isEmpty, "no dialog for a change that cannot be saved")
        XCTAssertTrue(t.messageText.contains("The database file \(other.path) was deleted while affdesk was open"), t.messageText)
    }
}

/// Another connection to the same file holding SQLite's write lock (BEGIN IMMEDIATE) until
/// released, as another process writing would.
final class WriteLockHolder {
    let queue: DatabaseQueue

    init(path: String) throws {
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: config)
    }

    func hold() throws { try queue.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") } }

    func release() throws { try queue.inDatabase { try $0.execute(sql: "ROLLBACK") } }
}
