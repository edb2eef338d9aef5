import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
@testable import Server
import XCTest

/// Waiting for the disk beside the writer (`DiskFlush`): an event is answered only after a flush
/// that began after its commit; the writer commits the next group meanwhile; a failed flush is
/// answered 503 (the event is committed, and the sender's retry is recorded once).
final class DiskFlushTests: ServeTestCase, @unchecked Sendable {
    func click(_ n: Int) -> InboundEvent {
        TrackingFeed(defaultCurrency: .usd, file: "t").read(line: #"{"type":"click","click_id":"f\#(n)","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#, number: 1)!
    }

    func testAnAnswerWaitsForTheFlushWhileTheWriterGoesOn() async throws {
        let gate = Gate()
        let committer = GroupCommitter(store: store, flush: DiskFlush(flush: { gate.pass(); return nil }))
        committer.start()
        defer { committer.stop(); gate.openAll() }
        let first = Task { try await committer.submit(self.click(1)) }
        // The first flush is under way (held by the gate): the event is committed, not answered.
        gate.waitForArrivals(1)
        XCTAssertEqual(try events, 1)
        // The writer is not held: a second event is committed while the first flush waits.
        let second = Task { try await committer.submit(self.click(2)) }
        try await waitUntil { try self.events == 2 }
        gate.open(1)
        let d1 = try await first.value
        XCTAssertEqual(d1.outcome, .accepted)
        // The second commit came after the first flush began: it needs a flush of its own.
        gate.waitForArrivals(2)
        gate.open(1)
        let d2 = try await second.value
        XCTAssertEqual(d2.outcome, .accepted)
    }

    func testAFailedFlushIsAnswered503AndTheRetryIsRecordedOnce() async throws {
        let committer = GroupCommitter(store: store, flush: DiskFlush(flush: { "the disk did not confirm the write (test)" }))
        committer.start()
        do {
            _ = try await committer.submit(click(1))
            XCTFail("answered although the flush failed")
        } catch {
            XCTAssertEqual(error, .notOnDisk("the disk did not confirm the write (test)"))
        }
        committer.stop()
        let retry = GroupCommitter(store: store, waitForDisk: true)
        retry.start()
        defer { retry.stop() }
        let d = try await retry.submit(click(1))
        XCTAssertTrue(d.repeated)
        XCTAssertEqual(try events, 1)
        XCTAssertEqual(Reply.refusal(.notOnDisk("x")).status.code, 503)
    }

    /// Polls `condition` (the database), never sleeping more than a poll interval.
    func waitUntil(_ condition: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(20)
        while try !condition() {
            guard Date() < deadline else { return XCTFail("timed out") }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
    }
}

/// Holds each flush until the test lets it through; counts the flushes that arrived.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrived = 0
    private var allowed = 0
    private var all = false

    func pass() {
        condition.lock()
        arrived += 1
        condition.broadcast()
        let me = arrived
        while !all && allowed < me { condition.wait() }
        condition.unlock()
    }

    func waitForArrivals(_ n: Int) {
        condition.lock()
        while arrived < n { condition.wait() }
        condition.unlock()
    }

    func open(_ n: Int) { condition.lock(); allowed += n; condition.broadcast(); condition.unlock() }
    func openAll() { condition.lock(); all = true; condition.broadcast(); condition.unlock() }
}
