import AttributionCore
import AttributionStore
import Dashboard
import Demo
import TerminalText
import XCTest

/// The Triage tab's two actions, replay and the manual override: `update()` alone (the keys,
/// the confirmation, the effect), then through the driver against a copy of the demo program.
final class TriageActionTests: XCTestCase {
    // MARK: update() alone

    /// The Triage tab with two rows, the first selected (event ids 7 and 8): typed as the list
    /// reads them, the demo's first recurring_off refusal as events 7 (inv_7) and 8 (inv_8).
    func triageState(mode: Mode = .admin) -> State {
        var s = State(mode: mode, settings: DemoProgram.settings, now: DemoProgram.now)
        s.tab = .triage
        guard let refused = try? demoEvent() else { XCTFail("no recurring_off refusal in the demo"); return s }
        let rows: [ListRow] = [7, 8].map { (id: Int64) -> ListRow in
            var e = refused
            e.id = id
            e.externalID = "inv_" + String(id)
            return ListRow(id: id, item: .event(e), cursor: Cursor(int: id, id: id))
        }
        _ = update(&s, .loaded(.triage, .reset, rows: rows, total: 2, atEnd: true))
        return s
    }

    /// A stored event to preview (the demo's first recurring_off refusal).
    func demoEvent() throws -> EventRow {
        let store = try DemoFixture.shared.store()
        return try XCTUnwrap(try store.events(EventQuery(rejectedOnly: true, reason: "recurring_off"), page: .first(1)).first)
    }

    func confirm(_ s: State, file: StaticString = #filePath, line: UInt = #line) -> Confirm? {
        guard case .confirm(let c)? = s.overlays.last else { XCTFail("no confirmation: \(s.overlays)", file: file, line: line); return nil }
        return c
    }

    func testReplayAsksThenConfirms() throws {
        var s = triageState()
        XCTAssertEqual(update(&s, .key(.char("p"))), [.prepareReplay(eventID: 7)])
        XCTAssertTrue(s.overlays.isEmpty, "nothing opens before the preview is read")
        let e = try demoEvent()
        let would = Decision.accepted(detail: "credited to zoe for customer usr_1")
        XCTAssertEqual(update(&s, .replayPrepared(ReplayPreview(event: e, wouldNow: would, affiliateCode: "zoe", credited: nil))), [])
        let c = try XCTUnwrap(confirm(s))
        XCTAssertEqual(c.title, "Replay event #\(e.id) under today's settings?")
        XCTAssertEqual(c.action, .replay(eventID: e.id))
        XCTAssertTrue(c.lines.contains("Was       rejected · recurring_off"), "\(c.lines)")
        XCTAssertTrue(c.lines.contains("Today     accepted: credited to zoe for customer usr_1"), "\(c.lines)")
        // y performs it.
        XCTAssertEqual(update(&s, .key(.char("y"))), [.perform(.replay(eventID: e.id))])
        XCTAssertTrue(s.overlays.isEmpty)
        XCTAssertEqual(s.message?.text, "Working…")
        // The driver's answer is the message.
        _ = update(&s, .writeFinished(Outcome(result: .applied, text: "Replayed event #\(e.id) as #99: accepted.", at: DemoProgram.now)))
        XCTAssertEqual(s.message, Note("Replayed event #\(e.id) as #99: accepted."))
    }

    func testReplayCancelled() throws {
        let e = try demoEvent()
        for key in [Key.char("n"), .char("N"), .escape, .enter] {
            var s = triageState()
            _ = update(&s, .key(.char("p")))
            _ = update(&s, .replayPrepared(ReplayPreview(event: e, wouldNow: .rejected(.recurringOff), affiliateCode: nil, credited: nil)))
            let c = try XCTUnwrap(confirm(s))
            XCTAssertTrue(c.lines.contains("Today     refused recurring_off"), "\(c.lines)")
            XCTAssertEqual(update(&s, .key(key)), [], "\(key)")
            XCTAssertTrue(s.overlays.isEmpty)
            XCTAssertEqual(s.message?.text, "Cancelled: nothing was changed.")
        }
    }

    func testManualConversionAsksThenConfirms() throws {
        var s = triageState()
        s.lists[.triage]!.selected = 1
        XCTAssertEqual(update(&s, .key(.char("m"))), [.prepareManual(eventID: 8)])
        let draft = ManualDraft(eventID: 8, externalID: "inv_8", amount: Money(minor: 4_900, currency: .usd), at: DemoProgram.now,
                                customerKey: "usr_8", affiliateCode: "zoe", creditedBy: .customer)
        XCTAssertEqual(update(&s, .manualPrepared(draft)), [])
        let c = try XCTUnwrap(confirm(s))
        XCTAssertEqual(c.title, "Add conversion inv_8 by hand?")
        XCTAssertEqual(c.action, .manualFromEvent(draft, affiliateCode: nil))
        XCTAssertEqual(Array(c.lines.prefix(6)), ["From      event #8", "External  inv_8", "Amount    49.00 USD",
                                                  "Paid at   2026-11-15 12:00", "Customer  usr_8", "Credit    zoe (the customer's affiliate)"])
        XCTAssertEqual(update(&s, .key(.char("Y"))), [.perform(.manualFromEvent(draft, affiliateCode: nil))])
        XCTAssertTrue(s.overlays.isEmpty)
    }

    func testManualConversionCancelled() throws {
        var s = triageState()
        _ = update(&s, .key(.char("m")))
        let draft = ManualDraft(eventID: 7, externalID: "inv_7", amount: Money(minor: 100, currency: .usd), at: DemoProgram.now,
                                affiliateCode: "zoe", creditedBy: .click)
        _ = update(&s, .manualPrepared(draft))
        XCTAssertTrue(try XCTUnwrap(confirm(s)).lines.contains("Customer  one-off"))
        XCTAssertEqual(update(&s, .key(.escape)), [])
        XCTAssertTrue(s.overlays.isEmpty)
        XCTAssertEqual(s.message?.text, "Cancelled: nothing was changed.")
    }

    func testManualConversionWithNobodyToCreditPicksAnAffiliate() throws {
        var s = triageState()
        _ = update(&s, .key(.char("m")))
        let draft = ManualDraft(eventID: 7, externalID: "inv_7", amount: Money(minor: 100, currency: .usd), at: DemoProgram.now,
                                untrackedCustomerKey: "usr_new", creditedBy: .none)
        XCTAssertEqual(update(&s, .manualPrepared(draft)), [.loadPicker])
        guard case .picker(let p)? = s.overlays.last else { return XCTFail("no picker") }
        XCTAssertEqual(p.title, "Credit inv_7 to…")
        _ = update(&s, .pickerLoaded([PickerItem(code: "bob", name: "Bob", disabled: false), PickerItem(code: "zoe", name: "Zoë", disabled: false)]))
        for c in "zo" { _ = update(&s, .key(.char(c))) }
        XCTAssertEqual(update(&s, .key(.enter)), [])
        let c = try XCTUnwrap(confirm(s))
        XCTAssertEqual(c.action, .manualFromEvent(draft, affiliateCode: "zoe"))
        XCTAssertTrue(c.lines.contains("Customer  one-off (usr_new is not tracked)"), "\(c.lines)")
        XCTAssertTrue(c.lines.contains("Credit    zoe (chosen)"), "\(c.lines)")
        XCTAssertEqual(update(&s, .key(.char("y"))), [.perform(.manualFromEvent(draft, affiliateCode: "zoe"))])
        // Esc in the picker leaves without a change.
        var t = triageState()
        _ = update(&t, .manualPrepared(draft))
        XCTAssertEqual(update(&t, .key(.escape)), [])
        XCTAssertTrue(t.overlays.isEmpty)
    }

    func testTheActionsWorkFromTheEventPaneAndOnlyForAdmins() throws {
        let e = try demoEvent()
        var s = triageState()
        _ = update(&s, .detailLoaded(.event(EventDetail(event: e, wouldNow: nil))))
        XCTAssertEqual(update(&s, .key(.char("p"))), [.prepareReplay(eventID: e.id)])
        XCTAssertEqual(update(&s, .key(.char("m"))), [.prepareManual(eventID: e.id)])
        // Not on other tabs, not for affiliates.
        var c = triageState()
        c.tab = .customers
        XCTAssertEqual(update(&c, .key(.char("p"))), [])
        var a = triageState(mode: .affiliate(id: 1, code: "zoe", name: "Zoë"))
        XCTAssertEqual(update(&a, .key(.char("p"))), [])
        XCTAssertEqual(update(&a, .key(.char("m"))), [])
        // A preview arriving under another dialog does not stack a second one.
        var h = triageState()
        _ = update(&h, .key(.char("?")))
        _ = update(&h, .replayPrepared(ReplayPreview(event: e, wouldNow: nil, affiliateCode: nil, credited: nil)))
        XCTAssertEqual(h.overlays, [.help])
    }

    func testTheStatusBarAndHelpShowTheActions() {
        var s = triageState()
        XCTAssertEqual(Keymap.statusBar(s).map(\.short).suffix(2), ["replay", "by hand"])
        s.height = 60
        s.overlays = [.help]
        let help = view(s).lines().joined(separator: "\n")
        XCTAssertTrue(help.contains("Event actions (admin)"), help)
        XCTAssertTrue(help.contains("p        Replay the event under today's settings"), help)
        var c = triageState()
        c.tab = .customers
        XCTAssertFalse(Keymap.statusBar(c).contains { $0.command == .replay })
    }

    // MARK: Through the driver, on the demo program

    /// A session on a demo copy where a recurring_off refusal would now be credited with a
    /// commission, the fix support would make first: the caps removed, the customer set back to
    /// active. The event is the one whose replay confirmation says so; nothing is replayed yet.
    func creditableEvent(_ store: Store) throws -> (Session, EventRow) {
        var settings = try store.settings()
        settings.caps = .none
        try store.updateSettings(settings, who: "tester")
        let s = try session(store)
        let events = try store.events(EventQuery(rejectedOnly: true, reason: "recurring_off"), page: .first(100))
        for e in events {
            guard let key = e.customerKey, let x = e.externalID, try store.conversion(externalID: x) == nil,
                  let c = try store.customer(key: key) else { continue }
            if c.status == .capped || c.status == .ended {
                guard try store.setStatus(customerKey: key, to: .active, who: "tester").isAccepted else { continue }
            }
            try select(s, e)
            s.send(.char("p"))
            let lines = confirm(s.state)?.lines ?? []
            s.send(.escape)
            if lines.contains(where: { $0.hasPrefix("Today     accepted: credited to ") }) { return (s, e) }
        }
        throw XCTSkip("the demo has no creditable recurring_off event")
    }

    /// Opens the Triage tab filtered by an identifier and selects the event.
    func select(_ s: Session, _ e: EventRow, file: StaticString = #filePath, line: UInt = #line) throws {
        if s.state.detail != nil { s.send(.escape) }
        s.go(.triage)
        s.send(.char("/"), .ctrl("u"))
        s.type(try XCTUnwrap(e.externalID, file: file, line: line))
        s.send(.enter)
        let i = try XCTUnwrap(s.rows.firstIndex { $0.id == e.id }, "event #\(e.id) is not listed", file: file, line: line)
        for _ in 0..<i { s.send(.down) }
        XCTAssertEqual(s.selectedRow?.id, e.id, file: file, line: line)
    }

    func testReplayFromTheTriageListCreditsOnce() throws {
        let store = try DemoFixture.shared.copy()
        let (s, e) = try creditableEvent(store)
        try select(s, e)
        s.send(.char("p"))
        let c = try XCTUnwrap(confirm(s.state))
        XCTAssertTrue(c.lines.contains { $0.hasPrefix("Today     accepted: credited to ") }, "\(c.lines)")
        let count = try store.conversionCount()
        s.send(.char("y"))
        XCTAssertTrue(s.messageText.hasPrefix("Replayed event #\(e.id) as #"), s.messageText)
        XCTAssertTrue(s.messageText.contains(": accepted (credited to "), s.messageText)
        XCTAssertEqual(s.state.message?.isError, false)
        let conv = try XCTUnwrap(try store.conversion(externalID: e.externalID!))
        XCTAssertFalse(conv.manual)
        XCTAssertEqual(try store.conversionCount(), count + 1)
        XCTAssertEqual(try store.audit(page: .first(1)).first?.action, "event.replay")
        XCTAssertEqual(try store.audit(page: .first(1)).first?.who, "tester")
        // The list now shows the replay too (a filter shows accepted events).
        XCTAssertTrue(s.drawnRows.contains { $0[3] == "accepted" }, "\(s.drawnRows)")
        // Again: already credited, nothing paid.
        try select(s, e)
        s.send(.char("p"))
        XCTAssertTrue(try XCTUnwrap(confirm(s.state)).lines.contains { $0.hasPrefix("Today     already credited: \(e.externalID!)") })
        s.send(.char("y"))
        XCTAssertTrue(s.messageText.contains("already credited"), s.messageText)
        XCTAssertEqual(try store.conversionCount(), count + 1)
        try XCTAssertEqual(store.consistencyProblems(), [])
    }

    func testReplayCancelledChangesNothing() throws {
        let store = try DemoFixture.shared.copy()
        let (s, e) = try creditableEvent(store)
        try select(s, e)
        let version = try store.dataVersion()
        s.send(.char("p"))
        XCTAssertNotNil(confirm(s.state))
        s.send(.char("n"))
        XCTAssertEqual(s.messageText, "Cancelled: nothing was changed.")
        XCTAssertEqual(try store.dataVersion(), version)
        XCTAssertNil(try store.conversion(externalID: e.externalID!))
    }

    func testARefusedReplayShowsTheCoresSentence() throws {
        let store = try DemoFixture.shared.copy()
        let ended = try store.events(EventQuery(rejectedOnly: true, reason: "customer_ended"), page: .first(50))
        let e = try XCTUnwrap(ended.first { $0.externalID != nil })
        let s = try session(store)
        try select(s, e)
        s.send(.char("p"), .char("y"))
        XCTAssertTrue(s.messageText.contains("refused customer_ended: \(Reason.customerEnded.sentence)"), s.messageText)
        XCTAssertEqual(s.state.message?.isError, true)
    }

    func testManualConversionFromTheEventPane() throws {
        let store = try DemoFixture.shared.copy()
        let (s, e) = try creditableEvent(store)
        try select(s, e)
        s.send(.enter)
        guard case .event(let d)? = s.state.detail else { return XCTFail("no event pane") }
        XCTAssertEqual(d.customer?.row.key, e.customerKey)
        // The pane explains it as triage does: the customer, its status and caps (removed above).
        let pane = s.frame.lines().joined(separator: "\n")
        XCTAssertTrue(pane.contains("Customer    \(e.customerKey!) · "), pane)
        XCTAssertTrue(pane.contains("Caps        no caps"), pane)
        s.send(.char("m"))
        let c = try XCTUnwrap(confirm(s.state))
        XCTAssertEqual(c.title, "Add conversion \(e.externalID!) by hand?")
        XCTAssertTrue(c.lines.contains("Customer  \(e.customerKey!)"), "\(c.lines)")
        XCTAssertTrue(c.lines.contains { $0.hasSuffix("(the customer's affiliate)") }, "\(c.lines)")
        // Cancelled first, then confirmed.
        s.send(.escape)
        XCTAssertNil(try store.conversion(externalID: e.externalID!))
        s.send(.char("m"), .char("y"))
        XCTAssertTrue(s.messageText.hasPrefix("Conversion \(e.externalID!) added by hand from event #\(e.id): "), s.messageText)
        let conv = try XCTUnwrap(try store.conversion(externalID: e.externalID!))
        XCTAssertTrue(conv.manual)
        XCTAssertEqual(conv.at, e.at)
        XCTAssertEqual(try store.audit(page: .first(1)).first?.action, "conversion.add")
        // Twice is refused by the core.
        s.send(.char("m"), .char("y"))
        XCTAssertTrue(s.messageText.hasPrefix("Refused: \(Reason.duplicateExternalID.sentence)"), s.messageText)
    }

    func testManualConversionOfAnUnattributedEventPicksTheAffiliate() throws {
        let store = try DemoFixture.shared.copy()
        let events = try store.events(EventQuery(rejectedOnly: true, reason: "no_attribution"), page: .first(50))
        let e = try XCTUnwrap(events.first { $0.type == "conversion" }, "no unattributed conversion in the demo")
        let s = try session(store)
        try select(s, e)
        s.send(.char("m"))
        guard case .picker(let p)? = s.state.overlays.last else { return XCTFail("no picker: \(s.state.overlays)") }
        XCTAssertFalse(p.items.isEmpty)
        s.type("zoe")
        s.send(.enter)
        XCTAssertTrue(try XCTUnwrap(confirm(s.state)).lines.contains("Credit    zoe (chosen)"))
        s.send(.char("y"))
        XCTAssertEqual(try store.conversion(externalID: e.externalID!)?.affiliateCode, "zoe", s.messageText)
    }

    func testTheEventPaneShowsTheClickAgeAgainstTheWindow() throws {
        let store = try DemoFixture.shared.store()
        let e = try XCTUnwrap(try store.events(EventQuery(rejectedOnly: true, reason: "click_expired"), page: .first(1)).first)
        let s = try session(store)
        s.go(.triage)
        s.send(.char("/"))
        s.type(try XCTUnwrap(e.clickRef ?? e.customerKey ?? e.externalID))
        s.send(.enter)
        let i = try XCTUnwrap(s.rows.firstIndex { $0.id == e.id })
        for _ in 0..<i { s.send(.down) }
        s.send(.enter)
        guard case .event(let d)? = s.state.detail else { return XCTFail("no event pane") }
        XCTAssertEqual(d.click?.age?.withinWindow, false)
        let pane = s.frame.lines().joined(separator: "\n")
        XCTAssertTrue(pane.contains("Click age   "), pane)
        XCTAssertTrue(pane.contains("(window 60 days): outside the window"), pane)
        XCTAssertTrue(Keymap.statusBar(s.state).contains { $0.command == .replay })
        // A capped customer's caps, as the customer pane and `affdesk triage` show them.
        let capped = try XCTUnwrap(try store.events(EventQuery(rejectedOnly: true, reason: "customer_capped"), page: .first(1)).first)
        try select(s, capped)
        s.send(.enter)
        let cappedPane = s.frame.lines().joined(separator: "\n")
        XCTAssertTrue(cappedPane.contains("Customer    \(capped.customerKey!) · "), cappedPane)
        XCTAssertTrue(cappedPane.contains("Caps        count "), cappedPane)
        XCTAssertTrue(cappedPane.contains("(reached)"), cappedPane)
    }

    func testTheFilterFindsAnIdentifiersWholeChain() throws {
        let store = try DemoFixture.shared.store()
        let conv = try XCTUnwrap(try store.conversions(page: .first(50)).first { !$0.manual })
        let s = try session(store)
        s.go(.triage)
        s.send(.char("/"))
        s.type(conv.externalID)
        s.send(.enter)
        XCTAssertTrue(s.drawnRows.contains { $0[3] == "accepted" && $0[5] == conv.externalID }, "\(s.drawnRows)")
        XCTAssertTrue(FrameCheck.row(s.frame, 2).hasPrefix(" ◀ every event ▶"), FrameCheck.row(s.frame, 2))
    }
}
