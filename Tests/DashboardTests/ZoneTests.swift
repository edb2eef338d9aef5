import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Foundation
import TerminalText
import XCTest

/// Times are drawn in the view's zone (the terminal's TZ, UTC in snapshots), and the title
/// bar names it; the clock and the stored instants stay UTC.
final class ZoneTests: XCTestCase {
    func testTimesAreDrawnInTheZoneAndLabelled() throws {
        let store = try DemoFixture.shared.store()
        let s = try session(store)
        let row = try XCTUnwrap(s.selectedRow)
        guard case .customer(let c) = row.item else { return XCTFail("no customer row") }
        XCTAssertEqual(s.cells(row)[6], c.lastActivityAt.shortDisplay, "UTC until told otherwise")
        XCTAssert(FrameCheck.row(s.frame, 0).hasSuffix("UTC · USD · recurring on · admin"), FrameCheck.row(s.frame, 0))

        let kolkata = DisplayZone(try XCTUnwrap(TimeZone(identifier: "Asia/Kolkata")))
        s.send(.zone(kolkata))
        XCTAssertEqual(s.cells(s.selectedRow)[6], Instant(seconds: c.lastActivityAt.seconds + 19_800).shortDisplay)
        XCTAssert(FrameCheck.row(s.frame, 0).hasSuffix("\(kolkata.label) · USD · recurring on · admin"), FrameCheck.row(s.frame, 0))
        XCTAssertNotEqual(kolkata.label, "UTC")
        // The customer pane too.
        s.send(.enter)
        XCTAssert(s.frame.description.contains("Tracked      \(Instant(seconds: c.createdAt.seconds + 19_800).shortDisplay)"))
        // Triage's list too.
        s.send(.escape)
        s.go(.triage)
        let event = try XCTUnwrap(s.selectedRow)
        guard case .event(let e) = event.item else { return XCTFail("no event row") }
        XCTAssertEqual(s.cells(event)[1], Instant(seconds: (e.at ?? e.receivedAt).seconds + 19_800).shortDisplay)
        // Daylight saving: Paris is UTC+1 in November, UTC+2 in July.
        let paris = DisplayZone(try XCTUnwrap(TimeZone(identifier: "Europe/Paris")))
        XCTAssertEqual(paris.short(try XCTUnwrap(Instant.parse("2026-11-15T12:00:00Z"))), "2026-11-15 13:00")
        XCTAssertEqual(paris.short(try XCTUnwrap(Instant.parse("2026-07-15T12:00:00Z"))), "2026-07-15 14:00")
        // The ends of time do not overflow.
        XCTAssertFalse(paris.short(Instant(seconds: .max)).isEmpty)
    }

    /// The messages history (`M`): each change's time in the view's zone, and the zone named in
    /// its title, as on every other screen.
    func testTheMessagesHistoryIsInTheZoneAndLabelled() throws {
        let s = try session(try DemoFixture.shared.store(), width: 100, height: 30)
        let kolkata = DisplayZone(try XCTUnwrap(TimeZone(identifier: "Asia/Kolkata")))
        s.send(.zone(kolkata))
        let at = try XCTUnwrap(Instant.parse("2026-11-15T12:00:07Z"))
        s.send(.writeFinished(Outcome(result: .notApplied, text: "usr_1 → Canceled: not applied", at: at)))
        s.send(.char("M"))
        let text = Golden.text(s.frame)
        XCTAssertTrue(text.contains("Messages (\(kolkata.label)) · M or Esc closes"), text)
        XCTAssertTrue(text.contains("17:30:07  not applied  usr_1 → Canceled: not applied"), text)
        XCTAssertFalse(text.contains("12:00:07"), text)
    }
}
