import Foundation
import XCTest

/// `affdesk bench sessions`, run tiny: affiliate views refreshing while an ingest writes to the
/// same file. Only what the run guarantees is asserted — no error (a "database is locked"
/// would be one) and at least one refresh per session (each session draws before the ingest
/// starts and looks again after its last commit, and every commit adds to each session's
/// affiliate) — never a timing.
final class BenchSessionsTests: XCTestCase {
    func testSessionsRefreshWithoutErrorsWhileAnIngestRuns() throws {
        let r = try affdesk("bench", "sessions", "--sessions", "3", "--seconds", "2", "--events", "900", "--batch", "150",
                            "--seed-events", "2000", "--json")
        let o = try jsonObject(r)
        XCTAssertEqual(o["sessions"] as? Int, 3)
        XCTAssertEqual(o["events"] as? Int, 900)
        XCTAssertTrue(o["ingest_error"] is NSNull, "the ingest failed: \(o["ingest_error"] ?? "")")
        XCTAssertGreaterThan(o["ingest_alone_events_per_s"] as? Int ?? 0, 0)
        XCTAssertGreaterThan(o["ingest_with_sessions_events_per_s"] as? Int ?? 0, 0)
        let sessions = try XCTUnwrap(o["per_session"] as? [[String: Any]], r.stdout)
        XCTAssertEqual(sessions.count, 3)
        XCTAssertEqual(Set(sessions.compactMap { $0["tab"] as? String }), ["My customers", "My conversions", "Earnings"])
        for s in sessions {
            let name = s["affiliate"] as? String ?? "?"
            XCTAssertEqual(s["errors"] as? Int, 0, "\(name): \(s["first_error"] ?? "")")
            XCTAssertEqual(s["locked"] as? Int, 0, name)
            XCTAssertGreaterThanOrEqual(s["refreshes"] as? Int ?? 0, 1, "\(name) never showed the ingest's changes")
            XCTAssertGreaterThanOrEqual(s["ticks"] as? Int ?? 0, s["refreshes"] as? Int ?? 0, name)
        }
    }

    func testTheTextReportNamesEveryFigure() throws {
        let r = try affdesk("bench", "sessions", "--sessions", "2", "--seconds", "0", "--events", "60", "--seed-events", "0")
        for text in ["baseline  ingest alone:", "ingest    beside 2 sessions:", "refreshes per session: min ",
                     "errors    0 (database is locked / busy: 0)", "tick (look for changes", "frame (draw the screen)", "REFRESHES"] {
            XCTAssertTrue(r.stdout.contains(text), "\"\(text)\" missing:\n\(r.stdout)")
        }
        let bad = try affdeskFailing("bench", "sessions", "--sessions", "0")
        XCTAssertTrue(bad.stderr.contains("--sessions must be at least 1"), bad.stderr)
    }
}
