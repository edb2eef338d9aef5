import AttributionCore
import XCTest

/// The sentences the dashboard and the command line share (Wording).
final class WordingTests: XCTestCase {
    func testCapProgressNamesEachCapAndSaysWhenOneIsReached() {
        let caps = Caps(count: 3, amount: Money(minor: 10_000, currency: .usd))
        let p = caps.progress(CapHistory(commissions: 3, commissionTotal: 290, currency: .usd), now: Instant(seconds: 0))
        let line = Wording.capProgress(p) { Money(minor: $0, currency: .usd).description }
        XCTAssertEqual(line, "count 3 of 3 commissions (reached) · months no cap · amount 2.90 USD of 100.00 USD")
        XCTAssertEqual(Wording.capLines(p) { "\($0)" }.map(\.name), ["count", "months", "amount"])
        XCTAssertNil(Wording.capLines(p) { "\($0)" }[1].text)
    }

    func testCapsSummary() {
        XCTAssertEqual(Wording.capsSummary(Caps()), "none")
        let caps = Caps(count: 3, months: 12, amount: Money(minor: 50_000, currency: .usd))
        XCTAssertEqual(Wording.capsSummary(caps), "first 3 commissions, first 12 months, up to 500.00 USD per customer")
    }

    func testReplayOutcomes() {
        XCTAssertEqual(Wording.replayUnchanged(eventID: 3),
                       "event #3 was already replayed under these settings with the same outcome; nothing changed")
        XCTAssertEqual(Wording.alreadyCredited(externalID: "inv_1", amount: Money(minor: 4_900, currency: .usd),
                                               commission: Money(minor: 980, currency: .usd), affiliate: "alice", manual: true),
                       "already credited (inv_1: 49.00 USD, commission 9.80 USD to alice, by hand); nothing pays twice")
    }
}
