import AttributionCore
import AttributionStore
import Demo
import Foundation

/// `affdesk demo --size huge`: the streamed million-customer program (issue 11), built through
/// the store's ingest with progress on stderr and a summary of counts and time.
extension DemoCommand {
    func buildHuge(store: Store, path: String, interactive: Bool) throws {
        let n = customers ?? HugeProgram.defaultCustomers
        stderrPrint("building the huge demo program: \(n) customers, seed \(seed)…")
        let report = try HugeProgram.build(into: store, seed: seed, customers: n) { stderrPrint("  " + $0) }
        let s = report.summary
        stderrPrint(String(format: "built in %.1f s: %d lines, %.0f lines/s", report.seconds, report.lines,
                           Double(report.lines) / max(report.seconds, 1e-9)))
        if ui.snapshot != nil {
            try printSnapshot(store: store, ui: ui, clock: FixedClock(DemoProgram.now))
            return
        }
        if summaryOnly || !interactive {
            print(try plainSummary(store))
            print("\ndemo (huge): \(report.customers) customers, \(report.affiliates) affiliates; \(report.lines) events generated; "
                  + "\(s.accepted) accepted, \(s.rejected) rejected, \(s.alreadyIngested) already ingested (retried webhooks)")
            print(String(format: "time: %.1f s (%.0f events/s); conversions: %d; generator peak: %d lives running",
                         report.seconds, Double(report.lines) / max(report.seconds, 1e-9), try store.conversionCount(), report.peakRunning))
            if db != nil { print("database: \(path)") }
            return
        }
        try openDashboard(store: try Store.open(existing: path, readOnly: false), ui: ui)
    }
}
