import AttributionCore
import AttributionStore
import Dashboard
import Dispatch
import Foundation
import TerminalText
import XCTest

/// Reads off the UI loop (issue 11): typed filters wait for a pause, the newest load of a list
/// wins, a pane opens at once saying it loads, and keys work while a read is held.
final class BackgroundReadTests: XCTestCase {
    /// The first read picked is held on the background reader until the test lets it go (at most 10 s, so a
    /// dashboard that reads on its UI loop fails the test instead of hanging it).
    final class Hold: @unchecked Sendable {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var loads: [ListQuery] = []
        private var held = false
        let holds: @Sendable (Effect) -> Bool
        init(_ holds: @escaping @Sendable (Effect) -> Bool) { self.holds = holds }

        func before(_ e: Effect) {
            lock.lock()
            if case .load(let q, _, _) = e { loads.append(q) }
            // One read is held: the first that `holds` picks.
            let hold = !held && holds(e)
            if hold { held = true }
            lock.unlock()
            guard hold else { return }
            started.signal()
            _ = gate.wait(timeout: .now() + 10)
        }
        var listLoads: [ListQuery] { lock.lock(); defer { lock.unlock() }; return loads }
        func release() { gate.signal() }
        /// Waits until the held read has started on the reader.
        func waitStarted(file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(started.wait(timeout: .now() + 10), .success, "the held read never started", file: file, line: line)
        }
    }

    func backgroundSession(_ hold: Hold, clock: ManualLoopClock, delay: Int = 0, width: Int = 80, height: Int = 24) throws -> Session {
        let s = try Session(store: try DemoFixture.shared.store(), who: "tester", clock: demoClock, width: width, height: height,
                            reads: .background, filterDelayMs: delay, loopClock: clock)
        s.beforeRead = { e in hold.before(e) }
        s.settle()
        return s
    }

    /// A loaded Customers list, as a session leaves it, with a typed filter waiting `delay` ms.
    func loadedState(delay: Int) throws -> State {
        var s = try session(try DemoFixture.shared.store()).state
        s.filterDelayMs = delay
        s.uptimeMs = 1_000
        return s
    }

    func listLoads(_ effects: [Effect]) -> [ListQuery] {
        effects.compactMap { if case .load(let q, _, _) = $0 { return q } else { return nil } }
    }

    // MARK: update

    func testATypedFilterQueriesOnceAfterThePauseInTyping() throws {
        var s = try loadedState(delay: 120)
        XCTAssertEqual(update(&s, .key(.char("/"))), [])
        for c in "usr_1003" {
            s.uptimeMs += 30
            XCTAssertEqual(listLoads(update(&s, .key(.char(c)))), [], "keystroke \(c) queried before the pause")
        }
        XCTAssertEqual(s.list.filter, "usr_1003")
        // 119 ms after the last keystroke: still waiting; 120 ms: one query, for the whole text.
        s.uptimeMs += 119
        XCTAssertEqual(listLoads(update(&s, .elapsed)), [])
        s.uptimeMs += 1
        let loads = listLoads(update(&s, .elapsed))
        XCTAssertEqual(loads.map(\.filter), ["usr_1003"])
        XCTAssertEqual(listLoads(update(&s, .elapsed)), [], "a due filter runs once")
    }

    func testEnterRunsAWaitingFilterAtOnceAndEscClearsAtOnce() throws {
        var s = try loadedState(delay: 120)
        _ = update(&s, .key(.char("/")))
        _ = update(&s, .key(.char("u")))
        XCTAssertEqual(listLoads(update(&s, .key(.enter))).map(\.filter), ["u"])
        XCTAssertFalse(s.filtering)
        _ = update(&s, .key(.char("/")))
        _ = update(&s, .key(.char("x")))
        XCTAssertEqual(listLoads(update(&s, .key(.escape))).map(\.filter), [""])
        XCTAssertNil(s.list.filterDue)
    }

    func testAnAnswerToASupersededLoadIsDropped() throws {
        var s = try loadedState(delay: 0)
        let before = s.list.rows
        XCTAssertGreaterThan(before.count, 2)
        _ = update(&s, .key(.char("/")))
        let first = listLoads(update(&s, .key(.char("a"))))
        let second = listLoads(update(&s, .key(.char("d"))))
        XCTAssertEqual(first.count, 1); XCTAssertEqual(second.count, 1)
        XCTAssertNotEqual(first[0].ticket, second[0].ticket)
        // The older query answers last: dropped, the list still waits for the newer one.
        _ = update(&s, .loaded(.customers, .reset, rows: Array(before.prefix(1)), total: 1, atEnd: true, ticket: first[0].ticket))
        XCTAssertEqual(s.list.rows, before)
        XCTAssertTrue(s.list.loading)
        _ = update(&s, .loaded(.customers, .reset, rows: Array(before.prefix(2)), total: 2, atEnd: true, ticket: second[0].ticket))
        XCTAssertEqual(s.list.rows, Array(before.prefix(2)))
        XCTAssertFalse(s.list.loading)
        // And an answer older still never comes back over it.
        _ = update(&s, .loaded(.customers, .reset, rows: before, total: before.count, atEnd: true, ticket: first[0].ticket))
        XCTAssertEqual(s.list.total, 2)
    }

    func testAReloadAnsweredAfterTheSelectionMovedKeepsTheNewSelection() throws {
        var s = try loadedState(delay: 0)
        let rows = s.list.rows
        _ = update(&s, .key(.char("3")))
        let reload = listLoads(update(&s, .key(.char("2"))))
        XCTAssertEqual(reload.count, 1)
        // Keys move the selection while the reload (asked to keep row 1) is on its way.
        _ = update(&s, .key(.down)); _ = update(&s, .key(.down))
        XCTAssertEqual(s.list.selected, 2)
        _ = update(&s, .loaded(.customers, .reload(keep: rows[0].id), rows: rows, total: s.list.total, atEnd: false,
                               ticket: reload[0].ticket))
        XCTAssertEqual(s.list.selected, 2, "the answer moved the selection back to where it was when it was asked for")
        XCTAssertFalse(s.list.loading)
    }

    func testAPaneClosedWhileItLoadsStaysClosed() throws {
        let store = try DemoFixture.shared.store()
        var s = try session(store).state
        let key = try XCTUnwrap(s.list.selectedRow?.ref)
        XCTAssertEqual(update(&s, .key(.enter)), [.loadCustomer(key: key)])
        XCTAssertEqual(s.detailWanted, .customer(key))
        XCTAssertTrue(view(s).lines().joined(separator: "\n").contains("loading…"), "the pane opens at once, loading")
        _ = update(&s, .key(.escape))
        let answer = Driver(store: store, who: "tester", clock: demoClock).run(.loadCustomer(key: key))
        for m in answer { _ = update(&s, m) }
        XCTAssertNil(s.detail, "a late answer reopened a pane closed with Esc")
        XCTAssertEqual(s.tab, .customers)
    }

    // MARK: Session, reads on the background reader

    func testKeysWorkWhileAListLoadIsHeld() throws {
        let hold = Hold { e in if case .load(let q, _, _) = e { return q.filter == "usr_1" } else { return false } }
        let clock = ManualLoopClock()
        // Typed keys wait for a pause that never comes (the clock stands still): Enter queries.
        let s = try backgroundSession(hold, clock: clock, delay: 120)
        let shown = s.state.list.rows
        let total = s.state.list.total
        s.send(.char("/")); s.type("usr_1"); s.send(.enter)
        hold.waitStarted()
        // The filter's query is held on the reader: the loop has the previous rows and keeps going.
        XCTAssertTrue(s.state.list.loading)
        XCTAssertEqual(s.state.list.rows, shown)
        s.send(.down, .down)
        XCTAssertEqual(s.state.list.selected, 2, "moving within the rows loaded works during a load")
        clock.advance(ms: 150)
        s.wake()
        XCTAssertTrue(FrameCheck.row(s.frame, 23).hasSuffix("loading… (previous rows) 3/\(total)"), FrameCheck.row(s.frame, 23))
        s.send(.char("3"))
        XCTAssertEqual(s.state.tab, .conversions, "switching tabs works during a load")
        s.send(.char("2"))
        s.send(.char("q"))
        XCTAssertTrue(s.state.quit, "q works during a load")
        hold.release()
        s.settle()
        XCTAssertFalse(s.reading)
        XCTAssertEqual(s.state.list.filter, "usr_1")
        XCTAssertTrue(s.state.list.rows.allSatisfy { s.cells($0).joined(separator: " ").lowercased().contains("usr_1") })
        XCTAssertFalse(s.state.list.loading)
    }

    func testABurstOfKeystrokesRunsOneQuery() throws {
        let hold = Hold { _ in false }
        let clock = ManualLoopClock()
        let s = try backgroundSession(hold, clock: clock, delay: 120)
        let before = hold.listLoads.count
        s.send(.char("/"))
        for c in "usr_1003" { s.type(String(c)); clock.advance(ms: 20); s.wake() }
        s.settle()
        XCTAssertEqual(hold.listLoads.count, before, "a keystroke queried before the typing paused")
        clock.advance(ms: 120)
        s.wake()
        s.settle()
        XCTAssertEqual(hold.listLoads.dropFirst(before).map(\.filter), ["usr_1003"])
        XCTAssertEqual(s.state.list.filter, "usr_1003")
        XCTAssertFalse(s.state.list.rows.isEmpty)
        XCTAssertTrue(s.state.list.rows.allSatisfy { $0.ref.hasPrefix("usr_1003") })
    }

    func testAPaneOpensAtOnceWhileItsReadIsHeld() throws {
        let hold = Hold { e in if case .loadCustomer = e { return true } else { return false } }
        let s = try backgroundSession(hold, clock: ManualLoopClock())
        let key = try XCTUnwrap(s.selectedRow?.ref)
        s.send(.enter)
        hold.waitStarted()
        XCTAssertEqual(s.state.detailWanted, .customer(key))
        XCTAssertEqual(FrameCheck.row(s.frame, 2), " Customer \(key)")
        XCTAssertEqual(FrameCheck.row(s.frame, 4), "  loading…")
        // Keys for the pane wait for it: nothing moves the list under it.
        s.send(.down, .pageDown, .char("/"))
        XCTAssertEqual(s.state.list.selected, 0)
        XCTAssertFalse(s.state.filtering)
        s.send(.escape)
        XCTAssertNil(s.state.detailWanted)
        hold.release()
        s.settle()
        XCTAssertNil(s.state.detail, "the answer for a pane closed while it loaded opened it")
        s.send(.enter)
        s.settle()
        guard case .customer(let d)? = s.state.detail else { return XCTFail("no customer pane") }
        XCTAssertEqual(d.customer.key, key)
    }

    // MARK: Golden frames of the loading marks

    func testGoldenLoadingPreviousRows() throws {
        let hold = Hold { e in if case .load(let q, _, _) = e { return q.filter == "ada" } else { return false } }
        let clock = ManualLoopClock()
        let s = try backgroundSession(hold, clock: clock, delay: 120)
        s.send(.char("/")); s.type("ada"); s.send(.enter, .down)
        hold.waitStarted()
        clock.advance(ms: 150)
        s.wake()
        FrameCheck.assertClean(s.frame, "loading")
        Golden.check(s.frame, "loading-previous-rows-80x24")
        hold.release()
        s.settle()
    }

    func testGoldenPaneLoading() throws {
        let hold = Hold { e in if case .loadCustomer = e { return true } else { return false } }
        let s = try backgroundSession(hold, clock: ManualLoopClock())
        s.send(.enter)
        hold.waitStarted()
        Golden.check(s.frame, "pane-loading-80x24")
        hold.release()
        s.settle()
    }
}
