import Foundation
import XCTest

/// `affdesk bench dashboard` on the small demo, run twice: a figure for every list of the admin
/// and of the affiliate view, and the floor beside each. Never a timing.
final class BenchDashboardTests: CLITestCase {
    func testEveryScreenGetsItsFigures() throws {
        try DemoDatabase.copy(to: db)
        let r = try affdesk("bench", "dashboard", "--db", db, "--runs", "2", "--json")
        let o = try jsonObject(r)
        XCTAssertEqual(o["runs"] as? Int, 2)
        XCTAssertGreaterThan(o["peak_rss_kb"] as? Int ?? 0, 0)
        let screens = try XCTUnwrap(o["screens"] as? [[String: Any]], r.stdout)
        XCTAssertEqual(screens.compactMap { $0["screen"] as? String },
                       ["Affiliates", "Customers", "Conversions", "Caps", "Triage", "Audit", "Commissions", "Payouts",
                        "view: My customers", "view: My conversions", "view: Earnings", "view: Payouts"])
        for s in screens {
            let name = s["screen"] as? String ?? "?"
            let actions = try XCTUnwrap(s["actions"] as? [[String: Any]], name)
            let names = actions.compactMap { $0["action"] as? String }
            for a in ["first frame", "next row (j)", "page down", "end (G)", "open detail (Enter)", "filter keystroke"] {
                XCTAssertTrue(names.contains(a), "\(name): no \(a) in \(names)")
            }
            for a in actions {
                XCTAssertEqual((a["samples_ms"] as? [Any])?.count, 2, "\(name): \(a["action"] ?? "")")
                XCTAssertNotNil(Double(a["p99_ms"] as? String ?? ""), "\(name): \(a)")
            }
            let floor = try XCTUnwrap(s["floor_keyset_page_ms"] as? [String: Any], name)
            XCTAssertFalse((floor["samples"] as? [Any] ?? []).isEmpty, "\(name): no floor")
        }
        let customers = try XCTUnwrap(screens.first { $0["screen"] as? String == "Customers" }?["actions"] as? [[String: Any]])
        XCTAssertTrue(customers.contains { ($0["action"] as? String ?? "").hasPrefix("sort o ") }, "sorts measured both ways")
        let triage = try XCTUnwrap(screens.first { $0["screen"] as? String == "Triage" }?["actions"] as? [[String: Any]])
        XCTAssertTrue(triage.contains { $0["action"] as? String == "id search: last key" })

        let text = try affdesk("bench", "dashboard", "--db", db, "--runs", "1")
        for t in ["P50 MS", "P99 MS", "FLOOR P50 MS", "view: Earnings", "peak memory (VmHWM):"] {
            XCTAssertTrue(text.stdout.contains(t), "\"\(t)\" missing:\n\(text.stdout)")
        }
        let some = try jsonObject(try affdesk("bench", "dashboard", "--db", db, "--runs", "1", "--json", "--only", "Caps,view"))
        XCTAssertEqual((some["screens"] as? [[String: Any]])?.compactMap { $0["screen"] as? String },
                       ["Caps", "view: My customers", "view: My conversions", "view: Earnings", "view: Payouts"])
        XCTAssertNil(some["cold"], "no cold figures unless asked")

        // --cold: every action of the screens asked for, again from a cold cache, with the pages it read.
        let cold = try jsonObject(try affdesk("bench", "dashboard", "--db", db, "--runs", "1", "--json", "--only", "Payouts", "--cold"))
        let warmScreens = try XCTUnwrap(cold["screens"] as? [[String: Any]])
        let coldScreens = try XCTUnwrap((cold["cold"] as? [String: Any])?["screens"] as? [[String: Any]], "\(cold)")
        XCTAssertEqual(coldScreens.compactMap { $0["screen"] as? String }, ["Payouts", "view: Payouts"])
        XCTAssertEqual(coldScreens.compactMap { $0["screen"] as? String }, warmScreens.compactMap { $0["screen"] as? String })
        for (c, w) in zip(coldScreens, warmScreens) {
            let coldActions = c["actions"] as? [[String: Any]] ?? [], warmActions = w["actions"] as? [[String: Any]] ?? []
            XCTAssertEqual(coldActions.compactMap { $0["action"] as? String }, warmActions.compactMap { $0["action"] as? String })
            for a in coldActions {
                XCTAssertEqual((a["samples_ms"] as? [Any])?.count, 1, "\(a)")
                XCTAssertEqual((a["pages_read"] as? [Any])?.count, 1, "\(a)")
            }
        }
    }
}
