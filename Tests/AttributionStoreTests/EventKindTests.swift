import AttributionCore
@testable import AttributionStore
import Feeds
import GRDB
import XCTest

/// The inbox keeps the core event kind each entry was read as (`event.kind`): written by every
/// writer, backfilled by migration v6 for older databases, and what the consistency check matches on.
final class EventKindTests: StoreTestCase {
    let day: Int64 = 86_400

    func stripe(_ id: String, _ type: String, at: Int64, _ object: String) -> String {
        #"{"id":"\#(id)","object":"event","created":\#(at),"type":"\#(type)","data":{"object":\#(object)}}"#
    }

    /// Events of every feed, source and type (and some that do not read as events), ingested and
    /// replayed; returns what each inbox entry, oldest first, should say its kind is.
    func storeWithEveryFeed() throws -> (Store, [(String, Event.Kind?)]) {
        let s = try store()
        var expected: [(String, Event.Kind?)] = []
        let t = t0.seconds
        let jsonl: [(String, Event.Kind?)] = [
            (Line.click("c1", "alice"), .click), (Line.click("c2", "bob"), .click),
            (Line.track("trial", "u1", click: "c1"), .trial), (Line.track("lead", "u2", click: "c2"), .lead),
            (Line.track("signup", "u3", click: "c1"), .signup),
            (Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: 60)), .conversion),
            (Line.cancel("u2", t0.adding(seconds: 120)), .cancel),
            (#"{"type":"conversion","external_id":"bad","amount":"x","currency":"USD","at":"\#(at(t0))"}"#, nil),
            (#"{"type":"purchase","at":"\#(at(t0))"}"#, nil),
            ("not json", nil),
        ]
        try ingest(s, jsonl.map(\.0))
        expected += jsonl.map { ("jsonl \($0.0)", $0.1) }

        let older = #"{"id":"in_1","object":"invoice","amount_paid":4900,"currency":"usd","status":"paid","billing_reason":"subscription_create","customer":"cus_1","subscription":"sub_A","subscription_details":{"metadata":{"customer_key":"s1","click_id":"c1"}},"tax":0}"#
        let basil = #"{"id":"in_2","object":"invoice","amount_paid":4900,"currency":"usd","status":"paid","billing_reason":"subscription_cycle","customer":"cus_1","parent":{"subscription_details":{"subscription":"sub_A","metadata":{"customer_key":"s1"}}},"total_taxes":[]}"#
        let unpaid = #"{"id":"in_3","object":"invoice","amount_due":4900,"currency":"usd","status":"open","customer":"cus_1"}"#
        let stripeRecords: [(String, Event.Kind?)] = [
            (stripe("evt_1", "invoice.paid", at: t + 600, older), .conversion),
            (stripe("evt_2", "invoice.payment_succeeded", at: t + 30 * day, basil), .conversion),
            (stripe("evt_3", "invoice.paid", at: t + 31 * day, unpaid), nil),
            (stripe("evt_4", "charge.succeeded", at: t + 31 * day, #"{"id":"ch_1","object":"charge"}"#), nil),
            (stripe("evt_5", "invoice.paid", at: t + 31 * day, #"{"id":"in_5","object":"invoice","status":"paid","amount_paid":100}"#), nil),
            (#"{"id":"in_9","object":"invoice","amount_paid":900,"currency":"usd","status":"paid","created":\#(t + 700),"metadata":{"customer_key":"s9","click_id":"c2"}}"#, .conversion),
            (stripe("evt_6", "customer.subscription.deleted", at: t + 40 * day,
                    #"{"id":"sub_A","object":"subscription","customer":"cus_1","metadata":{}}"#), .cancel),
        ]
        let stripeFeed = StripeFeed(file: "stripe.json")
        try s.ingest(stripeRecords.enumerated().compactMap { stripeFeed.read(record: $0.element.0, line: $0.offset + 1) })
        expected += stripeRecords.map { ("stripe \($0.0)", $0.1) }

        let customer = #"{"key":"_affdesk_customer_key","value":"w1"}"#
        let wooRecords: [(String, Event.Kind?)] = [
            (#"{"id":100,"status":"completed","currency":"USD","total":"30.00","customer_id":0,"date_paid_gmt":"2026-01-05T10:10:00","meta_data":[{"key":"_affdesk_click_id","value":"c2"},\#(customer)]}"#, .conversion),
            (#"{"id":101,"parent_id":100,"status":"active","billing_period":"month","start_date_gmt":"2026-01-05T10:10:01","meta_data":[\#(customer)]}"#, .subscription),
            (#"{"id":102,"status":"completed","currency":"USD","total":"30.00","date_paid_gmt":"2026-02-05T10:00:00","meta_data":[{"key":"_subscription_renewal","value":"101"}],"order_type":"renewal_order"}"#, .conversion),
            (#"{"id":103,"status":"pending","currency":"USD","total":"5.00","date_created_gmt":"2026-01-06T10:00:00"}"#, nil),
            (#"{"id":101,"parent_id":100,"status":"cancelled","billing_period":"month","cancelled_date_gmt":"2026-03-01T00:00:00","meta_data":[\#(customer)]}"#, .cancel),
            (#"{"foo":1}"#, nil),
        ]
        let wooFeed = WooCommerceFeed(file: "woo.json")
        try s.ingest(wooRecords.enumerated().compactMap { wooFeed.read(record: $0.element.0, line: $0.offset + 1) })
        expected += wooRecords.map { ("woocommerce \($0.0)", $0.1) }

        // An event refused for a NUL was not read as an event.
        try s.ingest([InboundEvent(source: "test", type: "click", raw: "nul", dedupeKey: "test:nul",
                                   payload: .event(.click(.init(clickID: "c\u{0}", affiliateCode: "alice", at: t0))))])
        expected.append(("a NUL click", nil))

        // A replay is the kind its original was read as.
        let events = try allEvents(s)
        let currency = try s.settings().currency
        let reparse: Reparser = { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: currency) }
        for (i, label) in [(0, "click"), (jsonl.count, "stripe invoice"), (jsonl.count + stripeRecords.count + 1, "woo subscription"),
                           (jsonl.count + stripeRecords.count + 4, "woo cancel")] {
            let r = try s.replay(eventID: events[i].id, who: "tester", reparse: reparse)
            XCTAssertNotNil(r.replayEventID, label)
            expected.append(("replay of \(label)", expected[i].1))
        }
        return (s, expected)
    }

    func testEveryFeedWritesTheKindOfTheEventItRead() throws {
        let (s, expected) = try storeWithEveryFeed()
        let events = try allEvents(s)
        XCTAssertEqual(events.count, expected.count)
        for (e, (label, kind)) in zip(events, expected) {
            XCTAssertEqual(e.kind, kind, "\(label)")
            XCTAssertEqual(e.kind == nil, e.at == nil, "an entry has a kind exactly when it was read as an event: \(label)")
        }
        let stored = try s.read { db in try String?.fetchAll(db, sql: "SELECT kind FROM event ORDER BY id") }
        XCTAssertEqual(stored, expected.map { $0.1?.rawValue })
        XCTAssertEqual(Set(expected.compactMap(\.1)), Set(Event.Kind.allCases), "every kind is covered")
        try assertConsistent(s)
    }

    /// The same store taken back to version 5 (its `kind` column dropped) and opened again: the
    /// migration gives every entry the kind the feeds wrote, and nothing else changes.
    func testAnIngestedDatabaseTakenBackToVersion5GetsTheSameKindsBack() throws {
        let path: String
        let kinds: [Row], digest: [String: String]
        do {
            let (s, _) = try storeWithEveryFeed()
            path = s.path
            kinds = try s.read { db in try Row.fetchAll(db, sql: "SELECT id, kind FROM event ORDER BY id") }
            digest = try s.contentDigest()
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                ALTER TABLE event DROP COLUMN kind;
                DELETE FROM grdb_migrations WHERE identifier = 'v6-event-kind';
                PRAGMA user_version = 5;
                """)
            XCTAssertFalse(try db.columns(in: "event").map(\.name).contains("kind"))
        }
        try queue.close()
        let s = try Store(path: path, clock: FixedClock(now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        XCTAssertEqual(try s.read { db in try Row.fetchAll(db, sql: "SELECT id, kind FROM event ORDER BY id") }, kinds)
        XCTAssertEqual(try s.contentDigest(), digest)
        try assertConsistent(s)
    }

    /// A database left at version 5 with entries of every source and type, including the ones
    /// the feeds rarely write: each gets the kind today's rules give, and nothing else changes.
    func testAVersion5DatabaseGetsTheKindTodaysRulesGive() throws {
        let sub = #"{"id":7,"parent_id":6,"status":"active","billing_period":"month","start_date_gmt":"2026-01-05T10:00:00"}"#
        let rows: [(source: String, type: String, at: Int64?, raw: String, kind: Event.Kind?)] = [
            ("jsonl", "click", 1, "{}", .click), ("jsonl", "trial", 1, "{}", .trial), ("jsonl", "lead", 1, "{}", .lead),
            ("jsonl", "signup", 1, "{}", .signup), ("jsonl", "conversion", 1, "{}", .conversion), ("jsonl", "cancel", 1, "{}", .cancel),
            ("jsonl", "conversion", nil, "{}", nil), ("jsonl", "unknown", nil, "nope", nil), ("jsonl", "purchase", nil, "{}", nil),
            ("stripe", "invoice.paid", 1, "{}", .conversion), ("stripe", "invoice.payment_succeeded", 1, "{}", .conversion),
            ("stripe", "invoice", 1, "{}", .conversion), ("stripe", "invoice.paid", nil, "{}", nil),
            ("stripe", "customer.subscription.deleted", 1, "{}", .cancel), ("stripe", "charge.succeeded", nil, "{}", nil),
            ("stripe", "unknown", nil, "{", nil),
            ("woocommerce", "order", 1, "{}", .conversion), ("woocommerce", "renewal_order", 1, "{}", .conversion),
            ("woocommerce", "parent_order", 1, "{}", .conversion), ("woocommerce", "order", nil, "{}", nil),
            ("woocommerce", "subscription", 1, sub, .subscription),
            ("woocommerce", "subscription", 1, sub.replacingOccurrences(of: "active", with: "cancelled"), .cancel),
            ("woocommerce", "subscription", 1, sub.replacingOccurrences(of: "active", with: "expired"), .cancel),
            ("woocommerce", "subscription", 1, sub.replacingOccurrences(of: "\"billing_period\"", with: "\"billing_interval\""), .subscription),
            // The feed reads the last of repeated keys.
            ("woocommerce", "subscription", 1, sub.replacingOccurrences(of: "}", with: #","status":"cancelled"}"#), .cancel),
            // An order whose order_type is "subscription" is still an order.
            ("woocommerce", "subscription", 1, #"{"id":8,"status":"completed","total":"1.00","order_type":"subscription"}"#, .conversion),
            ("woocommerce", "subscription", nil, sub, nil), ("woocommerce", "unknown", nil, "{}", nil),
            ("test", "signup", 1, "{}", .signup), ("test", "invoice.paid", 1, "{}", nil),
        ]
        // Replays of some of them (by index), each linked to its original.
        let replays = [0, 10, 13, 17, 22, 25]
        var sql = ""
        for (i, r) in rows.enumerated() {
            sql += "INSERT INTO event (id, dedupe, source, type, received_at, at, outcome, reason, raw) VALUES "
                + "(\(i + 1), 'k\(i)', '\(r.source)', '\(r.type)', 5, \(r.at.map(String.init) ?? "NULL"), 'rejected', 'unknown_affiliate', '\(r.raw)');\n"
        }
        for (j, original) in replays.enumerated() {
            let id = rows.count + j + 1
            let o = rows[original]
            sql += "INSERT INTO event (id, dedupe, source, type, received_at, at, outcome, reason, raw) VALUES "
                + "(\(id), 'replay:\(j)', 'replay', '\(o.type)', 6, 2, 'rejected', 'duplicate_click', '\(o.raw)');\n"
                + "INSERT INTO event_ref (ref, event_id) VALUES ('replay-of:\(original + 1)', \(id)), ('zz-\(j)', \(id));\n"
        }
        let path = try oldDatabase(upTo: "v5-customer-status-check", sql + "PRAGMA user_version = 5;")
        let before = try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id") }

        let s = try Store(path: path, clock: FixedClock(now))
        let after = try s.read { db in try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY id") }
        let expected = rows.map(\.kind) + replays.map { rows[$0].kind }
        XCTAssertEqual(after.count, expected.count)
        for (i, (row, kind)) in zip(after, expected).enumerated() {
            XCTAssertEqual(row["kind"] as String?, kind?.rawValue, "row \(i + 1): \(row)")
            let columns = Array(row.columnNames.dropLast())
            XCTAssertEqual(row.columnNames.last, "kind")
            XCTAssertEqual(columns.map { row[$0] as DatabaseValue }, before[i].columnNames.map { before[i][$0] as DatabaseValue },
                           "row \(i + 1) is otherwise unchanged")
        }
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_ref") }, replays.count * 2)
        try assertConsistent(s)
    }

    /// The consistency check reads the kind: a Stripe payment refused, then replayed once its
    /// click was known, creates its customer with an entry of source "replay" and type
    /// "invoice.paid", which matching on type strings took for an event that cannot create one.
    func testAReplayedPaymentThatCreatedItsCustomerIsConsistent() throws {
        let s = try store()
        let invoice = #"{"id":"in_1","object":"invoice","amount_paid":4900,"currency":"usd","status":"paid","customer":"cus_1","metadata":{"customer_key":"s1","click_id":"c9"}}"#
        let feed = StripeFeed(file: "stripe.json")
        let summary = try s.ingest([feed.read(record: stripe("evt_1", "invoice.paid", at: t0.seconds + 600, invoice), line: 1)!])
        XCTAssertEqual(summary.byReason, ["unknown_click": 1])
        try ingest(s, [Line.click("c9", "alice")])
        let original = try XCTUnwrap(allEvents(s).first)
        let currency = try s.settings().currency
        let r = try s.replay(eventID: original.id, who: "tester",
                             reparse: { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: currency) })
        XCTAssertEqual(r.decision.outcome, .accepted)
        XCTAssertEqual(try customer(s, "s1").conversions, 1)
        XCTAssertEqual(try allEvents(s).last?.kind, .conversion)
        try assertConsistent(s)
        // And it can still fail: an accepted click entry that is no longer a click is missed.
        try s.write { db in try db.execute(sql: "UPDATE event SET kind = NULL WHERE type = 'click'") }
        XCTAssertEqual(try s.consistencyProblems(), ["click c9 has 0 accepted click events, not 1"])
    }

    /// The CHECK admits exactly the core's kinds: a kind added to `Event.Kind` needs a migration.
    func testTheStoredKindIsOneOfTheCoresKinds() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice")])
        for kind in Event.Kind.allCases {
            try s.write { db in try db.execute(sql: "UPDATE event SET kind = ?", arguments: [kind.rawValue]) }
        }
        for bad in ["purchase", "Click", ""] {
            XCTAssertThrowsError(try s.write { db in try db.execute(sql: "UPDATE event SET kind = ?", arguments: [bad]) }, bad) {
                XCTAssertTrue("\($0)".contains("CHECK constraint failed"), "\($0)")
            }
        }
        // Checked with comparisons: no temporary B-tree per inbox row written (see migration v5).
        let plan = try s.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN UPDATE event SET kind = 'click' WHERE id = 1").map { $0["opcode"] as String? ?? "" }
        }
        XCTAssertFalse(plan.contains("OpenEphemeral"), "\(plan)")
    }
}
