import AttributionCore
import AttributionStore
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 14's workflow in the real binary under tmux: jumps and the trail Esc goes back along,
/// `q` in a pane, the `:` command line, `y` copying through OSC 52 (the bytes checked in a
/// pipe-pane log). Every wait polls the screen or the log with a time limit; nothing sleeps.
final class WorkflowTmuxTests: TmuxProgramTestCase {
    /// The dashboard in tmux on a copy of the demo (dir/demo.sqlite), on its Customers list;
    /// returns the tmux and the first row's key.
    func demo() throws -> (Tmux, String) {
        let (tmux, screen) = try demoScreen()
        return (tmux, try XCTUnwrap(screen[3].split(separator: " ").first.map(String.init)))
    }

    /// The same, with `environment` added to the dashboard's; returns its first screen.
    func demoScreen(environment: [String: String] = [:]) throws -> (Tmux, [String]) {
        let db = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: db)
        let tmux = try Tmux(command: "\(q(bin)) --db \(q(db))", width: 100, height: 30, environment: environment)
        let screen = try tmux.waitUntil("the Customers list", timeout: uiTimeout) { s in
            s.count > 4 && s[2].hasPrefix(" Customer ") && (s.last ?? "").contains(" 1/")
        }
        return (tmux, screen)
    }

    func testJumpsEscBackQInAPaneAndTheCommandLine() throws {
        let (tmux, key) = try demo()
        defer { tmux.kill() }

        // :customer KEY opens the customer; Tab completes the command's name.
        tmux.type(":cu")
        tmux.sendKeys("Tab")
        try tmux.waitFor(":customer █")
        tmux.type(key)
        tmux.sendKeys("Enter")
        var screen = try tmux.waitFor("┌ Customer \(key) ", timeout: uiTimeout)
        let affiliate = try XCTUnwrap(screen.first { $0.contains("│ Affiliate ") }?.split(separator: " ").dropFirst(2).first.map(String.init))
        // The pane's jumps are on the status bar; a goes to its affiliate.
        XCTAssert((screen.last ?? "").contains("a →affiliate"), screen.joined(separator: "\n"))
        tmux.sendKeys("a")
        screen = try tmux.waitUntil("the Affiliates list on \(affiliate)", timeout: uiTimeout) { s in
            s.count > 4 && s[2].hasPrefix(" Code ") && s[3].hasPrefix(" \(affiliate) ") && !s.contains { $0.contains("┌ Customer") }
        }
        // Esc: back to the customer pane; q: closes it (the program goes on).
        tmux.sendKeys("Escape")
        try tmux.waitFor("┌ Customer \(key) ", timeout: uiTimeout)
        tmux.sendKeys("q")
        try tmux.waitUntil("the Customers list again", timeout: uiTimeout) { s in
            s.count > 4 && s[2].hasPrefix(" Customer ") && !s.contains { $0.contains("┌ Customer") }
        }

        // Affiliates, Enter: its customers; Esc: the Affiliates again (not every customer).
        tmux.sendKeys("1")
        try tmux.waitUntil("the Affiliates", timeout: uiTimeout) { s in s.count > 4 && s[2].hasPrefix(" Code ") }
        tmux.sendKeys("Enter")
        try tmux.waitFor("Customers of ", timeout: uiTimeout)
        tmux.sendKeys("Escape")
        try tmux.waitUntil("the Affiliates after Esc", timeout: uiTimeout) { s in
            s.count > 4 && s[2].hasPrefix(" Code ") && !s.contains { $0.contains("Customers of ") }
        }

        // :affiliate with a code completed by Tab; an unknown command is said and the line stays.
        tmux.type(":frob")
        tmux.sendKeys("Enter")
        try tmux.waitFor("unknown command \"frob\"", timeout: uiTimeout)
        tmux.sendKeys("C-u")
        tmux.type("affiliate " + String(affiliate.prefix(3)))
        tmux.sendKeys("Tab")
        try tmux.waitFor(":affiliate \(affiliate)█", timeout: uiTimeout)
        tmux.sendKeys("Escape")

        // At the top level q quits.
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }

    func testYCopiesTheKeyThroughOSC52() throws {
        let (tmux, key) = try demo()
        defer { tmux.kill() }
        let log = dir + "/pane.log"
        try tmux.pipeOutput(to: log)
        tmux.sendKeys("y")
        try tmux.waitFor("Copied \(key) to the clipboard.", timeout: uiTimeout)
        let expected = Array("\u{1B}]52;c;".utf8) + Array(Data(key.utf8).base64EncodedString().utf8) + [0x07]
        let deadline = Date().addingTimeInterval(uiTimeout)
        var bytes: [UInt8] = []
        while Date() < deadline {
            bytes = Array((try? Data(contentsOf: URL(fileURLWithPath: log))) ?? Data())
            if bytes.firstRange(of: expected) != nil { break }
            usleep(50_000)
        }
        XCTAssertNotNil(bytes.firstRange(of: expected), "no OSC 52 for \(key) in the pane's output: \(String(decoding: bytes.suffix(200), as: UTF8.self).debugDescription)")
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }

    /// The Settings form's toggles and pick-lists, then the Affiliates tab's edit form.
    func testSettingsTogglesAndPickLists() throws {
        let db = dir + "/demo.sqlite"
        let (tmux, _) = try demo()
        defer { tmux.kill() }
        tmux.sendKeys("7")
        try tmux.waitFor("Stripe metadata key", timeout: uiTimeout)
        // Recurring: a toggle; Space switches it, Enter asks, y saves.
        tmux.sendKeys("Down", "Down", "Enter")
        try tmux.waitFor("Recurring / Lifetime commissions  ● on  ○ off", timeout: uiTimeout)
        tmux.sendKeys("Space")
        try tmux.waitFor("Recurring / Lifetime commissions  ○ on  ● off", timeout: uiTimeout)
        tmux.sendKeys("Enter")
        try tmux.waitFor("on → off", timeout: uiTimeout)
        tmux.sendKeys("y")
        try tmux.waitFor("Settings saved and audited.", timeout: uiTimeout)
        XCTAssertFalse(try Store(path: db, readOnly: true).settings().recurring)
        // The tax rule (the last setting): a pick-list moved with →.
        tmux.sendKeys("G", "Enter")
        try tmux.waitFor("● included  ○ excluded", timeout: uiTimeout)
        tmux.sendKeys("Right")
        try tmux.waitFor("○ included  ● excluded", timeout: uiTimeout)
        tmux.sendKeys("Enter")
        try tmux.waitFor("included → excluded", timeout: uiTimeout)
        tmux.sendKeys("y")
        try tmux.waitUntil("the tax rule shown as excluded", timeout: uiTimeout) { s in
            s.contains { $0.contains("Commission on amounts with tax") && $0.hasSuffix("excluded") }
        }
        XCTAssertTrue(try Store(path: db, readOnly: true).adapterSettings().taxExcluded)
        // The Affiliates tab's edit form (E, Shift-e through the terminal): the commission
        // override of the first affiliate, confirmed with before → after, saved and audited.
        tmux.sendKeys("1")
        try tmux.waitFor("E edit", timeout: uiTimeout)
        tmux.sendKeys("E")
        try tmux.waitFor("┌ Edit affiliate zoe ", timeout: uiTimeout)
        tmux.sendKeys("Down", "Down", "C-u")
        tmux.type("35%")
        tmux.sendKeys("Enter")
        try tmux.waitFor("Commission  the program's (20%) → 35%", timeout: uiTimeout)
        tmux.sendKeys("y")
        try tmux.waitFor("Affiliate zoe: commission 35%.", timeout: uiTimeout)
        XCTAssertEqual(try Store(path: db, readOnly: true).affiliate(code: "zoe")?.commission, .percent(basisPoints: 3500))
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }

    func testTimesFollowTZ() throws {
        let db = dir + "/demo.sqlite"
        let (tmux, screen) = try demoScreen(environment: ["TZ": "Asia/Tokyo"])
        defer { tmux.kill() }
        let key = try XCTUnwrap(screen[3].split(separator: " ").first.map(String.init))
        let utc = try XCTUnwrap(try Store(path: db, readOnly: true).customer(key: key)).lastActivityAt
        let tokyo = Instant(seconds: utc.seconds + 9 * 3600).shortDisplay
        XCTAssert(screen[3].hasSuffix(tokyo), "\(screen[3]) should end with \(tokyo)")
        XCTAssertFalse(screen[0].hasSuffix("UTC · USD · recurring on · admin"), screen[0])
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }
}
