import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import XCTest

final class IngestTests: StoreTestCase {
    static let hour: Int64 = 3600
    static let day: Int64 = 86_400

    /// A hand-written file: every outcome the feed and the core can give, a blank line, two
    /// malformed lines in the middle and an unknown type. Line numbers are the file's.
    static let lines: [String] = {
        let h = hour, d = day
        return [
            /*  1 */ Line.click("c1", "alice", t0),
            /*  2 */ Line.click("c2", "bob", t0.adding(seconds: 60)),
            /*  3 */ Line.click("c3", "carol", t0.adding(seconds: 120)),
            /*  4 */ Line.click("c1", "alice", t0.adding(seconds: 180)),
            /*  5 */ Line.click("c4", "nobody", t0.adding(seconds: 240)),
            /*  6 */ "",
            /*  7 */ Line.track("trial", "u1", click: "c1", t0.adding(seconds: h)),
            /*  8 */ Line.track("signup", "u2", click: "c2", t0.adding(seconds: h)),
            /*  9 */ Line.track("lead", "u3", click: "c1", t0.adding(seconds: h)),
            /* 10 */ Line.track("trial", "u1", click: "c2", t0.adding(seconds: 2 * h)),
            /* 11 */ Line.track("trial", "u9", click: "cX", t0.adding(seconds: 2 * h)),
            /* 12 */ Line.track("signup", "u8", click: nil, t0.adding(seconds: 2 * h)),
            /* 13 */ Line.conversion("o1", "29.00", customer: "u1", t0.adding(seconds: d)),
            /* 14 */ Line.conversion("o2", "49.90", customer: "u2", t0.adding(seconds: d)),
            /* 15 */ #"{"type":"conversion","external_id":"o3","amount":"abc","currency":"USD","customer_key":"u1","at":"2026-01-06T10:00:00Z"}"#,
            /* 16 */ "this is not json",
            /* 17 */ Line.conversion("o1", "30.00", customer: "u1", t0.adding(seconds: d + 30)),
            /* 18 */ Line.conversion("o4", "10.00", click: "c3", t0.adding(seconds: d)),
            /* 19 */ Line.conversion("o5", "10.00", t0.adding(seconds: d)),
            /* 20 */ Line.conversion("o6", "19.99", customer: "u1", t0.adding(seconds: 2 * d)),
            /* 21 */ Line.cancel("u3", t0.adding(seconds: 3 * d)),
            /* 22 */ Line.conversion("o7", "10.00", customer: "u3", t0.adding(seconds: 4 * d)),
            /* 23 */ Line.cancel("ghost", t0.adding(seconds: 4 * d)),
            /* 24 */ Line.conversion("o8", "0.00", customer: "u1", t0.adding(seconds: 5 * d)),
            /* 25 */ Line.conversion("o9", "-1.00", click: "c1", t0.adding(seconds: 5 * d)),
            /* 26 */ Line.conversion("o10", "100.00", customer: "u4", click: "c2", t0.adding(seconds: 5 * d)),
            /* 27 */ Line.conversion("o11", "0.00", customer: "u5", click: "c3", t0.adding(seconds: 5 * d), extra: #","first_payment":true"#),
            /* 28 */ Line.track("trial", "u6", click: "c1", t0.adding(seconds: 70 * d)),
            /* 29 */ #"{"type":"payout","external_id":"o1","at":"2026-01-20T10:00:00Z"}"#,
        ]
    }()

    /// (line, outcome, reason or note)
    static let expected: [(Int, Decision.Outcome, String?)] = [
        (1, .accepted, nil), (2, .accepted, nil), (3, .accepted, nil), (4, .rejected, "duplicate_click"),
        (5, .rejected, "unknown_affiliate"), (7, .accepted, nil), (8, .accepted, nil), (9, .accepted, nil),
        (10, .rejected, "already_tracked"), (11, .rejected, "unknown_click"), (12, .rejected, "no_attribution"),
        (13, .accepted, nil), (14, .accepted, nil), (15, .rejected, "invalid_event"), (16, .rejected, "invalid_event"),
        (17, .rejected, "duplicate_external_id"), (18, .accepted, nil), (19, .rejected, "no_attribution"), (20, .accepted, nil),
        (21, .accepted, nil), (22, .rejected, "customer_ended"), (23, .rejected, "unknown_customer"), (24, .rejected, "invalid_amount"),
        (25, .rejected, "invalid_amount"), (26, .accepted, nil), (27, .accepted, "trial_no_commission"), (28, .rejected, "click_expired"),
        (29, .rejected, "invalid_event"),
    ]

    func scenario() throws -> (Store, IngestSummary) {
        let s = try store()
        let summary = try ingestFile(s, IngestTests.lines.joined(separator: "\n") + "\n")
        return (s, summary)
    }

    func testOutcomesAndReasonsPerLine() throws {
        let (s, summary) = try scenario()
        let events = try allEvents(s)
        XCTAssertEqual(events.count, 28)
        XCTAssertEqual(events.map { $0.line ?? -1 }, IngestTests.expected.map(\.0))
        for (e, (line, outcome, code)) in zip(events, IngestTests.expected) {
            XCTAssertEqual(e.outcome, outcome, "line \(line)")
            XCTAssertEqual(e.reasonCode ?? e.note, code, "line \(line): \(e.detail ?? "")")
            XCTAssertEqual(e.file, "events.jsonl", "line \(line)")
            XCTAssertEqual(e.source, "jsonl")
            XCTAssertEqual(e.raw, IngestTests.lines[line - 1], "line \(line)")
            XCTAssertEqual(e.receivedAt, now)
        }
        XCTAssertEqual(summary.received, 28)
        XCTAssertEqual(summary.accepted, 13)
        XCTAssertEqual(summary.rejected, 15)
        XCTAssertEqual(summary.alreadyIngested, 0)
        XCTAssertEqual(summary.byReason, [
            "duplicate_click": 1, "unknown_affiliate": 1, "already_tracked": 1, "unknown_click": 1, "no_attribution": 2,
            "invalid_event": 3, "duplicate_external_id": 1, "customer_ended": 1, "unknown_customer": 1, "invalid_amount": 2,
            "click_expired": 1, "trial_no_commission": 1,
        ])
        XCTAssertEqual(summary.firstEventID, events.first?.id)
        XCTAssertEqual(summary.lastEventID, events.last?.id)
        XCTAssertEqual(summary.invalid, [
            #"events.jsonl:15: amount: "abc" is not a decimal amount"#,
            "events.jsonl:16: not valid JSON: unexpected character at column 2",
            #"events.jsonl:29: type: unknown type "payout"; expected click, trial, lead, signup, conversion, cancel, refund or dispute"#,
        ])
        XCTAssertEqual(try s.eventTotals().accepted, 13)
        XCTAssertEqual(try s.eventTotals().rejected, 15)
        let counts = try s.rejectionCounts()
        XCTAssertEqual(counts.first?.reason, "invalid_event")
        XCTAssertEqual(counts.first?.count, 3)
        XCTAssertEqual(counts.reduce(0) { $0 + $1.count }, 15)
        try assertConsistent(s)
    }

    func testMalformedLinesRecordFileLineAndFieldAndTheRestIsApplied() throws {
        let (s, _) = try scenario()
        let events = try allEvents(s)
        func at(_ line: Int) throws -> EventRow { try XCTUnwrap(events.first { $0.line == line }) }
        let bad = try at(15)
        XCTAssertEqual(bad.type, "conversion")
        XCTAssertEqual(bad.field, "amount")
        XCTAssertEqual(bad.reason, .invalidEvent)
        XCTAssertEqual(bad.detail, #"events.jsonl:15: amount: "abc" is not a decimal amount"#)
        XCTAssertEqual(bad.message, Reason.invalidEvent.sentence)
        XCTAssertNil(bad.conversionID)
        XCTAssertNil(bad.at)
        let notJSON = try at(16)
        XCTAssertEqual(notJSON.type, "unknown")
        XCTAssertNil(notJSON.field)
        XCTAssertEqual(notJSON.raw, "this is not json")
        let refund = try at(29)
        XCTAssertEqual(refund.type, "payout")
        XCTAssertEqual(refund.field, "type")
        // o3 (the bad line) was never credited; everything after it was applied.
        XCTAssertNil(try s.conversion(externalID: "o3"))
        XCTAssertNotNil(try s.conversion(externalID: "o6"))
        XCTAssertNotNil(try s.customer(key: "u4"))
        // Triage finds an invalid line by the text it carries.
        XCTAssertEqual(try s.events(EventQuery(filter: "o3")).map(\.line), [15])
    }

    func testCustomersConversionsAndCommissions() throws {
        let (s, _) = try scenario()
        let ids = Dictionary(uniqueKeysWithValues: try s.affiliates().map { ($0.code, $0.id) })
        let customers = try allCustomers(s)
        XCTAssertEqual(customers.map(\.key), ["u1", "u2", "u3", "u4", "u5"])
        struct C: Equatable { var key: String, aff: String, number: Int64, status: CustomerStatus, conversions: Int, commission: Money? }
        XCTAssertEqual(customers.map { C(key: $0.key, aff: $0.affiliateCode, number: $0.number, status: $0.status,
                                         conversions: $0.conversions, commission: $0.commission) }, [
            C(key: "u1", aff: "alice", number: 1, status: .active, conversions: 2, commission: usd(490)),
            C(key: "u2", aff: "bob", number: 1, status: .active, conversions: 1, commission: usd(499)),
            C(key: "u3", aff: "alice", number: 2, status: .ended, conversions: 0, commission: nil),
            C(key: "u4", aff: "bob", number: 2, status: .active, conversions: 1, commission: usd(1000)),
            C(key: "u5", aff: "carol", number: 1, status: .initial, conversions: 0, commission: nil),
        ])
        let u1 = try customer(s, "u1")
        XCTAssertEqual(u1.affiliateID, ids["alice"])
        XCTAssertEqual(u1.affiliateName, "Alice")
        XCTAssertEqual(u1.createdAt, t0.adding(seconds: IngestTests.hour))
        XCTAssertEqual(u1.firstCommissionAt, t0.adding(seconds: IngestTests.day))
        XCTAssertEqual(u1.lastActivityAt, t0.adding(seconds: 2 * IngestTests.day))
        // A cancel is activity too.
        XCTAssertEqual(try customer(s, "u3").lastActivityAt, t0.adding(seconds: 3 * IngestTests.day))
        XCTAssertNil(try customer(s, "u3").firstCommissionAt)

        let conversions = try allConversions(s)
        struct V: Equatable { var id: String, customer: String?, number: Int64?, aff: String, amount: Money, commission: Money }
        XCTAssertEqual(conversions.map { V(id: $0.externalID, customer: $0.customerKey, number: $0.customerNumber, aff: $0.affiliateCode,
                                           amount: $0.amount, commission: $0.commission) }, [
            V(id: "o1", customer: "u1", number: 1, aff: "alice", amount: usd(2900), commission: usd(290)),
            V(id: "o10", customer: "u4", number: 2, aff: "bob", amount: usd(10_000), commission: usd(1000)),
            V(id: "o2", customer: "u2", number: 1, aff: "bob", amount: usd(4990), commission: usd(499)),
            V(id: "o4", customer: nil, number: nil, aff: "carol", amount: usd(1000), commission: usd(500)),
            V(id: "o6", customer: "u1", number: 1, aff: "alice", amount: usd(1999), commission: usd(200)),
        ])
        XCTAssertEqual(try s.conversion(externalID: "o4")?.clickID, "c3")
        XCTAssertNil(try s.conversion(externalID: "o1")?.clickID, "a customer's conversion is credited by customer, not click")
        XCTAssertEqual(conversions.filter(\.manual), [])

        let summaries = Dictionary(uniqueKeysWithValues: try s.affiliateSummaries().map { ($0.affiliate.code, $0) })
        XCTAssertEqual(summaries["alice"]?.customers, 2)
        XCTAssertEqual(summaries["alice"]?.conversions, 2)
        XCTAssertEqual(summaries["alice"]?.earnings, 490)
        XCTAssertEqual(summaries["bob"]?.customers, 2)
        XCTAssertEqual(summaries["bob"]?.earnings, 1499)
        XCTAssertEqual(summaries["carol"]?.customers, 1)
        XCTAssertEqual(summaries["carol"]?.conversions, 1)
        XCTAssertEqual(summaries["carol"]?.earnings, 500)
        XCTAssertEqual(try s.customerStatusCounts(), [.active: 3, .ended: 1, .initial: 1])
        XCTAssertEqual(try s.monthlyCommission(affiliateID: ids["alice"]!), [MonthAmount(month: "2026-01", minor: 490)])
        XCTAssertEqual(try s.monthlyRevenue(customerID: u1.id), [MonthAmount(month: "2026-01", minor: 4899)])
    }

    func testInboxLinksEventsToWhatTheyWrote() throws {
        let (s, _) = try scenario()
        let events = try allEvents(s)
        let o1 = try XCTUnwrap(try s.conversion(externalID: "o1"))
        let u1 = try customer(s, "u1")
        let e13 = try XCTUnwrap(events.first { $0.line == 13 })
        XCTAssertEqual(e13.conversionID, o1.id)
        XCTAssertEqual(e13.customerID, u1.id)
        XCTAssertEqual(e13.customerKey, "u1")
        XCTAssertEqual(e13.externalID, "o1")
        XCTAssertEqual(e13.affiliateID, u1.affiliateID)
        XCTAssertEqual(e13.at, t0.adding(seconds: IngestTests.day))
        XCTAssertEqual(e13.message, "Accepted.")
        XCTAssertEqual(e13.type, "conversion")
        let e17 = try XCTUnwrap(events.first { $0.line == 17 })
        XCTAssertNil(e17.conversionID)
        XCTAssertEqual(e17.externalID, "o1")
        XCTAssertEqual(e17.detail, "external id o1 was credited before")
        XCTAssertEqual(e17.message, Reason.duplicateExternalID.sentence)
        let e27 = try XCTUnwrap(events.first { $0.line == 27 })
        XCTAssertEqual(e27.notes, [.trialNoCommission])
        XCTAssertEqual(e27.message, Reason.trialNoCommission.sentence)
        XCTAssertEqual(e27.customerID, try customer(s, "u5").id)
        XCTAssertNil(e27.conversionID)
        let e28 = try XCTUnwrap(events.first { $0.line == 28 })
        XCTAssertEqual(e28.reason, .clickExpired)
        XCTAssertEqual(e28.affiliateID, try s.affiliate(code: "alice")?.id)
        XCTAssertEqual(e28.clickRef, "c1")

        // Triage: every event about u1, by its key.
        XCTAssertEqual(try s.events(EventQuery(filter: "u1")).map { $0.line ?? 0 }.sorted(), [7, 10, 13, 15, 17, 20, 24])
        XCTAssertEqual(try s.events(EventQuery(customerID: u1.id)).map { $0.line ?? 0 }.sorted(), [7, 13, 20])
        XCTAssertEqual(try s.events(EventQuery(rejectedOnly: true, reason: "invalid_amount")).map { $0.line ?? 0 }, [25, 24])
        XCTAssertEqual(try s.events(EventQuery(reason: "trial_no_commission")).map { $0.line ?? 0 }, [27])
        XCTAssertEqual(try s.eventCount(EventQuery(rejectedOnly: true)), 15)
        XCTAssertEqual(try s.events(EventQuery(filter: "c3")).map { $0.line ?? 0 }.sorted(), [3, 18, 27])
        XCTAssertEqual(try s.event(id: e13.id), e13)
    }

    func testIngestingTheSameInputTwiceChangesNothing() throws {
        let (s, first) = try scenario()
        let before = try snapshot(s)
        let again = try ingestFile(s, IngestTests.lines.joined(separator: "\n") + "\n")
        XCTAssertEqual(again.alreadyIngested, first.received)
        XCTAssertEqual(again.alreadyIngested, 28)
        XCTAssertEqual(again.received, 0)
        XCTAssertEqual(again.accepted, 0)
        XCTAssertEqual(again.rejected, 0)
        XCTAssertEqual(again.byReason, [:])
        XCTAssertNil(again.firstEventID)
        XCTAssertEqual(try snapshot(s), before)
        // A longer file with the same beginning: only the new line is recorded.
        let more = try ingestFile(s, (IngestTests.lines + [Line.conversion("o20", "5.00", customer: "u2", t0.adding(seconds: 6 * 86_400))])
            .joined(separator: "\n"))
        XCTAssertEqual(more.alreadyIngested, 28)
        XCTAssertEqual(more.received, 1)
        XCTAssertEqual(more.accepted, 1)
        XCTAssertEqual(try customer(s, "u2").conversions, 2)
        XCTAssertNotEqual(try snapshot(s), before)
        try assertConsistent(s)
    }

    func testAReplayedConversionWithADifferentBodyIsPaidOnce() throws {
        let s = try store()
        let r = try ingest(s, [
            Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
            Line.conversion("inv_1", "29.00", customer: "u1", t0.adding(seconds: 60)),
            Line.conversion("inv_1", "29.00", customer: "u1", t0.adding(seconds: 90), extra: #","retry":1"#),
            Line.conversion("inv_1", "99.00", customer: "u1", t0.adding(seconds: 120)),
            // The exact same line again is the same event, already recorded.
            Line.conversion("inv_1", "29.00", customer: "u1", t0.adding(seconds: 60)),
        ])
        XCTAssertEqual(r.received, 5)
        XCTAssertEqual(r.alreadyIngested, 1)
        XCTAssertEqual(r.byReason, ["duplicate_external_id": 2])
        XCTAssertEqual(try allConversions(s).map(\.externalID), ["inv_1"])
        XCTAssertEqual(try s.conversion(externalID: "inv_1")?.amount, usd(2900))
        XCTAssertEqual(try customer(s, "u1").conversions, 1)
        XCTAssertEqual(try customer(s, "u1").commission, usd(290))
        XCTAssertEqual(try s.events(EventQuery(filter: "inv_1")).count, 3)
    }

    func testBatchBoundariesDoNotMatter() throws {
        let (reference, _) = try scenario()
        let expected = try snapshot(reference)
        for batch in [1, 2, 3, 7] {
            let s = try store()
            let summary = try ingestFile(s, IngestTests.lines.joined(separator: "\n"), batchSize: batch)
            XCTAssertEqual(summary.received, 28, "batch \(batch)")
            XCTAssertEqual(try snapshot(s), expected, "batch \(batch)")
        }
    }

    func testProgressIsReportedPerBatch() throws {
        let s = try store()
        var seen: [Int] = []
        let feed = TrackingFeed(defaultCurrency: .usd, file: "p.jsonl")
        let inbound = (1...10).compactMap { feed.read(line: Line.click("c\($0)", "alice"), number: $0) }
        _ = try s.ingest(inbound, batchSize: 4) { seen.append($0) }
        XCTAssertEqual(seen, [4, 8, 10])
    }

    func testCustomerNumbersAndReassignment() throws {
        let (s, _) = try scenario()
        // alice has u1 (#1) and u3 (#2); bob has u2 (#1) and u4 (#2).
        let d = try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "ana")
        XCTAssertTrue(d.isAccepted, "\(d)")
        let u1 = try customer(s, "u1")
        XCTAssertEqual(u1.affiliateCode, "bob")
        XCTAssertEqual(u1.number, 3, "the new affiliate's next number")
        // Credited conversions stay with alice and keep the number the customer had with her.
        for id in ["o1", "o6"] {
            let v = try XCTUnwrap(try s.conversion(externalID: id))
            XCTAssertEqual(v.affiliateCode, "alice", id)
            XCTAssertEqual(v.customerNumber, 1, id)
        }
        // Future conversions go to bob, under the new number.
        let r = try ingest(s, [Line.conversion("o12", "50.00", customer: "u1", t0.adding(seconds: 7 * 86_400))])
        XCTAssertEqual(r.accepted, 1)
        let o12 = try XCTUnwrap(try s.conversion(externalID: "o12"))
        XCTAssertEqual(o12.affiliateCode, "bob")
        XCTAssertEqual(o12.customerNumber, 3)
        XCTAssertEqual(o12.commission, usd(500))
        XCTAssertEqual(try customer(s, "u1").conversions, 3)
        XCTAssertEqual(try customer(s, "u1").commission, usd(990))
        // Numbers are never reused: a new customer of alice's is #3, although #1 moved away.
        try ingest(s, [Line.click("c7", "alice", t0.adding(seconds: 7 * 86_400)),
                       Line.track("signup", "u7", click: "c7", t0.adding(seconds: 7 * 86_400 + 1))])
        XCTAssertEqual(try customer(s, "u7").number, 3)
        // And moving back gives a fresh number too.
        XCTAssertTrue(try s.reassign(customerKey: "u1", toAffiliate: "alice", who: "ana").isAccepted)
        XCTAssertEqual(try customer(s, "u1").number, 4)
        let summaries = Dictionary(uniqueKeysWithValues: try s.affiliateSummaries().map { ($0.affiliate.code, $0) })
        XCTAssertEqual(summaries["alice"]?.earnings, 490)
        XCTAssertEqual(summaries["bob"]?.earnings, 1999)
        try assertConsistent(s)
    }

    func testCustomerNumbersCountUpPerAffiliateAcrossBatches() throws {
        let s = try store()
        var lines: [String] = []
        for i in 1...30 {
            let aff = ["alice", "bob", "carol"][i % 3]
            lines.append(Line.click("c\(i)", aff, t0.adding(seconds: Int64(i))))
            lines.append(Line.track("signup", "u\(i)", click: "c\(i)", t0.adding(seconds: Int64(100 + i))))
        }
        try ingest(s, lines, batchSize: 5)
        for aff in ["alice", "bob", "carol"] {
            let id = try XCTUnwrap(try s.affiliate(code: aff)?.id)
            let numbers = try s.customers(CustomerQuery(sort: .key, affiliateID: id), page: .first(100)).map(\.number).sorted()
            XCTAssertEqual(numbers, Array(1...10), aff)
        }
        try assertConsistent(s)
    }

    // MARK: Recurring off

    func testRecurringOffIgnoresTheCustomerKeyAndSaysSo() throws {
        var settings = ProgramSettings(name: "T", recurring: false, commission: .percent(basisPoints: 1000))
        settings.model = .leads
        let s = try store(settings)
        let r = try ingest(s, [
            Line.click("c1", "alice"), Line.track("lead", "u1", click: "c1"),
            Line.conversion("o1", "10.00", customer: "u1", click: "c1", t0.adding(seconds: 60)),
            Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 120)),
        ])
        XCTAssertEqual(r.byReason, ["customer_key_ignored": 2, "recurring_off": 1])
        let o1 = try XCTUnwrap(try s.conversion(externalID: "o1"))
        XCTAssertNil(o1.customerKey, "a one-off credited by click")
        XCTAssertEqual(o1.affiliateCode, "alice")
        XCTAssertEqual(try customer(s, "u1").status, .initial)
        let events = try allEvents(s)
        XCTAssertEqual(events[2].notes, [.customerKeyIgnored])
        XCTAssertEqual(events[2].message, Reason.customerKeyIgnored.sentence)
        XCTAssertEqual(events[3].reason, .recurringOff)
        XCTAssertEqual(events[3].message, "customer_key ignored: Recurring/Lifetime commissions is off, and the event has no click to credit.")
        try assertConsistent(s)
    }

    // MARK: Caps through the store

    func testCountCapCapsTheCustomerOnTheNthCommission() throws {
        let s = try store(ProgramSettings(name: "T", commission: .percent(basisPoints: 1000), caps: Caps(count: 3)))
        var lines = [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1")]
        for i in 1...5 { lines.append(Line.conversion("p\(i)", "10.00", customer: "u1", t0.adding(seconds: Int64(i) * 86_400))) }
        let r = try ingest(s, lines)
        XCTAssertEqual(r.accepted, 5)
        XCTAssertEqual(r.byReason, ["cap_reached": 1, "customer_capped": 2])
        let events = try allEvents(s)
        XCTAssertEqual(events.map(\.outcome), [.accepted, .accepted, .accepted, .accepted, .accepted, .rejected, .rejected])
        XCTAssertEqual(events[4].notes, [.capReached])
        XCTAssertEqual(events[5].reason, .customerCapped)
        let u1 = try customer(s, "u1")
        XCTAssertEqual(u1.status, .capped)
        XCTAssertEqual(u1.conversions, 3)
        XCTAssertEqual(u1.commission, usd(300))
        XCTAssertEqual(try allConversions(s).map(\.externalID), ["p1", "p2", "p3"])
        try assertConsistent(s)
    }

    func testAmountCapClampsTheLastCommission() throws {
        let s = try store(ProgramSettings(name: "T", commission: .percent(basisPoints: 1000), caps: Caps(amount: usd(500))))
        let r = try ingest(s, [
            Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
            Line.conversion("a1", "29.00", customer: "u1", t0.adding(seconds: 86_400)),
            Line.conversion("a2", "29.00", customer: "u1", t0.adding(seconds: 2 * 86_400)),
            Line.conversion("a3", "29.00", customer: "u1", t0.adding(seconds: 3 * 86_400)),
        ])
        XCTAssertEqual(r.byReason, ["commission_clamped": 1, "cap_reached": 1, "customer_capped": 1])
        XCTAssertEqual(try s.conversion(externalID: "a1")?.commission, usd(290))
        XCTAssertEqual(try s.conversion(externalID: "a2")?.commission, usd(210))
        XCTAssertEqual(try s.conversion(externalID: "a2")?.amount, usd(2900))
        XCTAssertNil(try s.conversion(externalID: "a3"))
        let u1 = try customer(s, "u1")
        XCTAssertEqual(u1.status, .capped)
        XCTAssertEqual(u1.commission, usd(500))
        XCTAssertEqual(try allEvents(s)[3].notes, [.commissionClamped, .capReached])
        try assertConsistent(s)
    }

    func testMonthsCapRefusesAndCapsAfterTheWindow() throws {
        let s = try store(ProgramSettings(name: "T", commission: .percent(basisPoints: 1000), caps: Caps(months: 2), windowDays: 60))
        let mar5 = Instant.parse("2026-03-05T10:00:00Z")!
        let r = try ingest(s, [
            Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
            Line.conversion("m1", "10.00", customer: "u1", t0),
            Line.conversion("m2", "10.00", customer: "u1", Instant.parse("2026-03-05T09:59:59Z")!),
            Line.conversion("m3", "10.00", customer: "u1", mar5),
        ])
        XCTAssertEqual(r.accepted, 4)
        XCTAssertEqual(r.byReason, ["customer_capped": 1])
        let u1 = try customer(s, "u1")
        XCTAssertEqual(u1.status, .capped, "the refusal caps the customer")
        XCTAssertEqual(u1.conversions, 2)
        XCTAssertEqual(u1.lastActivityAt, mar5)
        let refusal = try XCTUnwrap(try allEvents(s).last)
        XCTAssertEqual(refusal.customerID, u1.id, "the status change is linked to its event")
        XCTAssertEqual(refusal.detail, "the 2-month cap from the first commission (2026-01-05) ended on 2026-03-05")
        try assertConsistent(s)
    }

    func testTheIngestRefusesNothingForLackOfAffiliatesButRecordsEverything() throws {
        // An empty program: every event is recorded, none applied.
        let s = try emptyStore()
        try s.initialize(ProgramSettings(), who: "t")
        let r = try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"), Line.cancel("u1")])
        XCTAssertEqual(r.byReason, ["unknown_affiliate": 1, "unknown_click": 1, "unknown_customer": 1])
        XCTAssertEqual(try s.eventCount(), 3)
        XCTAssertEqual(try s.customerCount(), 0)
    }

    /// SQLite's C API ends text at a NUL: an id holding one would be stored cut short and
    /// collide with another. Whatever the adapter, the store refuses it.
    func testIdentifiersWithANulAreRefusedWhateverTheAdapter() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "bob", click: "c1")])
        let before = try s.customerCount()
        let events: [(Event, String)] = [
            (.track(.init(kind: .trial, customerKey: "bob\u{0}x", clickID: "c1", at: t0)), "customer_key"),
            (.track(.init(kind: .signup, customerKey: "eve", clickID: "c1\u{0}", at: t0)), "click_id"),
            (.click(.init(clickID: "c9\u{0}", affiliateCode: "alice", at: t0)), "click_id"),
            (.conversion(.init(externalID: "o\u{0}1", amount: usd(100), customerKey: "bob", at: t0)), "external_id"),
            (.cancel(.init(customerKey: "bob\u{0}", at: t0)), "customer_key"),
        ]
        let inbound = events.enumerated().map { i, e in
            InboundEvent(source: "test", type: e.0.kind.rawValue, raw: "event \(i)", dedupeKey: "test:\(i)", payload: .event(e.0))
        }
        let r = try s.ingest(inbound)
        XCTAssertEqual(r.byReason, ["invalid_event": 5])
        let rows = try allEvents(s).suffix(5)
        XCTAssertEqual(rows.map(\.field), events.map(\.1))
        XCTAssertEqual(rows.map(\.detail), events.map { "\($0.1) contains a NUL character" })
        XCTAssertEqual(rows.map(\.customerKey), [nil, nil, nil, nil, nil], "nothing cut short is stored")
        XCTAssertEqual(try s.customerCount(), before)
        XCTAssertEqual(try customer(s, "bob").status, .initial, "bob was not cancelled by \"bob\\0\"")
        XCTAssertEqual(try s.conversionCount(), 0)
        // The store's own entry points too.
        XCTAssertThrowsError(try s.addAffiliate(code: "dave\u{0}", name: "Dave", who: "t")) {
            XCTAssertEqual($0 as? StoreError, .invalid(field: "code", message: "must not contain a NUL character"))
        }
        XCTAssertThrowsError(try s.addManualConversion(externalID: "m\u{0}", amount: usd(100), customerKey: "bob", affiliateCode: nil,
                                                       who: "t")) {
            XCTAssertEqual($0 as? StoreError, .invalid(field: "external_id", message: "must not contain a NUL character"))
        }
        try assertConsistent(s)
    }

    func testIngestIntoAnUninitializedDatabaseIsRefused() throws {
        let s = try emptyStore()
        XCTAssertThrowsError(try ingest(s, [Line.click("c1", "alice")])) {
            XCTAssertEqual($0 as? StoreError, .notInitialized(path: s.path))
        }
        XCTAssertEqual(try s.eventCount(), 0)
    }
}
