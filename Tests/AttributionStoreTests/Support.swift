import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
import XCTest

/// The moment most test events happen at: 2026-01-05T10:00:00Z.
let t0 = Instant.parse("2026-01-05T10:00:00Z")!
/// The clock every test store is stamped with.
let now = Instant.parse("2026-02-01T12:00:00Z")!

func usd(_ minor: Int64) -> Money { Money(minor: minor, currency: .usd) }
func at(_ i: Instant, plus seconds: Int64 = 0) -> String { i.adding(seconds: seconds).iso8601 }

/// JSON Lines in the tracking feed's shape.
enum Line {
    static func click(_ id: String, _ affiliate: String, _ at: Instant = t0) -> String {
        #"{"type":"click","click_id":"\#(id)","affiliate":"\#(affiliate)","at":"\#(at.iso8601)"}"#
    }
    static func track(_ kind: String, _ key: String, click: String?, _ at: Instant = t0) -> String {
        #"{"type":"\#(kind)","customer_key":"\#(key)"\#(click.map { #","click_id":"\#($0)""# } ?? ""),"at":"\#(at.iso8601)"}"#
    }
    static func conversion(_ id: String, _ amount: String, customer: String? = nil, click: String? = nil,
                           _ at: Instant = t0, extra: String = "") -> String {
        var s = #"{"type":"conversion","external_id":"\#(id)","amount":"\#(amount)","currency":"USD""#
        if let c = customer { s += #","customer_key":"\#(c)""# }
        if let c = click { s += #","click_id":"\#(c)""# }
        return s + #","at":"\#(at.iso8601)"\#(extra)}"#
    }
    static func cancel(_ key: String, _ at: Instant = t0) -> String {
        #"{"type":"cancel","customer_key":"\#(key)","at":"\#(at.iso8601)"}"#
    }
}

/// Temporary stores, removed after each test.
class StoreTestCase: XCTestCase {
    private var dirs: [String] = []

    override func tearDownWithError() throws {
        for d in dirs { try? FileManager.default.removeItem(atPath: d) }
        dirs = []
    }

    /// A new, uninitialized temporary database.
    func emptyStore() throws -> Store {
        let s = try Store.temporary(clock: FixedClock(now))
        dirs.append((s.path as NSString).deletingLastPathComponent)
        return s
    }

    /// A temporary directory removed after the test.
    func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        dirs.append(d)
        return d
    }

    /// A database file as an older affdesk left it: migrated up to `migration`, then `sql` run
    /// (which sets the `user_version` that affdesk wrote then).
    func oldDatabase(upTo migration: String, _ sql: String) throws -> String {
        let path = try tempDir() + "/old.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: migration)
        try queue.write { db in try db.execute(sql: sql) }
        return path
    }

    /// A populated store's file taken back to what an older affdesk left: `undo` removes what the
    /// named migrations made, they leave `grdb_migrations` and `user_version` goes back to
    /// `version`, so that the next `Store` opened on it runs them again on its data.
    func takeBack(_ path: String, migrations: [String], toVersion version: Int, undo: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: undo)
            for id in migrations {
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [id])
            }
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
        try queue.close()
    }

    /// A program with affiliates alice, bob and carol (carol earns a fixed 5.00 USD).
    func store(_ settings: ProgramSettings = ProgramSettings(name: "Test", model: .saas, recurring: true,
                                                             commission: .percent(basisPoints: 1000))) throws -> Store {
        let s = try emptyStore()
        try s.initialize(settings, who: "tester")
        _ = try s.addAffiliate(code: "alice", name: "Alice", who: "tester")
        _ = try s.addAffiliate(code: "bob", name: "Bob", who: "tester")
        _ = try s.addAffiliate(code: "carol", name: "Carol", commission: .fixed(usd(500)), who: "tester")
        return s
    }

    /// Ingests lines as the feed reads them (numbered from 1).
    @discardableResult
    func ingest(_ store: Store, _ lines: [String], file: String = "test.jsonl", batchSize: Int = 4096) throws -> IngestSummary {
        let feed = TrackingFeed(defaultCurrency: .usd, file: file)
        return try store.ingest(lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) },
                                batchSize: batchSize)
    }

    /// Writes lines to a file and ingests it through LineReader, as the command line does.
    @discardableResult
    func ingestFile(_ store: Store, _ content: String, name: String = "events.jsonl", batchSize: Int = 4096) throws -> IngestSummary {
        let path = (try tempDir() as NSString).appendingPathComponent(name)
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        let feed = TrackingFeed(defaultCurrency: try store.settings().currency, file: name)
        var inbound: [InboundEvent] = []
        for (n, text) in try LineReader(path: path) {
            if let e = feed.read(line: text, number: n) { inbound.append(e) }
        }
        return try store.ingest(inbound, batchSize: batchSize)
    }

    /// Everything in the database, in a comparable form.
    func snapshot(_ store: Store) throws -> [String: String] { try store.contentDigest() }

    func allCustomers(_ store: Store, _ q: CustomerQuery = CustomerQuery(sort: .key, descending: false)) throws -> [CustomerRow] {
        try store.customers(q, page: .first(100_000))
    }

    func allConversions(_ store: Store, _ q: ConversionQuery = ConversionQuery(sort: .externalID, descending: false)) throws -> [ConversionRow] {
        try store.conversions(q, page: .first(100_000))
    }

    /// Inbox events, oldest first.
    func allEvents(_ store: Store, _ q: EventQuery = EventQuery()) throws -> [EventRow] {
        try store.events(q, page: .first(100_000)).reversed()
    }

    func customer(_ store: Store, _ key: String, file: StaticString = #filePath, line: UInt = #line) throws -> CustomerRow {
        try XCTUnwrap(try store.customer(key: key), "no customer \(key)", file: file, line: line)
    }

    func assertConsistent(_ store: Store, file: StaticString = #filePath, line: UInt = #line) throws {
        let problems = try store.consistencyProblems()
        XCTAssertEqual(problems, [], file: file, line: line)
    }
}
