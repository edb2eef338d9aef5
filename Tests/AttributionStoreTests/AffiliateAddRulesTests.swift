import AttributionCore
@testable import AttributionStore
import XCTest

/// `affiliates add` (the CLI, the dashboard's `n`) reads the name and the payout email by the
/// core's rules (AffiliateFields), as `affiliates set` does; nothing is written on a refusal.
final class AffiliateAddRulesTests: StoreTestCase {
    func testAddReadsTheEmailAndNameByTheCoresRules() throws {
        let s = try store()
        let refused: [(String, String, String)] = [
            ("Yan", "e\u{1B}[5m@x.example", "email"), ("Yan", "yan at example.com", "email"), ("Yan", "yan@example", "email"),
            ("Yan", "", "email"), ("Yan", "a@b\u{202E}.example", "email"), ("   ", "yan@example.com", "name"),
        ]
        for (name, email, field) in refused {
            XCTAssertThrowsError(try s.addAffiliate(code: "yan", name: name, email: email, who: "t"), email.debugDescription) {
                guard case .invalid(let f, _)? = $0 as? StoreError else { return XCTFail("\($0)") }
                XCTAssertEqual(f, field, email.debugDescription)
            }
        }
        XCTAssertNil(try s.affiliate(code: "yan"), "nothing written")
        let a = try s.addAffiliate(code: "yan", name: "  Yan  ", email: " yan@example.com ", who: "t")
        XCTAssertEqual(a.email, "yan@example.com")
        XCTAssertEqual(a.name, "Yan")
    }
}
