import Foundation
import XCTest

/// `affdesk triage ID` on refunded sales: each conversion's commission as it stands, why it is
/// voided or clawed back (the reason code, the core's sentence and fix), the refunds; `--json`
/// carries the same under each conversion's `commission`.
final class TriageLedgerCLITests: CLITestCase {
    func testTriageExplainsARefundedAndAClawedBackCommission() throws {
        try affdesk("init", "--name", "Ledger", "--db", db)
        try affdesk("program", "set", "--commission", "10%", "--holding-days", "0", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--email", "alice@example.com", "--db", db)
        let sales = try write("sales.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_1","amount":"100.00","click_id":"c1","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2","amount":"200.00","click_id":"c1","at":"2026-01-07T10:00:00Z"}"#,
            #"{"type":"refund","external_id":"inv_2","refund_id":"re_2","at":"2026-01-11T10:00:00Z"}"#,
        ])
        try affdesk("ingest", sales, "--db", db)
        let voided = try affdesk("triage", "inv_2", "--db", db)
        XCTAssertTrue(voided.stdout.contains("    ledger    voided refunded · 0.00 USD (credited 20.00 USD)"), voided.stdout)
        XCTAssertTrue(voided.stdout.contains("      why       refunded: The sale was refunded in full, so its commission is voided."), voided.stdout)
        XCTAssertTrue(voided.stdout.contains("      fix       Nothing to do: the affiliate earns nothing on a refunded sale."), voided.stdout)
        XCTAssertTrue(voided.stdout.contains("      refund    re_2 200.00 USD at 2026-01-11 10:00 · commission −20.00 USD"), voided.stdout)

        // inv_1 paid, then refunded in part: clawed back.
        try affdesk("payouts", "create", "--through", "2026-01-31", "--db", db)
        try affdesk("payouts", "mark-paid", "1", "--reference", "PP-1", "--db", db)
        let later = try write("later.jsonl", [
            #"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"40.00","at":"2026-02-02T10:00:00Z"}"#,
        ])
        try affdesk("ingest", later, "--db", db)
        let clawed = try affdesk("triage", "inv_1", "--db", db)
        XCTAssertTrue(clawed.stdout.contains("    ledger    paid · 10.00 USD · payout #1"), clawed.stdout)
        XCTAssertTrue(clawed.stdout.contains("      why       clawed back refunded: The sale was refunded after the commission was paid"), clawed.stdout)
        XCTAssertTrue(clawed.stdout.contains("      clawback  #3 -4.00 USD approved at 2026-02-02 10:00 · netted in the next payout"), clawed.stdout)

        let json = try jsonObject(try affdesk("triage", "inv_1", "--json", "--db", db))
        let conversion = try XCTUnwrap((json["conversions"] as? [[String: Any]])?.first)
        let commission = try XCTUnwrap(conversion["commission"] as? [String: Any])
        XCTAssertEqual(commission["state"] as? String, "paid")
        XCTAssertEqual(commission["amount_minor"] as? Int, 1_000)
        XCTAssertEqual(commission["payout_id"] as? Int, 1)
        let why = try XCTUnwrap(commission["explanation"] as? [String: Any])
        XCTAssertEqual(why["code"] as? String, "refunded")
        XCTAssertEqual(why["clawed_back"] as? Bool, true)
        XCTAssertEqual((commission["refunds"] as? [[String: Any]])?.map { $0["refund_id"] as? String }, ["re_1"])
        XCTAssertEqual((commission["refunds"] as? [[String: Any]])?.first?["commission_minor"] as? Int, 400)
        XCTAssertEqual((commission["clawbacks"] as? [[String: Any]])?.map { $0["amount_minor"] as? Int }, [-400])
        let other = try jsonObject(try affdesk("triage", "inv_2", "--json", "--db", db))
        let v2 = try XCTUnwrap((other["conversions"] as? [[String: Any]])?.first?["commission"] as? [String: Any])
        XCTAssertEqual(v2["state"] as? String, "voided")
        XCTAssertEqual(v2["reason"] as? String, "refunded")
        XCTAssertEqual((v2["explanation"] as? [String: Any])?["sentence"] as? String, "The sale was refunded in full, so its commission is voided.")
    }
}
