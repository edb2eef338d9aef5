import AttributionCore
import AttributionStore
import Dashboard
import TerminalText
import XCTest

/// A "monkey" over update(state, msg) and view(state): thousands of random keys from a fixed
/// seed — navigation, Esc, Enter, filters, prompts, every letter — with a random terminal size
/// (1x1 to 300x100) now and then, on the admin dashboard over the demo store and on the affiliate
/// view. No crash; every frame is exactly its size, its rows exactly as wide; no control
/// character reaches a cell; no affiliate frame shows a customer key, email or id.
final class MonkeyTests: XCTestCase {
    /// Keys a user hits most, then every other key (quitting is left out: the session would end).
    static let common: [Key] = [.up, .down, .pageUp, .pageDown, .home, .end, .enter, .escape, .escape, .tab, .backTab,
                                .left, .right, .char("/"), .char("o"), .char(">"), .char("<"), .char("?"), .char("M"),
                                .char("y"), .char("n"), .char(":"), .backspace, .ctrl("u")]
        + (1...9).map { Key.char(Character(String($0))) }
    static let every: [Key] = AffiliatePrivacyTests.everyKey.filter { !($0 == .char("q") || $0 == .ctrl("c")) }

    /// The next message: a key (common ones three times as likely), or a new size.
    static func message(_ r: inout SplitMix) -> Msg {
        let roll = r.next() % 100
        if roll < 4 {
            let w = 1 + Int(r.next() % 300), h = 1 + Int(r.next() % 100)
            return .resize(width: w, height: h)
        }
        if roll < 70 { return .key(common[Int(r.next() % UInt64(common.count))]) }
        return .key(every[Int(r.next() % UInt64(every.count))])
    }

    /// Sends `count` messages, checking each frame's size (and every 25th frame cell by cell).
    static func run(_ s: Session, seed: UInt64, count: Int, check: (Session, String) -> Void) {
        var r = SplitMix(seed: seed)
        var sent: [String] = []
        for i in 0..<count {
            let m = message(&r)
            sent.append("\(m)")
            s.send(m)
            if s.state.quit { XCTFail("the session ended after \(sent.suffix(5))"); return }
            let f = s.frame
            let what = "message \(i) (last: \(sent.suffix(4).joined(separator: ", ")))"
            XCTAssertEqual(f.width, s.state.width, what)
            XCTAssertEqual(f.height, s.state.height, what)
            if i % 25 == 0 || i == count - 1 { FrameCheck.assertClean(f, what) }
            check(s, what)
        }
    }

    func testRandomKeysOnTheAdminDashboard() throws {
        let s = try session(try DemoFixture.shared.copy(), width: 100, height: 30)
        Self.run(s, seed: 0x5EED_0009, count: 1000) { _, _ in }
    }

    func testRandomKeysOnTheAffiliateViewShowNoCustomerIdentity() throws {
        let f = try AffiliatePrivacyTests.shared.get()
        let s = try Session(store: f.view, mode: .affiliate(id: f.me.id, code: f.me.code, name: f.me.name), who: "tester",
                            clock: AffiliatePrivacyTests.clock, width: 100, height: 30)
        var numbers = 0
        Self.run(s, seed: 0x5EED_000A, count: 1000) { s, what in
            let text = s.frame.lines().joined(separator: "\n")
            if text.contains("Customer #") { numbers += 1 }
            let lower = text.lowercased()
            for secret in AffiliatePrivacyTests.forbidden where lower.contains(secret) {
                XCTFail("\(what): \"\(secret)\" on screen:\n\(text)")
            }
            XCTAssertFalse(s.state.isAdmin, what)
            XCTAssertTrue(s.state.tabs.contains(s.state.tab), what)
        }
        XCTAssertGreaterThan(numbers, 50, "the monkey never saw a customer")
    }
}
