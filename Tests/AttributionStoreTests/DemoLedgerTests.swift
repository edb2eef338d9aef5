import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import XCTest

/// The demo's ledger (`affdesk demo`): refunds, a dispute of each outcome, a self-referral,
/// payouts paid and open, clawbacks netted; consistent, and every affiliate's ledger adds up.
final class DemoLedgerTests: StoreTestCase {
    func testTheDemoLedgerHasEveryKindOfEntryAndAddsUp() throws {
        let path = try tempDir() + "/demo.sqlite"
        try DemoTemplate.shared.copy(to: path)
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        let report = try DemoLedger.add(into: s)
        XCTAssertGreaterThan(report.paidPayouts, 0)
        let all = try s.commissions(CommissionQuery())
        func count(_ f: (CommissionRow) -> Bool) -> Int { all.filter(f).count }
        XCTAssertEqual(count { $0.state == .voided && $0.reason == .refunded }, 3)
        XCTAssertEqual(count { $0.state == .voided && $0.reason == .disputed }, 1)
        XCTAssertEqual(count { $0.kind == .commission && $0.state != .voided && $0.amount.minor < $0.original.minor }, 3, "partial refunds")
        XCTAssertEqual(count { $0.reason == .disputeOpen }, 1)
        XCTAssertEqual(all.first { $0.externalID == "inv_self_zoe" }?.reason, .selfReferral)
        let clawbacks = all.filter { $0.kind == .clawback }
        XCTAssertEqual(clawbacks.count, 2)
        XCTAssertTrue(clawbacks.allSatisfy { $0.payoutID != nil }, "netted in September's payouts")
        let payouts = try s.payouts()
        XCTAssertGreaterThan(payouts.filter { $0.state == .paid }.count, 10)
        XCTAssertGreaterThanOrEqual(payouts.filter { $0.state == .open }.count, 2)
        for code in Set(all.map(\.affiliate)) {
            let entries = all.filter { $0.affiliate == code && $0.state != .voided }
            let paid = payouts.filter { $0.affiliate == code && $0.state == .paid }.map(\.amount.minor).reduce(0, +)
            let owed = entries.filter { $0.state != .paid }.map(\.amount.minor).reduce(0, +)
            XCTAssertEqual(entries.map(\.amount.minor).reduce(0, +), paid + owed, code)
        }
        try assertConsistent(s)
    }
}
