import AttributionCore
import Foundation
import XCTest

/// Issue 14's command line: resolved rejections, bulk replay, `--db` anywhere, unknown
/// commands, ingest that says when nothing could be read, `--limit` counts, the audit log.
final class WorkflowCLITests: CLITestCase {
    /// Recurring off: #3 refused recurring_off (inv_2041), #4 no_attribution (inv_2042).
    func setUpRecurringOff() throws {
        try affdesk("init", "--model", "saas", "--name", "Nimbus Notes", "--db", db)
        try affdesk("program", "set", "--recurring", "off", "--commission", "20%", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        let file = try write("events.jsonl", [
            #"{"type":"click","click_id":"clk_81","affiliate":"alice","at":"2026-03-02T09:00:00Z"}"#,
            #"{"type":"signup","customer_key":"cus_ada","click_id":"clk_81","at":"2026-03-02T09:05:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2041","amount":"49.00","customer_key":"cus_ada","at":"2026-03-16T09:05:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2042","amount":"19.00","at":"2026-03-17T10:00:00Z"}"#,
        ])
        try affdesk("ingest", file, "--db", db)
    }

    func rejectedIDs(_ extra: String...) throws -> [Int] {
        try jsonArray(try affdesk(["events", "list", "--rejected", "--json", "--db", db] + extra)).compactMap { $0["id"] as? Int }
    }

    func affdesk(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let r = try CLIRunner.run(arguments)
        XCTAssertTrue(r.succeeded, "affdesk \(arguments.joined(separator: " ")) exited \(r.status)\n\(r.stdout)\n\(r.stderr)", file: file, line: line)
        return r
    }

    // MARK: Changing an affiliate

    /// `affiliates set CODE`: the commission override, the payout email (the fix the ledger's
    /// no_payout_email hint names) and the name, each read by the core's rules, audited; the
    /// override is used by the next sale; `--no-…` removes one.
    func testAffiliatesSetChangesTheOverrideTheEmailAndTheName() throws {
        try affdesk(["init", "--name", "Ledger", "--db", db])
        try affdesk(["program", "set", "--commission", "10%", "--holding-days", "0", "--db", db])
        try affdesk(["affiliates", "add", "--code", "bob", "--name", "Bob", "--db", db])
        let refusals: [([String], String)] = [
            (["--email", "b@x.io", "--no-email"], "--email and --no-email: give one of them"),
            (["--commission", "5%", "--no-commission"], "--commission and --no-commission: give one of them"),
            ([], "nothing to change: give --commission, --no-commission, --email, --no-email or --name"),
            (["--email", "bob at example.com"], "--email: must not contain a space"),
            (["--commission", "150%"], #"--commission: "150%" is not like "20%" or "15.00 USD""#),
            (["--name", " "], "--name: must not be empty"),
        ]
        for (extra, message) in refusals {
            let r = try affdeskFailing(["affiliates", "set", "bob"] + extra + ["--db", db])
            XCTAssertTrue(r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
        XCTAssertTrue(try affdeskFailing("affiliates", "set", "nobody", "--name", "X", "--db", db).stderr.contains(#"no affiliate "nobody""#))
        let sale = #"{"type":"click","click_id":"c2","affiliate":"bob","at":"2026-01-05T10:00:00Z"}"#
        try affdesk(["ingest", try write("s.jsonl", [sale,
            #"{"type":"conversion","external_id":"inv_2","amount":"100.00","click_id":"c2","at":"2026-01-06T10:00:00Z"}"#]), "--db", db])
        try affdesk(["payouts", "create", "--through", "2026-01-31", "--min", "1.00", "--db", db])
        // The export's refusal names the command that fixes it.
        let refused = try affdeskFailing("payouts", "export", "--format", "wise", "--db", db)
        XCTAssertTrue(refused.stderr.contains("Set the affiliate's email (affdesk affiliates set CODE --email E"), refused.stderr)
        let set = try affdesk(["affiliates", "set", "BOB", "--email", "bob@example.com", "--commission", "30%", "--db", db])
        XCTAssertEqual(set.stdout, "affiliate bob: email none → bob@example.com; commission the program's (10%) → 30%\n")
        XCTAssertTrue(try affdesk(["payouts", "export", "--format", "wise", "--db", db]).stdout.contains("Bob,bob@example.com,"))
        try affdesk(["ingest", try write("t.jsonl", [
            #"{"type":"conversion","external_id":"inv_3","amount":"100.00","click_id":"c2","at":"2026-01-07T10:00:00Z"}"#]), "--db", db])
        let ledger = try jsonArray(try affdesk(["commissions", "list", "--affiliate", "bob", "--json", "--db", db]))
        XCTAssertEqual(ledger.first { $0["external_id"] as? String == "inv_3" }?["amount_minor"] as? Int, 3000, "the override is used")
        XCTAssertEqual(ledger.first { $0["external_id"] as? String == "inv_2" }?["amount_minor"] as? Int, 1000, "earned before: unchanged")
        let back = try affdesk(["affiliates", "set", "bob", "--no-commission", "--no-email", "--name", "Bob Builder", "--db", db])
        XCTAssertEqual(back.stdout, "affiliate bob: name Bob → Bob Builder; email bob@example.com → none; commission 30% → the program's (10%)\n")
        let audit = try jsonArray(try affdesk(["audit", "list", "--json", "--db", db]))
        XCTAssertEqual(audit.first?["action"] as? String, "affiliate.set")
        XCTAssertEqual(audit.first?["before"] as? String, "name=Bob email=bob@example.com commission=30%")
        XCTAssertEqual(try affdesk(["affiliates", "set", "bob", "--name", "Bob Builder", "--db", db]).stdout, "affiliate bob: nothing changed\n")
        // The metadata key: the core's rule from `program set` too.
        let key = try affdeskFailing("program", "set", "--metadata-key", "customer[key]", "--db", db)
        XCTAssertTrue(key.stderr.contains("--metadata-key: must not contain square brackets"), key.stderr)
    }

    // MARK: Resolved rejections

    func testAReplayedOrHandAddedRejectionIsResolvedAndLeavesTheQueue() throws {
        try setUpRecurringOff()
        XCTAssertEqual(try rejectedIDs(), [4, 3])
        let open = try jsonObject(try affdesk("triage", "inv_2041", "--json", "--db", db))
        XCTAssertTrue((open["events"] as? [[String: Any]])?.first?["resolved_by"] is NSNull)

        try affdesk("program", "set", "--recurring", "on", "--db", db)
        try affdesk("events", "replay", "3", "--db", db)
        XCTAssertEqual(try rejectedIDs(), [4], "the fixed rejection left the queue")
        XCTAssertEqual(try rejectedIDs("--include-resolved"), [4, 3])
        let listed = try jsonArray(try affdesk("events", "list", "--rejected", "--include-resolved", "--json", "--db", db))
        XCTAssertEqual((listed.last?["resolved_by"] as? [String: Any])?["event"] as? Int, 5)
        XCTAssertTrue(listed.first?["resolved_by"] is NSNull)
        XCTAssertTrue(try affdesk("events", "list", "--rejected", "--include-resolved", "--db", db).stdout
            .contains(" resolved  recurring_off "))
        let text = try affdesk("triage", "inv_2041", "--db", db).stdout
        let user = NSUserName()
        XCTAssertNotNil(text.range(of: #"\n  status    resolved by #5 at \d{4}-\d\d-\d\d \d\d:\d\d by "# + NSRegularExpression.escapedPattern(for: user) + "\n",
                                   options: .regularExpression), text)
        XCTAssertFalse(text.contains("still refused"), text)
        let report = try jsonObject(try affdesk("triage", "inv_2041", "--json", "--db", db))
        let resolved = try XCTUnwrap((report["events"] as? [[String: Any]])?.first?["resolved_by"] as? [String: Any])
        XCTAssertEqual(resolved["event"] as? Int, 5)
        XCTAssertEqual(resolved["conversion"] as? String, "inv_2041")
        XCTAssertEqual(resolved["who"] as? String, user)
        // A second replay is refused as a duplicate: no new problem in the queue.
        try affdesk("events", "replay", "3", "--db", db)
        XCTAssertEqual(try rejectedIDs(), [4])

        // By hand.
        try affdesk("conversions", "add", "--from-event", "4", "--affiliate", "alice", "--db", db)
        XCTAssertEqual(try rejectedIDs(), [])
        let byHand = try affdesk("triage", "inv_2042", "--db", db).stdout
        XCTAssertTrue(byHand.contains("  status    resolved by conversion inv_2042 (by hand) at "), byHand)
    }

    // MARK: Bulk replay

    func testBulkReplayByReasonInTimeOrderWithADryRunFirst() throws {
        try affdesk("init", "--model", "saas", "--db", db)
        try affdesk("program", "set", "--recurring", "off", "--commission", "10%", "--cap-count", "2", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        // Three recurring_off refusals of one customer, received newest first; a cap of two.
        let file = try write("events.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-03-01T09:00:00Z"}"#,
            #"{"type":"signup","customer_key":"u1","click_id":"c1","at":"2026-03-01T09:05:00Z"}"#,
            #"{"type":"conversion","external_id":"o3","amount":"30.00","customer_key":"u1","at":"2026-03-12T09:00:00Z"}"#,
            #"{"type":"conversion","external_id":"o2","amount":"20.00","customer_key":"u1","at":"2026-03-11T09:00:00Z"}"#,
            #"{"type":"conversion","external_id":"o1","amount":"10.00","customer_key":"u1","at":"2026-03-10T09:00:00Z"}"#,
        ])
        try affdesk("ingest", file, "--db", db)
        try affdesk("program", "set", "--recurring", "on", "--db", db)
        let auditBefore = try jsonArray(try affdesk("audit", "list", "--json", "--db", db)).count

        let dry = try affdesk("events", "replay", "--reason", "recurring_off", "--dry-run", "--db", db).stdout
        XCTAssertTrue(dry.hasPrefix("dry run: 3 events in time order: 2 would be accepted, 1 would not; nothing was written\n"
                                    + "  #5: would be accepted"), dry)
        XCTAssertTrue(dry.contains("\n  #4: would be accepted"), dry)
        XCTAssertTrue(dry.contains("would not be accepted, by reason:\n  customer_capped"), dry)
        XCTAssertTrue(dry.contains("    events #3\n"), dry)
        XCTAssertEqual(try jsonArray(try affdesk("conversions", "list", "--json", "--db", db)).count, 0, "a dry run writes nothing")
        XCTAssertEqual(try jsonArray(try affdesk("audit", "list", "--json", "--db", db)).count, auditBefore)
        XCTAssertEqual(try rejectedIDs(), [5, 4, 3])

        let since = try jsonObject(try affdesk("events", "replay", "--reason", "recurring_off", "--since", "2026-03-11",
                                               "--dry-run", "--json", "--db", db))
        XCTAssertEqual(since["events"] as? Int, 2)
        XCTAssertEqual((since["results"] as? [[String: Any]])?.map { $0["event"] as? Int }, [4, 3])

        let done = try affdesk("events", "replay", "--reason", "recurring_off", "--db", db).stdout
        XCTAssertTrue(done.hasPrefix("replayed 3 events in time order: 2 accepted, 1 not\n  #5 as event #6: accepted"), done)
        let paid = try jsonArray(try affdesk("conversions", "list", "--sort", "date", "--ascending", "--json", "--db", db))
        XCTAssertEqual(paid.map { $0["external_id"] as? String }, ["o1", "o2"], "the oldest first, up to the cap")
        XCTAssertEqual(try rejectedIDs().count, 2, "o3 (replayed, refused customer_capped) and its refused replay stay")

        // By ids: time order whatever the order given; unknown ids are refused before anything runs.
        let missing = try affdeskFailing("events", "replay", "3", "999", "--db", db)
        XCTAssertTrue(missing.stderr.contains("#999"), missing.stderr)
        let ids = try jsonObject(try affdesk("events", "replay", "3", "5", "--dry-run", "--json", "--db", db))
        XCTAssertEqual((ids["results"] as? [[String: Any]])?.map { $0["event"] as? Int }, [5, 3])
        let bad = try affdeskFailing("events", "replay", "--reason", "nonsense", "--db", db)
        XCTAssertTrue(bad.stderr.contains("--reason: \"nonsense\" is not a rejection reason code"), bad.stderr)
    }

    // MARK: The command line

    func testDbIsAGlobalOptionBeforeOrAfterTheCommand() throws {
        try setUpRecurringOff()
        let before = try affdesk("--db", db, "customers", "show", "cus_ada")
        XCTAssertTrue(before.stdout.hasPrefix("customer     cus_ada\n"), before.stdout)
        XCTAssertEqual(try affdesk("--db=\(db)", "customers", "list", "--json").stdout,
                       try affdesk("customers", "list", "--json", "--db", db).stdout)
        XCTAssertEqual(try affdesk("--db", db, "events", "list", "--rejected", "--json").stdout,
                       try affdesk("events", "list", "--rejected", "--db", db, "--json").stdout)
    }

    func testAnUnknownCommandNamesTheNearestOne() throws {
        let typo = try affdeskFailing("custmers", "list", "--db", db)
        XCTAssertEqual(typo.stderr, "Error: unknown command 'custmers', did you mean 'customers'? (affdesk --help lists the commands)\n")
        XCTAssertFalse(typo.stderr.contains("Usage: affdesk dashboard"), typo.stderr)
        let other = try affdeskFailing("--db", db, "trige", "x")
        XCTAssertTrue(other.stderr.contains("did you mean 'triage'?"), other.stderr)
        let far = try affdeskFailing("zzzzzzzz")
        XCTAssertTrue(far.stderr.contains("unknown command 'zzzzzzzz'; the commands are dashboard, init, "), far.stderr)
    }

    func testIngestSaysWhenNothingCouldBeReadAndWhyAFileCannotBeOpened() throws {
        try affdesk("init", "--db", db)
        let garbage = try write("garbage.jsonl", ["not json", "{\"type\":\"nope\"}"])
        let none = try affdeskFailing("ingest", garbage, "--db", db)
        XCTAssertTrue(none.stderr.contains("garbage.jsonl: nothing could be read: all 2 records were invalid"), none.stderr)
        // The wrong format: tracking lines read as Stripe events.
        let tracking = try write("tracking.jsonl", [#"{"type":"click","click_id":"c1","affiliate":"a","at":"2026-01-05T10:00:00Z"}"#])
        let wrong = try affdeskFailing("ingest", tracking, "--format", "stripe", "--db", db)
        XCTAssertTrue(wrong.stderr.contains("is --format stripe right?"), wrong.stdout + wrong.stderr)
        let woo = try affdeskFailing("ingest", tracking, "--format", "woocommerce", "--db", db)
        XCTAssertTrue(woo.stderr.contains("nothing could be read: all 1 record was of a kind affdesk does not act on (is --format woocommerce right?"),
                      woo.stdout + woo.stderr)
        // Partly readable: fine.
        let mixed = try write("mixed.jsonl", ["not json", #"{"type":"click","click_id":"c9","affiliate":"a","at":"2026-01-05T10:00:00Z"}"#])
        try affdesk("ingest", mixed, "--db", db)

        let missing = try affdeskFailing("ingest", "nosuch.jsonl", "--db", db)
        XCTAssertEqual(missing.stderr, "Error: nosuch.jsonl: cannot open the file: no such file\n")
        if geteuid() != 0 {
            let locked = try write("locked.jsonl", ["{}"])
            chmod(locked, 0o000)
            let denied = try affdeskFailing("ingest", locked, "--db", db)
            XCTAssertTrue(denied.stderr.contains("cannot open the file: permission denied"), denied.stderr)
        }
    }

    func testIngestDryRunDecidesAndReportsAndWritesNothing() throws {
        try setUpRecurringOff()
        let more = try write("more.jsonl", [
            #"{"type":"conversion","external_id":"inv_9","amount":"9.00","click_id":"clk_81","at":"2026-03-20T10:00:00Z"}"#,
            #"{"type":"click","click_id":"cx","affiliate":"nobody","at":"2026-03-20T10:00:00Z"}"#,
        ])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: db))
        let dry = try affdesk("ingest", more, "--dry-run", "--db", db).stdout
        XCTAssertTrue(dry.hasPrefix("more.jsonl: 2 recorded: 1 accepted, 1 rejected; 0 already ingested (unchanged)\n"), dry)
        XCTAssertTrue(dry.hasSuffix("dry run: nothing was written to \(db)\n"), dry)
        XCTAssertEqual(try jsonArray(try affdesk("events", "list", "--json", "--db", db)).count, 4)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), bytes)
        // For real, the same decisions.
        XCTAssertTrue(try affdesk("ingest", more, "--db", db).stdout.hasPrefix("more.jsonl: 2 recorded: 1 accepted, 1 rejected;"))
    }

    func testLimitSaysHowManyOfHowMany() throws {
        let demo = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: demo)
        let total = try jsonArray(try affdesk("customers", "list", "--json", "--db", demo)).count
        let grouped = Money.grouped(String(total))
        XCTAssertTrue(try affdesk("customers", "list", "--limit", "2", "--db", demo).stdout.hasSuffix("\n2 of \(grouped) customers\n"))
        XCTAssertTrue(try affdesk("customers", "list", "--db", demo).stdout.hasSuffix("\n\(grouped) customers\n"))
        XCTAssertNotNil(try affdesk("conversions", "list", "--limit", "2", "--db", demo).stdout
            .range(of: #"\n2 of \d{1,3}(,\d{3})* conversions\n$"#, options: .regularExpression))
        XCTAssertNotNil(try affdesk("events", "list", "--rejected", "--limit", "2", "--db", demo).stdout
            .range(of: #"\n2 of \d{1,3}(,\d{3})* events\n$"#, options: .regularExpression))
        XCTAssertTrue(try affdesk("affiliates", "list", "--limit", "2", "--db", demo).stdout.hasSuffix("\n2 of 36 affiliates\n"))
        XCTAssertNotNil(try affdesk("audit", "list", "--limit", "1", "--db", demo).stdout
            .range(of: #"\n1 of \d{1,3}(,\d{3})* audit entries\n$"#, options: .regularExpression))
    }

    func testAuditList() throws {
        try setUpRecurringOff()
        let rows = try jsonArray(try affdesk("audit", "list", "--json", "--db", db))
        XCTAssertEqual(rows.first?["action"] as? String, "affiliate.add", "newest first")
        XCTAssertEqual(rows.first?["target"] as? String, "alice")
        XCTAssertEqual(Set(rows.first?.keys.map { $0 } ?? []), ["id", "at", "who", "action", "target", "before", "after", "detail"])
        let text = try affdesk("audit", "list", "--filter", "affiliate", "--db", db).stdout
        XCTAssertTrue(text.hasPrefix("ID  DATE              WHO"), text)
        XCTAssertTrue(text.hasSuffix("1 audit entry\n"), text)
    }

    /// The command line uses the core's rule for codes (AffiliateCode): allowed characters, and
    /// codes differing only in case are one code.
    func testAffiliateCodesAreValidatedByTheCore() throws {
        try affdesk("init", "--db", db)
        try affdesk("affiliates", "add", "--code", "zoe", "--name", "Zoë", "--db", db)
        for (code, why) in [("bad code", "(found a space)"), ("a/b?c=d&e", #"(found "/")"#), (".x", "must start with a letter or a digit")] {
            let r = try affdeskFailing("affiliates", "add", "--code", code, "--name", "X", "--db", db)
            XCTAssertTrue(r.stderr.contains("code") && r.stderr.contains(why), "\(code): \(r.stderr)")
        }
        let upper = try affdeskFailing("affiliates", "add", "--code", "ZOE", "--name", "Zoe again", "--db", db)
        XCTAssertTrue(upper.stderr.contains("zoe"), upper.stderr)
        XCTAssertEqual(try jsonArray(try affdesk("affiliates", "list", "--json", "--db", db)).map { $0["code"] as? String }, ["zoe"])
        // Commands naming ZOE find zoe.
        try affdesk("affiliates", "disable", "ZOE", "--db", db)
        XCTAssertEqual(try jsonArray(try affdesk("affiliates", "list", "--json", "--db", db)).first?["disabled"] as? Bool, true)
    }

    /// `Assets/example-events.jsonl` after exactly the README's set-up (the demo, kept with --db).
    func testTheExampleEventsWorkAfterTheReadmeSetUp() throws {
        let demo = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: demo)
        let asset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Assets/example-events.jsonl").path
        let r = try affdesk("ingest", asset, "--json", "--db", demo)
        let summary = try jsonObject(r)
        XCTAssertEqual(summary["received"] as? Int, 11)
        let reasons = try XCTUnwrap(summary["by_reason"] as? [String: Int])
        // What each line is there to show: the deliberate refusals, and nothing else refused.
        XCTAssertEqual(reasons.filter { Reason(rawValue: $0.key)?.isRefusal ?? true },
                       ["unknown_affiliate": 1, "no_attribution": 1, "duplicate_external_id": 1, "invalid_event": 1])
        XCTAssertEqual(summary["accepted"] as? Int, 7)
        let u1 = try jsonObject(try affdesk("customers", "show", "u1", "--json", "--db", demo))
        XCTAssertEqual(u1["conversions"] as? Int, 2)
        XCTAssertEqual(u1["status"] as? String, "ended")
        XCTAssertNotNil(try jsonArray(try affdesk("conversions", "list", "--filter", "order_ex77", "--json", "--db", demo)).first)
    }
}
