@testable import AttributionStore
import AttributionCore
import Foundation
import GRDB
import XCTest

/// `Store.open(existing:)` and `Store.contents(of:)`: what a file holds is found without writing
/// it, and a reader never migrates.
final class DatabaseFileTests: StoreTestCase {
    func testAReaderRefusesAnOlderSchemaAndLeavesItAsItWas() throws {
        let path = try oldDatabase(upTo: "v4-affiliate-customer-totals", """
            INSERT INTO program (id, name, model, recurring, commission, window_days, currency) VALUES (1, 'Old', 'saas', 1, 'percent:1000', 60, 'USD');
            PRAGMA user_version = 4;
            """)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(try Store.contents(of: path), .program(schemaVersion: 4))
        for open in [{ try Store.open(existing: path, readOnly: true) }, { try Store(path: path, readOnly: true) },
                     { try Store.affiliateView(path: path) }] {
            XCTAssertThrowsError(try open()) { error in
                XCTAssertEqual(error as? StoreError, .olderSchema(path: path, found: 4, supported: Schema.version))
                XCTAssertTrue("\(error)".contains("`affdesk program set --db \(path)`"), "\(error)")
            }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "a reader wrote nothing")
        // A writer upgrades it; readers then read it.
        _ = try Store.open(existing: path, readOnly: false)
        XCTAssertEqual(try Store.open(existing: path, readOnly: true).settings().name, "Old")
    }

    func testWhatAFileHoldsIsFoundWithoutWritingIt() throws {
        let dir = try tempDir()
        let empty = dir + "/empty.sqlite", foreign = dir + "/foreign.sqlite", schema = dir + "/schema.sqlite"
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        try DatabaseQueue(path: foreign).write { db in try db.execute(sql: "CREATE TABLE notes (t TEXT)") }
        _ = try Store(path: schema)
        XCTAssertEqual(try Store.contents(of: empty), .empty)
        XCTAssertEqual(try Store.contents(of: foreign), .foreign)
        XCTAssertEqual(try Store.contents(of: schema), .noProgram)
        XCTAssertThrowsError(try Store.contents(of: dir)) { XCTAssertEqual($0 as? StoreError, .isDirectory(path: dir)) }
        for (path, error) in [(empty, StoreError.notInitialized(path: empty)), (foreign, .notAffdesk(path: foreign)),
                              (schema, .notInitialized(path: schema)), (dir, .isDirectory(path: dir)),
                              (dir + "/missing.sqlite", .noFile(path: dir + "/missing.sqlite"))] {
            let before = FileManager.default.contents(atPath: path)
            for readOnly in [true, false] {
                XCTAssertThrowsError(try Store.open(existing: path, readOnly: readOnly)) { XCTAssertEqual($0 as? StoreError, error) }
            }
            XCTAssertEqual(FileManager.default.contents(atPath: path), before, path)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/missing.sqlite"))
    }
}
