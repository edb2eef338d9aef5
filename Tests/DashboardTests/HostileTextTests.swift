import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Feeds
import Foundation
import GRDB
import TerminalText
import XCTest

/// Names and keys come from webhooks and imports. Whatever they hold — escape sequences, line
/// breaks, tabs, bidi overrides, wide CJK, ZWJ emoji — the screen shows text only, and every
/// row stays exactly as wide as the terminal.
final class HostileTextTests: XCTestCase {
    static let evilName = "Evil \u{1B}[31mRed\u{1B}[0m\r\nLine\tTab \u{202E}gnp.exe\u{202C} 山田太郎 👨‍👩‍👧 🚀"
    /// Feeds refuse control characters in ids, so a key that gets in carries the rest: bidi
    /// controls, wide CJK, ZWJ emoji. Control characters still reach the store through names,
    /// emails and an admin's manual external id (below).
    static let evilKey = "cust-\u{202E}FED\u{2066}山田太郎👨‍👩‍👧🚀\u{2069}x"
    static let evilExternalID = "man-\u{1B}]0;pwned\u{07}\u{1B}[2J\r\n\t\u{9B}1m\u{85}山"
    /// Wide characters with nothing else, longer than any column: cut at odd widths.
    static let wideKey = "山田太郎山田太郎山田太郎山田太郎山田太郎"

    nonisolated(unsafe) static var store: Store!

    /// A JSON string literal for `s` (control characters escaped, as a webhook would send them).
    static func json(_ s: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [s], options: [])
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }

    override class func setUp() {
        super.setUp()
        let s = try! Store.temporary(clock: demoClock)
        var settings = ProgramSettings()
        settings.name = "Prog\u{1B}[2J\u{1B}]8;;http://x\u{07}ram 🚀"
        settings.caps.count = 3
        try! s.initialize(settings, who: "init")
        _ = try! s.addAffiliate(code: "evil", name: evilName, who: "init")
        // The core's email rule now refuses this email at the door; an older build stored it, so it is
        // written as that build wrote it: the screens must still show it sanitized.
        try! DatabaseQueue(path: s.path).write { db in
            try db.execute(sql: "UPDATE affiliate SET email = ? WHERE code = 'evil'", arguments: ["e\u{1B}[5m@x.example"])
        }
        _ = try! s.addAffiliate(code: "山田", name: "山田太郎 Wide Name That Goes On And On And On 山田太郎", who: "init")
        let feed = TrackingFeed(defaultCurrency: .usd, file: "hostile\u{1B}[31m.jsonl")
        let lines = [
            #"{"type":"click","click_id":"c1","affiliate":"evil","at":"2026-11-01T10:00:00Z"}"#,
            #"{"type":"signup","customer_key":\#(json(evilKey)),"click_id":"c1","email":\#(json("x@y\u{202E}.example")),"at":"2026-11-01T10:05:00Z"}"#,
            #"{"type":"conversion","external_id":\#(json("inv-山\u{202E}")),"amount":"49.00","customer_key":\#(json(evilKey)),"at":"2026-11-02T10:05:00Z"}"#,
            #"{"type":"click","click_id":"c2","affiliate":"山田","at":"2026-11-03T10:00:00Z"}"#,
            #"{"type":"trial","customer_key":\#(json(wideKey)),"click_id":"c2","at":"2026-11-03T10:05:00Z"}"#,
            // Refused: an unknown click, with a hostile key, for the triage screens.
            #"{"type":"trial","customer_key":\#(json("\u{202D}" + evilKey)),"click_id":"nope","at":"2026-11-04T10:05:00Z"}"#,
        ]
        let summary = try! s.ingest(lines.enumerated().compactMap { feed.read(line: $1, number: $0 + 1) })
        precondition(summary.accepted == 5 && summary.rejected == 1, "\(summary)")
        let manual = try! s.addManualConversion(externalID: evilExternalID, amount: Money(minor: 1_000, currency: .usd),
                                                customerKey: evilKey, affiliateCode: nil, at: nil, who: "init\u{1B}[31m")
        precondition(manual.isAccepted, "\(manual)")
        store = s
    }

    func render(_ name: String, _ steps: (Session) throws -> Void) throws {
        for (w, h) in [(80, 24), (120, 40)] {
            let s = try session(Self.store, width: w, height: h)
            try steps(s)
            let f = s.frame
            let tag = "hostile-\(name)-\(w)x\(h)"
            FrameCheck.assertClean(f, tag)
            Golden.check(f, tag)
        }
    }

    func testTheHostileDataIsStoredAsIs() throws {
        // The test means something only if the store kept the raw text.
        XCTAssertEqual(try Self.store.affiliate(code: "evil")?.name, Self.evilName)
        XCTAssertNotNil(try Self.store.customer(key: Self.evilKey))
        XCTAssertNotNil(try Self.store.customer(key: Self.wideKey))
    }

    func testAffiliates() throws {
        try render("affiliates") { s in
            s.go(.affiliates)
            XCTAssertEqual(s.state.list.total, 2)
            let text = s.frame.description
            XCTAssert(text.contains("Evil Red Line Tab"), text)
        }
    }

    func testCustomers() throws {
        try render("customers") { s in
            XCTAssertEqual(s.state.list.total, 2)
            XCTAssert(s.frame.description.contains("cust-"))
        }
    }

    func testCustomersOfTheEvilAffiliate() throws {
        try render("affiliate-customers") { s in
            s.go(.affiliates)
            s.send(.char("/")); s.type("evil"); s.send(.enter, .enter)
            XCTAssertEqual(s.state.tab, .customers)
            XCTAssertEqual(s.state.affiliateFilter?.code, "evil")
            XCTAssertEqual(s.state.list.total, 1)
        }
    }

    func testCustomerDetail() throws {
        try render("customer-detail") { s in
            s.send(.char("/")); s.type("cust-"); s.send(.enter, .enter)
            guard case .customer(let d)? = s.state.detail else { return XCTFail("no detail") }
            XCTAssertEqual(d.customer.key, Self.evilKey)
            // The ingested one and the admin's manual one with the hostile external id.
            XCTAssertEqual(d.conversions.map(\.externalID).sorted(), ["inv-山\u{202E}", Self.evilExternalID].sorted())
        }
    }

    func testWideCustomerDetail() throws {
        try render("wide-customer-detail") { s in
            s.send(.char("/")); s.type("山田太郎山田"); s.send(.enter, .enter)
            guard case .customer(let d)? = s.state.detail else { return XCTFail("no detail") }
            XCTAssertEqual(d.customer.key, Self.wideKey)
        }
    }

    func testPickerAndTriage() throws {
        try render("picker") { s in s.send(.char("r")) }
        try render("triage-event") { s in
            s.go(.triage)
            XCTAssertEqual(s.state.list.total, 1)
            s.send(.enter)
            guard case .event? = s.state.detail else { return XCTFail("no event pane") }
        }
    }

    /// Every width of terminal, not only the goldens' sizes: no row ever overflows.
    func testEveryWidth() throws {
        let s = try session(Self.store)
        for w in stride(from: Layout.minWidth, through: 130, by: 1) {
            s.send(.resize(width: w, height: 20))
            for t in [Tab.affiliates, .customers, .triage, .audit] {
                s.go(t)
                FrameCheck.assertClean(s.frame, "\(t) at \(w)")
            }
        }
        s.go(.customers)
        s.send(.enter)
        for w in stride(from: Layout.minWidth, through: 130, by: 1) {
            s.send(.resize(width: w, height: 20))
            FrameCheck.assertClean(s.frame, "detail at \(w)")
        }
    }
}
