import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// Triage's bulk replay, lazygit style: Space marks rows, `a` the whole reason, `p` asks with the
/// dry run's figures, `y` replays them all; `r` shows the resolved rejections.
final class BulkReplayTests: XCTestCase {
    /// The Triage tab with three refused rows (ids 7, 8, 9), the first selected.
    func triageState() throws -> State {
        var s = State(mode: .admin, settings: DemoProgram.settings, now: DemoProgram.now)
        s.tab = .triage
        let refused = try demoEvent()
        let rows: [ListRow] = [7, 8, 9].map { (id: Int64) -> ListRow in
            var e = refused
            e.id = id
            return ListRow(id: id, item: .event(e), cursor: Cursor(int: id, id: id))
        }
        _ = update(&s, .reasonsLoaded([ReasonCount(reason: "", count: 3), ReasonCount(reason: "recurring_off", count: 3)]))
        _ = update(&s, .loaded(.triage, .reset, rows: rows, total: 3, atEnd: true))
        return s
    }

    func demoEvent() throws -> EventRow {
        try XCTUnwrap(try DemoFixture.shared.store().events(EventQuery(rejectedOnly: true, reason: "recurring_off"), page: .first(1)).first)
    }

    func result(_ e: EventRow, ids: [Int64], accepted: Set<Int64>) -> BulkReplayResult {
        BulkReplayResult(results: ids.map { id in
            var o = e
            o.id = id
            return ReplayResult(original: o, decision: accepted.contains(id) ? .accepted(detail: "credited") : .rejected(.customerCapped),
                                replayEventID: nil, affiliateCode: "zoe")
        }, dryRun: true)
    }

    func testSpaceMarksRowsAndPAsksOnceWithTheDryRun() throws {
        var s = try triageState()
        XCTAssertEqual(update(&s, .key(.char(" "))), [])
        XCTAssertEqual(s.triageMarks.ids, [7])
        XCTAssertEqual(s.list.selected, 1, "Space marks and moves down")
        _ = update(&s, .key(.char(" ")))
        XCTAssertEqual(s.triageMarks.ids, [7, 8])
        _ = update(&s, .key(.char("k")))
        _ = update(&s, .key(.char(" ")))
        XCTAssertEqual(s.triageMarks.ids, [7], "Space again unmarks")
        _ = update(&s, .key(.char("k")))
        _ = update(&s, .key(.char(" ")))
        XCTAssertEqual(s.triageMarks.ids, [7, 8])
        // p: the dry run first, nothing opens until it answers.
        XCTAssertEqual(update(&s, .key(.char("p"))), [.prepareBulkReplay(eventIDs: [7, 8], reason: nil)])
        XCTAssertTrue(s.overlays.isEmpty)
        _ = update(&s, .bulkReplayPrepared(result(try demoEvent(), ids: [7, 8], accepted: [8])))
        guard case .confirm(let c)? = s.overlays.last else { return XCTFail("no confirmation: \(s.overlays)") }
        XCTAssertEqual(c.title, "Replay 2 events under today's settings?")
        XCTAssertEqual(c.lines[0], "Dry run   2 events in time order: 1 would be accepted, 1 would not")
        XCTAssertEqual(c.lines[1], "          1 customer_capped")
        XCTAssertEqual(c.action, .bulkReplay(eventIDs: [7, 8]))
        // One y replays them all; the marks are spent.
        XCTAssertEqual(update(&s, .key(.char("y"))), [.perform(.bulkReplay(eventIDs: [7, 8]))])
        XCTAssertTrue(s.triageMarks.isEmpty)
    }

    func testANoCancelsAndKeepsTheMarks() throws {
        var s = try triageState()
        _ = update(&s, .key(.char(" ")))
        _ = update(&s, .key(.char("p")))
        _ = update(&s, .bulkReplayPrepared(result(try demoEvent(), ids: [7], accepted: [7])))
        XCTAssertEqual(update(&s, .key(.char("n"))), [])
        XCTAssertEqual(s.triageMarks.ids, [7])
        XCTAssertEqual(s.message?.text, "Cancelled: nothing was changed.")
    }

    func testAMarksTheWholeReason() throws {
        var s = try triageState()
        _ = update(&s, .key(.char("a")))
        XCTAssertTrue(s.triageMarks.isEmpty, "all rejected: no reason picked")
        XCTAssertEqual(s.message?.isError, true)
        _ = update(&s, .key(.right))
        _ = update(&s, .key(.char("a")))
        XCTAssertEqual(s.triageMarks.reason, "recurring_off")
        XCTAssertEqual(update(&s, .key(.char("p"))), [.prepareBulkReplay(eventIDs: [], reason: "recurring_off")])
        _ = update(&s, .key(.char("a")))
        XCTAssertTrue(s.triageMarks.isEmpty, "a again unmarks")
        // Without marks, p replays the selected event alone.
        XCTAssertEqual(update(&s, .key(.char("p"))), [.prepareReplay(eventID: 7)])
    }

    func testRShowsTheResolvedRejections() throws {
        var s = try triageState()
        let effects = update(&s, .key(.char("r")))
        XCTAssertTrue(s.showResolved)
        XCTAssertEqual(effects.first, .loadReasons(includeResolved: true))
        guard case .load(let q, _, _)? = effects.last else { return XCTFail("\(effects)") }
        XCTAssertTrue(q.includeResolved)
        XCTAssertTrue(Keymap.statusBar(s).contains { $0.label == "r" && $0.short == "resolved" })
        XCTAssertTrue(Keymap.bindings.contains { $0.label == "Space" && $0.command == .markRow }, "Space is in help")
        _ = update(&s, .key(.char("r")))
        XCTAssertFalse(s.showResolved)
    }

    /// Against the demo: a disabled affiliate enabled again, its whole reason marked and replayed.
    func testTheWholeReasonReplayedAfterADryRun() throws {
        let store = try DemoFixture.shared.copy()
        try store.setAffiliateDisabled(code: "deal-hunter", disabled: false, who: "tester")
        let s = try session(store, width: 120, height: 30)
        s.go(.triage)
        for _ in 0..<s.state.reasons.count where s.state.reasons[s.state.reasonIndex].reason != "affiliate_disabled" { s.send(.right) }
        let count = try XCTUnwrap(s.state.reasons.first { $0.reason == "affiliate_disabled" }?.count)
        let conversions = try store.conversionCount()
        s.send(.char("a"))
        XCTAssertTrue(Golden.text(s.frame).contains("all marked"))
        XCTAssertTrue(Golden.text(s.frame).contains("● "))
        s.send(.char("p"))
        guard case .confirm(let c)? = s.state.overlays.last else { return XCTFail("no confirmation: \(s.messageText)") }
        XCTAssertEqual(c.title, "Replay \(count) events under today's settings?")
        XCTAssertTrue(c.lines[0].hasPrefix("Dry run   \(count) events in time order: "), c.lines[0])
        XCTAssertEqual(try store.conversionCount(), conversions, "the dry run wrote nothing")
        Golden.check(s.frame, "triage-bulk-confirm")
        s.send(.char("y"))
        XCTAssertTrue(s.messageText.hasPrefix("Replayed \(count) events in time order: "), s.messageText)
        XCTAssertGreaterThan(try store.conversionCount(), conversions)
        s.send(.tick)
        XCTAssertLessThan(s.state.reasons.first { $0.reason == "affiliate_disabled" }?.count ?? 0, count)
    }
}
