import ArgumentParser
import AttributionCore
import AttributionStore
import Bench
import Dashboard
import Foundation
import TerminalText

/// `affdesk bench dashboard`: the dashboard driven headless (as `--snapshot` is), timing each
/// key a user presses on every admin list and on the affiliate view of the affiliate with the
/// most customers: the key's update, its store reads and the frame drawn after it. Beside it,
/// SQLite's own time for a keyset page of 50 of the screen's table (the floor), and the peak
/// resident memory.
struct DashboardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Milliseconds (p50, p99) for each dashboard action on every list, beside SQLite's keyset-page floor.",
        discussion: """
            Per run, each screen gets a new session (its first frame is the tab key, or the session's \
            opening for Customers and My customers), then: next row (j), page down, end (G), Enter \
            (open detail; Esc closes it, not timed), each sort by > then reversed by o, and one filter \
            keystroke (/ then one character; Esc clears it). On Triage, an identifier (a customer key) \
            is typed into the filter: every keystroke queries, so the whole typing and its last key are \
            timed. Build with -c release for figures worth reading.
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Runs of every action (p50 and p99 are over these).") var runs: Int = 5
    @Option(help: "Screen width.") var width: Int = 120
    @Option(help: "Screen height.") var height: Int = 36
    @Flag(help: "Print every figure as JSON.") var json = false
    @Option(help: ArgumentHelp("Only these screens: titles, comma-separated (\"view\" for the affiliate view's), e.g. \"Customers,Triage\".",
                               valueName: "LIST"))
    var only: String?

    /// Whether a screen is measured in this run (--only).
    func selected(_ tab: Tab, _ mode: Mode) -> Bool {
        guard let only else { return true }
        let wanted = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return wanted.contains(tab.title.lowercased()) || (mode != .admin && wanted.contains("view"))
    }

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if width < 40 || width > 1_000 || height < 10 || height > 1_000 { throw ValidationError("--width/--height: 40..1000 x 10..1000") }
    }

    func run() throws {
        let path = database.path
        let store = try database.open(readOnly: true)
        let rec = BenchRecorder()
        let identifier = try store.customers(CustomerQuery(sort: .key, descending: true), page: .first(1)).first?.key ?? "cus_"
        let adminTabs = try Session(store: store, who: "bench", clock: SystemClock(), width: width, height: height).state.tabs
        for _ in 0..<runs {
            for (i, tab) in adminTabs.enumerated() {
                try measure(tab: tab, key: i, mode: .admin, store: store, rec: rec, identifier: tab == .triage ? identifier : nil)
            }
        }
        var viewer: String?
        if let code = try DashboardFloor.busiestAffiliate(path: path) {
            let view = try Store.affiliateView(path: path)
            let me = try view.identity(code: code)
            viewer = "\(me.code) (\(try store.customerCount(CustomerQuery(affiliateID: me.id))) customers)"
            let mode = Mode.affiliate(id: me.id, code: me.code, name: me.name)
            let tabs = try Session(store: view, mode: mode, who: "bench", clock: SystemClock(), width: width, height: height).state.tabs
            for _ in 0..<runs {
                for (i, tab) in tabs.enumerated() { try measure(tab: tab, key: i, mode: mode, store: view, rec: rec, identifier: nil) }
            }
        }
        for (screen, table) in rec.screens.compactMap({ s in BenchRecorder.floorTable[s.tab].map { (s, $0) } }) {
            rec.floor[screen.name] = try DashboardFloor.keysetPage(path: path, table: table, runs: Swift.max(runs, 20))
        }
        let peak = DashboardFloor.peakResidentKB()
        if json { print(rec.json(runs: runs, viewer: viewer, identifier: identifier, peakKB: peak)) } else {
            print(rec.table(runs: runs, viewer: viewer, identifier: identifier, peakKB: peak))
        }
    }

    /// One run on one screen: a new session, then each action timed (key, reads, frame).
    func measure(tab: Tab, key: Int, mode: Mode, store: Store, rec: BenchRecorder, identifier: String?) throws {
        guard selected(tab, mode) else { return }
        let opening = DispatchTime.now().uptimeNanoseconds
        let session = try Session(store: store, mode: mode, who: "bench", clock: SystemClock(), width: width, height: height)
        _ = session.frame
        let openMs = Double(DispatchTime.now().uptimeNanoseconds - opening) / 1e6
        guard !Screens.columns(tab, session.state).isEmpty else { return }   // Settings: not a list
        let name = (mode == .admin ? "" : "view: ") + tab.title
        rec.note(BenchRecorder.ScreenID(name: name, tab: tab))
        func time(_ keys: [Key]) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for k in keys { session.send(k) }
            _ = session.frame
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        rec.add(name, "first frame", session.state.tab == tab ? openMs : time([.char(Character(String(key + 1)))]))
        rec.add(name, "next row (j)", time([.char("j")]))
        rec.add(name, "page down", time([.pageDown]))
        rec.add(name, "end (G)", time([.char("G")]))
        session.send(.char("g"))
        rec.add(name, "open detail (Enter)", time([.enter]))
        if session.state.detail != nil || !session.state.overlays.isEmpty { session.send(.escape) }
        // Enter on Affiliates opens that affiliate's customers: back to the screen being measured.
        if session.state.tab != tab { session.send(.escape) }
        if session.state.tab != tab { session.send(.char(Character(String(key + 1)))) }
        let columns = Screens.columns(tab, session.state)
        for _ in 0..<columns.filter({ $0.sortKey != nil }).count {
            let ms = time([.char(">")])
            let title = columns[Swift.min(columns.count - 1, session.state.lists[tab]?.sortColumn ?? 0)].title
            rec.add(name, "sort > \(title)", ms)
            rec.add(name, "sort o \(title)", time([.char("o")]))
        }
        session.send(.char("/"))
        rec.add(name, "filter keystroke", time([.char("9")]))
        session.send(.escape)
        // Commissions: each state of the selector (→), its list and count; the totals with every refresh.
        if tab == .commissions {
            for _ in 1..<7 {
                let ms = time([.right])
                rec.add(name, "state → \(session.state.ledgerSelection)", ms)
            }
            session.send(.right)
            rec.add(name, "refresh with totals (R)", time([.char("R")]))
        }
        if let id = identifier {
            session.send(.char("/"))
            rec.add(name, "id search: typing \(id.count - 1) keys", time(id.dropLast().map { Key.char($0) }))
            rec.add(name, "id search: last key", time([.char(id.last ?? "0")]))
            session.send(.escape)
        }
    }
}
