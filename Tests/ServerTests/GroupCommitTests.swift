import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
@testable import Server
import XCTest

/// Group commit: events queued together are decided and applied in one transaction, each
/// answered with its own decision; a repeat answers with what was recorded.
final class GroupCommitTests: ServeTestCase, @unchecked Sendable {
    func line(_ s: String) -> InboundEvent { TrackingFeed(defaultCurrency: .usd, file: "t").read(line: s, number: 1)! }

    func testOneGroupGivesEachEventItsOwnDecisionInOneTransaction() throws {
        let click = line(#"{"type":"click","click_id":"g1","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#)
        let lead = line(#"{"type":"signup","customer_key":"gk","click_id":"g1","at":"2024-09-25T00:01:00Z"}"#)
        let unknown = line(#"{"type":"signup","customer_key":"gk2","click_id":"nope","at":"2024-09-25T00:01:00Z"}"#)
        let invalid = line(#"{"type":"click","click_id":"g2","at":"2024-09-25T00:00:00Z"}"#)
        let sale = line(#"{"type":"conversion","external_id":"go","amount":"10.00","customer_key":"gk","at":"2024-09-25T00:02:00Z"}"#)
        let d = try store.ingestGroup([click, lead, unknown, click, invalid, sale])
        XCTAssertEqual(d.map(\.outcome), [.accepted, .accepted, .rejected, .accepted, .rejected, .accepted])
        XCTAssertEqual(d[2].reason, .unknownClick)
        XCTAssertEqual(d[3].repeated, true, "the same line twice in a group: the second is the first's record")
        XCTAssertEqual(d[3].eventID, d[0].eventID)
        XCTAssertEqual(d[4].field, "affiliate")
        XCTAssertEqual(try events, 5)
        let again = try store.ingestGroup([sale])
        XCTAssertEqual(again[0].repeated, true)
        XCTAssertEqual(again[0].eventID, d[5].eventID)
        XCTAssertEqual(try conversions, 1)
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    /// A payment of a subscription, as the Stripe and WooCommerce feeds make them.
    func payment(_ id: String, sub: String, renewal: Bool, parent: String? = nil, key: String? = "sk", minute: Int64) -> InboundEvent {
        let at = Instant(seconds: signingTime - 3600 + minute * 60)
        let c = Event.Conversion(externalID: id, amount: Money(minor: 4900, currency: .usd), customerKey: key, isFirstPayment: !renewal,
                                 at: at, subscriptionID: sub, isRenewal: renewal, parentExternalID: parent)
        return InboundEvent(source: "test", type: "conversion", raw: id, dedupeKey: "test:" + id, payload: .event(.conversion(c)))
    }

    /// The subscription facts a group reads once (`prefetchSubscriptions`) follow what the group
    /// itself credits and links: the same renewal indexes as one event per transaction.
    func testSubscriptionFactsInAGroupFollowWhatTheGroupCredits() throws {
        try ingestLines([#"{"type":"click","click_id":"sc","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#,
                         #"{"type":"signup","customer_key":"sk","click_id":"sc","at":"2024-09-25T00:01:00Z"}"#])
        _ = try store.ingestGroup([payment("a0", sub: "sub_a", renewal: false, minute: 0)])   // history stored before the group
        let d = try store.ingestGroup([
            payment("a1", sub: "sub_a", renewal: true, key: nil, minute: 1),     // stored history: index 1
            payment("b0", sub: "sub_b", renewal: false, minute: 2),              // new subscription: index 0
            payment("b1", sub: "sub_b", renewal: true, key: nil, minute: 3),     // credited earlier in this group: index 1
            line(#"{"type":"conversion","external_id":"p0","amount":"10.00","customer_key":"sk","at":"2024-09-25T00:02:00Z"}"#),
            payment("c1", sub: "sub_c", renewal: true, parent: "p0", key: nil, minute: 4),  // links p0 to sub_c: index 1
            payment("c2", sub: "sub_c", renewal: true, key: nil, minute: 5),     // p0 and c1 before it: index 2
        ])
        XCTAssertEqual(d.map(\.outcome), Array(repeating: .accepted, count: 6), d.map { "\($0.reason.map(\.rawValue) ?? "") \($0.detail ?? "")" }.joined(separator: "\n"))
        XCTAssertEqual(d.map { $0.notes.contains(.renewalFirstSeen) }, [false, false, false, false, false, false])
        let indexes = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT external_id, renewal_index FROM conversion WHERE subscription_id IS NOT NULL ORDER BY external_id")
                .map { "\($0[0] as String)=\(($0[1] as Int64?).map(String.init) ?? "nil")" }
        }
        XCTAssertEqual(indexes, ["a0=0", "a1=1", "b0=0", "b1=1", "c1=1", "c2=2", "p0=0"])
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    func testQueuedRequestsShareOneCommitAndEachGetsItsAnswer() async throws {
        let metrics = ServerMetrics()
        let committer = GroupCommitter(store: store, metrics: metrics)
        let lines = (0..<20).map { #"{"type":"click","click_id":"q\#($0)","affiliate":"\#($0 == 7 ? "nobody" : "alice")","at":"2024-09-25T00:00:00Z"}"# }
        let events = lines.map(line)
        let results = try await withThrowingTaskGroup(of: (Int, RecordedDecision).self) { group in
            for (i, e) in events.enumerated() { group.addTask { (i, try await committer.submit(e)) } }
            // Nothing is written before the writer starts: all 20 wait in the queue...
            while committer.queued < 20 { try await Task.sleep(nanoseconds: 1_000_000) }
            XCTAssertEqual(try self.events, 0)
            committer.start()   // ...and go in one transaction.
            var out: [Int: RecordedDecision] = [:]
            for try await (i, d) in group { out[i] = d }
            return out
        }
        committer.stop()
        XCTAssertEqual(results.count, 20)
        XCTAssertEqual(results[7]?.reason, .unknownAffiliate)
        XCTAssertEqual(results.values.filter { $0.outcome == .accepted }.count, 19)
        XCTAssertEqual(try self.events, 20)
        // One commit of 20 events.
        let text = metrics.text()
        XCTAssertTrue(text.contains("affdesk_commit_group_size_events_count 1\n"), text)
        XCTAssertTrue(text.contains("affdesk_commit_duration_seconds_count 1\n"), text)
    }

    func testAStoppedWriterRefusesAndAFullQueueRefusesAtOnce() async throws {
        var limits = GroupCommitter.Limits()
        limits.maxQueuedEvents = 1
        let committer = GroupCommitter(store: store, limits: limits)
        let e = line(#"{"type":"click","click_id":"s1","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#)
        let f = line(#"{"type":"click","click_id":"s2","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#)
        let first = Task { try await committer.submit(e) }
        while committer.queued < 1 { try await Task.sleep(nanoseconds: 1_000_000) }
        do { _ = try await committer.submit(f); XCTFail("the queue is full") } catch { XCTAssertEqual(error, .queueFull) }
        committer.start()
        _ = try await first.value
        committer.stop()
        do { _ = try await committer.submit(f); XCTFail("stopped") } catch { XCTAssertEqual(error, .shuttingDown) }
        XCTAssertEqual(try events, 1)
    }

    /// The writer's own connection (`GroupWriter`, foreign keys off for its life, the settings
    /// kept between groups) decides as `ingestGroup` does, sees a setting changed through another
    /// connection at its next group, and leaves the store's own connection checking foreign keys.
    func testTheWritersOwnConnectionSeesSettingsChangedElsewhere() throws {
        let writer = try GroupWriter(store: store)
        func pair(_ n: Int) -> [InboundEvent] {
            [line(#"{"type":"click","click_id":"w\#(n)","affiliate":"alice","at":"2024-09-01T00:00:00Z"}"#),
             line(#"{"type":"signup","customer_key":"wk\#(n)","click_id":"w\#(n)","at":"2024-09-25T00:00:00Z"}"#)]
        }
        var phases = GroupPhases()
        let first = try writer.ingest(pair(1), phases: &phases)
        XCTAssertEqual(first.map(\.outcome), [.accepted, .accepted], first.map { "\($0.reason?.rawValue ?? "")" }.joined(separator: ","))
        XCTAssertGreaterThan(phases.commit, 0)
        var settings = try store.settings()
        settings.windowDays = 10
        try store.updateSettings(settings, who: "test")
        let second = try writer.ingest(pair(2), phases: &phases)
        XCTAssertEqual(second[1].reason, .clickExpired, "the 10-day window set through the store's connection applies at once")
        XCTAssertEqual(try writer.ingest(pair(1), phases: &phases).map(\.repeated), [true, true])
        let foreignKeys = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        XCTAssertEqual(foreignKeys, 1, "the store's own connection still checks foreign keys")
        XCTAssertEqual(try events, 4)
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    /// `--sync full` (`syncEveryCommit`) holds for the writer's own connection too: its commits
    /// wait for the disk as the store's would.
    func testTheWritersConnectionWaitsForTheDiskAsTheStoresDoes() throws {
        func synchronous(_ s: Store) throws -> Int? { try s.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } }
        XCTAssertEqual(try synchronous(GroupWriter(store: store).own), 1, "NORMAL, as the store's")
        try store.syncEveryCommit()
        XCTAssertEqual(try synchronous(GroupWriter(store: store).own), 2, "FULL, as the store's")
    }

    /// The answers' JSON escapes what JSON requires and every control character (C0, DEL, C1),
    /// and keeps the rest of the text as it is.
    func testTheAnswersJSONEscapesQuotesAndControlCharacters() {
        let text = Reply.obj([("m", .str("a\"b\\c\n\u{1}\u{7f}\u{85}\u{9f}\u{a0}é日😀")), ("n", .int(-3)), ("b", .bool(true)), ("z", .null),
                              ("a", .arr([.str(""), .int(0)]))]).text
        XCTAssertEqual(text, #"{"m":"a\"b\\c\n\u0001\u007f\u0085\u009f"# + "\u{a0}é日😀" + #"","n":-3,"b":true,"z":null,"a":["",0]}"#)
    }
}
