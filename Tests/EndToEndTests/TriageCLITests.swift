import AttributionCore
import Foundation
import XCTest

/// `affdesk triage`, `events replay` and `conversions add --from-event`, run as support would.
final class TriageCLITests: CLITestCase {
    /// The number of conversions and their total commission, as `conversions list --json` says.
    func totals() throws -> (count: Int, commission: Int) {
        let rows = try jsonArray(try affdesk("conversions", "list", "--json", "--db", db))
        return (rows.count, rows.reduce(0) { $0 + ($1["commission_minor"] as? Int ?? 0) })
    }

    // MARK: Every reason

    /// Refusals of admin actions: printed to the admin at once, never an inbox event.
    static let adminOnly: Set<Reason> = [.transitionNotAllowed, .sameAffiliate]

    static let first: [String] = [
        #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:01:00Z"}"#,
        #"{"type":"click","click_id":"cx","affiliate":"nobody","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"click","click_id":"cd","affiliate":"dave","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u_unk","click_id":"c_missing","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"click","click_id":"c_old","affiliate":"bob","at":"2025-11-26T10:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u_old","click_id":"c_old","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u_none","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u1","click_id":"c1","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"trial","customer_key":"u1","click_id":"c1","at":"2026-01-05T11:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o1","amount":"29.00","customer_key":"u1","at":"2026-01-05T12:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o1","amount":"30.00","customer_key":"u1","at":"2026-01-05T13:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_zero","amount":"0.00","customer_key":"u1","at":"2026-01-05T14:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_trial","amount":"0","customer_key":"u_tr","click_id":"c1","first_payment":true,"at":"2026-01-05T15:00:00Z"}"#,
        #"{"type":"cancel","customer_key":"u_gone","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u_end","click_id":"c1","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"cancel","customer_key":"u_end","at":"2026-01-05T11:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_end","amount":"10.00","customer_key":"u_end","at":"2026-01-05T12:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u_cap","click_id":"c1","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_cap1","amount":"50.00","customer_key":"u_cap","at":"2026-01-05T11:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_cap2","amount":"50.00","customer_key":"u_cap","at":"2026-01-05T12:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_cap3","amount":"50.00","customer_key":"u_cap","at":"2026-01-05T13:00:00Z"}"#,
        #"{"type":"signup","customer_key":"u_cl","click_id":"c1","at":"2026-01-05T10:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_cl1","amount":"80.00","customer_key":"u_cl","at":"2026-01-05T11:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_cl2","amount":"50.00","customer_key":"u_cl","at":"2026-01-05T12:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_eur","amount":"10.00","currency":"EUR","customer_key":"u1","at":"2026-01-06T10:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_bad","amount":"ten","at":"2026-01-06T10:00:00Z"}"#,
    ]

    /// Ingested with Recurring off.
    static let second: [String] = [
        #"{"type":"conversion","external_id":"o_off","amount":"20.00","customer_key":"u1","at":"2026-01-07T10:00:00Z"}"#,
        #"{"type":"conversion","external_id":"o_ign","amount":"20.00","customer_key":"u1","click_id":"c1","at":"2026-01-07T10:00:00Z"}"#,
    ]

    /// For each reason an event can get, an identifier whose chain has it.
    static let ids: [Reason: String] = [
        .invalidEvent: "o_bad", .unknownAffiliate: "cx", .affiliateDisabled: "cd", .duplicateClick: "c1",
        .unknownClick: "u_unk", .clickExpired: "u_old", .noAttribution: "u_none", .alreadyTracked: "u1",
        .duplicateExternalID: "o1", .invalidAmount: "o_zero", .recurringOff: "o_off", .customerEnded: "o_end",
        .customerCapped: "o_cap3", .unknownCustomer: "u_gone", .currencyMismatch: "o_eur",
        .customerKeyIgnored: "o_ign", .trialNoCommission: "o_trial", .commissionClamped: "o_cl2", .capReached: "o_cap2",
        .renewalFirstSeen: "in_b1", .unpaidInvoice: "in_open", .unknownSubscription: "sub_X", .ignoredEventType: "evt_9",
        .orderNotPaid: "wc-1276", .unknownParentOrder: "wc-sub-20",
        .unknownSale: "re_x", .refundExceedsSale: "re_big", .refundCurrencyMismatch: "re_eur", .invalidRefundAmount: "re_zero",
        .refundAlreadyApplied: "re_twice", .disputeAlreadyRecorded: "dp_twice", .disputeOnPaid: "dp_paid",
        .refundReversed: "re_back", .refundAlreadyReversed: "re_back", .reversalAfterPayout: "re_pp",
    ]

    /// The ledger's reasons: refunds and disputes of the sales above, one of them paid out first.
    static let ledger: [String] = [
        #"{"type":"refund","external_id":"o_nope","refund_id":"re_x","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_cl1","refund_id":"re_big","amount":"80.01","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o1","refund_id":"re_eur","amount":"1.00","currency":"EUR","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o1","refund_id":"re_zero","amount":"0.00","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_cap1","refund_id":"re_twice","amount":"1.00","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_cap1","refund_id":"re_twice","amount":"1.00","at":"2026-01-10T10:00:00Z"}"#,
        #"{"type":"dispute","external_id":"o_cap2","dispute_id":"dp_twice","status":"opened","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"dispute","external_id":"o_cap2","dispute_id":"dp_twice","status":"opened","at":"2026-01-10T10:00:00Z"}"#,
        #"{"type":"dispute","external_id":"o_paid","dispute_id":"dp_paid","status":"opened","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_cap1","refund_id":"re_back","amount":"2.00","at":"2026-01-09T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_cap1","refund_id":"re_back","status":"failed","at":"2026-01-09T11:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_cap1","refund_id":"re_back","status":"failed","at":"2026-01-10T10:00:00Z"}"#,
        #"{"type":"refund","external_id":"o_paid","refund_id":"re_pp","status":"failed","at":"2026-01-09T10:00:00Z"}"#,
    ]

    static func stripeEvent(_ id: String, type: String = "invoice.paid", created: String, invoice: String) -> String {
        #"{"id":"\#(id)","object":"event","created":\#(created),"type":"\#(type)","data":{"object":\#(invoice)}}"#
    }

    static func invoice(_ id: String, sub: String, reason: String, paid: Int = 4900, metadata: String = "{}", status: String = "paid") -> String {
        #"{"id":"\#(id)","object":"invoice","amount_paid":\#(paid),"currency":"usd","status":"\#(status)","billing_reason":"\#(reason)","customer":"cus_1","subscription":"\#(sub)","subscription_details":{"metadata":\#(metadata)},"tax":0}"#
    }

    /// Stripe: a $0 trial then a first paid renewal (renewal_first_seen), an unpaid invoice, a
    /// renewal of an unknown subscription, an event type affdesk ignores.
    static let stripe: [String] = [
        stripeEvent("evt_t", created: "1767607800", invoice: invoice("in_t", sub: "sub_B", reason: "subscription_create", paid: 0,
                                                                    metadata: #"{"customer_key":"usr_bo","click_id":"c1"}"#)),
        stripeEvent("evt_b1", created: "1768816800", invoice: invoice("in_b1", sub: "sub_B", reason: "subscription_cycle",
                                                                     metadata: #"{"customer_key":"usr_bo"}"#)),
        stripeEvent("evt_open", type: "invoice.payment_failed", created: "1768903200",
                    invoice: invoice("in_open", sub: "sub_B", reason: "subscription_cycle", paid: 0, status: "open")),
        stripeEvent("evt_x", created: "1768903200", invoice: invoice("in_x", sub: "sub_X", reason: "subscription_cycle")),
        #"{"id":"evt_9","object":"event","created":1767607200,"type":"customer.created","data":{"object":{"id":"cus_9","object":"customer"}}}"#,
    ]

    /// WooCommerce: a subscription whose parent order was never seen, an unpaid renewal order.
    static let woo: [String] = [
        #"{"id":20,"parent_id":19,"status":"active","billing_period":"month","start_date_gmt":"2026-01-05T10:00:00"}"#,
        #"{"id":1276,"status":"pending","currency":"USD","total":"22.00","date_created_gmt":"2026-01-06T10:00:00","meta_data":[{"key":"_subscription_renewal","value":"1275"}],"order_type":"renewal_order"}"#,
    ]

    func testTriageOfEveryReasonNamesTheReasonItsSentenceAndItsFix() throws {
        XCTAssertEqual(Set(Self.ids.keys).union(Self.adminOnly), Set(Reason.allCases), "a reason with no triage scenario")
        try affdesk("init", "--model", "saas", "--name", "Every reason", "--db", db)
        try affdesk("program", "set", "--recurring", "on", "--commission", "10%", "--cap-count", "5", "--cap-amount", "10.00",
                    "--window", "30", "--db", db)
        for code in ["alice", "bob", "carol", "dave"] { try affdesk("affiliates", "add", "--code", code, "--name", code.capitalized, "--db", db) }
        try affdesk("affiliates", "disable", "dave", "--db", db)
        try affdesk("ingest", try write("first.jsonl", Self.first), "--db", db)
        try affdesk("ingest", "--format", "stripe", try write("stripe.json", Self.stripe), "--db", db)
        try affdesk("ingest", "--format", "woocommerce", try write("woo.json", Self.woo), "--db", db)
        try affdesk("program", "set", "--recurring", "off", "--db", db)
        try affdesk("ingest", try write("second.jsonl", Self.second), "--db", db)
        try affdesk("program", "set", "--holding-days", "0", "--db", db)
        try affdesk("ingest", try write("paid.jsonl", [
            #"{"type":"conversion","external_id":"o_paid","amount":"40.00","click_id":"c1","at":"2026-01-08T10:00:00Z"}"#,
            #"{"type":"refund","external_id":"o_paid","refund_id":"re_pp","amount":"4.00","at":"2026-01-08T10:00:00Z"}"#]), "--db", db)
        try affdesk("payouts", "create", "--through", "2026-01-08", "--db", db)
        for p in try jsonArray(try affdesk("payouts", "list", "--json", "--db", db)) {
            try affdesk("payouts", "mark-paid", String(try XCTUnwrap(p["id"] as? Int)), "--db", db)
        }
        try affdesk("ingest", try write("ledger.jsonl", Self.ledger), "--db", db)

        for (reason, id) in Self.ids.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let text = try affdesk("triage", id, "--db", db).stdout
            XCTAssertTrue(text.hasPrefix("\(id): "), "\(reason): \(text)")
            XCTAssertTrue(text.contains(reason.rawValue), "\(reason): triage \(id) does not name it:\n\(text)")
            XCTAssertTrue(text.contains(reason.sentence), "\(reason): triage \(id) lacks the sentence:\n\(text)")
            XCTAssertTrue(text.contains(reason.hint), "\(reason): triage \(id) lacks the fix:\n\(text)")

            let report = try jsonObject(try affdesk("triage", id, "--json", "--db", db))
            XCTAssertEqual(report["query"] as? String, id)
            XCTAssertEqual(report["found"] as? Bool, true)
            let events = try XCTUnwrap(report["events"] as? [[String: Any]])
            let hit = events.first { e in
                e["reason"] as? String == reason.rawValue
                    || (e["notes"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == reason.rawValue }
            }
            let e = try XCTUnwrap(hit, "\(reason): no event in triage \(id) --json")
            if reason.isRefusal {
                XCTAssertEqual(e["outcome"] as? String, "rejected")
                XCTAssertEqual(e["message"] as? String, reason.sentence)
                XCTAssertEqual(e["hint"] as? String, reason.hint)
            } else {
                XCTAssertEqual(e["outcome"] as? String, "accepted")
                let note = (e["notes"] as? [[String: Any]] ?? []).first { $0["code"] as? String == reason.rawValue }
                XCTAssertEqual(note?["sentence"] as? String, reason.sentence)
                XCTAssertEqual(note?["hint"] as? String, reason.hint)
            }
        }
        // The two refusals only admin actions get are printed with their sentence and fix at once.
        let status = try affdeskFailing("customers", "set-status", "u1", "Trial", "--db", db)
        XCTAssertTrue(status.stderr.contains("refused: transition_not_allowed: " + Reason.transitionNotAllowed.sentence), status.stderr)
        XCTAssertTrue(status.stderr.contains("fix: " + Reason.transitionNotAllowed.hint), status.stderr)
        let same = try affdeskFailing("customers", "reassign", "u1", "alice", "--db", db)
        XCTAssertTrue(same.stderr.contains("refused: same_affiliate: " + Reason.sameAffiliate.sentence), same.stderr)
        XCTAssertTrue(same.stderr.contains("fix: " + Reason.sameAffiliate.hint), same.stderr)
    }

    // MARK: The walkthrough

    /// The conversion missing because Recurring was off: triage says so and how to fix it; the
    /// fix; the replay credits it exactly once; replaying again changes nothing.
    func testARecurringOffConversionTriagedFixedAndReplayedOnce() throws {
        try affdesk("init", "--model", "saas", "--name", "Nimbus Notes", "--db", db)
        try affdesk("program", "set", "--recurring", "off", "--commission", "20%", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice Ødegaard", "--db", db)
        let file = try write("events.jsonl", [
            #"{"type":"click","click_id":"clk_81","affiliate":"alice","at":"2026-03-02T09:00:00Z"}"#,
            #"{"type":"signup","customer_key":"cus_ada","click_id":"clk_81","at":"2026-03-02T09:05:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2041","amount":"49.00","customer_key":"cus_ada","at":"2026-03-16T09:05:00Z"}"#,
        ])
        try affdesk("ingest", file, "--db", db)

        let before = try affdesk("triage", "inv_2041", "--db", db).stdout
        XCTAssertTrue(before.hasPrefix("inv_2041: external id\ntoday's settings: recurring off"), before)
        XCTAssertTrue(before.contains("click clk_81\n  affiliate alice (Alice Ødegaard)\n  recorded  2026-03-02 09:00\n"
                                      + "  age       when it tracked customer cus_ada: less than a day old (window 60 days): within the window\n"), before)
        XCTAssertTrue(before.contains("customer cus_ada\n  affiliate alice (Alice Ødegaard)\n  status    Trial (initial)\n"), before)
        XCTAssertTrue(before.contains("#3  2026-03-16 09:05  conversion from jsonl events.jsonl:3\n"), before)
        XCTAssertTrue(before.contains("  outcome   rejected recurring_off · affiliate alice\n"
                                      + "  why       \(Reason.recurringOff.sentence)\n"
                                      + "            customer_key cus_ada ignored and no click_id sent\n"
                                      + "  fix       \(Reason.recurringOff.hint)\n"), before)
        XCTAssertTrue(before.contains("  today     still refused recurring_off under today's settings"), before)
        XCTAssertEqual(try totals().count, 0)

        try affdesk("program", "set", "--recurring", "on", "--db", db)
        let fixed = try affdesk("triage", "inv_2041", "--db", db).stdout
        XCTAssertTrue(fixed.contains("  today     would be accepted: credited to alice for customer cus_ada; commission 9.80 USD to alice\n"
                                     + "            → affdesk events replay 3 applies it now (audited; it can never pay twice)"), fixed)

        let replayed = try affdesk("events", "replay", "3", "--db", db)
        XCTAssertEqual(replayed.stdout, """
            replayed event #3 (was rejected recurring_off) as event #4: accepted (credited to alice for customer cus_ada)
              credited inv_2041: 49.00 USD, commission 9.80 USD to alice

            """)
        XCTAssertEqual(try totals().count, 1)
        XCTAssertEqual(try totals().commission, 980)
        let customer = try jsonObject(try affdesk("customers", "show", "cus_ada", "--json", "--db", db))
        XCTAssertEqual(customer["status"] as? String, "active")
        XCTAssertEqual(customer["conversions"] as? Int, 1)
        XCTAssertEqual(customer["commission_minor"] as? Int, 980)

        // Again: refused as a duplicate (recorded), nothing paid; then not even recorded.
        let again = try affdesk("events", "replay", "3", "--db", db)
        XCTAssertEqual(again.stdout, "replayed event #3 (was rejected recurring_off) as event #5: already credited "
                       + "(inv_2041: 49.00 USD, commission 9.80 USD to alice); nothing pays twice\n")
        let third = try affdesk("events", "replay", "3", "--db", db)
        XCTAssertTrue(third.stdout.hasPrefix("event #3 was already replayed under these settings with the same outcome; nothing changed\n"),
                      third.stdout)
        let replayOfReplay = try jsonObject(try affdesk("events", "replay", "4", "--json", "--db", db))
        XCTAssertEqual(replayOfReplay["event"] as? Int, 3, "a replay of a replay replays the original")
        XCTAssertEqual(replayOfReplay["already_replayed"] as? Bool, true)
        // Nor by hand.
        let byHand = try affdeskFailing("conversions", "add", "--from-event", "3", "--db", db)
        XCTAssertTrue(byHand.stderr.contains("refused: duplicate_external_id"), byHand.stderr)
        XCTAssertEqual(try totals().count, 1)
        XCTAssertEqual(try totals().commission, 980)
        let after = try jsonObject(try affdesk("customers", "show", "cus_ada", "--json", "--db", db))
        XCTAssertEqual(after["conversions"] as? Int, 1)
        XCTAssertEqual(after["commission_minor"] as? Int, 980)

        // The chain now: the original, the two replays, the conversion, the audit.
        let report = try jsonObject(try affdesk("triage", "inv_2041", "--json", "--db", db))
        let events = try XCTUnwrap(report["events"] as? [[String: Any]])
        XCTAssertEqual(events.map { $0["id"] as? Int }, [3, 4, 5])
        XCTAssertEqual(events.map { $0["source"] as? String }, ["jsonl", "replay", "replay"])
        XCTAssertEqual(events.map { $0["outcome"] as? String }, ["rejected", "accepted", "rejected"])
        XCTAssertEqual(events.map { $0["replay_of"] as? Int }, [nil, 3, 3])
        XCTAssertEqual((events[0]["would_now"] as? [String: Any])?["reason"] as? String, "duplicate_external_id")
        XCTAssertEqual((events[1]["conversion"] as? [String: Any])?["commission_minor"] as? Int, 980)
        let audit = try XCTUnwrap(report["audit"] as? [[String: Any]])
        XCTAssertEqual(audit.map { $0["action"] as? String }, ["event.replay", "event.replay"])
        XCTAssertEqual(audit.map { $0["before"] as? String }, ["rejected recurring_off", "rejected recurring_off"])
        XCTAssertEqual(audit.map { $0["after"] as? String },
                       ["accepted commission 9.80 USD alice (event #4)", "rejected duplicate_external_id (event #5)"])
        XCTAssertFalse((audit[0]["who"] as? String ?? "").isEmpty)
        let text = try affdesk("triage", "inv_2041", "--db", db).stdout
        XCTAssertTrue(text.contains("  today     already credited: inv_2041 49.00 USD, commission 9.80 USD to alice; nothing pays twice"), text)
        XCTAssertTrue(text.contains("\nconversions\n  2026-03-16 09:05  inv_2041  49.00 USD  commission 9.80 USD  alice  customer cus_ada\n"), text)
    }

    // MARK: Manual override

    func testAConversionEventAddedByHand() throws {
        try affdesk("init", "--model", "saas", "--db", db)
        try affdesk("program", "set", "--recurring", "off", "--commission", "10%", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        try affdesk("affiliates", "add", "--code", "bob", "--name", "Bob", "--db", db)
        try affdesk("ingest", try write("events.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"signup","customer_key":"u1","click_id":"c1","at":"2026-01-05T10:05:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_1","amount":"29.00","customer_key":"u1","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2","amount":"12.00","at":"2026-01-06T11:00:00Z"}"#,
        ]), "--db", db)
        let added = try affdesk("conversions", "add", "--from-event", "3", "--db", db)
        XCTAssertEqual(added.stdout, "added conversion inv_1 by hand from event #3: 29.00 USD, commission 2.90 USD "
                       + "(credited to alice for customer u1)\n")
        let conversions = try jsonArray(try affdesk("conversions", "list", "--json", "--db", db))
        XCTAssertEqual(conversions.first?["manual"] as? Bool, true)
        XCTAssertEqual(conversions.first?["at"] as? String, "2026-01-06T10:00:00Z", "when the event says it was paid")
        let text = try affdesk("triage", "inv_1", "--db", db).stdout
        XCTAssertTrue(text.contains("customer u1  (by hand)"), text)
        XCTAssertTrue(text.contains("conversion.add  inv_1"), text)
        XCTAssertTrue(try affdeskFailing("conversions", "add", "--from-event", "3", "--db", db).stderr.contains("refused: duplicate_external_id"))

        // No customer and no click: the admin names the affiliate (and may correct the amount).
        let nobody = try affdeskFailing("conversions", "add", "--from-event", "4", "--db", db)
        XCTAssertTrue(nobody.stderr.contains("--affiliate: event #4 names no tracked customer and no click or affiliate to credit"), nobody.stderr)
        let bob = try affdesk("conversions", "add", "--from-event", "4", "--affiliate", "bob", "--amount", "15.00", "--db", db)
        XCTAssertEqual(bob.stdout, "added conversion inv_2 by hand from event #4: 15.00 USD, commission 1.50 USD "
                       + "(one-off credited by hand to bob)\n")
        // Options that contradict the event, events that are not conversions, events that do not exist.
        XCTAssertTrue(try affdeskFailing("conversions", "add", "--from-event", "4", "--external-id", "x", "--db", db).stderr
            .contains("--external-id: not with --from-event"))
        XCTAssertTrue(try affdeskFailing("conversions", "add", "--from-event", "1", "--db", db).stderr
            .contains("event #1: it is a click, not a conversion; only a conversion can be added by hand"))
        XCTAssertTrue(try affdeskFailing("conversions", "add", "--from-event", "99", "--db", db).stderr.contains(##"no event "#99""##))
        XCTAssertTrue(try affdeskFailing("events", "replay", "99", "--db", db).stderr.contains(##"no event "#99""##))
        XCTAssertTrue(try affdeskFailing("conversions", "add", "--amount", "5", "--db", db).stderr
            .contains("--external-id: required (or --from-event EVENT_ID)"))
    }

    // MARK: Unknown identifiers

    func testAnUnknownIdentifierSaysSoAndFails() throws {
        try affdesk("init", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        try affdesk("ingest", try write("events.jsonl", [
            #"{"type":"click","click_id":"clk_1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
        ]), "--db", db)
        let r = try affdeskFailing("triage", "clk", "--db", db)
        XCTAssertEqual(r.stdout, "")
        XCTAssertTrue(r.stderr.contains(#"nothing mentions "clk": no event, customer, click or conversion has it as an identifier"#), r.stderr)
        XCTAssertTrue(r.stderr.contains("identifiers starting with it: clk_1"), r.stderr)
        let j = try affdeskFailing("triage", "nope", "--json", "--db", db)
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(o["found"] as? Bool, false)
        XCTAssertEqual((o["events"] as? [Any])?.count, 0)
        // The click itself is found.
        XCTAssertTrue(try affdesk("triage", "clk_1", "--db", db).stdout.hasPrefix("clk_1: click id\n"))
    }
}
