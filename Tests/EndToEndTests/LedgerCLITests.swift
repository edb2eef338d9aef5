import Foundation
import XCTest

/// The ledger from the command line, as a user runs it: sales, a partial and a full refund, a
/// payout exported for PayPal and marked paid, then a refund of a paid sale whose clawback is
/// netted in the next payout. Every affiliate's ledger adds up to what was paid plus what is owed.
final class LedgerCLITests: CLITestCase {

    func testSalesRefundsPayoutsAndAClawbackFromTheCommandLine() throws {
        try affdesk("init", "--name", "Ledger", "--db", db)
        let set = try affdesk("program", "set", "--commission", "10%", "--holding-days", "0", "--db", db)
        XCTAssertTrue(set.stdout.contains("holding=0d approval_above=none"), set.stdout)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice Ødegaard", "--email", "alice@example.com", "--db", db)
        try affdesk("affiliates", "add", "--code", "bob", "--name", "Bob", "--email", "bob@example.com", "--db", db)
        let sales = try write("sales.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"click","click_id":"c2","affiliate":"bob","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_1","amount":"100.00","click_id":"c1","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2","amount":"200.00","click_id":"c1","at":"2026-01-07T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_3","amount":"50.00","click_id":"c2","at":"2026-01-08T10:00:00Z"}"#,
            #"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"25.00","at":"2026-01-10T10:00:00Z"}"#,
            #"{"type":"refund","external_id":"inv_2","refund_id":"re_2","at":"2026-01-11T10:00:00Z"}"#,
        ])
        let ingested = try affdesk("ingest", sales, "--db", db)
        XCTAssertTrue(ingested.stdout.hasPrefix("sales.jsonl: 7 recorded: 7 accepted, 0 rejected"), ingested.stdout)
        let voided = try jsonArray(try affdesk("commissions", "list", "--state", "voided", "--json", "--db", db))
        XCTAssertEqual(voided.map { $0["external_id"] as? String }, ["inv_2"])
        XCTAssertEqual(voided.first?["reason"] as? String, "refunded")

        let created = try affdesk("payouts", "create", "--through", "2026-01-31", "--min", "1.00", "--db", db)
        XCTAssertTrue(created.stdout.contains("payout #1: alice 7.50 USD (1 line)"), created.stdout)
        XCTAssertTrue(created.stdout.contains("payout #2: bob 5.00 USD (1 line)"), created.stdout)
        let csv = dir + "/paypal.csv"
        let exported = try affdesk("payouts", "export", "1", "2", "--format", "paypal", "--output", csv, "--db", db)
        XCTAssertEqual(exported.stdout, "wrote 2 payouts to \(csv)\n")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            .map { $0.components(separatedBy: ",") }
        XCTAssertEqual(rows.count, 2, "no header: PayPal's upload file starts with the first payment")
        // Recipient, amount, currency, customer (sender item) id, note, wallet.
        XCTAssertEqual(rows[0], ["alice@example.com", "7.50", "USD", "affdesk-payout-1", "Affiliate commissions through 2026-01-31", "PAYPAL"])
        XCTAssertEqual(rows[1], ["bob@example.com", "5.00", "USD", "affdesk-payout-2", "Affiliate commissions through 2026-01-31", "PAYPAL"])
        for id in ["1", "2"] { try affdesk("payouts", "mark-paid", id, "--reference", "PP-BATCH-7", "--db", db) }
        let again = try affdeskFailing("payouts", "mark-paid", "1", "--db", db)
        XCTAssertTrue(again.stderr.contains("refused: payout_not_open"), again.stderr)

        // The rest of inv_1 refunded after it was paid: a clawback, netted against inv_4.
        let later = try write("later.jsonl", [
            #"{"type":"refund","external_id":"inv_1","refund_id":"re_3","at":"2026-02-02T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_4","amount":"80.00","click_id":"c1","at":"2026-02-10T10:00:00Z"}"#,
        ])
        try affdesk("ingest", later, "--db", db)
        let clawbacks = try jsonArray(try affdesk("commissions", "list", "--affiliate", "alice", "--json", "--db", db))
            .filter { $0["kind"] as? String == "clawback" }
        XCTAssertEqual(clawbacks.map { $0["amount_minor"] as? Int }, [-750])
        let next = try affdesk("payouts", "create", "--through", "2026-02-28", "--db", db)
        XCTAssertTrue(next.stdout.contains("payout #3: alice 0.50 USD (2 lines)"), next.stdout)
        let shown = try jsonObject(try affdesk("payouts", "show", "3", "--json", "--db", db))
        XCTAssertEqual((shown["lines"] as? [[String: Any]])?.map { $0["amount_minor"] as? Int }, [-750, 800])

        // Every affiliate's ledger = paid out + still owed, to the cent.
        let ledger = try jsonArray(try affdesk("commissions", "list", "--json", "--db", db))
        let payouts = try jsonArray(try affdesk("payouts", "list", "--json", "--db", db))
        // --limit: "2 of 5 entries" like every list, read a keyset page at a time; oldest first.
        let limited = try affdesk("commissions", "list", "--limit", "2", "--db", db)
        XCTAssertTrue(limited.stdout.contains("\n2 of \(ledger.count) entries: "), limited.stdout)
        let firstTwo = try jsonArray(try affdesk("commissions", "list", "--limit", "2", "--json", "--db", db))
        XCTAssertEqual(firstTwo.map { $0["id"] as? Int }, ledger.prefix(2).map { $0["id"] as? Int })
        for code in ["alice", "bob"] {
            let entries = ledger.filter { $0["affiliate"] as? String == code && $0["state"] as? String != "voided" }
            let total = entries.map { $0["amount_minor"] as? Int ?? 0 }.reduce(0, +)
            let paid = payouts.filter { $0["affiliate"] as? String == code && $0["state"] as? String == "paid" }
                .map { $0["amount_minor"] as? Int ?? 0 }.reduce(0, +)
            let owed = entries.filter { $0["state"] as? String != "paid" }.map { $0["amount_minor"] as? Int ?? 0 }.reduce(0, +)
            XCTAssertEqual(total, paid + owed, code)
        }
        XCTAssertEqual(payouts.map { $0["amount_minor"] as? Int }, [50, 500, 750])
        XCTAssertEqual(payouts.map { $0["state"] as? String }, ["open", "paid", "paid"])
        XCTAssertEqual(payouts.last?["reference"] as? String, "PP-BATCH-7")
    }

    func testAnAffiliateWithoutAnEmailIsAnExportErrorAndTheOthersAreWritten() throws {
        try affdesk("init", "--name", "Ledger", "--db", db)
        try affdesk("program", "set", "--holding-days", "0", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--email", "alice@example.com", "--db", db)
        try affdesk("affiliates", "add", "--code", "bob", "--name", "Bob", "--db", db)
        try affdesk("ingest", try write("s.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"click","click_id":"c2","affiliate":"bob","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_1","amount":"100.00","click_id":"c1","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_2","amount":"100.00","click_id":"c2","at":"2026-01-06T10:00:00Z"}"#,
        ]), "--db", db)
        try affdesk("payouts", "create", "--through", "2026-01-31", "--db", db)
        let r = try affdeskFailing("payouts", "export", "--format", "wise", "--db", db)
        XCTAssertEqual(r.stdout, "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency\n"
                       + "Alice,alice@example.com,affdesk payout 1,PERSON,target,20.00,USD,USD\n")
        XCTAssertTrue(r.stderr.contains("error: payout #2 (bob, 20.00 USD): The affiliate has no email to pay to"), r.stderr)
        let bad = try affdeskFailing("commissions", "void", "2", "--reason", "refunded", "--db", db)
        XCTAssertTrue(bad.stderr.contains("--reason"), bad.stderr)
        let inPayout = try affdeskFailing("commissions", "hold", "1", "--db", db)
        XCTAssertTrue(inPayout.stdout.contains("commission #1: refused in_payout"), inPayout.stdout)
        try affdesk("payouts", "cancel", "1", "--db", db)
        let held = try affdesk("commissions", "hold", "1", "--db", db)
        XCTAssertEqual(held.stdout, "commission #1: approved → on_hold\n")
    }
}
