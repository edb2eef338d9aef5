import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import XCTest

/// A database file deleted or replaced while a store has it open (issue 9, item 8): every
/// write is refused with a sentence naming the file, none claims success, and nothing lands
/// in the file that now has the name.
final class DatabaseIdentityTests: StoreTestCase {
    /// u1 (alice, paying).
    func world() throws -> Store {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
                       Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: 60))])
        XCTAssertEqual(try customer(s, "u1").status, .active)
        return s
    }

    /// Every kind of write the store offers: admin actions, settings, affiliates, the ingest.
    func assertEveryWriteRefused(_ s: Store, deleted: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let expected = DatabaseFileChanged(path: s.path, deleted: deleted)
        let writes: [(String, () throws -> Any)] = [
            ("setStatus", { try s.setStatus(customerKey: "u1", to: .ended, who: "ana") }),
            ("reassign", { try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "ana") }),
            ("addManualConversion", { try s.addManualConversion(externalID: "m1", amount: usd(1000), customerKey: "u1",
                                                                affiliateCode: nil, who: "ana") }),
            ("updateSettings", { try s.updateSettings(ProgramSettings(name: "Other", model: .saas, recurring: false,
                                                                      commission: .percent(basisPoints: 500)), who: "ana") }),
            ("addAffiliate", { try s.addAffiliate(code: "dora", name: "Dora", who: "ana") }),
            ("ingest", { try self.ingest(s, [Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 600))]) }),
        ]
        for (name, write) in writes {
            XCTAssertThrowsError(try write(), "\(name) claimed success", file: file, line: line) { error in
                XCTAssertEqual(error as? DatabaseFileChanged, expected, "\(name): \(error)", file: file, line: line)
                XCTAssertEqual("\(error)", "The database file \(s.path) was \(deleted ? "deleted" : "replaced by another file") while "
                               + "affdesk was open; nothing was written. Quit and reopen.", file: file, line: line)
            }
        }
        XCTAssertThrowsError(try s.checkFileIdentity(), file: file, line: line) { error in
            XCTAssertEqual(error as? DatabaseFileChanged, expected, file: file, line: line)
        }
    }

    func testWritesToADeletedDatabaseAreRefused() throws {
        let s = try world()
        XCTAssertNoThrow(try s.checkFileIdentity())
        XCTAssertEqual(unlink(s.path), 0)
        assertEveryWriteRefused(s, deleted: true)
        // The refusal is the same when the write-ahead log went with it.
        unlink(s.path + "-wal")
        unlink(s.path + "-shm")
        XCTAssertThrowsError(try s.setStatus(customerKey: "u1", to: .ended, who: "ana")) {
            XCTAssertEqual($0 as? DatabaseFileChanged, DatabaseFileChanged(path: s.path, deleted: true))
        }
    }

    func testWritesToAReplacedDatabaseAreRefusedAndTheNewFileIsUntouched() throws {
        let s = try world()
        // Another program's database moved into its place (a restored backup, say).
        let other = try store(ProgramSettings(name: "Replacement", model: .saas, recurring: true, commission: .percent(basisPoints: 1000)))
        try ingest(other, [Line.click("c1", "bob"), Line.track("trial", "u1", click: "c1")])
        let before = try snapshot(other)
        XCTAssertEqual(rename(other.path, s.path), 0)
        unlink(s.path + "-wal")
        unlink(s.path + "-shm")
        if FileManager.default.fileExists(atPath: other.path + "-wal") { XCTAssertEqual(rename(other.path + "-wal", s.path + "-wal"), 0) }
        assertEveryWriteRefused(s, deleted: false)
        // What now has the name is the replacement, exactly as it was.
        let reopened = try Store(path: s.path, readOnly: true, clock: FixedClock(now))
        XCTAssertEqual(try reopened.settings().name, "Replacement")
        XCTAssertEqual(try snapshot(reopened), before)
        XCTAssertEqual(try reopened.customer(key: "u1")?.status, .initial)
    }

    func testAnUnchangedFileIsWrittenAsBefore() throws {
        let s = try world()
        XCTAssertNoThrow(try s.checkFileIdentity())
        XCTAssertTrue(try s.setStatus(customerKey: "u1", to: .ended, who: "ana").isAccepted)
        XCTAssertEqual(try customer(s, "u1").status, .ended)
        // A second store on the same file (another process, say) sees the same file.
        let twin = try Store(path: s.path, clock: FixedClock(now))
        XCTAssertNoThrow(try twin.checkFileIdentity())
        XCTAssertTrue(try twin.setStatus(customerKey: "u1", to: .active, who: "ana").isAccepted)
    }
}
