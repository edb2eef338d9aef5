import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Feeds
import TerminalText
import XCTest

/// The Triage tab after a rejection was fixed: it leaves the queue and its reason's count, and
/// its event pane says how it was resolved; a refused event's notes say what happened.
final class ResolvedTriageTests: XCTestCase {
    func reparse(_ store: Store) throws -> Reparser {
        let currency = try store.settings().currency
        return { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: currency) }
    }

    /// Moves the Triage tab to a reason, by →.
    func pick(_ reason: String, _ s: Session, file: StaticString = #filePath, line: UInt = #line) {
        for _ in 0..<s.state.reasons.count where s.state.reasons[s.state.reasonIndex].reason != reason { s.send(.right) }
        XCTAssertEqual(s.state.reasons[s.state.reasonIndex].reason, reason, file: file, line: line)
    }

    func count(_ reason: String, _ s: Session) -> Int? { s.state.reasons.first { $0.reason == reason }?.count }

    func testARefusedRecurringOffEventsNoteDoesNotSayItWasCredited() throws {
        let s = try session(try DemoFixture.shared.store(), width: 200, height: 60)
        s.go(.triage)
        pick("recurring_off", s)
        s.send(.enter)
        let text = Golden.text(s.frame)
        XCTAssertTrue(text.contains("Note customer_key_ignored: "), text)
        XCTAssertFalse(text.contains("credited as a one-off by click"), text)
        XCTAssertTrue(text.contains("nothing was credited"), text)
    }

    func testAReplayedRejectionLeavesTheQueueAndItsPaneSaysHow() throws {
        let store = try DemoFixture.shared.copy()
        let s = try session(store, width: 160, height: 40)
        s.go(.triage)
        pick("recurring_off", s)
        let before = try XCTUnwrap(count("recurring_off", s))
        let allBefore = try XCTUnwrap(count("", s))
        // Fixed as the hint says: Recurring on, then replay one that is accepted now.
        var settings = try store.settings()
        settings.recurring = true
        try store.updateSettings(settings, who: "tester")
        let event = try XCTUnwrap(try s.rows.first { row in
            try store.triage(eventID: row.id, reparse: reparse(store))?.events.first?.wouldNow?.isAccepted == true
        }?.id)
        let r = try store.replay(eventID: event, who: "support", reparse: reparse(store))
        XCTAssertTrue(r.decision.isAccepted, "\(r.decision)")
        s.send(.tick)
        XCTAssertEqual(count("recurring_off", s), before - 1)
        XCTAssertEqual(count("", s), allBefore - 1)
        XCTAssertFalse(s.rows.contains { $0.id == event }, "the resolved event left the list")
        // Its pane, opened from the identifier search, says how it was resolved.
        s.send(.char("/"))
        for ch in try XCTUnwrap(r.original.externalID) { s.send(.char(ch)) }
        s.send(.enter)
        let row = try XCTUnwrap(s.rows.firstIndex { $0.id == event })
        for _ in 0..<row { s.send(.char("j")) }
        s.send(.enter)
        let text = Golden.text(s.frame)
        XCTAssertTrue(text.contains("Resolved    by #\(r.replayEventID!) at \(DemoProgram.now.shortDisplay) by support"), text)
    }

    /// With `r` on, a resolved rejection is listed among the open ones but looks resolved: ✓
    /// before its id, "resolved" as its outcome, by what in the Detail column, the whole row dimmed.
    func testWithResolvedShownAResolvedRowLooksResolved() throws {
        let store = try DemoFixture.shared.copy()
        var settings = try store.settings()
        settings.recurring = true
        try store.updateSettings(settings, who: "tester")
        let s = try session(store, width: 120, height: 40)
        s.go(.triage)
        pick("recurring_off", s)
        let event = try XCTUnwrap(try s.rows.first { row in
            try store.triage(eventID: row.id, reparse: reparse(store))?.events.first?.wouldNow?.isAccepted == true
        }?.id)
        let r = try store.replay(eventID: event, who: "support", reparse: reparse(store))
        s.send(.tick)
        s.send(.char("r"))
        XCTAssertTrue(s.state.showResolved)
        let row = try XCTUnwrap(s.rows.first { $0.id == event }, "listed with r on")
        let cells = s.cells(row)
        XCTAssertEqual(cells[0], "✓ \(event)")
        XCTAssertEqual(cells[3], "resolved")
        XCTAssertTrue(cells[6].hasPrefix("resolved by #\(try XCTUnwrap(r.replayEventID))"), cells[6])
        XCTAssertEqual(Screens.drawn(row, .triage, s.state).roles, Array(repeating: .dim, count: cells.count))
        // An open one beside it still looks open.
        let open = try XCTUnwrap(s.rows.first { $0.id != event })
        XCTAssertEqual(s.cells(open)[3], "rejected")
        XCTAssertFalse(s.cells(open)[0].hasPrefix("✓"))
        XCTAssertNotEqual(Screens.drawn(open, .triage, s.state).roles[3], .dim)
        let index = try XCTUnwrap(s.rows.firstIndex { $0.id == event })
        for _ in 0..<index { s.send(.char("j")) }
        Golden.check(s.frame, "triage-resolved-shown-120x40")
    }
}
