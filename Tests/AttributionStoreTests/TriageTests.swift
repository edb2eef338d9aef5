import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import XCTest

/// Triage, replay and the manual override from an event, on temporary stores.
final class TriageTests: StoreTestCase {
    func reparse(_ store: Store) throws -> Reparser {
        let currency = try store.settings().currency
        return { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: currency) }
    }

    func triage(_ store: Store, _ id: String) throws -> TriageReport {
        try store.triage(id, reparse: try reparse(store))
    }

    // MARK: Every reason

    /// Refusals of admin actions: answered at once to the admin, never an inbox event.
    static let adminOnly: Set<Reason> = [.transitionNotAllowed, .sameAffiliate]

    /// A program where every reason an event can get occurs once; for each, an identifier whose
    /// triage shows it. Recurring is on for the first file and off for the second.
    func everyReasonStore() throws -> (Store, [Reason: String]) {
        let store = try self.store(ProgramSettings(name: "Every reason", model: .saas, recurring: true,
                                                   commission: .percent(basisPoints: 1000),
                                                   caps: Caps(count: 5, months: nil, amount: usd(1000)), windowDays: 30))
        _ = try store.addAffiliate(code: "dave", name: "Dave", who: "tester")
        try store.setAffiliateDisabled(code: "dave", disabled: true, who: "tester")
        let h: Int64 = 3600
        try ingest(store, [
            Line.click("c1", "alice"),
            Line.click("c1", "alice", t0.adding(seconds: 60)),                        // duplicate_click
            Line.click("cx", "nobody"),                                                // unknown_affiliate
            Line.click("cd", "dave"),                                                  // affiliate_disabled
            Line.track("signup", "u_unk", click: "c_missing"),                         // unknown_click
            Line.click("c_old", "bob", t0.adding(days: -40)),
            Line.track("signup", "u_old", click: "c_old"),                             // click_expired
            Line.track("signup", "u_none", click: nil),                                // no_attribution
            Line.track("signup", "u1", click: "c1"),
            Line.track("trial", "u1", click: "c1", t0.adding(seconds: h)),             // already_tracked
            Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: 2 * h)),
            Line.conversion("o1", "30.00", customer: "u1", t0.adding(seconds: 3 * h)), // duplicate_external_id
            Line.conversion("o_zero", "0.00", customer: "u1", t0.adding(seconds: 4 * h)), // invalid_amount
            Line.conversion("o_trial", "0", customer: "u_tr", click: "c1", t0.adding(seconds: 5 * h),
                            extra: #","first_payment":true"#),                         // trial_no_commission
            Line.cancel("u_gone"),                                                     // unknown_customer
            Line.track("signup", "u_end", click: "c1"),
            Line.cancel("u_end", t0.adding(seconds: h)),
            Line.conversion("o_end", "10.00", customer: "u_end", t0.adding(seconds: 2 * h)), // customer_ended
            Line.track("signup", "u_cap", click: "c1"),
            Line.conversion("o_cap1", "50.00", customer: "u_cap", t0.adding(seconds: h)),
            Line.conversion("o_cap2", "50.00", customer: "u_cap", t0.adding(seconds: 2 * h)), // cap_reached
            Line.conversion("o_cap3", "50.00", customer: "u_cap", t0.adding(seconds: 3 * h)), // customer_capped
            Line.track("signup", "u_cl", click: "c1"),
            Line.conversion("o_cl1", "80.00", customer: "u_cl", t0.adding(seconds: h)),
            Line.conversion("o_cl2", "50.00", customer: "u_cl", t0.adding(seconds: 2 * h)),  // commission_clamped
            #"{"type":"conversion","external_id":"o_eur","amount":"10.00","currency":"EUR","customer_key":"u1","at":"2026-01-06T10:00:00Z"}"#,
                                                                                       // currency_mismatch
            #"{"type":"conversion","external_id":"o_bad","amount":"ten","at":"2026-01-06T10:00:00Z"}"#, // invalid_event
        ], file: "first.jsonl")
        // The payment adapters' own reasons.
        let stripe = StripeFeed(file: "stripe.json")
        _ = try store.ingest(Self.stripeRecords.enumerated().compactMap { stripe.read(record: $0.element, line: $0.offset + 1) })
        let woo = WooCommerceFeed(file: "woo.json")
        _ = try store.ingest(Self.wooRecords.enumerated().compactMap { woo.read(record: $0.element, line: $0.offset + 1) })
        var s = try store.settings()
        s.recurring = false
        try store.updateSettings(s, who: "tester")
        try ingest(store, [
            Line.conversion("o_off", "20.00", customer: "u1", t0.adding(days: 2)),               // recurring_off
            Line.conversion("o_ign", "20.00", customer: "u1", click: "c1", t0.adding(days: 2)),  // customer_key_ignored
        ], file: "second.jsonl")
        try ledgerReasons(store)
        let ids: [Reason: String] = [
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
        return (store, ids)
    }

    /// The ledger's reasons: refunds and disputes of the sales above, one of them paid out first.
    func ledgerReasons(_ store: Store) throws {
        try store.updateLedgerSettings(LedgerSettings(holdingDays: 0), who: "tester")
        try ingest(store, [Line.conversion("o_paid", "40.00", click: "c1", t0.adding(days: 3)),
                           #"{"type":"refund","external_id":"o_paid","refund_id":"re_pp","amount":"4.00","at":"\#(t0.adding(days: 3).iso8601)"}"#],
                   file: "paid.jsonl")
        let run = try store.createPayouts(through: t0.adding(days: 3), minimum: nil, who: "tester")
        for p in run.created { _ = try store.markPayoutPaid(id: p.id, reference: nil, who: "tester") }
        let at = t0.adding(days: 4).iso8601
        func refund(_ ext: String, _ id: String, _ amount: String?, currency: String = "USD", at: String = at) -> String {
            #"{"type":"refund","external_id":"\#(ext)","refund_id":"\#(id)""#
                + (amount.map { #","amount":"\#($0)","currency":"\#(currency)""# } ?? "") + #","at":"\#(at)"}"#
        }
        func failed(_ ext: String, _ id: String, at: String = at) -> String {
            #"{"type":"refund","external_id":"\#(ext)","refund_id":"\#(id)","status":"failed","at":"\#(at)"}"#
        }
        func dispute(_ ext: String, _ id: String, _ status: String, at: String = at) -> String {
            #"{"type":"dispute","external_id":"\#(ext)","dispute_id":"\#(id)","status":"\#(status)","at":"\#(at)"}"#
        }
        try ingest(store, [
            refund("o_nope", "re_x", nil),                                             // unknown_sale
            refund("o_cl1", "re_big", "80.01"),                                        // refund_exceeds_sale
            refund("o1", "re_eur", "1.00", currency: "EUR"),                           // refund_currency_mismatch
            refund("o1", "re_zero", "0.00"),                                           // invalid_refund_amount
            refund("o_cap1", "re_twice", "1.00"),
            refund("o_cap1", "re_twice", "1.00", at: t0.adding(days: 5).iso8601),      // refund_already_applied
            dispute("o_cap2", "dp_twice", "opened"),
            dispute("o_cap2", "dp_twice", "opened", at: t0.adding(days: 5).iso8601),   // dispute_already_recorded
            dispute("o_paid", "dp_paid", "opened"),                                    // dispute_on_paid
            refund("o_cap1", "re_back", "2.00"),
            failed("o_cap1", "re_back"),                                               // refund_reversed
            failed("o_cap1", "re_back", at: t0.adding(days: 5).iso8601),               // refund_already_reversed
            failed("o_paid", "re_pp"),                                                 // reversal_after_payout
        ], file: "ledger.jsonl")
    }

    /// Stripe events: a $0 trial then a first paid renewal (renewal_first_seen), an unpaid
    /// invoice, a renewal of an unknown subscription, an event type affdesk ignores.
    static let stripeRecords: [String] = [
        stripeEvent("evt_t", at: t0.adding(seconds: 600), invoice: invoice("in_t", sub: "sub_B", reason: "subscription_create", paid: 0,
                                                                            metadata: #"{"customer_key":"usr_bo","click_id":"c1"}"#)),
        stripeEvent("evt_b1", at: t0.adding(days: 14), invoice: invoice("in_b1", sub: "sub_B", reason: "subscription_cycle",
                                                                          metadata: #"{"customer_key":"usr_bo"}"#)),
        stripeEvent("evt_open", type: "invoice.payment_failed", at: t0.adding(days: 15),
                    invoice: invoice("in_open", sub: "sub_B", reason: "subscription_cycle", paid: 0, status: "open")),
        stripeEvent("evt_x", at: t0.adding(days: 15), invoice: invoice("in_x", sub: "sub_X", reason: "subscription_cycle")),
        #"{"id":"evt_9","object":"event","created":1767607200,"type":"customer.created","data":{"object":{"id":"cus_9","object":"customer"}}}"#,
    ]

    /// WooCommerce: a subscription whose parent order was never seen, an unpaid renewal order.
    static let wooRecords: [String] = [
        #"{"id":20,"parent_id":19,"status":"active","billing_period":"month","start_date_gmt":"2026-01-05T10:00:00"}"#,
        #"{"id":1276,"status":"pending","currency":"USD","total":"22.00","date_created_gmt":"2026-01-06T10:00:00","meta_data":[{"key":"_subscription_renewal","value":"1275"}],"order_type":"renewal_order"}"#,
    ]

    static func stripeEvent(_ id: String, type: String = "invoice.paid", at: Instant, invoice: String) -> String {
        #"{"id":"\#(id)","object":"event","created":\#(at.seconds),"type":"\#(type)","data":{"object":\#(invoice)}}"#
    }

    static func invoice(_ id: String, sub: String, reason: String, paid: Int64 = 4900, metadata: String = "{}", status: String = "paid") -> String {
        #"{"id":"\#(id)","object":"invoice","amount_paid":\#(paid),"currency":"usd","status":"\#(status)","billing_reason":"\#(reason)","customer":"cus_1","subscription":"\#(sub)","subscription_details":{"metadata":\#(metadata)},"tax":0}"#
    }

    func testEveryReasonIsFoundAndExplainedByTriage() throws {
        let (store, ids) = try everyReasonStore()
        // Every code is either one an event can get (and the scenario has it) or an admin action's.
        XCTAssertEqual(Set(ids.keys).union(Self.adminOnly), Set(Reason.allCases), "a reason with no triage scenario")
        XCTAssertTrue(Set(ids.keys).isDisjoint(with: Self.adminOnly))
        for (reason, id) in ids.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let report = try triage(store, id)
            XCTAssertTrue(report.found, "\(reason): nothing found for \(id)")
            let hits = report.events.filter { $0.event.reasonCode == reason.rawValue || $0.event.notes.contains(reason) }
            XCTAssertFalse(hits.isEmpty, "\(reason): triage of \(id) shows no event with it: \(report.events.map { $0.event.reasonCode ?? $0.event.note ?? "ok" })")
            for h in hits {
                XCTAssertEqual(h.event.reason ?? (h.event.notes.contains(reason) ? reason : nil), reason)
                XCTAssertEqual(h.event.outcome == .rejected, reason.isRefusal, "\(reason)")
            }
            // In time order.
            let times = report.events.map { ($0.event.at ?? $0.event.receivedAt).seconds }
            XCTAssertEqual(times, times.sorted(), "\(reason): events out of order")
        }
        // The admin-only refusals come back from the admin actions, with their sentence and hint.
        XCTAssertEqual(try store.setStatus(customerKey: "u1", to: .initial, who: "tester").reason, .transitionNotAllowed)
        XCTAssertEqual(try store.reassign(customerKey: "u1", toAffiliate: "alice", who: "tester").reason, .sameAffiliate)
        try assertConsistent(store)
    }

    func testTheChainOfARecurringOffConversion() throws {
        let (store, _) = try everyReasonStore()
        let r = try triage(store, "o_off")
        XCTAssertEqual(r.matches, [.externalID])
        XCTAssertEqual(r.events.count, 1)
        let e = try XCTUnwrap(r.events.first)
        XCTAssertEqual(e.event.reason, .recurringOff)
        XCTAssertEqual(e.event.notes, [.customerKeyIgnored])
        XCTAssertEqual(e.affiliateCode, "alice", "the customer's affiliate")
        // Today (recurring still off) the same; with recurring on it would be credited.
        XCTAssertEqual(e.wouldNow?.reason, .recurringOff)
        // The customer, its caps, and its click with the age at the conversion.
        XCTAssertEqual(r.customers.map(\.row.key), ["u1"])
        let u1 = try XCTUnwrap(r.customers.first)
        XCTAssertEqual(u1.clickID, "c1")
        XCTAssertEqual(u1.progress.count?.used, 1)
        XCTAssertEqual(u1.progress.count?.limit, 5)
        XCTAssertEqual(u1.progress.amount?.used, 290)
        let click = try XCTUnwrap(r.clicks.first)
        XCTAssertEqual(click.clickID, "c1")
        XCTAssertTrue(click.recorded)
        XCTAssertEqual(click.affiliateCode, "alice")
        // The conversion does not name the click: its age is the one it had when it tracked u1.
        XCTAssertNil(click.ageEventID)
        XCTAssertEqual(click.ageCustomerKey, "u1")
        XCTAssertEqual(click.age, ClickAge(click: t0, at: t0, windowDays: 30))
        XCTAssertEqual(click.age?.withinWindow, true)
        XCTAssertEqual(click.age?.description, "less than a day old (window 30 days): within the window")
        // The one-off that names it is measured at itself.
        let named = try XCTUnwrap(try triage(store, "o_ign").clicks.first)
        XCTAssertEqual(named.ageEventID, try triage(store, "o_ign").events.first?.event.id)
        XCTAssertEqual(named.age?.description, "2 days old (window 30 days): within the window")

        var s = try store.settings()
        s.recurring = true
        try store.updateSettings(s, who: "tester")
        let again = try triage(store, "o_off").events[0]
        XCTAssertEqual(again.wouldNow?.isAccepted, true)
        XCTAssertEqual(again.wouldNow?.conversion?.commission, usd(200))
        XCTAssertEqual(again.wouldNowAffiliate, "alice")
    }

    func testAnExpiredClickShowsItsAgeAgainstTheWindow() throws {
        let (store, _) = try everyReasonStore()
        let r = try triage(store, "u_old")
        let click = try XCTUnwrap(r.clicks.first { $0.clickID == "c_old" })
        XCTAssertEqual(click.age?.withinWindow, false)
        XCTAssertEqual(click.age?.days, 40)
        XCTAssertEqual(r.events.first?.clickAge?.description, "40 days old (window 30 days): outside the window")
        // A click id nobody recorded.
        let unknown = try triage(store, "c_missing")
        XCTAssertEqual(unknown.clicks.map(\.recorded), [false])
        XCTAssertEqual(unknown.events.first?.event.reason, .unknownClick)
    }

    func testAnUnknownIdentifierIsNotFoundWithSuggestions() throws {
        let (store, _) = try everyReasonStore()
        let r = try triage(store, "o_ca")
        XCTAssertFalse(r.found)
        XCTAssertEqual(r.suggestions, ["o_cap1", "o_cap2", "o_cap3"])
        XCTAssertEqual(try triage(store, "zzz").suggestions, [])
    }

    func testAdapterReferencesAreSearchedExactlyAndByPrefix() throws {
        let store = try store()
        let raw = #"{"object":"event","id":"evt_1","data":"..."}"#
        let inbound = InboundEvent(source: "test-adapter", type: "invoice.paid", raw: raw, dedupeKey: "t:1",
                                   payload: .ignored(.invalidEvent, detail: "a test"), refs: ["evt_1", "in_ABC123", "sub_77"])
        _ = try store.ingest([inbound])
        for ref in ["evt_1", "in_ABC123", "sub_77"] {
            let r = try triage(store, ref)
            XCTAssertEqual(r.matches, [.reference], ref)
            XCTAssertEqual(r.events.map(\.event.type), ["invoice.paid"], ref)
            XCTAssertEqual(r.events.first?.refs, ["evt_1", "in_ABC123", "sub_77"])
            XCTAssertNil(r.events.first?.wouldNow, "an adapter nobody can read again")
        }
        // The inbox filter (the dashboard's /) by prefix; the raw text does not hold "in_ABC".
        XCTAssertEqual(try store.events(EventQuery(filter: "in_ABC")).count, 1)
        XCTAssertEqual(try store.events(EventQuery(filter: "sub_7")).count, 1)
        XCTAssertEqual(try store.events(EventQuery(filter: "in_ABD")).count, 0)
    }

    func testTheFilterMatchesIdentifiersByPrefix() throws {
        let (store, _) = try everyReasonStore()
        let caps = try store.events(EventQuery(filter: "o_cap")).compactMap(\.externalID)
        XCTAssertEqual(Set(caps), ["o_cap1", "o_cap2", "o_cap3"])
        XCTAssertEqual(try store.events(EventQuery(filter: "u_cl")).count, 3)
        XCTAssertEqual(try store.events(EventQuery(rejectedOnly: true, filter: "u_cl")).count, 0)
    }

    // MARK: Replay

    func testReplayCreditsOnceAndNeverTwice() throws {
        let (store, _) = try everyReasonStore()
        let event = try XCTUnwrap(triage(store, "o_off").events.first?.event)
        let conversionsBefore = try allConversions(store).count
        // Nothing to gain with today's settings: the replay is recorded, refused the same way.
        let refused = try store.replay(eventID: event.id, who: "support", reparse: reparse(store))
        XCTAssertEqual(refused.decision.reason, .recurringOff)
        XCTAssertNotNil(refused.replayEventID)
        XCTAssertEqual(try allConversions(store).count, conversionsBefore)
        // The same again: nothing new is written at all.
        let version = try store.dataVersion()
        XCTAssertTrue(try store.replay(eventID: event.id, who: "support", reparse: reparse(store)).alreadyReplayed)
        XCTAssertEqual(try store.dataVersion(), version)

        var s = try store.settings()
        s.recurring = true
        try store.updateSettings(s, who: "tester")
        let credited = try store.replay(eventID: event.id, who: "support", reparse: reparse(store))
        XCTAssertTrue(credited.decision.isAccepted)
        XCTAssertEqual(credited.affiliateCode, "alice")
        let conv = try XCTUnwrap(try store.conversion(externalID: "o_off"))
        XCTAssertEqual(conv.commission, usd(200))
        XCTAssertEqual(conv.customerKey, "u1")
        XCTAssertFalse(conv.manual)
        let u1 = try customer(store, "u1")
        // Twice more: refused as a duplicate once (recorded), then nothing at all.
        let dup = try store.replay(eventID: event.id, who: "support", reparse: reparse(store))
        XCTAssertEqual(dup.decision.reason, .duplicateExternalID)
        XCTAssertNotNil(dup.replayEventID)
        XCTAssertTrue(try store.replay(eventID: event.id, who: "support", reparse: reparse(store)).alreadyReplayed)
        // A replay of the replay replays the original: still a duplicate.
        let ofReplay = try store.replay(eventID: try XCTUnwrap(credited.replayEventID), who: "support", reparse: reparse(store))
        XCTAssertEqual(ofReplay.original.id, event.id)
        XCTAssertEqual(ofReplay.decision.reason, .duplicateExternalID)
        XCTAssertEqual(try allConversions(store).count, conversionsBefore + 1)
        XCTAssertEqual(try customer(store, "u1").conversions, u1.conversions)
        XCTAssertEqual(try customer(store, "u1").commission, u1.commission)

        // The chain shows the replays, linked to the original, and the audit entries.
        let r = try triage(store, "o_off")
        XCTAssertEqual(r.events.map(\.event.source), ["jsonl", "replay", "replay", "replay"])
        XCTAssertEqual(r.events.dropFirst().map(\.replayOf), [event.id, event.id, event.id])
        XCTAssertEqual(r.events.map(\.event.outcome), [.rejected, .rejected, .accepted, .rejected])
        XCTAssertEqual(r.events[2].conversion?.externalID, "o_off")
        XCTAssertEqual(r.events[2].event.detail, "replay of event #\(event.id); credited to alice for customer u1")
        XCTAssertEqual(r.events.first?.wouldNow?.reason, .duplicateExternalID, "today: already credited")
        XCTAssertEqual(r.audit.map(\.action), ["event.replay", "event.replay", "event.replay"])
        XCTAssertEqual(r.audit.map(\.who), ["support", "support", "support"])
        XCTAssertEqual(r.audit.map(\.target), Array(repeating: "event #\(event.id)", count: 3))
        XCTAssertEqual(r.audit.map(\.before), Array(repeating: "rejected recurring_off", count: 3))
        XCTAssertEqual(r.audit[1].after, "accepted commission 2.00 USD alice (event #\(credited.replayEventID!))")
        XCTAssertEqual(r.conversions.map(\.externalID), ["o_off"])
        try assertConsistent(store)
    }

    func testReplayAfterAnAdminFixIsRecordedAgain() throws {
        let (store, _) = try everyReasonStore()
        var s = try store.settings()
        s.recurring = true
        try store.updateSettings(s, who: "tester")
        let ended = try XCTUnwrap(triage(store, "o_end").events.first?.event)
        XCTAssertEqual(try store.replay(eventID: ended.id, who: "support", reparse: reparse(store)).decision.reason, .customerEnded)
        // The fix the hint names: the status back to active (settings unchanged), then replay.
        XCTAssertTrue(try store.setStatus(customerKey: "u_end", to: .active, who: "support").isAccepted)
        let r = try store.replay(eventID: ended.id, who: "support", reparse: reparse(store))
        XCTAssertTrue(r.decision.isAccepted, "\(r.decision)")
        XCTAssertNotNil(try store.conversion(externalID: "o_end"))
        try assertConsistent(store)
    }

    func testEventsThatCannotBeReadAgainAreNotReplayed() throws {
        let (store, _) = try everyReasonStore()
        let bad = try XCTUnwrap(triage(store, "o_bad").events.first)
        XCTAssertEqual(bad.event.reason, .invalidEvent)
        XCTAssertNil(bad.wouldNow)
        XCTAssertThrowsError(try store.replay(eventID: bad.event.id, who: "support", reparse: reparse(store))) { error in
            XCTAssertEqual("\(error)", "event #\(bad.event.id): its jsonl payload does not read as an event, so it cannot be replayed; "
                           + "fix it at the source and ingest it again")
        }
        XCTAssertThrowsError(try store.replay(eventID: 999_999, who: "support", reparse: reparse(store))) { error in
            XCTAssertEqual(error as? StoreError, .notFound(what: "event", value: "#999999"))
        }
        let ro = try store.readOnlyCopy()
        XCTAssertThrowsError(try ro.replay(eventID: 1, who: "support", reparse: reparse(store))) { error in
            XCTAssertEqual(error as? StoreError, .readOnly(path: store.path))
        }
    }

    // MARK: Manual conversion from an event

    func testAConversionEventAddedByHand() throws {
        let (store, _) = try everyReasonStore()
        let event = try XCTUnwrap(triage(store, "o_off").events.first?.event)
        let draft = try store.manualDraft(eventID: event.id, reparse: reparse(store))
        XCTAssertEqual(draft.externalID, "o_off")
        XCTAssertEqual(draft.amount, usd(2000))
        XCTAssertEqual(draft.at, t0.adding(days: 2))
        XCTAssertEqual(draft.customerKey, "u1")
        XCTAssertEqual(draft.affiliateCode, "alice")
        XCTAssertEqual(draft.creditedBy, .customer)
        let d = try store.addManualConversion(draft, who: "support")
        XCTAssertTrue(d.isAccepted, "\(d)")
        let conv = try XCTUnwrap(try store.conversion(externalID: "o_off"))
        XCTAssertTrue(conv.manual)
        XCTAssertEqual(conv.at, t0.adding(days: 2))
        XCTAssertEqual(conv.affiliateCode, "alice")
        // Never twice, by hand or by replay.
        XCTAssertEqual(try store.addManualConversion(draft, who: "support").reason, .duplicateExternalID)
        XCTAssertEqual(try store.replay(eventID: event.id, who: "support", reparse: reparse(store)).decision.reason, .duplicateExternalID)
        let r = try triage(store, "o_off")
        XCTAssertEqual(r.conversions.map(\.manual), [true])
        let audit = try XCTUnwrap(r.audit.first { $0.action == "conversion.add" })
        XCTAssertEqual(audit.who, "support")
        XCTAssertEqual(audit.detail, "by hand from event #\(event.id)")
        try assertConsistent(store)
    }

    func testWhomAManualConversionCredits() throws {
        let (store, _) = try everyReasonStore()
        // No customer, no click: nobody is named; the admin must choose.
        try ingest(store, [Line.conversion("o_nobody", "12.00")], file: "third.jsonl")
        let nobody = try store.manualDraft(eventID: try XCTUnwrap(triage(store, "o_nobody").events.first?.event.id), reparse: reparse(store))
        XCTAssertEqual(nobody.creditedBy, .none)
        XCTAssertNil(nobody.affiliateCode)
        let d = try store.addManualConversion(nobody, affiliateCode: "carol", amount: usd(1500), who: "support")
        XCTAssertTrue(d.isAccepted)
        XCTAssertEqual(try store.conversion(externalID: "o_nobody")?.amount, usd(1500))
        XCTAssertEqual(try store.conversion(externalID: "o_nobody")?.commission, usd(500), "carol's fixed commission")
        // An untracked customer key with a known click: the click's affiliate, as a one-off.
        try ingest(store, [Line.conversion("o_new", "12.00", customer: "u_new", click: "c_old", t0.adding(days: 30))], file: "fourth.jsonl")
        let viaClick = try store.manualDraft(eventID: try XCTUnwrap(triage(store, "o_new").events.first?.event.id), reparse: reparse(store))
        XCTAssertEqual(viaClick.untrackedCustomerKey, "u_new")
        XCTAssertNil(viaClick.customerKey)
        XCTAssertEqual(viaClick.affiliateCode, "bob")
        XCTAssertEqual(viaClick.creditedBy, .click)
        // Not a conversion.
        let click = try XCTUnwrap(triage(store, "cx").events.first?.event)
        XCTAssertThrowsError(try store.manualDraft(eventID: click.id, reparse: reparse(store))) { error in
            XCTAssertEqual("\(error)", "event #\(click.id): it is a click, not a conversion; only a conversion can be added by hand")
        }
    }
}
