import AttributionCore
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

final class SchemaTests: StoreTestCase {
    func testMigrationsCreateTheSchema() throws {
        let s = try emptyStore()
        XCTAssertFalse(s.isInitialized)
        let (tables, indexes, version) = try s.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
             try Int.fetchOne(db, sql: "PRAGMA user_version"))
        }
        XCTAssertEqual(tables, ["affiliate", "affiliate_customer_sum", "affiliate_ledger_month", "affiliate_month", "affiliate_total", "api_key", "audit",
                                "cap_candidate", "cap_candidate_rule", "click", "commission", "commission_pending_day", "commission_total", "conversion", "customer",
                                "dispute", "event", "event_invalid_text", "event_invalid_text_config", "event_invalid_text_data",
                                "event_invalid_text_docsize", "event_invalid_text_idx", "event_ref", "event_resolution", "event_total",
                                "grdb_migrations", "payout", "payout_line", "program", "refund", "ssh_key", "webhook_secret"])
        XCTAssertEqual(indexes, ["affiliate_customer_sum_commission", "affiliate_customer_sum_conversions", "affiliate_name", "affiliate_total_conversions", "affiliate_total_customers", "affiliate_total_earnings",
                                 "api_key_active_name", "audit_target", "cap_candidate_affiliate", "cap_candidate_commission", "cap_candidate_conversions",
                                 "cap_candidate_key", "cap_candidate_status", "commission_affiliate", "commission_affiliate_pending", "commission_amount",
                                 "commission_clawback_amount", "commission_clawback_order", "commission_clawbacks", "commission_conversion",
                                 "commission_conversion_entries", "commission_payout", "commission_pending_amount", "commission_pending_hold",
                                 "commission_pending_order", "commission_state", "commission_state_amount", "commission_state_order", "conversion_affiliate", "conversion_affiliate_amount", "conversion_affiliate_commission", "conversion_affiliate_id", "conversion_affiliate_number",
                                 "conversion_amount", "conversion_at", "conversion_commission", "conversion_customer", "conversion_subscription",
                                 "customer_active_first_commission", "customer_activity", "customer_affiliate_activity", "customer_affiliate_status", "customer_commission", "customer_conversions",
                                 "customer_email", "customer_first_commission", "customer_status", "event_click_ref", "event_customer",
                                 "event_customer_key", "event_external_id", "event_invalid_time", "event_ref_event", "event_rejected", "event_rejected_time",
                                 "event_time", "payout_affiliate", "payout_line_commission", "ssh_key_affiliate", "webhook_secret_active"])
        XCTAssertEqual(version, Schema.version)
        XCTAssertEqual(Schema.version, 21)
        let journal = try s.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(journal, "wal")
        XCTAssertEqual(try s.customerCount(), 0)
        XCTAssertEqual(try s.eventCount(), 0)
        XCTAssertThrowsError(try s.settings()) { XCTAssertEqual($0 as? StoreError, .notInitialized(path: s.path)) }
    }

    func testReopeningKeepsTheDataAndDoesNotMigrateAgain() throws {
        let path: String
        do {
            let s = try store()
            path = s.path
            try ingest(s, [Line.click("c1", "alice")])
        }
        let again = try Store(path: path, clock: FixedClock(now))
        XCTAssertTrue(again.isInitialized)
        XCTAssertEqual(try again.affiliates().map(\.code), ["alice", "bob", "carol"])
        XCTAssertEqual(try again.eventCount(), 1)
        let migrations = try again.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        XCTAssertEqual(migrations, ["v1", "v2-ssh-keys", "v3-subscriptions", "v4-affiliate-customer-totals",
                                    "v5-customer-status-check", "v6-event-kind", "v7-scale-aggregates", "v8-ledger", "v9-serve-keys",
                                    "v10-triage-resolved", "v11-affiliate-customer-sums", "v13-ledger-admin", "v14-ledger-views",
                                    "v17-ledger-gaps", "v18-commission-pending-days", "v19-cap-candidates", "v21-list-orders",
                                    "v22-triage-times", "v23-cap-months", "v24-cap-months-kept", "v25-ref-times"])
    }

    func testAVersion4DatabaseKeepsItsCustomersAndTheirRules() throws {
        let path = try oldDatabase(upTo: "v4-affiliate-customer-totals", """
            INSERT INTO affiliate (id, code, name, created_at) VALUES (1, 'alice', 'Alice', 0);
            INSERT INTO customer (id, key, affiliate_id, number, status, created_at, last_activity_at, conversions,
                                  commission_minor, commission_currency, first_commission_at)
            VALUES (7, 'u7', 1, 1, 'capped', 10, 20, 3, 900, 'USD', 10);
            INSERT INTO conversion (external_id, customer_id, customer_number, affiliate_id, amount_minor, currency,
                                    commission_minor, commission_currency, at)
            VALUES ('o1', 7, 1, 1, 3000, 'USD', 300, 'USD', 10);
            PRAGMA user_version = 4;
            """)
        let s = try Store(path: path, clock: FixedClock(now))
        try s.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = 7")
            XCTAssertEqual(row?["key"] as String?, "u7")
            XCTAssertEqual(row?["status"] as String?, "capped")
            XCTAssertEqual(row?["commission_minor"] as Int64?, 900)
            XCTAssertEqual(row?["first_commission_at"] as Int64?, 10)
            // The conversion still points at its customer, and the indexes are back.
            XCTAssertEqual(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversion JOIN customer ON customer.id = conversion.customer_id"), 1)
            XCTAssertEqual(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count, 0)
            XCTAssertEqual(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
                           ["customer_active_first_commission", "customer_activity", "customer_affiliate_activity", "customer_affiliate_status", "customer_commission", "customer_conversions",
                            "customer_email", "customer_first_commission", "customer_status"])
            // The same rule as before, checked without a temporary B-tree.
            let plan = try Row.fetchAll(db, sql: "EXPLAIN UPDATE customer SET status = 'active' WHERE id = 7")
                .map { $0["opcode"] as String? ?? "" }
            XCTAssertTrue(plan.contains("Halt") && !plan.contains("OpenEphemeral"), "\(plan)")
        }
        XCTAssertThrowsError(try s.write { db in try db.execute(sql: "UPDATE customer SET status = 'paused' WHERE id = 7") }) {
            XCTAssertTrue("\($0)".contains("CHECK constraint failed"), "\($0)")
        }
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
    }

    func testANewerSchemaIsRefusedAndLeftUntouched() throws {
        // One more than this build knows, whatever its number.
        let newer = Schema.version + 1
        let path: String
        do {
            let s = try store()
            path = s.path
            try s.write { db in try db.execute(sql: "PRAGMA user_version = \(newer)") }
        }
        for readOnly in [false, true] {
            XCTAssertThrowsError(try Store(path: path, readOnly: readOnly)) { error in
                XCTAssertEqual(error as? StoreError, .newerSchema(path: path, found: newer, supported: Schema.version))
                XCTAssertEqual("\(error)", "\(path): the database has schema version \(newer), newer than this affdesk supports (\(Schema.version)); upgrade affdesk")
            }
        }
        // Nothing was migrated or rewritten: the version is still the newer one.
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        XCTAssertEqual(try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, newer)
    }

    func testAMigrationThisBuildDoesNotKnowIsRefused() throws {
        let path: String
        do {
            let s = try store()
            path = s.path
            try s.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2')") }
        }
        XCTAssertThrowsError(try Store(path: path)) { error in
            guard case .newerSchema(let p, _, let supported)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(supported, Schema.version)
        }
    }

    func testAFileThatIsNotADatabaseIsRefusedByName() throws {
        let path = (try tempDir() as NSString).appendingPathComponent("notes.sqlite")
        try String(repeating: "not a database\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        for readOnly in [false, true] {
            XCTAssertThrowsError(try Store(path: path, readOnly: readOnly)) { error in
                XCTAssertEqual(error as? StoreError, .notADatabase(path: path))
                XCTAssertEqual("\(error)", "\(path): not an affdesk database (the file is not SQLite)")
            }
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), String(repeating: "not a database\n", count: 100),
                       "left as it was")
    }

    func testReadOnlyOpeningOfAMissingFileIsRefused() throws {
        let path = (try tempDir() as NSString).appendingPathComponent("missing.sqlite")
        XCTAssertThrowsError(try Store(path: path, readOnly: true)) { XCTAssertEqual($0 as? StoreError, .notInitialized(path: path)) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "a reader creates nothing")
    }

    func testInitTwiceIsRefused() throws {
        let s = try store()
        let before = try snapshot(s)
        XCTAssertThrowsError(try s.initialize(ProgramSettings(name: "Other"), who: "someone")) { error in
            XCTAssertEqual(error as? StoreError, .alreadyInitialized(path: s.path))
            XCTAssertEqual("\(error)", "\(s.path): a program is already set up here")
        }
        // Through another connection to the same file too.
        let other = try Store(path: s.path, clock: FixedClock(now))
        XCTAssertThrowsError(try other.initialize(ProgramSettings(name: "Other"), who: "someone"))
        XCTAssertEqual(try snapshot(s), before)
        XCTAssertEqual(try s.settings().name, "Test")
    }
}

final class SettingsTests: StoreTestCase {
    func testInitWritesTheSettingsAndAnAuditEntry() throws {
        let s = try emptyStore()
        let settings = ProgramSettings(name: "Nimbus", model: .leads, recurring: false, commission: .percent(basisPoints: 1250),
                                       caps: Caps(count: 3), windowDays: 30, currency: .eur)
        try s.initialize(settings, who: "ana")
        XCTAssertTrue(s.isInitialized)
        XCTAssertEqual(try s.settings(), settings)
        XCTAssertEqual(try s.adapterSettings(), AdapterSettings())
        let audit = try s.audit()
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.action, "init")
        XCTAssertEqual(audit.first?.who, "ana")
        XCTAssertEqual(audit.first?.target, "program")
        XCTAssertEqual(audit.first?.at, now)
        XCTAssertNil(audit.first?.before)
        XCTAssertEqual(audit.first?.after, "model=leads recurring=off commission=12.50% caps=3 commissions window=30d currency=EUR")
    }

    func testEveryFieldRoundTrips() throws {
        let s = try store()
        let variants: [(ProgramSettings, AdapterSettings)] = [
            (ProgramSettings(name: "Zoë's “program” 🚀", model: .leads, recurring: false,
                             commission: .fixed(Money(minor: 1234, currency: .eur)),
                             caps: Caps(count: 3, months: 6, amount: Money(minor: 50_000, currency: .eur)), windowDays: 30, currency: .eur),
             AdapterSettings(metadataKey: "affdesk_customer", taxExcluded: true)),
            (ProgramSettings(name: "P2", model: .generic, recurring: true, commission: .percent(basisPoints: 1),
                             caps: Caps(count: nil, months: 1, amount: nil), windowDays: 1, currency: .jpy),
             AdapterSettings(metadataKey: "k", taxExcluded: false)),
            (ProgramSettings(name: "P3", model: .saas, recurring: true, commission: .percent(basisPoints: 10_000),
                             caps: Caps(amount: Money(minor: 1, currency: .usd)), windowDays: 365, currency: .usd),
             AdapterSettings()),
            (ProgramSettings(name: "P4", model: .saas, recurring: false, commission: .fixed(Money(minor: 0, currency: .jpy)),
                             caps: .none, windowDays: 60, currency: .jpy),
             AdapterSettings(metadataKey: "customer_key", taxExcluded: true)),
            (ProgramSettings(name: "P5", commission: .percent(basisPoints: 0)), AdapterSettings()),
        ]
        for (settings, adapters) in variants {
            try s.updateSettings(settings, adapters: adapters, who: "tester")
            XCTAssertEqual(try s.settings(), settings)
            XCTAssertEqual(try s.adapterSettings(), adapters)
            // And through a fresh connection.
            let other = try s.readOnlyCopy()
            XCTAssertEqual(try other.settings(), settings)
            XCTAssertEqual(try other.adapterSettings(), adapters)
        }
    }

    func testEachChangeIsAuditedWithBeforeAndAfter() throws {
        let s = try store()
        let auditBefore = try s.auditCount()
        var next = try s.settings()
        next.commission = .fixed(usd(1500))
        next.caps = Caps(count: 3, amount: usd(50_000))
        next.recurring = false
        try s.updateSettings(next, who: "bea")
        var audit = try s.audit()
        XCTAssertEqual(audit.count, auditBefore + 1)
        XCTAssertEqual(audit[0].action, "settings")
        XCTAssertEqual(audit[0].who, "bea")
        XCTAssertEqual(audit[0].target, "program")
        XCTAssertEqual(audit[0].before,
                       "model=saas recurring=on commission=10% caps=none window=60d currency=USD metadata_key=customer_key tax=included")
        XCTAssertEqual(audit[0].after,
                       "model=saas recurring=off commission=15.00 USD per conversion caps=3 commissions/500.00 USD window=60d currency=USD"
                       + " metadata_key=customer_key tax=included")

        // Adapter settings alone are a change too.
        try s.updateSettings(next, adapters: AdapterSettings(metadataKey: "ck", taxExcluded: true), who: "cy")
        audit = try s.audit()
        XCTAssertEqual(audit.count, auditBefore + 2)
        XCTAssertEqual(audit[0].who, "cy")
        XCTAssertTrue(audit[0].before?.hasSuffix("metadata_key=customer_key tax=included") ?? false, audit[0].before ?? "")
        XCTAssertTrue(audit[0].after?.hasSuffix("metadata_key=ck tax=excluded") ?? false, audit[0].after ?? "")

        // Saving the same settings again changes nothing and writes nothing.
        try s.updateSettings(next, who: "dee")
        try s.updateSettings(next, adapters: AdapterSettings(metadataKey: "ck", taxExcluded: true), who: "dee")
        XCTAssertEqual(try s.auditCount(), auditBefore + 2)
        XCTAssertEqual(try s.audit(filter: "dee"), [])
        XCTAssertEqual(try s.audit(filter: "settings").count, 2)
    }

    func testInvalidSettingsAreRefusedAndNothingIsWritten() throws {
        let s = try store()
        let good = try s.settings()
        let before = try snapshot(s)
        let cases: [(ProgramSettings, String)] = [
            ({ var x = good; x.windowDays = 0; return x }(), "window"),
            ({ var x = good; x.caps.count = 0; return x }(), "cap-count"),
            ({ var x = good; x.caps.months = -1; return x }(), "cap-months"),
            ({ var x = good; x.caps.amount = usd(0); return x }(), "cap-amount"),
            ({ var x = good; x.commission = .percent(basisPoints: 10_001); return x }(), "commission"),
            ({ var x = good; x.commission = .percent(basisPoints: -1); return x }(), "commission"),
            ({ var x = good; x.commission = .fixed(usd(-1)); return x }(), "commission"),
        ]
        for (bad, field) in cases {
            XCTAssertThrowsError(try s.updateSettings(bad, who: "x")) { error in
                guard case .invalid(let f, _)? = error as? StoreError else { return XCTFail("\(error)") }
                XCTAssertEqual(f, field)
            }
            // A new program is checked the same way.
            let fresh = try emptyStore()
            XCTAssertThrowsError(try fresh.initialize(bad, who: "x"), field)
            XCTAssertFalse(fresh.isInitialized, field)
        }
        XCTAssertEqual(try snapshot(s), before)
    }
}

final class AffiliateTests: StoreTestCase {
    func testAddListAndLookUp() throws {
        let s = try emptyStore()
        try s.initialize(ProgramSettings(), who: "t")
        let a = try s.addAffiliate(code: "zoe", name: "Zoë Müller", email: "zoe@example.com", commission: .percent(basisPoints: 3000),
                                   who: "ana")
        XCTAssertEqual(a.code, "zoe")
        XCTAssertEqual(a.name, "Zoë Müller")
        XCTAssertEqual(a.email, "zoe@example.com")
        XCTAssertEqual(a.commission, .percent(basisPoints: 3000))
        XCTAssertFalse(a.disabled)
        XCTAssertEqual(a.createdAt, now)
        let b = try s.addAffiliate(code: "  bob ", name: "Bob", who: "ana")
        XCTAssertEqual(b.code, "bob", "codes are trimmed")
        XCTAssertNil(b.email)
        XCTAssertNil(b.commission)
        XCTAssertEqual(try s.affiliates().map(\.code), ["bob", "zoe"])
        XCTAssertEqual(try s.affiliate(code: "zoe"), a)
        XCTAssertEqual(try s.affiliate(id: b.id), b)
        XCTAssertNil(try s.affiliate(code: "nobody"))
        XCTAssertEqual(a.fact, AffiliateFact(id: a.id, code: "zoe", disabled: false, commission: .percent(basisPoints: 3000)))

        let audit = try s.audit(filter: "affiliate.add")
        XCTAssertEqual(audit.map(\.target), ["bob", "zoe"])
        XCTAssertEqual(audit.map(\.after), ["Bob", "Zoë Müller <zoe@example.com>, 30%"])
        XCTAssertEqual(Set(audit.map(\.who)), ["ana"])
    }

    /// An existing affiliate's commission override, payout email and name: read by the core's
    /// rules, audited with only the changed fields, used by the next conversion.
    func testUpdateAnAffiliateIsValidatedAuditedAndUsed() throws {
        let s = try store()
        let before = try snapshot(s)
        let refused: [(AffiliateChange, String)] = [
            (AffiliateChange(email: .set("alice at example.com")), "email"), (AffiliateChange(name: "  "), "name"),
            (AffiliateChange(commission: .set(.percent(basisPoints: 10_001))), "commission"),
        ]
        for (change, field) in refused {
            XCTAssertThrowsError(try s.updateAffiliate(code: "alice", change, who: "ana"), field) { error in
                guard case .invalid(let f, _)? = error as? StoreError else { return XCTFail("\(error)") }
                XCTAssertEqual(f, field)
            }
        }
        XCTAssertThrowsError(try s.updateAffiliate(code: "nobody", AffiliateChange(name: "X"), who: "ana")) {
            XCTAssertEqual($0 as? StoreError, .notFound(what: "affiliate", value: "nobody"))
        }
        XCTAssertEqual(try snapshot(s), before, "a refusal writes nothing")
        // By any case of its code; trimmed by the rules.
        let r = try s.updateAffiliate(code: "ALICE", AffiliateChange(email: .set(" pay@alice.example "),
                                                                     commission: .set(.percent(basisPoints: 3000))), who: "ana")
        XCTAssertEqual(r.before.values, AffiliateValues(name: "Alice", email: nil, commission: nil))
        XCTAssertEqual(r.after.values, AffiliateValues(name: "Alice", email: "pay@alice.example", commission: .percent(basisPoints: 3000)))
        XCTAssertEqual(try s.affiliate(code: "alice"), r.after)
        let a = try XCTUnwrap(try s.audit().first)
        XCTAssertEqual([a.action, a.target, a.who], ["affiliate.set", "alice", "ana"])
        XCTAssertEqual(a.before, "email=none commission=program")
        XCTAssertEqual(a.after, "email=pay@alice.example commission=30%")
        // The next conversion earns the override.
        try ingest(s, [Line.click("c9", "alice"), Line.conversion("o9", "100.00", click: "c9")])
        XCTAssertEqual(try s.conversions().first { $0.externalID == "o9" }?.commission, usd(3000))
        // Nothing changed: nothing written.
        let audits = try s.audit().count
        let same = try s.updateAffiliate(code: "alice", AffiliateChange(commission: .set(.percent(basisPoints: 3000))), who: "ana")
        XCTAssertEqual(same.before, same.after)
        XCTAssertEqual(try s.audit().count, audits)
        // Removed: the program's commission applies again; no payout email.
        try s.updateAffiliate(code: "alice", AffiliateChange(name: "Alice Ødegaard", email: .remove, commission: .remove), who: "ana")
        XCTAssertEqual(try s.affiliate(code: "alice")?.values, AffiliateValues(name: "Alice Ødegaard", email: nil, commission: nil))
        XCTAssertEqual(try s.audit().first?.after, "name=Alice Ødegaard email=none commission=program")
    }

    /// The Stripe metadata key: the core's rule when it changes; another setting's change keeps
    /// a key an older build stored.
    func testTheMetadataKeyIsSavedOnlyWithinTheCoresRule() throws {
        let s = try store()
        let settings = try s.settings()
        for bad in ["", " uid", String(repeating: "k", count: 41), "a[b]"] {
            XCTAssertThrowsError(try s.updateSettings(settings, adapters: AdapterSettings(metadataKey: bad), who: "ana"), bad) { error in
                guard case .invalid(let f, _)? = error as? StoreError else { return XCTFail("\(error)") }
                XCTAssertEqual(f, "metadata-key")
            }
        }
        XCTAssertEqual(try s.adapterSettings().metadataKey, "customer_key")
        try s.updateSettings(settings, adapters: AdapterSettings(metadataKey: "uid"), who: "ana")
        XCTAssertEqual(try s.adapterSettings().metadataKey, "uid")
    }

    func testDuplicateAndEmptyCodesAreRefused() throws {
        let s = try store()
        let before = try snapshot(s)
        for code in ["alice", " alice", "alice\t"] {
            XCTAssertThrowsError(try s.addAffiliate(code: code, name: "Another Alice", who: "t")) { error in
                XCTAssertEqual(error as? StoreError, .duplicate(what: "affiliate code", value: "alice"), code)
                XCTAssertEqual("\(error)", #"affiliate code "alice" already exists"#)
            }
        }
        XCTAssertThrowsError(try s.addAffiliate(code: "  ", name: "X", who: "t")) {
            XCTAssertEqual($0 as? StoreError, .invalid(field: "code", message: "must not be empty"))
        }
        XCTAssertThrowsError(try s.addAffiliate(code: "x", name: " ", who: "t")) {
            XCTAssertEqual($0 as? StoreError, .invalid(field: "name", message: "must not be empty"))
        }
        XCTAssertEqual(try snapshot(s), before)
    }

    func testDisableAndEnableAreAuditedAndTakeEffect() throws {
        let s = try store()
        try s.setAffiliateDisabled(code: "bob", disabled: true, who: "ana")
        XCTAssertEqual(try s.affiliate(code: "bob")?.disabled, true)
        try s.setAffiliateDisabled(code: "bob", disabled: true, who: "ana")  // no change, no entry
        var audit = try s.audit(filter: "affiliate.disable")
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit[0].target, "bob")
        XCTAssertEqual(audit[0].before, "enabled")
        XCTAssertEqual(audit[0].after, "disabled")
        XCTAssertEqual(audit[0].who, "ana")

        // A disabled affiliate's clicks are refused; other affiliates are unaffected.
        let summary = try ingest(s, [Line.click("c1", "bob"), Line.click("c2", "alice")])
        XCTAssertEqual(summary.byReason, ["affiliate_disabled": 1])
        let refused = try allEvents(s).first
        XCTAssertEqual(refused?.reason, .affiliateDisabled)
        XCTAssertEqual(refused?.affiliateID, try s.affiliate(code: "bob")?.id)

        try s.setAffiliateDisabled(code: "bob", disabled: false, who: "bea")
        XCTAssertEqual(try s.affiliate(code: "bob")?.disabled, false)
        audit = try s.audit(filter: "affiliate.enable")
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit[0].before, "disabled")
        XCTAssertEqual(audit[0].after, "enabled")
        XCTAssertEqual(try ingest(s, [Line.click("c3", "bob")]).accepted, 1)

        XCTAssertThrowsError(try s.setAffiliateDisabled(code: "nobody", disabled: true, who: "x")) {
            XCTAssertEqual($0 as? StoreError, .notFound(what: "affiliate", value: "nobody"))
        }
    }
}
