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
            timed. On a program with Stripe ids (event_ref), the same for an invoice id whole, its first 6 and 5 \
            characters, "in_", "ch_1", the invoice id with a typo and a Stripe event id (after every other action). \
            With --cold, each action is also timed once per run from a cold cache: a new store \
            and session get there untimed, then the file and its WAL are evicted from the OS page cache \
            and SQLite's caches emptied, then the action is timed (a second table). Build with -c release \
            for figures worth reading.
            """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Runs of every action (p50 and p99 are over these).") var runs: Int = 5
    @Option(help: "Screen width.") var width: Int = 120
    @Option(help: "Screen height.") var height: Int = 36
    @Flag(help: "Print every figure as JSON.") var json = false
    @Option(help: ArgumentHelp("Only these screens: titles, comma-separated (\"view\" for the affiliate view's), e.g. \"Customers,Triage\".",
                               valueName: "LIST"))
    var only: String?
    @Flag(help: "Also time every action from a cold cache (OS page cache of the file and SQLite's own, both emptied before it).")
    var cold = false

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
        let chilled = BenchRecorder()
        var steps: [String: Int] = [:]
        let identifier = try store.customers(CustomerQuery(sort: .key, descending: true), page: .first(1)).first?.key ?? "cus_"
        let references = try DashboardBench.referenceSearches(store)
        let adminTabs = try Session(store: store, who: "bench", clock: SystemClock(), width: width, height: height).state.tabs
        for _ in 0..<runs {
            for (i, tab) in adminTabs.enumerated() {
                steps["\(tab)"] = try measure(tab: tab, key: i, mode: .admin, store: { store }, rec: rec,
                                              identifier: tab == .triage ? identifier : nil, references: tab == .triage ? references : [])
            }
        }
        var viewer: String?
        var view: (mode: Mode, tabs: [Tab])?
        if let code = try DashboardFloor.busiestAffiliate(path: path) {
            let viewStore = try Store.affiliateView(path: path)
            let me = try viewStore.identity(code: code)
            viewer = "\(me.code) (\(try store.customerCount(CustomerQuery(affiliateID: me.id))) customers)"
            let mode = Mode.affiliate(id: me.id, code: me.code, name: me.name)
            let tabs = try Session(store: viewStore, mode: mode, who: "bench", clock: SystemClock(), width: width, height: height).state.tabs
            view = (mode, tabs)
            for _ in 0..<runs {
                for (i, tab) in tabs.enumerated() {
                    steps["view \(tab)"] = try measure(tab: tab, key: i, mode: mode, store: { viewStore }, rec: rec, identifier: nil)
                }
            }
        }
        let residency = cold ? try measureCold(adminTabs: adminTabs, view: view, steps: steps, identifier: identifier, references: references,
                                               into: chilled) : nil
        for (screen, table) in rec.screens.compactMap({ s in BenchRecorder.floorTable[s.tab].map { (s, $0) } }) {
            rec.floor[screen.name] = try DashboardFloor.keysetPage(path: path, table: table, runs: Swift.max(runs, 20))
            if cold { chilled.floor[screen.name] = try DashboardFloor.keysetPage(path: path, table: table, runs: runs, cold: true) }
        }
        let peak = DashboardFloor.peakResidentKB()
        let coldPart = cold ? (chilled, residency ?? "") : nil
        if json { print(rec.json(runs: runs, viewer: viewer, identifier: identifier, peakKB: peak, cold: coldPart?.0)) } else {
            print(rec.table(runs: runs, viewer: viewer, identifier: identifier, peakKB: peak))
            if let (c, note) = coldPart { print(c.coldTable(runs: runs, residency: note)) }
        }
    }

    /// `--cold`: each action of each selected screen, `runs` times, from a cold cache (see
    /// `ActionClock`). Returns what eviction did to the file's pages the first time (mincore).
    func measureCold(adminTabs: [Tab], view: (mode: Mode, tabs: [Tab])?, steps: [String: Int], identifier: String,
                     references: [(label: String, text: String)], into rec: BenchRecorder) throws -> String {
        let path = database.path
        let before = PageCache.resident(path)
        let evicted = PageCache.evict(path)
        let after = PageCache.resident(path)
        func pages(_ r: (resident: Int, pages: Int)?) -> String { r.map { "\($0.resident) of \($0.pages)" } ?? "unknown" }
        let note = "page cache: \(pages(before)) pages of the file resident before the first eviction, \(pages(after)) after"
            + (evicted ? "" : " (posix_fadvise failed)")
        for _ in 0..<runs {
            for (i, tab) in adminTabs.enumerated() {
                for t in 0..<(steps["\(tab)"] ?? 0) {
                    _ = try measure(tab: tab, key: i, mode: .admin, store: { try Store.open(existing: path, readOnly: true) }, rec: rec,
                                    identifier: tab == .triage ? identifier : nil, references: tab == .triage ? references : [], cold: t)
                }
            }
            guard let view else { continue }
            for (i, tab) in view.tabs.enumerated() {
                for t in 0..<(steps["view \(tab)"] ?? 0) {
                    _ = try measure(tab: tab, key: i, mode: view.mode, store: { try Store.affiliateView(path: path) }, rec: rec,
                                    identifier: nil, cold: t)
                }
            }
        }
        return note
    }

    /// One run on one screen: a new session, then each action timed (key, reads, frame). With
    /// `cold`, only the action of that number is timed, from a cold cache (`ActionClock`). Returns
    /// how many actions the screen has (0 when it is not measured).
    @discardableResult
    func measure(tab: Tab, key: Int, mode: Mode, store open: () throws -> Store, rec: BenchRecorder, identifier: String?,
                 references: [(label: String, text: String)] = [], cold target: Int? = nil) throws -> Int {
        guard selected(tab, mode) else { return 0 }
        let store = try open()
        let path = database.path
        let clock = ActionClock(target: target) {
            PageCache.evict(path)
            store.releaseMemory()
        }
        do {
            try script(tab: tab, key: key, mode: mode, store: store, rec: rec, identifier: identifier, references: references, clock: clock)
        } catch is ActionClock.Done {}
        return clock.step
    }

    /// The actions of one screen, in order, each timed through `clock`.
    func script(tab: Tab, key: Int, mode: Mode, store: Store, rec: BenchRecorder, identifier: String?,
                references: [(label: String, text: String)], clock: ActionClock) throws {
        if clock.target == 0 { clock.chillNow() }   // the session's opening is the first frame of its first tab
        let opening = DispatchTime.now().uptimeNanoseconds
        let session = try Session(store: store, mode: mode, who: "bench", clock: SystemClock(), width: width, height: height)
        _ = session.frame
        let openMs = Double(DispatchTime.now().uptimeNanoseconds - opening) / 1e6
        guard !Screens.columns(tab, session.state).isEmpty else { return }   // Settings: not a list
        let name = (mode == .admin ? "" : "view: ") + tab.title
        rec.note(BenchRecorder.ScreenID(name: name, tab: tab))
        func time(_ keys: [Key]) throws -> Double? {
            try clock.time {
                for k in keys { session.send(k) }
                _ = session.frame
            }
        }
        func add(_ action: String, _ ms: Double?) {
            guard let ms else { return }
            rec.add(name, action, ms)
            if let pages = clock.pagesRead() { rec.addPages(name, action, pages) }
        }
        add("first frame", session.state.tab == tab ? try clock.given(openMs) : try time([.char(Character(String(key + 1)))]))
        add("next row (j)", try time([.char("j")]))
        add("page down", try time([.pageDown]))
        add("end (G)", try time([.char("G")]))
        session.send(.char("g"))
        add("open detail (Enter)", try time([.enter]))
        if session.state.detail != nil || !session.state.overlays.isEmpty { session.send(.escape) }
        // Enter on Affiliates opens that affiliate's customers: back to the screen being measured.
        if session.state.tab != tab { session.send(.escape) }
        if session.state.tab != tab { session.send(.char(Character(String(key + 1)))) }
        let columns = Screens.columns(tab, session.state)
        for _ in 0..<columns.filter({ $0.sortKey != nil }).count {
            let ms = try time([.char(">")])
            let title = columns[Swift.min(columns.count - 1, session.state.lists[tab]?.sortColumn ?? 0)].title
            add("sort > \(title)", ms)
            add("sort o \(title)", try time([.char("o")]))
        }
        session.send(.char("/"))
        add("filter keystroke", try time([.char("9")]))
        session.send(.escape)
        // Commissions: each state of the selector (→), its list and count; the totals with every refresh.
        if tab == .commissions {
            for _ in 1..<7 {
                let ms = try time([.right])
                add("state → \(session.state.ledgerSelection)", ms)
            }
            session.send(.right)
            add("refresh with totals (R)", try time([.char("R")]))
        }
        if let id = identifier {
            session.send(.char("/"))
            add("id search: typing \(id.count - 1) keys", try time(id.dropLast().map { Key.char($0) }))
            add("id search: last key", try time([.char(id.last ?? "0")]))
            session.send(.escape)
        }
        // Stripe and WooCommerce ids (`event_ref`), when the program has them: after every other
        // action, so the figures of a program without them are unchanged.
        for r in references {
            session.send(.char("/"))
            add("ref \(r.label): typing \(r.text.count - 1) keys", try time(r.text.dropLast().map { Key.char($0) }))
            add("ref \(r.label): last key", try time([.char(r.text.last ?? "0")]))
            session.send(.escape)
        }
    }
}

extension DashboardBench {
    /// What `script` types into Triage's filter on a program with Stripe or WooCommerce ids (none
    /// without): an invoice id whole, its first 6 and 5 characters (tens and thousands of
    /// matches on a Stripe-fed program), the short prefixes "in_" and "ch_1", the invoice id with a
    /// typo at the end (matches nothing), and an id one event names (a Stripe event's own id).
    static func referenceSearches(_ store: Store) throws -> [(label: String, text: String)] {
        guard let invoice = try store.references(startingWith: "in_", limit: 1).first else { return [] }
        var out: [(label: String, text: String)] = [("exact", invoice), ("prefix 6", String(invoice.prefix(6))),
                                                    ("prefix 5", String(invoice.prefix(5))), ("short in_", "in_"), ("short ch_1", "ch_1"),
                                                    ("nothing", invoice.dropLast() + "-")]
        if let one = try store.references(startingWith: "evt_", limit: 1).first {
            out.append(("one event", one))
        }
        return out
    }
}

/// Times the actions of one run of a screen. Warm (no target): every action, one after another
/// on one session. Cold: only action number `target`; the actions before it run untimed (to get
/// the session there), then `chill` empties the caches (the OS page cache of the file, SQLite's
/// own), then it is timed, and the run stops.
final class ActionClock {
    struct Done: Error {}
    let target: Int?
    let chill: () -> Void
    /// The number of the next action.
    private(set) var step = 0
    /// Bytes this process had read through read(2)/pread(2) when the caches were emptied.
    private var readAtChill: Int?

    init(target: Int?, chill: @escaping () -> Void) { self.target = target; self.chill = chill }

    /// Empties the caches and notes how much the process had read.
    func chillNow() {
        chill()
        readAtChill = ActionClock.bytesRead()
    }

    /// Database pages (4 KiB) read since the caches were emptied: SQLite reads the file with
    /// pread(2) only (no mmap), and its own cache was empty, so each page it needs is one read.
    func pagesRead() -> Double? {
        guard let from = readAtChill, let now = ActionClock.bytesRead() else { return nil }
        return Double(now - from) / 4096
    }

    /// `rchar` of /proc/self/io: bytes read by this process's read system calls, cached or not.
    static func bytesRead() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
            return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Milliseconds `body` took, or nil for an untimed action of a cold run.
    func time(_ body: () -> Void) throws -> Double? {
        defer { step += 1 }
        if let t = target {
            if step > t { throw Done() }
            if step < t { body(); return nil }
            chillNow()
        }
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// An action timed by the caller (a session's opening; `chill` ran before it when it is the target).
    func given(_ ms: Double) throws -> Double? {
        defer { step += 1 }
        if let t = target, step != t {
            if step > t { throw Done() }
            return nil
        }
        return ms
    }
}
