import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
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
}
