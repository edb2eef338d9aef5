import ArgumentParser
import AttributionCore
import AttributionStore
import Demo
import Feeds
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (build with -c release).",
        subcommands: [IngestBench.self])

    struct IngestBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Events/s for N mixed events, beside raw SQLite inserts of N rows measured in the same run.")
        @Option(help: "How many events (and baseline rows).") var events: Int = 1_000_000
        @Option(help: "Events per transaction.") var batch: Int = 4096

        func run() throws {
            print("generating \(events) mixed events…")
            let lines = BenchEvents.lines(count: events)
            let baseline = try RawInsertBaseline.run(rows: events, batch: batch)
            print(String(format: "baseline  raw SQLite insert (C API, WAL, synchronous=NORMAL, %d rows/tx): %10.0f rows/s", batch, baseline))

            let parseStart = DispatchTime.now().uptimeNanoseconds
            let feed = TrackingFeed(defaultCurrency: .usd, file: "bench.jsonl")
            let inbound = lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
            let parseSecs = Double(DispatchTime.now().uptimeNanoseconds - parseStart) / 1e9

            let store = try Store.temporary(clock: FixedClock(Instant.parse("2026-06-01T00:00:00Z")!))
            defer { try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent) }
            try store.initialize(ProgramSettings(name: "bench", caps: Caps(count: 24)), who: "bench")
            for code in BenchEvents.affiliateCodes { _ = try store.addAffiliate(code: code, name: code, who: "bench") }
            let start = DispatchTime.now().uptimeNanoseconds
            let summary = try store.ingest(inbound, batchSize: batch)
            let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let rate = Double(inbound.count) / secs
            print(String(format: "parse     JSON lines -> events:                                 %10.0f lines/s", Double(lines.count) / parseSecs))
            print(String(format: "ingest    decide + record + apply (%d events/tx):             %10.0f events/s  (%.2f s)", batch, rate, secs))
            print(String(format: "ratio     ingest / baseline: %.2f", rate / baseline))
            print("outcomes  \(summary.accepted) accepted, \(summary.rejected) rejected; "
                  + summary.byReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            let again = try store.ingest(inbound.prefix(10_000), batchSize: batch)
            print("replay    10000 events again: \(again.alreadyIngested) already ingested, \(again.received) recorded")
        }
    }
}
