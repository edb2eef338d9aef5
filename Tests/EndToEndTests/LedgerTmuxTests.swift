import Foundation
import XCTest

/// The Commissions tab in the real binary under tmux: two entries marked with Space, held with H
/// after the confirmation that shows the totals before → after, the totals line read again.
/// Every wait polls the screen with a time limit; nothing sleeps.
final class LedgerTmuxTests: XCTestCase {
    var dir: String!
    var bin: String!
    let demoTimeout = 300.0
    let uiTimeout = 30.0

    override func setUpWithError() throws {
        guard Spawn.which("tmux") != nil else { throw XCTSkip("tmux is not installed") }
        bin = try Tmux.binaryPath()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-ledger-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }

    func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func testHoldAMarkedSelectionAfterItsConfirmation() throws {
        let tmux = try Tmux(command: "\(q(bin)) demo --db \(q(dir + "/demo.sqlite"))", width: 120, height: 30)
        defer { tmux.kill() }
        try tmux.waitUntil("the Customers list", timeout: demoTimeout) { s in s.count > 4 && s[2].hasPrefix(" Customer ") }
        tmux.sendKeys("8")
        try tmux.waitFor("◀ all ▶", timeout: uiTimeout)
        // Pending: the entries inside their hold.
        tmux.sendKeys("Right")
        let screen = try tmux.waitFor("◀ pending ▶", timeout: uiTimeout)
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
