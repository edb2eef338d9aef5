import AttributionCore
import AttributionStore
import Dispatch
import Feeds
import Foundation

/// The huge demo (issue 11): by default 1,000,000 customers, ~5M conversions, 10,000
/// affiliates over ~18 months, with renewals, cancels, caps, retried webhooks and bad lines.
/// The events are generated as a stream (`HugeLives`) and ingested in batches through the
/// store's ingest, as `affdesk ingest` does: memory stays small whatever the size. The same
/// seed and customer count always give the same database.
public enum HugeProgram {
    public static let defaultCustomers = 1_000_000
    /// The affiliate disabled on `DemoProgram.disabledAt`: its later clicks are refused.
    public static let disabledCode = HugeLives.affiliateCode(7)
    /// Events handed to one `Store.ingest` call (itself committing every 4,096).
    static let chunk = 20_000

    public struct Report: Sendable {
        public var summary = IngestSummary()
        public var customers = 0
        public var affiliates = 0
        public var lines = 0
        public var seconds = 0.0
        /// The most lives the generator held at once (its memory, in small heap entries).
        public var peakRunning = 0
    }

    /// Builds the program into an empty store; `progress` gets a line now and then.
    public static func build(into store: Store, seed: UInt64 = 1, customers: Int = defaultCustomers,
                             progress: (String) -> Void = { _ in }) throws -> Report {
        let began = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9 }
        let shape = HugeLives.Shape.scaled(customers: customers)
        try store.initialize(DemoProgram.settings, who: DemoProgram.admin)
        try addAffiliates(store, count: shape.affiliates, seed: seed)
        progress(String(format: "%d affiliates added (%.1f s)", shape.affiliates, elapsed()))
        var report = Report(customers: customers, affiliates: shape.affiliates)
        var lives = HugeLives(seed: seed, shape: shape)
        var ingest = Batcher(store: store)
        var recurringOn = false, disabled = false
        while let (at, line) = lives.next() {
            if !recurringOn, at >= DemoProgram.recurringOn {
                try ingest.flush()
                var on = DemoProgram.settings
                on.recurring = true
                try store.updateSettings(on, who: DemoProgram.admin)
                recurringOn = true
            }
            if !disabled, at >= DemoProgram.disabledAt {
                try ingest.flush()
                try store.setAffiliateDisabled(code: disabledCode, disabled: true, who: DemoProgram.admin)
                disabled = true
            }
            report.lines += 1
            try ingest.add(line, number: report.lines)
            if report.lines % 250_000 == 0 {
                let t = elapsed()
                progress(String(format: "%d lines ingested, up to %@ (%.0f s, %.0f lines/s, %d lives running)",
                                report.lines, String(at.iso8601.prefix(10)), t, Double(report.lines) / t, lives.heapCount))
            }
        }
        try ingest.flush()
        report.summary = ingest.total
        report.seconds = elapsed()
        report.peakRunning = lives.peakRunning
        return report
    }

    /// The program's affiliates: codes p00001…, a few with their own commission.
    static func addAffiliates(_ store: Store, count: Int, seed: UInt64) throws {
        var rng = SplitMix(seed: seed ^ 0xAFF)
        for i in 0..<count {
            let code = HugeLives.affiliateCode(i)
            let fn = DemoProgram.firstNames[Int(rng.next() % UInt64(DemoProgram.firstNames.count))]
            let ln = DemoProgram.lastNames[Int(rng.next() % UInt64(DemoProgram.lastNames.count))]
            let name = "\(fn.capitalized) \(ln.capitalized) \(["Media", "Reviews", "Deals", "Labs", "Blog"][i % 5]) \(i + 1)"
            let commission: Commission? = i % 97 == 5 ? .percent(basisPoints: 3000) : nil
            _ = try store.addAffiliate(code: code, name: name, email: "\(code)@partners.example", commission: commission,
                                       who: DemoProgram.admin)
        }
    }

    /// Lines parsed by the tracking feed and ingested `chunk` at a time.
    struct Batcher {
        let store: Store
        let feed = TrackingFeed(defaultCurrency: .usd, file: "huge.jsonl")
        var pending: [InboundEvent] = []
        var total = IngestSummary()

        init(store: Store) { self.store = store; pending.reserveCapacity(HugeProgram.chunk) }

        mutating func add(_ line: String, number: Int) throws {
            if let e = feed.read(line: line, number: number) { pending.append(e) }
            if pending.count >= HugeProgram.chunk { try flush() }
        }

        mutating func flush() throws {
            guard !pending.isEmpty else { return }
            let s = try store.ingest(pending)
            pending.removeAll(keepingCapacity: true)
            total.received += s.received; total.accepted += s.accepted; total.rejected += s.rejected
            total.alreadyIngested += s.alreadyIngested
            for (k, v) in s.byReason { total.byReason[k, default: 0] += v }
            if total.invalid.count < 20 { total.invalid += s.invalid.prefix(20 - total.invalid.count) }
        }
    }
}

extension HugeLives {
    /// Lives running now.
    public var heapCount: Int { heap.count }
}
