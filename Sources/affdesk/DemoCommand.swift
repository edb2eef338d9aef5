import ArgumentParser
import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Foundation
import TerminalText
import TerminalUI

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build the demo program and open the dashboard on it.",
        discussion: "Without --db the demo lives in a temporary database that is removed on exit.")
    @Option(parsing: .unconditional, help: "The demo's random seed: the same seed gives the same program.") var seed: UInt64 = 1
    @Option(help: "small (2,400 customers), large (60,000) or huge (1,000,000; streamed, see --customers).") var size: String = "small"
    @Option(help: "With --size huge: how many customers (the same shape at any size; default 1,000,000).") var customers: Int?
    @Option(help: "Build the demo into this database file (must not exist yet).") var db: String?
    @Flag(name: .customLong("summary"), help: "Print a plain-text summary instead of opening the dashboard.") var summaryOnly = false
    @OptionGroup var ui: UIOptions

    func run() throws {
        let sz = DemoProgram.Size(rawValue: size)
        guard sz != nil || size == "huge" else { throw Failure("--size: \"\(size)\" is not small, large or huge") }
        if customers != nil, sz != nil { throw Failure("--customers: only with --size huge") }
        if let n = customers, n < 1 || n > 100_000_000 { throw Failure("--customers: \(n) is not between 1 and 100000000") }
        var tempDir: String?
        let path: String
        if let d = db {
            path = absolute(d)
            if FileManager.default.fileExists(atPath: path) { throw Failure("--db: \(path) already exists; the demo needs a new file") }
        } else {
            let dir = NSTemporaryDirectory() + "affdesk-demo-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            tempDir = dir
            path = dir + "/demo.sqlite"
        }
        defer { if let t = tempDir { try? FileManager.default.removeItem(atPath: t) } }
        let interactive = !summaryOnly && Terminal.unavailableReason() == nil
        if interactive { stderrPrint("building the demo program (\(size), seed \(seed))…") }
        let parent = (path as NSString).deletingLastPathComponent
        let newDirectory = db != nil && !FileManager.default.fileExists(atPath: parent)
        let store = try Store(path: path, clock: FixedClock(DemoProgram.now))
        if newDirectory { stderrPrint("created directory \(parent) (it did not exist)") }
        guard let sz else { return try buildHuge(store: store, path: path, interactive: interactive) }
        let report = try DemoProgram.build(into: store, seed: seed, size: sz)
        _ = try DemoLedger.add(into: store)
        if ui.snapshot != nil {
            try printSnapshot(store: store, ui: ui, clock: FixedClock(DemoProgram.now))
            return
        }
        if summaryOnly || !interactive {
            print(try plainSummary(store))
            print("\ndemo: \(report.lines) events generated; \(report.summary.accepted) accepted, \(report.summary.rejected) rejected")
            if db != nil { print("database: \(path)") }
            return
        }
        try openDashboard(store: try Store.open(existing: path, readOnly: false), ui: ui)
    }
}

/// A plain-text overview: used when there is no terminal to draw on.
func plainSummary(_ store: Store) throws -> String {
    let s = try store.settings()
    let counts = try store.customerStatusCounts()
    let totals = try store.eventTotals()
    let affs = try store.affiliateSummaries()
    var out = ["\(Sanitize.text(s.name)) — \(s.model.displayName), recurring \(s.recurring ? "on" : "off"), commission \(s.commission)"]
    out.append("customers: " + CustomerStatus.allCases.map { "\(counts[$0] ?? 0) \(s.label($0))" }.joined(separator: ", "))
    out.append("events: \(totals.accepted) accepted, \(totals.rejected) rejected")
    let top = affs.sorted { $0.earnings > $1.earnings }.prefix(10)
    var t = Table(headers: ["AFFILIATE", "NAME", "CUSTOMERS", "CONVERSIONS", "EARNINGS"], rightAligned: [2, 3, 4])
    for a in top {
        t.add([a.affiliate.code, a.affiliate.name, String(a.customers), String(a.conversions),
               Money(minor: a.earnings, currency: s.currency).description])
    }
    out.append("\ntop affiliates by earnings:\n" + t.render())
    let rej = try store.rejectionCounts()
    if !rej.isEmpty {
        out.append("\nrejected events by reason:")
        for (r, n) in rej { out.append("  \(Width.pad(r, to: 24)) \(Width.pad(String(n), to: 7, align: .right))  \(Reason(rawValue: r)?.sentence ?? "")") }
    }
    return out.joined(separator: "\n")
}

struct UIOptions: ParsableArguments {
    @Flag(name: .customLong("no-color"), help: "No colours (NO_COLOR is honoured too).") var noColor = false
    @Flag(name: .customLong("no-mouse"), help: "Do not capture the mouse.") var noMouse = false
    @Flag(name: .customLong("utc"), help: "Show times in UTC (default: the local zone, TZ).") var utc = false
    @Option(help: ArgumentHelp("Print the screens as text at this size (e.g. 100x30) instead of opening the dashboard; "
                               + "keys after it (--keys) are pressed first.", valueName: "WxH"))
    var snapshot: String?
    @Option(help: ArgumentHelp("With --snapshot: keys to press first, e.g. \"2 / zoe Enter\" (space-separated; words are typed; Enter, Esc, Tab, BTab, Up, Down, Left, Right, PgDn, PgUp, Space and C-x are keys).",
                               valueName: "KEYS"))
    var keys: String?
}

/// Opens the admin dashboard; without a usable terminal prints the plain summary.
func openDashboard(store: Store, ui: UIOptions) throws {
    try runDashboard(store: store, mode: .admin, ui: ui) { try plainSummary(store) }
}

struct Dash: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "Open the admin dashboard (the default).")
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var ui: UIOptions

    func run() throws {
        let store = try database.open()
        if ui.snapshot != nil {
            try printSnapshot(store: store, ui: ui, clock: SystemClock())
            return
        }
        try openDashboard(store: store, ui: ui)
    }
}

/// Renders the dashboard to text without a terminal: for documentation and scripts.
func printSnapshot(store: Store, ui: UIOptions, clock: any Clock, mode: Mode = .admin) throws {
    let spec = ui.snapshot ?? "80x24"
    let parts = spec.split(separator: "x").compactMap { Int($0) }
    guard parts.count == 2 else { throw Failure("--snapshot: \"\(spec)\" is not WIDTHxHEIGHT like 100x30") }
    let session = try Session(store: store, mode: mode, who: currentUser(), clock: clock, width: parts[0], height: parts[1])
    for word in (ui.keys ?? "").split(separator: " ") {
        if let k = namedKey(String(word)) { session.send(k) } else { session.type(String(word)) }
    }
    print(session.frame.description)
}

func namedKey(_ w: String) -> Key? {
    switch w {
    case "Enter": return .enter
    case "Esc": return .escape
    case "Tab": return .tab
    case "BTab": return .backTab
    case "Up": return .up
    case "Down": return .down
    case "Left": return .left
    case "Right": return .right
    case "PgDn": return .pageDown
    case "PgUp": return .pageUp
    case "Space": return .char(" ")
    default:
        // "C-u": Ctrl and a letter.
        if w.count == 3, w.hasPrefix("C-"), let c = w.last, c.isLetter, c.isASCII { return .ctrl(c) }
        return nil
    }
}
