import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
import XCTest

/// A rejection fixed by a replay or by hand is resolved: it leaves the triage queue and its
/// reason's count, and triage says by what, when and by whom.
final class ResolutionTests: StoreTestCase {
    func reparse(_ store: Store) throws -> Reparser {
        let currency = try store.settings().currency
        return { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: currency) }
    }

    /// Recurring off: o_off is refused recurring_off, o_none no_attribution.
    func recurringOffStore() throws -> (store: Store, off: Int64, none: Int64) {
        let store = try self.store(ProgramSettings(name: "T", model: .saas, recurring: false, commission: .percent(basisPoints: 1000)))
        try ingest(store, [
            Line.click("c1", "alice"),
            Line.track("signup", "u1", click: "c1"),
            Line.conversion("o_off", "20.00", customer: "u1", t0.adding(days: 2)),
            Line.conversion("o_none", "12.00", t0.adding(days: 3)),
        ])
        let rejected = try store.events(EventQuery(rejectedOnly: true))
        XCTAssertEqual(rejected.map(\.reasonCode), ["no_attribution", "recurring_off"])
        return (store, rejected[1].id, rejected[0].id)
    }

    func reasons(_ store: Store, includeResolved: Bool = false) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try store.rejectionCounts(includeResolved: includeResolved).map { ($0.reason, $0.count) })
    }

    func testAnAcceptedReplayResolvesTheRejectionAndItsLaterDuplicates() throws {
        let (store, off, none) = try recurringOffStore()
        XCTAssertEqual(try reasons(store), ["recurring_off": 1, "no_attribution": 1])
        // Still refused: not resolved; the refused replay is a rejection of its own.
        XCTAssertFalse(try store.replay(eventID: off, who: "support", reparse: reparse(store)).decision.isAccepted)
        XCTAssertNil(try store.resolution(eventID: off))
        XCTAssertEqual(try reasons(store), ["recurring_off": 2, "no_attribution": 1])

        var s = try store.settings()
        s.recurring = true
        try store.updateSettings(s, who: "tester")
        let credited = try store.replay(eventID: off, who: "support", reparse: reparse(store))
        XCTAssertTrue(credited.decision.isAccepted)
        let r = try XCTUnwrap(try store.resolution(eventID: off))
        XCTAssertEqual(r.byEventID, credited.replayEventID)
        XCTAssertEqual(r.byExternalID, "o_off")
        XCTAssertEqual(r.who, "support")
        XCTAssertEqual(r.at, now)
        XCTAssertEqual(r.text, "resolved by #\(credited.replayEventID!) at 2026-02-01 12:00 by support")
        // The queue and the counts drop the original and its refused replay.
        XCTAssertEqual(try reasons(store), ["no_attribution": 1])
        XCTAssertEqual(try store.events(EventQuery(rejectedOnly: true)).map(\.id), [none])
        XCTAssertEqual(try store.eventCount(EventQuery(rejectedOnly: true)), 1)
        XCTAssertEqual(try store.eventCount(EventQuery(rejectedOnly: true, reason: "recurring_off")), 0)
        // Shown when asked.
        XCTAssertEqual(try reasons(store, includeResolved: true)["recurring_off"], 2)
        XCTAssertEqual(try store.eventCount(EventQuery(rejectedOnly: true, includeResolved: true)), 3)
        // A duplicate replay after the fix is no new problem.
        let dup = try store.replay(eventID: off, who: "support", reparse: reparse(store))
        XCTAssertEqual(dup.decision.reason, .duplicateExternalID)
        XCTAssertEqual(try store.resolution(eventID: try XCTUnwrap(dup.replayEventID))?.byEventID, credited.replayEventID)
        XCTAssertEqual(try reasons(store), ["no_attribution": 1])
        // Triage says how.
        let report = try store.triage("o_off", reparse: reparse(store))
        XCTAssertEqual(report.events.map { $0.resolution?.byEventID }, [credited.replayEventID, credited.replayEventID, nil, credited.replayEventID])
        try assertConsistent(store)
    }

    func testAManualConversionFromTheEventResolvesIt() throws {
        let (store, _, none) = try recurringOffStore()
        let draft = try store.manualDraft(eventID: none, reparse: reparse(store))
        XCTAssertTrue(try store.addManualConversion(draft, affiliateCode: "bob", who: "support").isAccepted)
        let r = try XCTUnwrap(try store.resolution(eventID: none))
        XCTAssertNil(r.byEventID)
        XCTAssertEqual(r.byExternalID, "o_none")
        XCTAssertEqual(r.byConversionID, try store.conversion(externalID: "o_none")?.id)
        XCTAssertEqual(r.text, "resolved by conversion o_none (by hand) at 2026-02-01 12:00 by support")
        XCTAssertEqual(try reasons(store), ["recurring_off": 1])
        // A refused manual conversion resolves nothing.
        let offDraft = try store.manualDraft(eventID: try store.events(EventQuery(rejectedOnly: true))[0].id, reparse: reparse(store))
        XCTAssertFalse(try store.addManualConversion(offDraft, amount: usd(-1), who: "support").isAccepted)
        XCTAssertEqual(try reasons(store), ["recurring_off": 1])
        try assertConsistent(store)
    }

    /// A database at v6 with replays and a manual conversion already made: the migration marks
    /// them resolved, with who and when.
    func testTheMigrationBackfillsRejectionsFixedBefore() throws {
        let (store, off, none) = try recurringOffStore()
        var s = try store.settings()
        s.recurring = true
        try store.updateSettings(s, who: "tester")
        let credited = try store.replay(eventID: off, who: "support", reparse: reparse(store))
        let dup = try store.replay(eventID: off, who: "support", reparse: reparse(store))
        XCTAssertTrue(try store.addManualConversion(try store.manualDraft(eventID: none, reparse: reparse(store)),
                                                    affiliateCode: "bob", who: "admin").isAccepted)
        let expected = try [off, none, XCTUnwrap(dup.replayEventID)].map { try XCTUnwrap(try store.resolution(eventID: $0)) }
        let path = store.path
        // Back to v6, as today's main leaves it.
        try takeBack(path, migrations: ["v10-triage-resolved"], toVersion: 6, undo: "DROP TABLE event_resolution")
        let reopened = try Store(path: path, clock: FixedClock(now.adding(days: 1)))
        XCTAssertTrue(try reopened.rejectionCounts().isEmpty)
        let after = try [off, none, XCTUnwrap(dup.replayEventID)].map { try XCTUnwrap(try reopened.resolution(eventID: $0)) }
        XCTAssertEqual(after.map(\.byEventID), expected.map(\.byEventID))
        XCTAssertEqual(after.map(\.byConversionID), expected.map(\.byConversionID))
        XCTAssertEqual(after.map(\.who), ["support", "admin", "support"])
        XCTAssertEqual(after.map(\.at), [now, now, now], "the time of the fix, not of the migration")
        XCTAssertEqual(after[0].byEventID, credited.replayEventID)
        try assertConsistent(reopened)
    }
}
