import AttributionCore
import Foundation
import XCTest

/// The real `affdesk` binary, run as a user would, against databases in a temporary directory.
final class CLITests: CLITestCase {
    /// One line per event type, plus refusals and a malformed line (line 8).
    static let events: [String] = [
        /*  1 */ #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
        /*  2 */ #"{"type":"click","click_id":"c2","affiliate":"bob","at":"2026-01-05T10:01:00Z"}"#,
        /*  3 */ #"{"type":"lead","customer_key":"u1","click_id":"c1","email":"u1@mail.example","at":"2026-01-05T11:00:00Z"}"#,
        /*  4 */ #"{"type":"signup","customer_key":"u2","click_id":"c2","at":"2026-01-05T11:00:00Z"}"#,
        /*  5 */ #"{"type":"trial","customer_key":"u3","click_id":"c1","at":"2026-01-05T12:00:00Z"}"#,
        /*  6 */ #"{"type":"conversion","external_id":"o1","amount":"29.00","currency":"USD","customer_key":"u1","at":"2026-01-06T10:00:00Z"}"#,
        /*  7 */ #"{"type":"conversion","external_id":"o2","amount":29,"customer_key":"u2","at":"2026-01-06T10:00:00Z"}"#,
        /*  8 */ #"{"type":"conversion","external_id":"o3","amount":"12.345","currency":"USD","customer_key":"u1","at":"2026-01-06T11:00:00Z"}"#,
        /*  9 */ #"{"type":"conversion","external_id":"o4","amount":"10.00","currency":"USD","customer_key":"u1","at":"2026-01-07T10:00:00Z"}"#,
        /* 10 */ #"{"type":"conversion","external_id":"o5","amount":"10.00","currency":"USD","customer_key":"u1","at":"2026-01-08T10:00:00Z"}"#,
        /* 11 */ #"{"type":"conversion","external_id":"o6","amount":"10.00","currency":"USD","customer_key":"u1","at":"2026-01-09T10:00:00Z"}"#,
        /* 12 */ #"{"type":"cancel","customer_key":"u3","at":"2026-01-09T10:00:00Z"}"#,
        /* 13 */ #"{"type":"click","click_id":"c3","affiliate":"nobody","at":"2026-01-09T10:00:00Z"}"#,
        /* 14 */ #"{"type":"conversion","external_id":"o2","amount":"99.00","currency":"USD","customer_key":"u2","at":"2026-01-09T10:00:00Z"}"#,
        /* 15 */ #"{"type":"conversion","external_id":"o7","amount":"20.00","currency":"USD","click_id":"c1","at":"2026-01-10T10:00:00Z"}"#,
        /* 16 */ #"{"type":"lead","customer_key":"u4","click_id":"c2","at":"2026-01-10T10:00:00Z"}"#,
    ]

    /// init (leads), settings, two affiliates: the program every test below starts from.
    func setUpProgram() throws {
        let created = try affdesk("init", "--model", "leads", "--name", "CLI test", "--db", db)
        XCTAssertEqual(created.stdout, "created program \"CLI test\" (Lead generation) in \(db)\n")
        let saved = try affdesk("program", "set", "--recurring", "on", "--commission", "10%", "--cap-count", "3", "--window", "30",
                                "--db", db)
        XCTAssertEqual(saved.stdout, "saved: model=leads recurring=on commission=10% caps=3 commissions window=30d currency=USD\n")
        XCTAssertEqual(try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice Ødegaard", "--email", "alice@example.com",
                                   "--db", db).stdout, "added affiliate alice (id 1)\n")
        XCTAssertEqual(try affdesk("affiliates", "add", "--code", "bob", "--name", "Bob", "--commission", "5.00 USD", "--db", db).stdout,
                       "added affiliate bob (id 2)\n")
    }

    // MARK: Settings

    func testProgramSetAndShow() throws {
        try affdesk("init", "--model", "leads", "--db", db)
        try affdesk("program", "set", "--recurring", "off", "--commission", "10%", "--cap-count", "3", "--cap-months", "12",
                    "--cap-amount", "500.00", "--window", "30", "--name", "Zoë's program", "--metadata-key", "ck", "--tax", "excluded",
                    "--db", db)
        let show = try jsonObject(try affdesk("program", "show", "--json", "--db", db))
        XCTAssertEqual(show["name"] as? String, "Zoë's program")
        XCTAssertEqual(show["model"] as? String, "leads")
        XCTAssertEqual(show["recurring"] as? Bool, false)
        let commission = show["commission"] as? [String: Any]
        XCTAssertEqual(commission?.count, 2)
        XCTAssertEqual(commission?["kind"] as? String, "percent")
        XCTAssertEqual(commission?["basis_points"] as? Int, 1000)
        XCTAssertEqual(show["cap_count"] as? Int, 3)
        XCTAssertEqual(show["cap_months"] as? Int, 12)
        XCTAssertEqual(show["cap_amount_minor"] as? Int, 50_000)
        XCTAssertEqual(show["cap_amount_currency"] as? String, "USD")
        XCTAssertEqual(show["window_days"] as? Int, 30)
        XCTAssertEqual(show["currency"] as? String, "USD")
        XCTAssertEqual(show["metadata_key"] as? String, "ck")
        XCTAssertEqual(show["tax_excluded"] as? Bool, true)
        XCTAssertEqual(show["statuses"] as? [String: String], ["initial": "Lead", "active": "Won", "capped": "Capped", "ended": "Lost"])

        // Fixed commission, caps removed, strategy.
        try affdesk("program", "set", "--commission", "15.00 USD", "--cap-amount", "none", "--cap-months", "none",
                    "--strategy", "first_n_renewals:2", "--recurring", "on", "--model", "saas", "--db", db)
        let again = try jsonObject(try affdesk("program", "show", "--json", "--db", db))
        let fixed = again["commission"] as? [String: Any]
        XCTAssertEqual(fixed?.count, 3)
        XCTAssertEqual(fixed?["kind"] as? String, "fixed")
        XCTAssertEqual(fixed?["amount_minor"] as? Int, 1500)
        XCTAssertEqual(fixed?["currency"] as? String, "USD")
        XCTAssertEqual(again["cap_count"] as? Int, 3, "first_n_renewals:2 is the signup and two renewals")
        XCTAssertTrue(again["cap_months"] is NSNull)
        XCTAssertTrue(again["cap_amount_minor"] is NSNull)
        XCTAssertTrue(again["cap_amount_currency"] is NSNull)
        XCTAssertEqual(again["recurring"] as? Bool, true)
        XCTAssertEqual(again["statuses"] as? [String: String], ["initial": "Trial", "active": "Paying", "capped": "Capped", "ended": "Canceled"])

        // The plain text names the statuses too.
        let text = try affdesk("program", "show", "--db", db).stdout
        XCTAssertTrue(text.contains("model            SaaS (Trial / Paying / Capped / Canceled)"), text)
        XCTAssertTrue(text.contains("commission       15.00 USD per conversion"), text)

        // Bad values name the option and change nothing.
        let before = try affdesk("program", "show", "--json", "--db", db).stdout
        for (args, message) in [(["--commission", "ten"], #"--commission: "ten" is not like "20%" or "15.00 USD""#),
                                (["--recurring", "maybe"], #"--recurring: "maybe" is not on or off"#),
                                (["--cap-count", "0"], #"--cap-count: "0" is not a positive number or "none""#),
                                (["--window", "0"], "window: must be at least 1 day"),
                                (["--model", "shop"], #"--model: "shop" is not saas, leads or generic"#),
                                (["--cap-amount", "1.234"], #"--cap-amount: "1.234" has more than 2 decimal places for USD"#)] {
            let r = try CLIRunner.run(["program", "set"] + args + ["--db", db])
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(try affdesk("program", "show", "--json", "--db", db).stdout, before)
    }

    // MARK: Ingest and the lists

    func testIngestAndListEveryField() throws {
        try setUpProgram()
        let file = try write("events.jsonl", CLITests.events)
        let ingest = try affdesk("ingest", file, "--db", db)
        XCTAssertTrue(ingest.stdout.hasPrefix("events.jsonl: 16 recorded: 12 accepted, 4 rejected; 0 already ingested (unchanged)\n"),
                      ingest.stdout)
        XCTAssertTrue(ingest.stdout.contains(#"  events.jsonl:8: amount: "12.345" has more than 2 decimal places for USD"#), ingest.stdout)
        for reason in ["invalid_event", "customer_capped", "unknown_affiliate", "duplicate_external_id", "cap_reached"] {
            XCTAssertTrue(ingest.stdout.contains("  \(reason) "), "\(reason) in\n\(ingest.stdout)")
        }

        try checkEveryCustomerField()
        try checkEveryConversionField()
        try checkEveryEventField()
        try checkEventFiltersAndPlainTables()
    }

    /// Customers: every field, as `testIngestAndListEveryField` ingested them.
    private func checkEveryCustomerField() throws {
        let customers = try jsonArray(try affdesk("customers", "list", "--json", "--db", db))
        XCTAssertEqual(customers.count, 4)
        let byKey = Dictionary(uniqueKeysWithValues: customers.map { ($0["customer_key"] as? String ?? "?", $0) })
        let expected: [(String, String, String, String, Int, Int)] = [
            ("u1", "alice", "capped", "Capped", 3, 490),
            ("u2", "bob", "active", "Won", 1, 500),
            ("u3", "alice", "ended", "Lost", 0, 0),
            ("u4", "bob", "initial", "Lead", 0, 0),
        ]
        for (key, aff, status, label, conversions, commission) in expected {
            let c = try XCTUnwrap(byKey[key], key)
            XCTAssertEqual(c["affiliate"] as? String, aff, key)
            XCTAssertEqual(c["status"] as? String, status, key)
            XCTAssertEqual(c["status_label"] as? String, label, key)
            XCTAssertEqual(c["conversions"] as? Int, conversions, key)
            XCTAssertEqual(c["commission_minor"] as? Int, commission, key)
        }
        XCTAssertEqual(byKey["u1"]?["email"] as? String, "u1@mail.example")
        XCTAssertEqual(byKey["u1"]?["commission_currency"] as? String, "USD")
        XCTAssertTrue(byKey["u3"]?["commission_currency"] is NSNull)
        XCTAssertEqual(byKey["u3"]?["tracked_at"] as? String, "2026-01-05T12:00:00Z")
        XCTAssertEqual(byKey["u3"]?["last_activity_at"] as? String, "2026-01-09T10:00:00Z")
        // Newest activity first by default.
        XCTAssertEqual(customers.map { $0["customer_key"] as? String }, ["u4", "u3", "u1", "u2"])
    }

    /// Conversions: every field.
    private func checkEveryConversionField() throws {
        let conversions = try jsonArray(try affdesk("conversions", "list", "--json", "--db", db))
        let byID = Dictionary(uniqueKeysWithValues: conversions.map { ($0["external_id"] as? String ?? "?", $0) })
        XCTAssertEqual(Set(byID.keys), ["o1", "o2", "o4", "o5", "o7"])
        let expectedConversions: [(String, String?, String, Int, Int)] = [
            ("o1", "u1", "alice", 2900, 290), ("o2", "u2", "bob", 2900, 500), ("o4", "u1", "alice", 1000, 100),
            ("o5", "u1", "alice", 1000, 100), ("o7", nil, "alice", 2000, 200),
        ]
        for (id, key, aff, amount, commission) in expectedConversions {
            let v = try XCTUnwrap(byID[id], id)
            if let key { XCTAssertEqual(v["customer_key"] as? String, key, id) } else { XCTAssertTrue(v["customer_key"] is NSNull, id) }
            XCTAssertEqual(v["affiliate"] as? String, aff, id)
            XCTAssertEqual(v["amount_minor"] as? Int, amount, id)
            XCTAssertEqual(v["currency"] as? String, "USD", id)
            XCTAssertEqual(v["commission_minor"] as? Int, commission, id)
            XCTAssertEqual(v["commission_currency"] as? String, "USD", id)
            XCTAssertEqual(v["manual"] as? Bool, false, id)
        }
        XCTAssertEqual(byID["o1"]?["at"] as? String, "2026-01-06T10:00:00Z")
        XCTAssertEqual(conversions.map { $0["external_id"] as? String }, ["o7", "o5", "o4", "o2", "o1"], "newest first")
    }

    /// Events: every field, per line.
    private func checkEveryEventField() throws {
        let events = try jsonArray(try affdesk("events", "list", "--json", "--db", db)).reversed().map { $0 }
        XCTAssertEqual(events.count, 16)
        let expectedEvents: [(String, String, String?, String?)] = [
            ("click", "accepted", nil, nil), ("click", "accepted", nil, nil), ("lead", "accepted", nil, nil),
            ("signup", "accepted", nil, nil), ("trial", "accepted", nil, nil), ("conversion", "accepted", nil, nil),
            ("conversion", "accepted", nil, nil), ("conversion", "rejected", "invalid_event", nil),
            ("conversion", "accepted", nil, nil), ("conversion", "accepted", nil, "cap_reached"),
            ("conversion", "rejected", "customer_capped", nil), ("cancel", "accepted", nil, nil),
            ("click", "rejected", "unknown_affiliate", nil), ("conversion", "rejected", "duplicate_external_id", nil),
            ("conversion", "accepted", nil, nil), ("lead", "accepted", nil, nil),
        ]
        for (i, (e, (type, outcome, reason, note))) in zip(events, expectedEvents).enumerated() {
            let line = i + 1
            XCTAssertEqual(e["id"] as? Int, line, "ids count up from 1 in file order")
            XCTAssertEqual(e["type"] as? String, type, "line \(line)")
            XCTAssertEqual(e["outcome"] as? String, outcome, "line \(line)")
            if let reason { XCTAssertEqual(e["reason"] as? String, reason, "line \(line)") } else { XCTAssertTrue(e["reason"] is NSNull, "line \(line)") }
            if let note { XCTAssertEqual(e["note"] as? String, note, "line \(line)") } else { XCTAssertTrue(e["note"] is NSNull, "line \(line)") }
            let message = reason.flatMap { Reason(rawValue: $0)?.sentence } ?? note.flatMap { Reason(rawValue: $0)?.sentence } ?? "Accepted."
            XCTAssertEqual(e["message"] as? String, message, "line \(line)")
            XCTAssertEqual(e["source"] as? String, "jsonl", "line \(line)")
            XCTAssertEqual(e["file"] as? String, "events.jsonl", "line \(line)")
            XCTAssertEqual(e["line"] as? Int, line, "line \(line)")
        }
        let bad = events[7]
        XCTAssertEqual(bad["field"] as? String, "amount")
        XCTAssertEqual(bad["detail"] as? String, #"events.jsonl:8: amount: "12.345" has more than 2 decimal places for USD"#)
        XCTAssertEqual(bad["hint"] as? String, Reason.invalidEvent.hint)
        XCTAssertEqual(events[13]["external_id"] as? String, "o2")
        XCTAssertEqual(events[13]["detail"] as? String, "external id o2 was credited before")
        XCTAssertEqual(events[0]["click_id"] as? String, "c1")
        XCTAssertEqual(events[2]["customer_key"] as? String, "u1")
        XCTAssertEqual(events[2]["at"] as? String, "2026-01-05T11:00:00Z")
    }

    /// The events' filters, and the plain tables saying the same.
    private func checkEventFiltersAndPlainTables() throws {
        let rejected = try jsonArray(try affdesk("events", "list", "--rejected", "--json", "--db", db))
        XCTAssertEqual(rejected.map { $0["id"] as? Int }, [14, 13, 11, 8])
        XCTAssertEqual(rejected.map { $0["reason"] as? String }, ["duplicate_external_id", "unknown_affiliate", "customer_capped", "invalid_event"])
        XCTAssertEqual(rejected.map { $0["outcome"] as? String }, Array(repeating: "rejected", count: 4))
        let byReason = try jsonArray(try affdesk("events", "list", "--reason", "cap_reached", "--json", "--db", db))
        XCTAssertEqual(byReason.map { $0["id"] as? Int }, [10])
        let aboutU1 = try jsonArray(try affdesk("events", "list", "--filter", "u1", "--json", "--db", db))
        XCTAssertEqual(aboutU1.map { $0["id"] as? Int }, [11, 10, 9, 8, 6, 3])

        // The plain tables say the same.
        let table = try affdesk("customers", "list", "--db", db).stdout
        XCTAssertTrue(table.hasSuffix("4 customers\n"), table)
        XCTAssertTrue(table.contains("Lost"), table)
        let affiliates = try jsonArray(try affdesk("affiliates", "list", "--json", "--db", db))
        XCTAssertEqual(affiliates.map { $0["code"] as? String }, ["alice", "bob"])
        XCTAssertEqual(affiliates.map { $0["customers"] as? Int }, [2, 2])
        XCTAssertEqual(affiliates.map { $0["earnings_minor"] as? Int }, [690, 500])
        XCTAssertEqual(affiliates.first?["name"] as? String, "Alice Ødegaard")
        XCTAssertEqual(affiliates.last?["commission"] as? String, "5.00 USD per conversion")
    }

    func testIngestingTheSameFileAgainChangesNothing() throws {
        try setUpProgram()
        let file = try write("events.jsonl", CLITests.events)
        try affdesk("ingest", file, "--db", db)
        func lists() throws -> [String] {
            try [["customers", "list"], ["conversions", "list"], ["events", "list"], ["affiliates", "list"]].map {
                try CLIRunner.run($0 + ["--json", "--db", db]).stdout
            }
        }
        let before = try lists()
        let again = try affdesk("ingest", file, "--db", db)
        XCTAssertEqual(again.stdout, "events.jsonl: 0 recorded: 0 accepted, 0 rejected; 16 already ingested (unchanged)\n")
        XCTAssertEqual(try lists(), before)
        let json = try jsonObject(try affdesk("ingest", file, "--json", "--db", db))
        XCTAssertEqual(json["already_ingested"] as? Int, 16)
        XCTAssertEqual(json["received"] as? Int, 0)
        XCTAssertEqual(try lists(), before)
        // The same events through standard input are the same events.
        let piped = try affdesk("ingest", "-", "--db", db, stdin: CLITests.events.joined(separator: "\n"))
        XCTAssertEqual(piped.stdout, "stdin: 0 recorded: 0 accepted, 0 rejected; 16 already ingested (unchanged)\n")
        XCTAssertEqual(try lists(), before)
    }

    func testTheBatchSizeIsAnOptionThatChangesOnlyTheSpeed() throws {
        try setUpProgram()
        let file = try write("events.jsonl", CLITests.events)
        func lists(_ db: String) throws -> [String] {
            try [["customers", "list"], ["conversions", "list"], ["events", "list"], ["affiliates", "list"]].map {
                try CLIRunner.run($0 + ["--json", "--db", db]).stdout
            }
        }
        // A copy of the empty program, ingested one event per transaction.
        let other = dir + "/other.sqlite"
        try FileManager.default.copyItem(atPath: db, toPath: other)
        let small = try affdesk("ingest", file, "--batch", "1", "--db", other)
        let large = try affdesk("ingest", file, "--db", db)
        XCTAssertEqual(small.stdout, large.stdout)
        XCTAssertTrue(large.stdout.hasPrefix("events.jsonl: 16 recorded"), large.stdout)
        XCTAssertEqual(try lists(other), try lists(db))
        let refused = try affdeskFailing("ingest", file, "--batch", "0", "--db", db)
        XCTAssertTrue(refused.stderr.contains(#"--batch must be a whole number from 1 to 1,000,000, got "0""#), refused.stderr)
        XCTAssertEqual(try affdesk("events", "list", "--json", "--db", db).stdout, try lists(db)[2])
    }

    func testIngestFromStandardInput() throws {
        try setUpProgram()
        let lines = [
            #"{"type":"click","click_id":"s1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
            "",
            #"{"type":"signup","customer_key":"s-user","click_id":"s1","at":"2026-01-05T10:05:00Z"}"#,
            #"{"type":"signup","customer_key":"","at":"2026-01-05T10:05:00Z"}"#,
        ]
        let r = try affdesk("ingest", "--db", db, stdin: lines.joined(separator: "\r\n"))
        XCTAssertTrue(r.stdout.hasPrefix("stdin: 3 recorded: 2 accepted, 1 rejected; 0 already ingested (unchanged)\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  stdin:4: customer_key: must not be empty"), r.stdout)
        let events = try jsonArray(try affdesk("events", "list", "--json", "--db", db))
        XCTAssertEqual(events.map { $0["file"] as? String }, ["stdin", "stdin", "stdin"])
        XCTAssertEqual(events.map { $0["line"] as? Int }, [4, 3, 1])
        XCTAssertEqual(events.first?["field"] as? String, "customer_key")
        let customers = try jsonArray(try affdesk("customers", "list", "--json", "--db", db))
        XCTAssertEqual(customers.map { $0["customer_key"] as? String }, ["s-user"])
        XCTAssertEqual(customers.first?["status_label"] as? String, "Lead")
    }

    func testRecurringOffIsExplainedInTheEventLog() throws {
        try setUpProgram()
        try affdesk("program", "set", "--recurring", "off", "--db", db)
        let file = try write("off.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"lead","customer_key":"u1","click_id":"c1","at":"2026-01-05T11:00:00Z"}"#,
            #"{"type":"conversion","external_id":"o1","amount":"10.00","customer_key":"u1","click_id":"c1","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"o2","amount":"10.00","customer_key":"u1","at":"2026-01-07T10:00:00Z"}"#,
        ])
        try affdesk("ingest", file, "--db", db)
        let events = try jsonArray(try affdesk("events", "list", "--json", "--db", db))
        XCTAssertEqual(events[0]["reason"] as? String, "recurring_off")
        XCTAssertEqual(events[0]["note"] as? String, "customer_key_ignored")
        XCTAssertEqual(events[0]["message"] as? String, Reason.recurringOff.sentence)
        XCTAssertEqual(events[0]["hint"] as? String, "Turn on Recurring/Lifetime commissions in the settings, then replay the event.")
        XCTAssertEqual(events[1]["outcome"] as? String, "accepted")
        XCTAssertEqual(events[1]["note"] as? String, "customer_key_ignored")
        XCTAssertEqual(events[1]["message"] as? String,
                       "customer_key ignored: Recurring/Lifetime commissions is off, so this was credited as a one-off by click.")
        let conversions = try jsonArray(try affdesk("conversions", "list", "--json", "--db", db))
        XCTAssertEqual(conversions.count, 1)
        XCTAssertTrue(conversions[0]["customer_key"] is NSNull)
    }

    // MARK: Admin commands

    func testSetStatusAllowedAndRefused() throws {
        try setUpProgram()
        try affdesk("ingest", try write("events.jsonl", CLITests.events), "--db", db)
        // Capped -> Won is allowed (e.g. after raising a cap).
        let ok = try affdesk("customers", "set-status", "u1", "Won", "--db", db)
        XCTAssertEqual(ok.stdout, "u1: status set (Capped -> Won)\n")
        // By lifecycle name too.
        XCTAssertEqual(try affdesk("customers", "set-status", "u2", "ended", "--db", db).stdout, "u2: status set (Won -> Lost)\n")
        let before = try affdesk("customers", "list", "--json", "--db", db).stdout
        // Lead -> Won by hand is not.
        let refused = try affdeskFailing("customers", "set-status", "u4", "Won", "--db", db)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertTrue(refused.stderr.contains("refused: transition_not_allowed: " + Reason.transitionNotAllowed.sentence
                                              + " (Lead -> Won is not allowed; allowed: Lost)"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("fix: " + Reason.transitionNotAllowed.hint), refused.stderr)
        let unknown = try affdeskFailing("customers", "set-status", "u4", "Paying", "--db", db)
        XCTAssertTrue(unknown.stderr.contains(#"status "Paying" is unknown; use one of: Lead (initial), Won (active), Capped (capped), Lost (ended)"#),
                      unknown.stderr)
        let missing = try affdeskFailing("customers", "set-status", "nobody", "Lost", "--db", db)
        XCTAssertTrue(missing.stderr.contains(#"no customer "nobody""#), missing.stderr)
        XCTAssertEqual(try affdesk("customers", "list", "--json", "--db", db).stdout, before)
    }

    func testReassignAndManualConversions() throws {
        try setUpProgram()
        try affdesk("ingest", try write("events.jsonl", CLITests.events), "--db", db)
        let moved = try affdesk("customers", "reassign", "u2", "alice", "--db", db)
        XCTAssertEqual(moved.stdout, "u2: reassigned to alice (future conversions go to alice; credited ones stay)\n")
        let same = try affdeskFailing("customers", "reassign", "u2", "alice", "--db", db)
        XCTAssertTrue(same.stderr.contains("refused: same_affiliate: " + Reason.sameAffiliate.sentence), same.stderr)

        let added = try affdesk("conversions", "add", "--external-id", "bank1", "--amount", "50.00", "--customer", "u2",
                                "--at", "2026-01-12T09:00:00Z", "--db", db)
        XCTAssertEqual(added.stdout,
                       "added conversion bank1: 50.00 USD, commission 5.00 USD (credited to alice for customer u2)\n")
        let oneOff = try affdesk("conversions", "add", "--external-id", "bank2", "--amount", "8", "--affiliate", "bob", "--db", db)
        XCTAssertTrue(oneOff.stdout.hasPrefix("added conversion bank2: 8.00 USD, commission 5.00 USD"), oneOff.stdout)

        let conversions = try jsonArray(try affdesk("conversions", "list", "--json", "--db", db))
        let byID = Dictionary(uniqueKeysWithValues: conversions.map { ($0["external_id"] as? String ?? "?", $0) })
        XCTAssertEqual(byID["o2"]?["affiliate"] as? String, "bob", "credited conversions stay")
        XCTAssertEqual(byID["bank1"]?["affiliate"] as? String, "alice")
        XCTAssertEqual(byID["bank1"]?["customer_key"] as? String, "u2")
        XCTAssertEqual(byID["bank1"]?["manual"] as? Bool, true)
        XCTAssertEqual(byID["bank1"]?["commission_minor"] as? Int, 500)
        XCTAssertEqual(byID["bank1"]?["at"] as? String, "2026-01-12T09:00:00Z")
        XCTAssertTrue(byID["bank2"]?["customer_key"] is NSNull)
        let u2 = try jsonArray(try affdesk("customers", "list", "--filter", "u2", "--json", "--db", db))
        XCTAssertEqual(u2.first?["affiliate"] as? String, "alice")
        XCTAssertEqual(u2.first?["conversions"] as? Int, 2)
        XCTAssertEqual(u2.first?["commission_minor"] as? Int, 1000)

        let dup = try affdeskFailing("conversions", "add", "--external-id", "o1", "--amount", "5.00", "--customer", "u2", "--db", db)
        XCTAssertTrue(dup.stderr.contains("refused: duplicate_external_id"), dup.stderr)
        let precise = try affdeskFailing("conversions", "add", "--external-id", "x", "--amount", "5.001", "--customer", "u2", "--db", db)
        XCTAssertTrue(precise.stderr.contains(#"--amount: "5.001" has more than 2 decimal places for USD"#), precise.stderr)
        let badAt = try affdeskFailing("conversions", "add", "--external-id", "x", "--amount", "5", "--customer", "u2", "--at", "monday",
                                       "--db", db)
        XCTAssertTrue(badAt.stderr.contains(#"--at: "monday" is not an ISO 8601 time"#), badAt.stderr)
        // The customer's detail view shows the manual conversion.
        let show = try jsonObject(try affdesk("customers", "show", "u2", "--json", "--db", db))
        XCTAssertEqual((show["conversion_list"] as? [[String: Any]])?.map { $0["external_id"] as? String }, ["o2", "bank1"])
    }

    // MARK: Databases

    func testTheDatabaseCanComeFromTheEnvironment() throws {
        try setUpProgram()
        try affdesk("ingest", try write("events.jsonl", CLITests.events), "--db", db)
        let withFlag = try affdesk("customers", "list", "--json", "--db", db).stdout
        let withEnv = try affdesk("customers", "list", "--json", environment: ["AFFDESK_DB": db]).stdout
        XCTAssertEqual(withEnv, withFlag)
        // --db wins over the environment.
        let other = dir + "/other.sqlite"
        try affdesk("init", "--db", other)
        XCTAssertEqual(try affdesk("customers", "list", "--json", "--db", other, environment: ["AFFDESK_DB": db]).stdout, "[]\n")
        // Writes go there too.
        try affdesk("affiliates", "add", "--code", "carol", "--name", "Carol", environment: ["AFFDESK_DB": db])
        XCTAssertEqual(try jsonArray(try affdesk("affiliates", "list", "--json", "--db", db)).map { $0["code"] as? String },
                       ["alice", "bob", "carol"])
    }

    func testANewerDatabaseIsRefusedWithAClearMessage() throws {
        try affdesk("init", "--db", db)
        // The schema version lives at offset 60 of the SQLite header (big-endian). Every
        // affdesk process has ended, so the write-ahead log has been checkpointed into the file.
        XCTAssertFalse(FileManager.default.fileExists(atPath: db + "-wal"))
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: db))
        try handle.seek(toOffset: 60)
        try handle.write(contentsOf: Data([0, 0, 0, 99]))
        try handle.close()
        for args in [["customers", "list"], ["ingest", "-"], ["program", "show"], ["affiliates", "add", "--code", "x", "--name", "X"]] {
            let r = try CLIRunner.run(args + ["--db", db], stdin: "")
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains("\(db): the database has schema version 99, newer than this affdesk supports (21); upgrade affdesk"),
                          "\(args): \(r.stderr)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: db))
        XCTAssertEqual(Array(data[60..<64]), [0, 0, 0, 99], "the newer database was left as it was")
    }

    func testClearErrors() throws {
        // No program yet.
        let none = try affdeskFailing("customers", "list", "--db", db)
        XCTAssertTrue(none.stderr.contains("\(db) does not exist: check the path (--db or $AFFDESK_DB), or create a program there with `affdesk init --db \(db)`"), none.stderr)
        try affdesk("init", "--db", db)
        let twice = try affdeskFailing("init", "--db", db)
        XCTAssertTrue(twice.stderr.contains("\(db): a program is already set up here"), twice.stderr)
        let missing = try affdeskFailing("ingest", dir + "/nope.jsonl", "--db", db)
        XCTAssertTrue(missing.stderr.contains("\(dir!)/nope.jsonl: cannot open the file"), missing.stderr)
        let model = try affdeskFailing("init", "--model", "shop", "--db", dir + "/x.sqlite")
        XCTAssertTrue(model.stderr.contains(#"--model: "shop" is not saas, leads or generic"#), model.stderr)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        let dup = try affdeskFailing("affiliates", "add", "--code", "alice", "--name", "Alice 2", "--db", db)
        XCTAssertTrue(dup.stderr.contains(#"affiliate code "alice" already exists"#), dup.stderr)
        let sort = try affdeskFailing("customers", "list", "--sort", "size", "--db", db)
        XCTAssertTrue(sort.stderr.contains(#"--sort: "size" is not one of key, affiliate, status, conversions, commission, activity"#),
                      sort.stderr)
        let format = try affdeskFailing("ingest", "--format", "csv", "-", "--db", db)
        XCTAssertTrue(format.stderr.contains(#"unknown format "csv""#), format.stderr)
        for list in ["customers", "conversions", "events"] {
            let negative = try affdeskFailing(list, "list", "--limit=-1", "--db", db)
            XCTAssertEqual(negative.status, 1, "\(list): a refusal, not a trap")
            XCTAssertTrue(negative.stderr.contains(#"--limit must be a whole number from 0 to 1,000,000,000, got "-1""#), negative.stderr)
        }
        XCTAssertEqual(try affdesk("events", "list", "--limit", "0", "--json", "--db", db).stdout, "[]\n")
        // A directory is refused with a message, not a crash.
        let directory = try affdeskFailing("ingest", dir, "--db", db)
        XCTAssertEqual(directory.status, 1)
        XCTAssertTrue(directory.stderr.contains("\(dir!): is a directory, not a file of events"), directory.stderr)
        // A file that is not a database is named as such, and left alone.
        let notes = dir + "/notes.txt"
        try "some notes\n".write(toFile: notes, atomically: true, encoding: .utf8)
        for args in [["customers", "list"], ["ingest", "-"], ["init"]] {
            let r = try affdeskFailing(args + ["--db", notes], stdin: "")
            XCTAssertTrue(r.stderr.contains("\(notes): not an affdesk database (the file is not SQLite)"), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(try String(contentsOfFile: notes, encoding: .utf8), "some notes\n")
        // A command that writes never creates a database as a side effect.
        let typo = dir + "/typo.sqlite"
        let notThere = try affdeskFailing("affiliates", "add", "--code", "x", "--name", "X", "--db", typo)
        XCTAssertTrue(notThere.stderr.contains("\(typo) does not exist: check the path (--db or $AFFDESK_DB), or create a program there with `affdesk init --db \(typo)`"), notThere.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: typo))
    }

    // MARK: Demo

    func testDemoSummaryCreatesAUsableDatabase() throws {
        // The process's one run of `affdesk demo --summary --db FILE`, and a copy of the file it made.
        let demo = try DemoDatabase.build()
        let r = demo.result
        XCTAssertTrue(r.succeeded, "\(r.status)\n\(r.stderr)")
        XCTAssertTrue(r.stdout.hasPrefix("Nimbus Notes — SaaS, recurring on, commission 20%\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("customers: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("rejected events by reason:"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("database: \(demo.path)\n"), r.stdout)
        let demoDB = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: demoDB)
        for label in ["Trial", "Paying", "Capped", "Canceled"] {
            XCTAssertTrue(r.stdout.range(of: #"[1-9][0-9]* \#(label)"#, options: .regularExpression) != nil, "\(label) in \(r.stdout)")
        }
        let customers = try jsonArray(try affdesk("customers", "list", "--limit", "5", "--json", "--db", demoDB))
        XCTAssertEqual(customers.count, 5)
        XCTAssertEqual(try jsonObject(try affdesk("program", "show", "--json", "--db", demoDB))["name"] as? String, "Nimbus Notes")
        let rejected = try jsonArray(try affdesk("events", "list", "--rejected", "--limit", "3", "--json", "--db", demoDB))
        XCTAssertEqual(rejected.count, 3)
        // Usable for writes too.
        try affdesk("affiliates", "add", "--code", "newbie", "--name", "New Affiliate", "--db", demoDB)
        // The demo never overwrites a database.
        let again = try affdeskFailing("demo", "--summary", "--db", demoDB)
        XCTAssertTrue(again.stderr.contains("--db: \(demoDB) already exists; the demo needs a new file"), again.stderr)
    }
}
