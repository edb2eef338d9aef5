import AttributionCore
import AttributionStore
import Dashboard
import Foundation
import TerminalText
import XCTest

/// The affiliate view never shows, and cannot read, anything that identifies a customer or an
/// order, nor anything of other affiliates.
///
/// The database is seeded with recognisable secrets in every identifying field: customer keys
/// ("QXSECRETKEY-…"), emails ("qx-secret-mail-…@example.com"), order ids ("QXSECRETORDER-…"), click
/// ids ("QXSECRETCLICK-…"), Stripe-like references and subscription ids ("cus_/in_/sub_QXSECRETSTRIPE…"),
/// raw payloads, the audit log's admin ("QXSECRETADMIN"), and other affiliates with names
/// "QXOTHERAFFILIATE-…" and codes "QXOTHERCODE-…". Then:
///
/// - every affiliate screen (both lists, earnings, the customer detail of many customers, help,
///   filters, every sort, paging to both ends, resizes, mouse) at 60x16, 80x24, 120x40 and
///   200x60 is captured and searched for every secret;
/// - every key and every mouse press, on every affiliate screen, is fed to `update`: none opens
///   an admin screen, an admin dialog or asks for an admin effect;
/// - at the store level, every affiliate-view query returns only allowed columns, and SQLite
///   refuses to even prepare a query that reads a forbidden column on an affiliate-view store
///   (while the admin store reads it);
/// - after a reassignment the old affiliate keeps the conversions they earned under the old
///   number, and the new affiliate sees the customer under a new number.
final class AffiliatePrivacyTests: XCTestCase {
    static let now = Instant.parse("2026-06-01T12:00:00Z")!
    static let clock = FixedClock(now)
    static let myCode = "mine"
    static let myName = "Mina Partner"
    /// Customers of the affiliate under test: more than two pages of 200, so the window moves.
    static let myCustomers = 460
    static let otherCodes = ["QXOTHERCODE-0", "QXOTHERCODE-1", "QXOTHERCODE-2"]

    /// Text that must never reach an affiliate's screen (compared case-insensitively). Every
    /// secret starts with "QX", so even a cell cut to "QX…" is caught.
    static let forbidden = ["qx", "secr", "othera", "otherc", "example.com", "cus_", "in_q", "sub_", "@",
                            // The ledger's ids: refunds, disputes (Stripe's dp_/du_), other affiliates' payout references.
                            "re_", "dp_", "du_", "pp-other"]

    struct Fixture: Sendable {
        var admin: Store
        var view: Store
        var me: AffiliateIdentity
        /// My customer moved to QXOTHERCODE-0 (its number under me, and its key).
        var movedAwayNumber: Int64
        var movedAwayKey: String
        /// QXOTHERCODE-1's customer moved to me (its number under me).
        var movedInNumber: Int64
        /// One of my payouts (paid, with a clawback netted in a later one).
        var myPayoutID: Int64 = 0
    }

    static let shared: Result<Fixture, Error> = Result { try build() }
    func fixture() throws -> Fixture { try Self.shared.get() }

    // MARK: - The database

    static func build() throws -> Fixture {
        let admin = try Store.temporary(clock: clock)
        try admin.initialize(ProgramSettings(name: "Privacy program", recurring: true, caps: Caps(count: 5)), who: "QXSECRETADMIN")
        _ = try admin.addAffiliate(code: myCode, name: myName, email: "qx-secret-mail-mine@example.com", who: "QXSECRETADMIN")
        for (j, code) in otherCodes.enumerated() {
            _ = try admin.addAffiliate(code: code, name: "QXOTHERAFFILIATE-\(j) Name", email: "qx-secret-mail-aff\(j)@example.com",
                                       who: "QXSECRETADMIN")
        }
        var events: [InboundEvent] = []
        var n = 0
        func add(_ type: String, _ e: Event, refs: [String] = []) {
            n += 1
            events.append(InboundEvent(source: "jsonl", type: type, raw: #"{"secret":"QXSECRETRAW-\#(n)","mail":"qx-secret-mail-raw-\#(n)@example.com"}"#,
                                       dedupeKey: "privacy:\(n)", file: "QXSECRETFILE.jsonl", line: n, payload: .event(e), refs: refs))
        }
        let day: Int64 = 86_400
        for (code, count) in [(myCode, myCustomers)] + otherCodes.map({ ($0, 40) }) {
            for i in 0..<count {
                // One customer a day, the last ones recently: earnings span many months.
                let t = Instant(seconds: now.seconds - Int64(count - i) * day + 3_600)
                let tag = "\(code)-\(i)"
                add("click", .click(.init(clickID: "QXSECRETCLICK-\(tag)", affiliateCode: code, at: t)))
                add(i % 3 == 0 ? "trial" : "signup",
                    .track(.init(kind: i % 3 == 0 ? .trial : .signup, customerKey: "QXSECRETKEY-\(tag)", clickID: "QXSECRETCLICK-\(tag)",
                                 at: t, email: "qx-secret-mail-\(tag)@example.com")))
                // Some never pay, most pay a few times, a few hit the cap of 5 commissions.
                let payments = i % 7 == 0 ? 0 : (i % 11 == 0 ? 7 : 1 + i % 3)
                for k in 0..<payments {
                    let at = Instant(seconds: min(now.seconds - 60, t.seconds + Int64(k) * 3 * day + 60))
                    add("invoice.paid", .conversion(.init(externalID: "QXSECRETORDER-\(tag)-\(k)", amount: Money(minor: 2_900 + Int64(i % 5) * 1_000, currency: .usd),
                                                          customerKey: "QXSECRETKEY-\(tag)", at: at)),
                        refs: ["in_QXSECRETSTRIPE-\(tag)-\(k)", "cus_QXSECRETSTRIPE-\(tag)", "sub_QXSECRETSTRIPE-\(tag)"])
                }
                if i % 13 == 5 { add("cancel", .cancel(.init(customerKey: "QXSECRETKEY-\(tag)", at: Instant(seconds: now.seconds - 30)))) }
            }
        }
        // A one-off sale credited by click, and refused events with secrets in them.
        add("click", .click(.init(clickID: "QXSECRETCLICK-oneoff", affiliateCode: myCode, at: Instant(seconds: now.seconds - day))))
        add("conversion", .conversion(.init(externalID: "QXSECRETORDER-oneoff", amount: Money(minor: 9_900, currency: .usd),
                                            clickID: "QXSECRETCLICK-oneoff", at: Instant(seconds: now.seconds - day + 60))))
        add("conversion", .conversion(.init(externalID: "QXSECRETORDER-unknown", amount: Money(minor: 100, currency: .usd),
                                            customerKey: "QXSECRETKEY-nobody", at: Instant(seconds: now.seconds - 100))))
        add("click", .click(.init(clickID: "QXSECRETCLICK-nobody", affiliateCode: "QXOTHERCODE-missing", at: Instant(seconds: now.seconds - 100))))
        let summary = try admin.ingest(events)
        XCTAssertGreaterThan(summary.accepted, 2_000)
        _ = try admin.addManualConversion(externalID: "QXSECRETORDER-manual", amount: Money(minor: 5_000, currency: .usd),
                                          customerKey: "QXSECRETKEY-\(myCode)-3", affiliateCode: nil, at: Instant(seconds: now.seconds - 50),
                                          who: "QXSECRETADMIN", detail: "qx-secret-mail-note@example.com")
        _ = try admin.addSSHKey(affiliateCode: myCode, publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFQXSECRETSSHKEYDATA0000 QXSECRETCOMMENT", who: "QXSECRETADMIN")

        // Reassignments both ways.
        let movedAwayKey = "QXSECRETKEY-\(myCode)-10"
        let movedAway = try XCTUnwrap(admin.customer(key: movedAwayKey))
        XCTAssertTrue(try admin.reassign(customerKey: movedAwayKey, toAffiliate: "QXOTHERCODE-0", who: "QXSECRETADMIN").isAccepted)
        XCTAssertTrue(try admin.reassign(customerKey: "QXSECRETKEY-QXOTHERCODE-1-4", toAffiliate: myCode, who: "QXSECRETADMIN").isAccepted)
        let movedIn = try XCTUnwrap(admin.customer(key: "QXSECRETKEY-QXOTHERCODE-1-4"))

        let myPayoutID = try addLedger(admin)
        let view = try Store.affiliateView(path: admin.path, clock: clock)
        let me = try view.identity(code: myCode)
        return Fixture(admin: admin, view: view, me: me, movedAwayNumber: movedAway.number, movedAwayKey: movedAwayKey,
                       movedInNumber: movedIn.number, myPayoutID: myPayoutID)
    }

    /// The ledger, with secrets in every id: refunds (partial, full, of a paid sale: a clawback),
    /// disputes (lost, open; Stripe's `dp_` and `du_`), payouts paid and open for me and the
    /// others, theirs marked paid with secret references. Returns my first paid payout.
    static func addLedger(_ admin: Store) throws -> Int64 {
        let at = Instant(seconds: now.seconds - 600)
        let who = "QXSECRETADMIN"
        func refund(_ order: String, _ id: String, _ amount: RefundRequest.Amount) throws {
            if case .failure(let f) = try admin.recordRefund(externalID: order, RefundRequest(refundID: id, amount: amount), at: at, who: who) {
                XCTFail("refund \(id): \(f)")
            }
        }
        try refund("QXSECRETORDER-mine-1-0", "re_QXSECRETREFUND-1", .partial(Money(minor: 1_000, currency: .usd)))
        try refund("QXSECRETORDER-mine-2-0", "re_QXSECRETREFUND-2", .full)
        try refund("QXSECRETORDER-QXOTHERCODE-0-1-0", "re_QXSECRETREFUND-3", .full)
        for (order, id, statuses) in [("QXSECRETORDER-mine-4-0", "dp_QXSECRETDISPUTE-1", [DisputeStatus.opened, .lost]),
                                      ("QXSECRETORDER-mine-5-0", "du_QXSECRETDISPUTE-2", [.opened])] {
            for st in statuses { _ = try admin.recordDispute(externalID: order, disputeID: id, st, at: at, who: who) }
        }
        // Through 35 days ago: mine and the others' (their customers came in the last 40 days).
        let first = try admin.createPayouts(through: Instant(seconds: now.seconds - 35 * 86_400), minimum: nil, who: who)
        var mine: Int64 = 0
        for p in first.created {
            let isMine = p.affiliate == myCode
            _ = try admin.markPayoutPaid(id: p.id, reference: isMine ? "PP-MINE-\(p.id)" : "PP-OTHER-QXSECRETREF-\(p.id)", who: who)
            if isMine { mine = p.id }
        }
        XCTAssertNotEqual(mine, 0, "no payout of mine")
        let paid = try admin.commissions(CommissionQuery(state: .paid, affiliateCode: myCode))
        try refund(try XCTUnwrap(paid.dropFirst(3).first).externalID, "re_QXSECRETREFUND-paid", .full)
        let second = try admin.createPayouts(through: Instant(seconds: now.seconds - 30 * 86_400), minimum: nil, who: who)
        XCTAssertTrue(second.created.contains { $0.affiliate == myCode } && second.created.contains { $0.affiliate != myCode },
                      "\(second.created.map(\.affiliate))")
        return mine
    }

    func session(_ f: Fixture, width: Int, height: Int) throws -> Session {
        try Session(store: f.view, mode: .affiliate(id: f.me.id, code: f.me.code, name: f.me.name), who: "tester",
                    clock: Self.clock, width: width, height: height)
    }

    // MARK: - Every screen, every size

    /// Records each frame and fails on any secret in it, naming the screen.
    final class Recorder {
        var frames = 0
        var sawCustomerNumber = false
        var sawMyName = false
        let size: String
        init(size: String) { self.size = size }

        func check(_ s: Session, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
            let text = s.frame.lines().joined(separator: "\n")
            frames += 1
            let lower = text.lowercased()
            for secret in AffiliatePrivacyTests.forbidden where lower.contains(secret) {
                XCTFail("\(size) \(what): \"\(secret)\" on screen:\n\(text)", file: file, line: line)
            }
            if text.contains("Customer #") { sawCustomerNumber = true }
            if text.contains(AffiliatePrivacyTests.myName) { sawMyName = true }
            XCTAssertTrue(s.state.tabs.contains(s.state.tab), "\(size) \(what): on tab \(s.state.tab)", file: file, line: line)
            if let m = s.state.message, m.isError, !m.text.contains("is no longer yours") {
                XCTFail("\(size) \(what): error \(m.text)", file: file, line: line)
            }
        }
    }

    func testNoSecretOnAnyAffiliateScreenAtAnySize() throws {
        let f = try fixture()
        let auditBefore = try f.admin.auditCount()
        for (w, h) in [(60, 16), (80, 24), (120, 40), (200, 60)] {
            let s = try session(f, width: w, height: h)
            let r = Recorder(size: "\(w)x\(h)")
            walk(s, r, f)
            XCTAssertGreaterThan(r.frames, 150, "\(w)x\(h)")
            XCTAssertTrue(r.sawCustomerNumber, "\(w)x\(h): no \"Customer #\" on any screen")
            XCTAssertTrue(r.sawMyName, "\(w)x\(h): the affiliate's own name never on the title")
        }
        XCTAssertEqual(try f.admin.auditCount(), auditBefore, "the affiliate view changed something")
    }

    func walk(_ s: Session, _ r: Recorder, _ f: Fixture) {
        r.check(s, "My customers")
        XCTAssertEqual(s.state.list.total, Self.myCustomers, "my customers, less the one moved away, plus the one moved in")

        // Help, scrolled through.
        s.send(.char("?"))
        r.check(s, "help")
        for k in [Key.down, .down, .pageDown, .end, .up, .home] { s.send(k); r.check(s, "help after \(k.description)") }
        s.send(.escape)
        walkEveryTab(s, r)
        walkFilters(s, r, f)
        walkResizesAndMouse(s, r)
        walkEveryKey(s, r)
    }

    /// Every tab: every sort both ways at both ends, paging both ways, details of many rows.
    func walkEveryTab(_ s: Session, _ r: Recorder) {
        for (tabKey, name) in [("1", "My customers"), ("2", "My conversions"), ("3", "Earnings"), ("4", "Payouts")] {
            s.send(.char(Character(tabKey)))
            r.check(s, name)
            // Every sort, both ways, at both ends of the list.
            let columns = Screens.columns(s.state.tab, s.state).filter { $0.sortKey != nil }.count
            for i in 0..<max(1, columns) {
                s.send(.char(">"))
                r.check(s, "\(name) sorted by column \(i + 1)")
                s.send(.char("o"))
                r.check(s, "\(name) sorted by column \(i + 1), reversed")
                s.send(.end)
                r.check(s, "\(name) sorted by column \(i + 1), at the end")
                s.send(.home)
            }
            // Paging both ways.
            for k in [Key.pageDown, .pageDown, .char(" "), .ctrl("f"), .end, .pageUp, .ctrl("b"), .up, .char("G"), .char("g"), .down] {
                s.send(k)
                r.check(s, "\(name) after \(k.description)")
            }
            // Details of many rows, scrolled.
            for row in [0, 1, 2, 7, 30, 199, 250] {
                s.send(.home)
                for _ in 0..<row { s.send(.down) }
                s.send(.enter)
                r.check(s, "\(name) row \(row) opened")
                for k in [Key.down, .pageDown, .end, .home] { s.send(k); r.check(s, "\(name) row \(row) detail after \(k.description)") }
                s.send(.escape)
            }
            s.send(.end, .enter)
            r.check(s, "\(name) last row opened")
            s.send(.escape)
        }
    }

    /// Filters on My customers: a number prefix, a "#", no match, kept and cleared; the customers
    /// moved in and away.
    func walkFilters(_ s: Session, _ r: Recorder, _ f: Fixture) {
        // Filters on My customers: a number prefix, a "#", no match, kept and cleared.
        s.send(.char("1"))
        for text in ["1", "12", "#4", "abc", "9999"] {
            s.send(.char("/"))
            s.type(text)
            r.check(s, "filter \(text)")
            s.send(.enter)
            r.check(s, "filter \(text) kept")
            s.send(.enter)
            r.check(s, "filter \(text), first match opened")
            s.send(.escape, .escape)
            r.check(s, "filter \(text) cleared")
        }

        // The customers moved in and away: the number moved in opens; the old number moved
        // away shows on My conversions and says it is no longer yours.
        s.send(.char("/"))
        s.type(String(f.movedInNumber))
        s.send(.enter, .enter)
        r.check(s, "the customer moved in")
        if case .mine(let d)? = s.state.detail {
            XCTAssertEqual(d.customer.number, f.movedInNumber)
            XCTAssertTrue(d.conversions.isEmpty, "conversions another affiliate earned show as mine")
        } else {
            XCTFail("Customer #\(f.movedInNumber) did not open")
        }
        s.send(.escape, .escape)
    }

    /// Resizes of the live session, every tab; the mouse on every cell of the tab bar and the header,
    /// a few rows, the wheel.
    func walkResizesAndMouse(_ s: Session, _ r: Recorder) {
        // Resizes of the live session, every tab.
        for (w, h) in [(60, 16), (200, 60), (59, 15), (80, 24)] {
            s.send(.resize(width: w, height: h))
            for t in ["1", "2", "3", "4"] { s.send(.char(Character(t))); r.check(s, "resized to \(w)x\(h), tab \(t)") }
        }
        s.send(.resize(width: Int(r.size.split(separator: "x")[0])!, height: Int(r.size.split(separator: "x")[1])!))

        // Mouse: every cell of the tab bar and the header, a few rows, the wheel.
        for t in ["1", "2", "3", "4"] {
            s.send(.char(Character(t)))
            let layout = Layout(s.state)
            for y in [layout.tabsY, layout.headerY, layout.firstRowY, layout.firstRowY + 2] {
                for x in stride(from: 0, to: s.state.width, by: 3) {
                    s.send(.mouse(MouseEvent(x: x, y: y, kind: .press)))
                    r.check(s, "press at \(x),\(y) from tab \(t)")
                    if s.state.detail != nil { s.send(.escape) }
                }
            }
            s.send(.mouse(MouseEvent(x: 5, y: layout.firstRowY + 1, kind: .doubleClick)))
            r.check(s, "double click from tab \(t)")
            s.send(.escape)
            for k in [MouseEvent.Kind.wheelDown, .wheelDown, .wheelUp] {
                s.send(.mouse(MouseEvent(x: 5, y: layout.firstRowY + 1, kind: k)))
                r.check(s, "wheel from tab \(t)")
            }
        }
    }

    /// The admin keys and every other key, on every screen: nothing but refusals to act.
    func walkEveryKey(_ s: Session, _ r: Recorder) {
        // The admin keys and every other key, on every screen: nothing but refusals to act
        // (every key in every context is also fed to `update` in the test below; here the
        // frames they lead to are searched, at one size).
        guard r.size == "80x24" else { return }
        for t in ["1", "2", "3", "4"] {
            s.send(.char(Character(t)))
            for k in Self.everyKey where !Self.leaves(k) {
                s.send(k)
                r.check(s, "key \(k.description) on tab \(t)")
                XCTAssertTrue(s.state.overlays.allSatisfy { $0 == .help }, "key \(k.description) on tab \(t) opened \(s.state.overlays)")
                // Back to the plain list for the next key.
                s.send(.escape, .escape, .escape)
                s.send(.char(Character(t)))
            }
        }
    }

    // MARK: - No admin screen, dialog or effect from any input

    /// Printable ASCII, every Ctrl letter and symbol, and every special key.
    static let everyKey: [Key] = (32...126).map { Key.char(Character(Unicode.Scalar(UInt8($0)))) }
        + "abcdefghijklmnopqrstuvwxyz@[\\]^_".map { Key.ctrl($0) }
        + [.enter, .escape, .tab, .backTab, .up, .down, .left, .right, .pageUp, .pageDown, .home, .end, .backspace, .delete, .insert]
        + (1...12).map { Key.f($0) }

    /// Keys that end the session or start typing into the filter (handled on their own).
    static func leaves(_ k: Key) -> Bool { k == .char("q") || k == .ctrl("c") || k == .char("/") }

    /// What the affiliate view may ask the driver for.
    static func allowed(_ e: Effect) -> Bool {
        switch e {
        case .load(let q, _, _):
            return [.myCustomers, .myConversions, .earnings, .myPayouts].contains(q.tab) && q.affiliateID == nil && q.reason == nil
        case .loadMyCustomer, .loadMyPayout, .checkForChanges, .quit, .loadSettings: return true
        case .loadCustomer, .loadEvent, .loadReasons, .loadPicker, .perform, .prepareReplay, .prepareManual, .prepareBulkReplay, .preview, .loadAdapters,
             .loadLedgerTotals, .loadPayoutTotals, .loadPayoutLines: return false
        }
    }

    func assertNoAdmin(_ before: State, _ msg: Msg, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        var s = before
        let effects = update(&s, msg)
        for e in effects where !Self.allowed(e) {
            XCTFail("\(what): asks for the admin effect \(e)", file: file, line: line)
        }
        for o in s.overlays where o != .help {
            XCTFail("\(what): opens \(o)", file: file, line: line)
        }
        switch s.detail {
        case .customer?, .event?: XCTFail("\(what): opens an admin detail pane", file: file, line: line)
        case .mine?, .myPayout?, nil: break
        }
        XCTAssertTrue(s.tabs.contains(s.tab), "\(what): reaches the \(s.tab) tab", file: file, line: line)
        XCTAssertNil(s.affiliateFilter, "\(what): sets an admin affiliate filter", file: file, line: line)
        XCTAssertEqual(s.mode, before.mode, "\(what): changes the mode", file: file, line: line)
    }

    /// The affiliate view's screens are its own, on tabs no admin screen uses: no value of
    /// `Tab` names an admin screen in one mode and an affiliate screen in the other.
    func testTheAffiliateViewsTabsAreItsOwn() {
        let settings = ProgramSettings(name: "Privacy program")
        let mine = State(mode: .affiliate(id: 1, code: "zoe", name: "Zoë"), settings: settings, now: Self.now).tabs
        let admin = State(mode: .admin, settings: settings, now: Self.now).tabs
        XCTAssertEqual(mine, [.myCustomers, .myConversions, .earnings, .myPayouts])
        XCTAssertTrue(Set(mine).isDisjoint(with: admin), "\(mine) and \(admin) share a tab")
        XCTAssertEqual(State(mode: .affiliate(id: 1, code: "zoe", name: "Zoë"), settings: settings, now: Self.now).tab, .myCustomers)
    }

    func testNoKeyOrClickReachesAnAdminScreenOrAction() throws {
        let f = try fixture()
        let s = try session(f, width: 100, height: 30)
        // Every context an affiliate can be in: each list, a detail pane, help, the filter line,
        // a list with a kept filter, a too-small terminal.
        var contexts: [(String, State)] = []
        for (t, name) in [("1", "My customers"), ("2", "My conversions"), ("3", "Earnings"), ("4", "Payouts")] {
            s.send(.char(Character(t)))
            contexts.append((name, s.state))
            s.send(.down, .enter)
            contexts.append((name + " detail", s.state))
            s.send(.escape)
        }
        s.send(.char("1"), .char("?"))
        contexts.append(("help", s.state))
        s.send(.escape, .char("/"))
        contexts.append(("typing a filter", s.state))
        s.type("1")
        s.send(.enter)
        contexts.append(("kept filter", s.state))
        s.send(.escape)
        s.send(.resize(width: 50, height: 12))
        contexts.append(("too small", s.state))
        s.send(.resize(width: 100, height: 30))

        for (name, state) in contexts {
            XCTAssertTrue(state.tabs.count == 4 && !state.isAdmin, name)
            for k in Self.everyKey {
                assertNoAdmin(state, .key(k), "\(name): key \(k.description)")
                // And a second key after it: a dialog opened by the first would take it.
                var after = state
                _ = update(&after, .key(k))
                for k2 in [Key.enter, .char("y"), .down, .tab, .char("s"), .char("r"), .char("c")] {
                    assertNoAdmin(after, .key(k2), "\(name): key \(k.description) then \(k2.description)")
                }
            }
            for y in 0..<state.height {
                for x in 0..<state.width {
                    for kind in [MouseEvent.Kind.press, .doubleClick, .click, .rightPress] {
                        assertNoAdmin(state, .mouse(MouseEvent(x: x, y: y, kind: kind)), "\(name): \(kind) at \(x),\(y)")
                    }
                }
            }
            for msg in [Msg.tick, .dataChanged, .resize(width: 80, height: 24)] {
                assertNoAdmin(state, msg, "\(name): \(msg)")
            }
        }
        // The admin action keys by name, on the real session: nothing happens (4 is Payouts).
        for t in ["1", "2", "3", "4"] {
            s.send(.char(Character(t)))
            for c in "srcaedxyn567890lh[]RA" {
                let before = s.state
                s.send(.char(c))
                XCTAssertTrue(s.state.overlays.isEmpty || s.state.overlays == [.help], "\(c) on tab \(t): \(s.state.overlays)")
                XCTAssertEqual(s.state.tab, before.tab, "\(c) on tab \(t) changed the tab")
                XCTAssertFalse(s.state.message?.isError ?? false, "\(c) on tab \(t): \(s.state.message?.text ?? "")")
            }
        }
    }

    // MARK: - The store: queries, columns, the authorizer

    /// What each affiliate-view query may return, by name.
    static let allowedColumns: [String: [String]] = [
        "customers": ["number", "status", "created_at", "last_activity_at", "conversions", "commission_minor", "commission_currency",
                      "first_commission_at", "mine", "mine_minor", "mine_currency",
                      // The customer's number again, as the maintained sums hold it (schema v11): their sorts page by it.
                      "sum_number"],
        "conversions": ["id", "at", "customer_number", "amount_minor", "currency", "commission_minor", "commission_currency"],
        // Per month from the maintained sums (schema v7); commission in the program's currency.
        "earnings": ["month", "conversions", "commission_minor"],
        // The ledger (v14): sums per month, currency and state; the pending still in their hold;
        // my payouts and a payout's lines (a customer only by its number).
        "ledger_months": ["month", "currency", "bucket", "amount_minor"],
        "ledger_pending": ["month", "currency", "needs_approval", "amount_minor"],
        "ledger_conversions": ["month", "currency", "conversions"],
        "payouts": ["id", "created_at", "amount_minor", "currency", "state", "paid_at", "reference", "lines"],
        "payout_lines": ["customer_number", "month", "amount_minor", "currency", "kind"],
    ]

    func testEveryAffiliateViewQueryReturnsOnlyAllowedColumns() throws {
        let f = try fixture()
        XCTAssertEqual(Set(Store.affiliateViewSQL.keys), Set(Self.allowedColumns.keys), "a query without an allowed-column list here")
        for (name, sql) in Store.affiliateViewSQL.sorted(by: { $0.key < $1.key }) {
            // ?1 is me; ?2 the time now (pending) or my payout (its lines).
            let second: Int64 = name == "payout_lines" ? f.myPayoutID : Self.now.seconds
            let result = try f.view._probe(sql: sql, arguments: !sql.contains("?") ? [] : sql.contains("?2") ? [f.me.id, second] : [f.me.id])
            XCTAssertEqual(result.columns, Self.allowedColumns[name], name)
            XCTAssertFalse(result.rows.isEmpty, "\(name) read nothing")
            for row in result.rows {
                for cell in row {
                    let lower = (cell ?? "").lowercased()
                    XCTAssertFalse(Self.forbidden.contains { lower.contains($0) }, "\(name) returned \(cell ?? "")")
                }
            }
        }
        // And the queries as the screens run them (every sort and direction, filters, pages,
        // counts, details, earnings) pass the authorizer and return only my rows.
        let mine = try f.admin.customerCount(CustomerQuery(affiliateID: f.me.id))
        XCTAssertEqual(try f.view.affiliateCustomerCount(f.me.id), mine)
        for sort in [CustomerSort.key, .affiliate, .status, .conversions, .commission, .activity] {
            for descending in [false, true] {
                var page = PageRequest.first(150)
                var seen = Set<Int64>()
                while true {
                    let rows = try f.view.affiliateCustomers(f.me.id, sort: sort, descending: descending, page: page)
                    for r in rows { XCTAssertTrue(seen.insert(r.number).inserted, "\(sort) \(descending): #\(r.number) twice") }
                    guard rows.count == page.limit, let last = rows.last else { break }
                    page = PageRequest(after: last.cursor(sort), limit: 150)
                }
                XCTAssertEqual(seen.count, mine, "\(sort) \(descending ? "desc" : "asc")")
            }
        }
        XCTAssertGreaterThan(try f.view.affiliateCustomers(f.me.id, filter: "#1").count, 0)
        for sort in [ConversionSort.date, .amount, .commission] {
            XCTAssertFalse(try f.view.affiliateConversions(f.me.id, sort: sort, descending: false).isEmpty)
        }
        XCTAssertGreaterThan(try f.view.affiliateConversionCount(f.me.id), 0)
        XCTAssertNotNil(try f.view.affiliateCustomer(f.me.id, number: 1))
        XCTAssertGreaterThan(try f.view.affiliateEarnings(f.me.id).count, 12)
        XCTAssertGreaterThan(try f.view.affiliateLedgerMonths(f.me.id).count, 12)
        let payouts = try f.view.affiliatePayouts(f.me.id)
        XCTAssertEqual(payouts.count, try f.view.affiliatePayoutCount(f.me.id))
        XCTAssertEqual(try f.admin.payouts(affiliateCode: Self.myCode).map(\.id).sorted(), payouts.map(\.id).sorted(), "not only my payouts")
        XCTAssertFalse(try XCTUnwrap(try f.view.affiliatePayout(f.me.id, id: f.myPayoutID)).lines.isEmpty)
        // Another affiliate's payout is not mine to open.
        let theirs = try XCTUnwrap(try f.admin.payouts(affiliateCode: "QXOTHERCODE-0").first)
        XCTAssertNil(try f.view.affiliatePayout(f.me.id, id: theirs.id))
    }

    /// Reads the authorizer must refuse on an affiliate-view store, each with what it tries.
    static let refused: [(String, String)] = [
        ("SELECT key FROM customer", "customer.key"),
        ("SELECT email FROM customer", "customer.email"),
        ("SELECT click_id FROM customer", "customer.click_id"),
        ("SELECT id FROM customer", "customer.id"),
        ("SELECT * FROM customer", "customer.id"),
        ("SELECT number FROM customer WHERE key LIKE 'QXSECRET%'", "customer.key"),
        ("SELECT number FROM customer ORDER BY email", "customer.email"),
        ("SELECT \"key\" FROM main.customer", "customer.key"),
        ("WITH x AS (SELECT key FROM customer) SELECT * FROM x", "customer.key"),
        ("SELECT (SELECT group_concat(key) FROM customer)", "customer.key"),
        ("SELECT external_id FROM conversion", "conversion.external_id"),
        ("SELECT customer_id FROM conversion", "conversion.customer_id"),
        ("SELECT click_id FROM conversion", "conversion.click_id"),
        ("SELECT subscription_id FROM conversion", "conversion.subscription_id"),
        ("SELECT renewal_index FROM conversion", "conversion.renewal_index"),
        ("SELECT v.id FROM conversion v JOIN customer c ON c.id = v.customer_id", "conversion.customer_id"),
        ("SELECT raw FROM event", "event.raw"),
        ("SELECT customer_key FROM event", "event.customer_key"),
        ("SELECT COUNT(*) FROM event", "event"),
        ("SELECT ref FROM event_ref", "event_ref.ref"),
        ("SELECT click_id FROM click", "click.click_id"),
        ("SELECT COUNT(*) FROM click", "click"),
        ("SELECT email FROM affiliate", "affiliate.email"),
        ("SELECT who, before, after FROM audit", "audit.who"),
        ("SELECT key_data FROM ssh_key", "ssh_key.key_data"),
        ("SELECT comment FROM ssh_key", "ssh_key.comment"),
        // The ledger's tables (v8-ledger): refund and dispute ids, the sale a commission is for, payout references.
        ("SELECT refund_key FROM refund", "refund.refund_key"),
        ("SELECT COUNT(*) FROM refund", "refund"),
        ("SELECT dispute_id FROM dispute", "dispute.dispute_id"),
        // What a commission was voided for and its sale before refunds (the affiliate view reads
        // its own entries' states and sums, and its own payouts with their references, v14).
        ("SELECT reason FROM commission", "commission.reason"),
        ("SELECT original_minor FROM commission", "commission.original_minor"),
        ("SELECT c.id FROM commission c JOIN refund r ON r.conversion_id = c.conversion_id", "refund.conversion_id"),
        ("SELECT COUNT(*) FROM dispute", "dispute"),
    ]

    func testTheAuthorizerRefusesForbiddenColumnsOnTheAffiliateStoreOnly() throws {
        let f = try fixture()
        for (sql, what) in Self.refused {
            XCTAssertThrowsError(try f.view._probe(sql: sql), sql) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("SQLite error 23"), "\(sql): not an authorization error: \(text)")
                // A column: "access to customer.key is prohibited"; a whole table (COUNT(*)): "not authorized".
                XCTAssertTrue(what.contains(".") ? text.contains("access to \(what) is prohibited") : text.contains("not authorized"),
                              "\(sql): \(text)")
            }
            // The admin store reads the same thing: the refusal is the authorizer's, not the SQL's.
            XCTAssertNoThrow(try f.admin._probe(sql: sql), sql)
        }
        // And the admin store does see the secrets there (so the searches above mean something).
        let keys = try f.admin._probe(sql: "SELECT key FROM customer").rows.compactMap { $0[0] }
        XCTAssertTrue(keys.contains("QXSECRETKEY-mine-0"))
        // Tables that do not exist in the schema, and SQLite's own page statistics: refused too.
        for sql in ["SELECT * FROM dbstat", "SELECT name FROM pragma_table_info('customer')"] {
            XCTAssertThrowsError(try f.view._probe(sql: sql), sql)
        }
        // The probe only reads, on either store.
        for sql in ["DELETE FROM customer", "UPDATE affiliate SET name = 'x'", "INSERT INTO audit (at, who, action) VALUES (0, 'x', 'x')"] {
            XCTAssertThrowsError(try f.view._probe(sql: sql), sql)
            XCTAssertThrowsError(try f.admin._probe(sql: sql), sql)
        }
        // The list of what is denied is what the authorizer enforces.
        for (table, columns) in AffiliatePrivacy.denied {
            for c in columns where c != "*" { XCTAssertFalse(AffiliatePrivacy.mayRead(table: table, column: c), "\(table).\(c)") }
            if columns.contains("*") { XCTAssertFalse(AffiliatePrivacy.mayRead(table: table, column: "")) }
        }
        XCTAssertFalse(AffiliatePrivacy.mayRead(table: "a_table_added_later", column: "anything"))
    }

    func testAfterAReassignmentEachAffiliateSeesWhatIsTheirs() throws {
        // Its own database: this test writes.
        let f = try Self.build()
        let other = try f.view.identity(code: "QXOTHERCODE-2")
        let key = "QXSECRETKEY-mine-23"  // three payments, not capped, not canceled
        let before = try XCTUnwrap(f.admin.customer(key: key))
        XCTAssertEqual(before.affiliateCode, "mine")
        let oldNumber = before.number
        let earned = try f.view.affiliateConversions(f.me.id, customerNumber: oldNumber, page: .first(100))
        XCTAssertFalse(earned.isEmpty, "the customer has conversions credited to me")
        let myCount = try f.view.affiliateCustomerCount(f.me.id)
        let otherCount = try f.view.affiliateCustomerCount(other.id)
        let otherNumbers = Set(try f.view.affiliateCustomers(other.id, page: .first(1000)).map(\.number))

        XCTAssertTrue(try f.admin.reassign(customerKey: key, toAffiliate: "QXOTHERCODE-2", who: "QXSECRETADMIN").isAccepted)
        // A new payment after the move: the new affiliate's.
        let paid = try f.admin.ingest([InboundEvent(source: "jsonl", type: "conversion", raw: "{}", dedupeKey: "after-move",
                                                    payload: .event(.conversion(.init(externalID: "QXSECRETORDER-after-move",
                                                                                      amount: Money(minor: 10_000, currency: .usd),
                                                                                      customerKey: key, at: Self.now))))])
        XCTAssertEqual(paid.accepted, 1)
        let after = try XCTUnwrap(f.admin.customer(key: key))
        XCTAssertEqual(after.affiliateCode, "QXOTHERCODE-2")

        // The old affiliate: one customer fewer, the old number gone from the list, and the
        // conversions they earned still theirs under the old number (nothing after the move).
        XCTAssertEqual(try f.view.affiliateCustomerCount(f.me.id), myCount - 1)
        XCTAssertNil(try f.view.affiliateCustomer(f.me.id, number: oldNumber))
        XCTAssertEqual(try f.view.affiliateConversions(f.me.id, customerNumber: oldNumber, page: .first(100)), earned)

        // The new affiliate: the customer under a new number of theirs, with only the payment
        // made since the move.
        XCTAssertEqual(try f.view.affiliateCustomerCount(other.id), otherCount + 1)
        XCTAssertFalse(otherNumbers.contains(after.number))
        XCTAssertEqual(after.number, (otherNumbers.max() ?? 0) + 1)
        let theirs = try f.view.affiliateConversions(other.id, customerNumber: after.number, page: .first(100))
        XCTAssertEqual(theirs.map(\.amount.minor), [10_000])
        let moved = try XCTUnwrap(f.view.affiliateCustomer(other.id, number: after.number))
        // Their figures are what THEY earned from the customer, never the old affiliate's too;
        // the cap (a per-customer rule) still counts every commission.
        XCTAssertEqual(moved.conversions, 1)
        XCTAssertEqual(moved.commission?.minor, theirs.map(\.commission.minor).reduce(0, +))
        XCTAssertEqual(moved.capHistory.commissions, after.conversions)
        XCTAssertGreaterThan(after.conversions, 1)

        // On screen: the old affiliate's conversions name the old number, which no longer opens.
        let s = try session(f, width: 100, height: 30)
        // My conversions, oldest first: the moved customer's are among the first.
        s.send(.char("2"), .char("o"))
        let rows = s.state.list.rows
        let i = try XCTUnwrap(rows.firstIndex { s.cells($0).contains("Customer #\(oldNumber)") }, "Customer #\(oldNumber) not on My conversions")
        s.send(.home)
        for _ in 0..<i { s.send(.down) }
        s.send(.enter)
        XCTAssertNil(s.state.detail)
        XCTAssertEqual(s.state.message?.text, "Customer #\(oldNumber) is no longer yours.")
        s.send(.char("1"))
        XCTAssertFalse(s.state.lists[.myCustomers]!.rows.contains { s.cells($0, on: .myCustomers)[0] == "Customer #\(oldNumber)" })
    }
}

