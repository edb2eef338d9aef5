import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
@testable import Server
import XCTest

/// Migration v9-serve-keys on a database as today's main (schema 6) leaves it, with data in it.
final class MigrationTests: ServeTestCase, @unchecked Sendable {
    func testAPopulatedVersion6DatabaseGainsTheKeyTablesAndKeepsItsData() throws {
        try ingestLines([#"{"type":"click","click_id":"m1","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#])
        let path = store.path
        // Back to what schema 6 had: no key tables, the migration not applied.
        try store.write { db in
            try db.execute(sql: """
                DROP TABLE api_key; DROP TABLE webhook_secret;
                DELETE FROM grdb_migrations WHERE identifier = 'v9-serve-keys'; PRAGMA user_version = 6;
                """)
        }
        store = nil
        store = try Store(path: path)
        XCTAssertEqual(try count("PRAGMA user_version"), Schema.version)
        XCTAssertEqual(try events, 1)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM api_key"), 0)
        let k = APIKeyMaker.make()
        _ = try store.addAPIKey(name: "site", sha256Hex: k.sha256Hex, hint: k.hint, who: "test")
        XCTAssertNotNil(try store.activeAPIKey(sha256Hex: k.sha256Hex))
        XCTAssertNil(try store.activeAPIKey(sha256Hex: APIKeyMaker.sha256Hex("afk_" + String(repeating: "1", count: 64))))
        // The key itself is stored nowhere: only its hash.
        XCTAssertEqual(try count("SELECT COUNT(*) FROM api_key WHERE hash = ? OR hint = ?", [k.key, k.key]), 0)
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    func testTheAffiliateViewCannotReadKeysOrSecrets() {
        for (table, column) in [("api_key", "hash"), ("api_key", "hint"), ("api_key", "name"), ("webhook_secret", "secret"),
                                ("webhook_secret", "fingerprint"), ("webhook_secret", "")] {
            XCTAssertFalse(AffiliatePrivacy.mayRead(table: table, column: column), "\(table).\(column)")
        }
    }
}
