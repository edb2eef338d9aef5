import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
@testable import Server
import XCTest

/// The checkpoints beside the group writer (`WriterCheckpoints`): SQLite's automatic
/// checkpoint is off on the writer's connection, and the WAL still starts over.
final class WriterCheckpointTests: ServeTestCase, @unchecked Sendable {
    func clicks(_ group: Int) -> [InboundEvent] {
        let feed = TrackingFeed(defaultCurrency: .usd, file: "t")
        return (0..<5).map { i in
            feed.read(line: #"{"type":"click","click_id":"cp\#(group)-\#(i)","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#, number: 1)!
        }
    }

    /// 150 groups of about 10 frames each with a restart from 60 frames: the WAL starts over
    /// again and again and never grows past twice that (without the writer's catch-up it would grow for ever, as the
    /// background checkpoint never finds the WAL fully copied while groups keep coming), and
    /// every event is in the database once.
    func testTheWALStartsOverWithTheCheckpointsBesideTheWriter() throws {
        let writer = try GroupWriter(store: store)
        try writer.offloadCheckpoints()
        let automatic = try writer.own.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        XCTAssertEqual(automatic, 0, "no checkpoint inside the writer's commits")
        let checkpoints = WriterCheckpoints(connection: try XCTUnwrap(WALCheckpointConnection(store: store)), limits: .init(step: 40, restartAt: 60))
        writer.checkpointRemainder()   // the setup's frames: the first group starts the WAL over
        checkpoints.start()
        var longest: Int32 = 0, last: Int32 = 0, restarts = 0, seen: [Int32] = []
        for g in 0..<150 {
            var phases = GroupPhases()
            XCTAssertEqual(try writer.ingest(clicks(g), phases: &phases).map(\.outcome), Array(repeating: .accepted, count: 5))
            if writer.walFrames < last { restarts += 1 }
            last = writer.walFrames
            seen.append(last)
            longest = max(longest, last)
            checkpoints.committed(writer)
        }
        checkpoints.stop()
        XCTAssertGreaterThan(restarts, 3, "the WAL started over")
        XCTAssertLessThan(longest, 150, "the WAL stays short: \(seen)")
        XCTAssertEqual(try events, 750)
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    /// The writer checks one file's identity per group (its own connection's, which is the
    /// store's since it opened): a file put in the store's place is still refused, and nothing
    /// is written to it.
    func testAFilePutInTheStoresPlaceIsRefusedByTheWriter() throws {
        let writer = try GroupWriter(store: store)
        var phases = GroupPhases()
        _ = try writer.ingest(clicks(1), phases: &phases)
        let other = dir + "/other.sqlite"
        let replacement = try Store(path: other)
        try replacement.initialize(ProgramSettings(name: "Other", model: .saas, currency: .usd), who: "test")
        XCTAssertEqual(rename(other, store.path), 0)
        XCTAssertThrowsError(try writer.ingest(clicks(2), phases: &phases)) { XCTAssertTrue($0 is DatabaseFileChanged, "\($0)") }
        let written = try replacement.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") }
        XCTAssertEqual(written, 0)
    }
}
