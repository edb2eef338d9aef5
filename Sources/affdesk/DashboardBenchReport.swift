import AttributionCore
import Dashboard
import Foundation
import TerminalText

/// The figures of `bench dashboard`: milliseconds per (screen, action), in the order first
/// measured, with each screen's floor; printed as a table or JSON.
final class BenchRecorder {
    struct ScreenID: Hashable { var name: String; var tab: Tab }

    /// The table each screen lists, for its floor (a keyset page of it by primary key).
    static let floorTable: [Tab: String] = [
        .affiliates: "affiliate", .customers: "customer", .conversions: "conversion", .caps: "customer",
        .triage: "event", .audit: "audit", .myCustomers: "customer", .myConversions: "conversion", .earnings: "conversion",
        .myPayouts: "payout", .commissions: "commission", .payouts: "payout",
    ]

    private(set) var screens: [ScreenID] = []
    private var actions: [String: [String]] = [:]
    private var samples: [String: [Double]] = [:]
    var floor: [String: [Double]] = [:]
    /// Cold runs: the database pages each action read (see `ActionClock.pagesRead`).
    private var pages: [String: [Double]] = [:]

    func note(_ s: ScreenID) { if !screens.contains(s) { screens.append(s) } }

    func add(_ screen: String, _ action: String, _ ms: Double) {
        let k = screen + "\u{1}" + action
        if samples[k] == nil { actions[screen, default: []].append(action) }
        samples[k, default: []].append(ms)
    }

    func addPages(_ screen: String, _ action: String, _ n: Double) { pages[screen + "\u{1}" + action, default: []].append(n) }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s[Swift.min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
    }

    static func ms(_ v: Double) -> String { v < 10 ? String(format: "%.2f", v) : String(format: "%.0f", v) }

    /// The rows of the table: screen, action, p50, p99, the screen's floor on its first row.
    func figures() -> Table {
        let withPages = !pages.isEmpty
        var t = Table(headers: ["SCREEN", "ACTION", "P50 MS", "P99 MS", "FLOOR P50 MS"] + (withPages ? ["PAGES READ P50"] : []),
                      rightAligned: withPages ? [2, 3, 4, 5] : [2, 3, 4])
        for s in screens {
            let floorText = floor[s.name].map { BenchRecorder.ms(BenchRecorder.percentile($0, 0.5)) } ?? "-"
            for (i, a) in (actions[s.name] ?? []).enumerated() {
                let xs = samples[s.name + "\u{1}" + a] ?? []
                let read = pages[s.name + "\u{1}" + a].map { [String(format: "%.0f", BenchRecorder.percentile($0, 0.5))] } ?? []
                t.add([i == 0 ? s.name : "", a, BenchRecorder.ms(BenchRecorder.percentile(xs, 0.5)),
                       BenchRecorder.ms(BenchRecorder.percentile(xs, 0.99)), i == 0 ? floorText : ""] + (withPages ? (read.isEmpty ? ["-"] : read) : []))
            }
        }
        return t
    }

    func table(runs: Int, viewer: String?, identifier: String, peakKB: Int?) -> String {
        var out = ["dashboard bench: \(runs) run(s) of each action; identifier searched on Triage: \(Sanitize.text(identifier))"]
        out.append("affiliate view: " + Sanitize.text(viewer ?? "none (no affiliate has customers)"))
        out.append("floor: SQLite alone, a keyset page of 50 rows of the screen's table by primary key, same run")
        out.append(figures().render())
        out.append("peak memory (VmHWM): " + (peakKB.map { String(format: "%.1f MB", Double($0) / 1024) } ?? "unknown"))
        return out.joined(separator: "\n")
    }

    /// `--cold`'s table, printed after the warm one.
    func coldTable(runs: Int, residency: String) -> String {
        [
            "",
            "cold: \(runs) run(s) of each action, each from a cold cache (a new store and session brought there untimed; then "
                + "the file and its WAL evicted from the OS page cache with posix_fadvise(DONTNEED) and SQLite's caches emptied)",
            residency,
            "floor: the same keyset page, from a cold cache too",
            figures().render(),
        ].joined(separator: "\n")
    }

    /// Every screen's figures as JSON.
    func screensJSON() -> Out {
        func num(_ v: Double) -> Out { .str(String(format: "%.3f", v)) }
        return .arr(screens.map { s in
            let floorMs = floor[s.name] ?? []
            return .obj([
                ("screen", .str(s.name)),
                ("floor_keyset_page_ms", .obj([("p50", num(BenchRecorder.percentile(floorMs, 0.5))),
                                               ("p99", num(BenchRecorder.percentile(floorMs, 0.99))),
                                               ("samples", .arr(floorMs.map(num)))])),
                ("actions", .arr((actions[s.name] ?? []).map { a in
                    let xs = samples[s.name + "\u{1}" + a] ?? []
                    var fields: [(String, Out)] = [("action", .str(a)), ("p50_ms", num(BenchRecorder.percentile(xs, 0.5))),
                                                   ("p99_ms", num(BenchRecorder.percentile(xs, 0.99))), ("samples_ms", .arr(xs.map(num)))]
                    if let read = pages[s.name + "\u{1}" + a] { fields.append(("pages_read", .arr(read.map { .i(Int($0)) }))) }
                    return .obj(fields)
                })),
            ])
        })
    }

    /// The figures as JSON; with `cold`, its screens under "cold".
    func json(runs: Int, viewer: String?, identifier: String, peakKB: Int?, cold: BenchRecorder? = nil) -> String {
        var fields: [(String, Out)] = [
            ("runs", .i(runs)), ("identifier", .str(identifier)), ("affiliate_view", .s(viewer)),
            ("peak_rss_kb", peakKB.map { Out.i($0) } ?? .null),
            ("screens", screensJSON()),
        ]
        if let cold { fields.append(("cold", .obj([("screens", cold.screensJSON())]))) }
        return Out.obj(fields).text
    }
}
