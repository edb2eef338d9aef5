import Foundation
import XCTest

/// The Commissions tab in the real binary under tmux (on a copy of the demo): two entries marked with Space, held with H
/// after the confirmation that shows the totals before → after, the totals line read again.
/// Every wait polls the screen with a time limit; nothing sleeps.
final class LedgerTmuxTests: TmuxProgramTestCase {
    func testHoldAMarkedSelectionAfterItsConfirmation() throws {
        let db = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: db)
        let tmux = try Tmux(command: "\(q(bin)) --db \(q(db))", width: 120, height: 30)
        defer { tmux.kill() }
        try tmux.waitUntil("the Customers list", timeout: uiTimeout) { s in s.count > 4 && s[2].hasPrefix(" Customer ") }
        tmux.sendKeys("8")
        try tmux.waitFor("◀ all ▶", timeout: uiTimeout)
        // Pending: the entries inside their hold.
        tmux.sendKeys("Right")
        // Wait for the pending list itself (its count in the status bar), not only the selector:
        // a Space sent before the list's rows arrive would mark a row of the previous list.
        let screen = try tmux.waitUntil("the pending list loaded", timeout: uiTimeout) { s in
            guard let line = s.first(where: { $0.contains("◀ pending ▶") }),
                  let r = line.range(of: "· pending ") else { return false }
            let count = line[r.upperBound...].prefix { $0.isNumber || $0 == "," }
            return !count.isEmpty && (s.last ?? "").hasSuffix(" 1/\(String(count.filter(\.isNumber)))")
        }
        let pending = try XCTUnwrap(screen.first { $0.contains("◀ pending ▶") })
        tmux.sendKeys("Space")
        tmux.sendKeys("Space")
        try tmux.waitFor("2 marked", timeout: uiTimeout)
        tmux.sendKeys("H")
        let dialog = try tmux.waitFor("Hold 2 entries?", timeout: uiTimeout)
        XCTAssert(dialog.contains { $0.contains("pending") && $0.contains("→") }, dialog.joined(separator: "\n"))
        XCTAssert(dialog.contains { $0.contains("on hold") && $0.contains("→") }, dialog.joined(separator: "\n"))
        tmux.sendKeys("y")
        let after = try tmux.waitFor("Held 2 of 2 entries", timeout: uiTimeout)
        XCTAssertFalse(after.contains { $0.contains("2 marked") }, after.joined(separator: "\n"))
        // The totals line was read again: pending has two fewer.
        try tmux.waitUntil("the totals read again", timeout: uiTimeout) { s in
            s.contains { $0.contains("◀ pending ▶") && $0 != pending }
        }
    }
}
