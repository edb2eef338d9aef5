import AttributionCore
import AttributionStore
import Demo
import Foundation
import XCTest

/// A file with lines that once crashed the ingest (integer overflow traps on extreme times and
/// amounts) and other bad lines scattered through thousands of good ones: the first `affdesk
/// ingest` records every line — every valid one applied, every bad one rejected with its reason
/// and field — and a rerun changes nothing.
final class PoisonedFileTests: CLITestCase {
    /// Lines inserted into the benchmark stream, each with the field its rejection must name.
    /// The first two are the issue's reproduction: a click at the minimum epoch, then an event
    /// that uses it (the click's age overflowed and trapped, so the file could never be ingested).
    static let poison: [(line: String, field: String?)] = [
        (#"{"type":"click","click_id":"poison-min","affiliate":"aff1","at":-9223372036854775808}"#, "at"),
        (#"{"type":"trial","customer_key":"poison-u1","click_id":"poison-min","at":"2025-01-01T06:00:00Z"}"#, nil),
        (#"{"type":"click","click_id":"poison-max","affiliate":"aff2","at":9223372036854775807}"#, "at"),
        (#"{"type":"conversion","external_id":"poison-o1","amount":"10.00","currency":"USD","click_id":"poison-max","at":"2025-01-01T07:00:00Z"}"#, nil),
        (#"{"type":"click","click_id":"poison-1969","affiliate":"aff3","at":"1969-12-31T23:59:59Z"}"#, "at"),
        (#"{"type":"click","click_id":"poison-2200","affiliate":"aff3","at":"2200-01-01T00:00:01Z"}"#, "at"),
        (#"{"type":"click","click_id":"poison-year9999","affiliate":"aff3","at":"9999-12-31T23:59:59Z"}"#, "at"),
        (#"{"type":"conversion","external_id":"poison-o2","amount":"92233720368547758.07","currency":"USD","click_id":"c1","at":"2025-01-01T08:00:00Z"}"#, "amount"),
        (#"{"type":"conversion","external_id":"poison-o3","amount":"10.00","currency":"XYZ","click_id":"c1","at":"2025-01-01T08:00:00Z"}"#, "currency"),
        (#"{"type":"cancel","customer_key":"u1","at":-1}"#, "at"),
        (#"{"type":"click","click_id":"poison-tab","affiliate":"aff\t1","at":"2025-01-01T09:00:00Z"}"#, "affiliate"),
        (#"{"type":"click","click_id":"#, nil),
        (#"{"type":"payout","at":"2025-01-01T09:00:00Z"}"#, "type"),
    ]

    func testPoisonedTrackingFileRecordsEveryLineOnceAndARerunChangesNothing() throws {
        // 10,000 good lines with the poison spread through them: some in the first batch of
        // 4096, some after it (where a crash used to stop every run at the same place).
        var lines = BenchEvents.lines(count: 10_000)
        let places = [700, 1_500, 2_500, 3_333, 4_200, 5_000, 6_100, 7_000, 8_000, 8_800, 9_300, 9_700, 9_990]
        for (i, p) in Self.poison.enumerated() { lines.insert(p.line, at: places[i]) }   // in order: each lands at its place
        let file = try write("poisoned.jsonl", lines)
        try affdesk("init", "--db", db, "--name", "Poisoned")
        // The benchmark's 50 affiliates, added through the store (50 runs of the binary take seconds).
        do {
            let s = try Store(path: db)
            for code in BenchEvents.affiliateCodes { _ = try s.addAffiliate(code: code, name: code, who: "poison-test") }
        }

        let first = try affdesk("ingest", "--db", db, "--json", "--no-progress", "--batch", "4096", file)
        let summary = try jsonObject(first)
        XCTAssertEqual(summary["received"] as? Int, lines.count, "every line is recorded on the first run")
        XCTAssertEqual(summary["already_ingested"] as? Int, 0)
        let store = try Store(path: db, readOnly: true)
        XCTAssertEqual(try store.eventCount(), lines.count)
        XCTAssertEqual(try store.consistencyProblems(), [])
        let events = try store.events(EventQuery(), page: .first(100_000))
        let byLine = Dictionary(events.compactMap { e in e.line.map { ($0, e) } }, uniquingKeysWith: { a, _ in a })
        for (i, p) in Self.poison.enumerated() {
            let n = places[i] + 1   // line numbers start at 1
            let e = try XCTUnwrap(byLine[n], "line \(n) (\(p.line)) was not recorded")
            XCTAssertEqual(e.raw, p.line)
            XCTAssertEqual(e.outcome, .rejected, "line \(n): \(p.line)")
            if let field = p.field {
                XCTAssertEqual(e.reason, .invalidEvent, "line \(n): \(p.line)")
                XCTAssertEqual(e.field, field, "line \(n): \(p.line): \(e.detail ?? "")")
            }
        }
        // The events that name the refused clicks find no click: nothing was credited by them.
        XCTAssertEqual(byLine[places[1] + 1]?.reason, .unknownClick)
        XCTAssertEqual(byLine[places[3] + 1]?.reason, .unknownClick)
        XCTAssertNil(try store.customer(key: "poison-u1"))
        let before = try store.contentDigest()

        let again = try jsonObject(try affdesk("ingest", "--db", db, "--json", "--no-progress", "--batch", "4096", file))
        XCTAssertEqual(again["received"] as? Int, 0, "nothing new is recorded")
        XCTAssertEqual(again["already_ingested"] as? Int, lines.count, "a rerun records nothing new")
        XCTAssertEqual(try Store(path: db, readOnly: true).contentDigest(), before, "a rerun changes no table")
        // And every read path lists what was recorded.
        try affdesk("events", "list", "--db", db, "--rejected")
        try affdesk("customers", "list", "--db", db)
        try affdesk("conversions", "list", "--db", db)
    }

    /// The Stripe lines that trapped: a sum of `total_taxes` past Int64, a tax of Int64.min with
    /// tax excluded, an extreme `created`. Each is rejected naming its field; the rest is credited.
    func testPoisonedStripeFileIsRecordedAndARerunChangesNothing() throws {
        func invoice(_ n: Int, created: String = "1767607200", extra: String = "") -> String {
            #"{"id":"evt_\#(n)","object":"event","type":"invoice.paid","created":\#(created),"data":{"object":{"id":"in_\#(n)","#
                + #""object":"invoice","status":"paid","currency":"usd","amount_paid":2900,"customer":"cus_\#(n)","#
                + #""metadata":{"customer_key":"u\#(n % 7)"}\#(extra)}}}"#
        }
        var lines: [String] = []
        for n in 0..<300 { lines.append(invoice(n, extra: #","tax":100"#)) }
        let bad: [(Int, String, String)] = [
            (40, invoice(1_000, extra: #","tax":null,"total_taxes":[{"amount":9223372036854775807},{"amount":1}]"#),
             "data.object.total_taxes[0].amount"),
            (90, invoice(1_001, extra: #","tax":-9223372036854775808"#), "data.object.tax"),
            (150, invoice(1_002, created: "-9223372036854775808"), "created"),
            (210, invoice(1_003, created: "9223372036854775807"), "created"),
            (260, invoice(1_004, extra: #","tax":9223372036854775807"#), "data.object.tax"),
        ]
        for (place, line, _) in bad { lines.insert(line, at: place) }
        let file = try write("stripe.jsonl", lines)
        try affdesk("init", "--db", db, "--name", "Stripe poisoned")
        try affdesk("affiliates", "add", "--db", db, "--code", "alice", "--name", "Alice")
        try affdesk("program", "set", "--db", db, "--tax", "excluded")
        let seed = try write("seed.jsonl", [#"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-01T00:00:00Z"}"#]
            + (0..<7).map { #"{"type":"trial","customer_key":"u\#($0)","click_id":"c1","at":"2026-01-01T00:00:01Z"}"# })
        try affdesk("ingest", "--db", db, "--no-progress", seed)

        let first = try jsonObject(try affdesk("ingest", "--db", db, "--format", "stripe", "--json", "--no-progress", file))
        XCTAssertEqual(first["received"] as? Int, lines.count)
        let store = try Store(path: db, readOnly: true)
        let events = try store.events(EventQuery(), page: .first(100_000)).filter { $0.source == "stripe" }
        XCTAssertEqual(events.count, lines.count)
        for (place, line, field) in bad {
            let e = try XCTUnwrap(events.first { $0.line == place + 1 }, "line \(place + 1) not recorded")
            XCTAssertEqual(e.raw, line)
            XCTAssertEqual(e.reason, .invalidEvent, "line \(place + 1): \(e.detail ?? "")")
            XCTAssertEqual(e.field, field, "line \(place + 1): \(e.detail ?? "")")
        }
        XCTAssertEqual(events.filter { $0.outcome == .accepted }.count, 300, "every valid invoice is credited")
        XCTAssertEqual(try store.consistencyProblems(), [])
        let before = try store.contentDigest()
        let again = try jsonObject(try affdesk("ingest", "--db", db, "--format", "stripe", "--json", "--no-progress", file))
        XCTAssertEqual(again["received"] as? Int, 0)
        XCTAssertEqual(again["already_ingested"] as? Int, lines.count)
        XCTAssertEqual(try Store(path: db, readOnly: true).contentDigest(), before)
    }
}
