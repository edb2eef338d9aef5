import AttributionStore
import Foundation
import XCTest

/// Triage's bulk replay in the real dashboard, in tmux: a whole reason marked, the dry run's
/// figures in the one confirmation (nothing written yet), then `y` replays them all and the
/// reason's count drops to the refusals that remain. Every wait polls the screen.
final class BulkReplayTmuxTests: TmuxProgramTestCase {
    func testAReasonReplayedInBulkAfterItsDryRun() throws {
        let demo = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: demo)
        try affdesk("affiliates", "enable", "deal-hunter", "--db", demo)
        func conversions() throws -> Int { try Store(path: demo, readOnly: true).conversionCount() }
        let before = try conversions()
        let tmux = try Tmux(command: "\(q(bin)) --db \(q(demo)); echo AFTER-EXIT $?; read _", width: 120, height: 30)
        defer { tmux.kill() }
        try tmux.waitFor("1 Affiliates", timeout: uiTimeout)
        tmux.sendKeys("5")
        try tmux.waitFor("◀ all rejected", timeout: uiTimeout)
        // → until the reason is affiliate_disabled.
        var screen: [String] = []
        for _ in 0..<40 {
            screen = tmux.capture()
            if screen.contains(where: { $0.contains("◀ affiliate_disabled (") }) { break }
            tmux.sendKeys("l")
            _ = try tmux.waitUntil("the next reason", timeout: uiTimeout) { $0 != screen }
        }
        let line = try XCTUnwrap(tmux.capture().first { $0.contains("◀ affiliate_disabled (") })
        let count = try XCTUnwrap(Int(line.components(separatedBy: "affiliate_disabled (")[1].prefix { $0.isNumber }))
        tmux.sendKeys("a")
        try tmux.waitFor("all marked", timeout: uiTimeout)
        tmux.sendKeys("p")
        let dry = try tmux.waitFor("Dry run   \(count) events in time order: ", timeout: uiTimeout)
        let figures = try XCTUnwrap(dry.first { $0.contains("Dry run") })
        let accepted = try XCTUnwrap(Int(figures.components(separatedBy: "in time order: ")[1].prefix { $0.isNumber }))
        XCTAssertGreaterThan(accepted, 0, figures)
        try tmux.waitFor("Replay \(count) events under today's settings?", timeout: uiTimeout)
        XCTAssertEqual(try conversions(), before, "the dry run wrote nothing")
        tmux.sendKeys("y")
        try tmux.waitFor("Replayed \(count) events in time order: \(accepted) accepted, \(count - accepted) not", timeout: uiTimeout)
        XCTAssertGreaterThan(try conversions(), before)
        // The resolved ones left the queue: the count is what remains refused.
        try tmux.waitFor("◀ affiliate_disabled (\(count - accepted))", timeout: uiTimeout)
        tmux.sendKeys("q")
        try tmux.waitFor("AFTER-EXIT 0", timeout: uiTimeout)
    }
}
