import AttributionCore
import AttributionStore
import Dispatch
import Feeds
import Foundation

/// Ingest speed as the store grows (issue 11): the huge program's own event stream (in time
/// order: sign-ups, then more and more renewals of customers spread over the key space) ingested
/// into one growing store; at each mark of stored events, the next `window` events are timed
/// (the store's ingest only: they are parsed before the clock starts).
public enum HugeGrowth {
    public struct Point: Sendable {
        /// Events in the store when the window began.
        public var stored: Int
        public var events: Int
        /// The ingest of the window's events.
        public var seconds: Double
        /// Then copying what is left of the WAL back to the database (the window's pages; the
        /// WAL was empty when it began).
        public var checkpointSeconds: Double = 0
        public var rate: Double { Double(events) / max(seconds, 1e-9) }
        /// Events/s counting the checkpoint that ended the window.
        public var rateWithCheckpoint: Double { Double(events) / max(seconds + checkpointSeconds, 1e-9) }
    }

    /// Runs up to the last mark plus a window; `point` gets each figure as it is measured and
    /// `progress` a line now and then. `begins` is called as each window's clock starts.
    /// `resume`: the store already holds the start of this stream (seed, customers): its events
    /// are generated again and skipped, and the stream goes on from there (a mark below the
    /// stored count is measured at once).
    public static func measure(into store: Store, marks: [Int], window: Int = 20_000, seed: UInt64 = 1,
                               customers: Int = HugeProgram.defaultCustomers, tuning: BulkTuning = .standard,
                               resume: Bool = false, point: (Point) -> Void, begins: () -> Void = {},
                               progress: (String) -> Void = { _ in }) throws {
        let shape = HugeLives.Shape.scaled(customers: customers)
        var skip = 0, recurringOn = false, disabled = false
        if resume {
            skip = try store.eventCount()
            recurringOn = try store.settings().recurring
            disabled = try store.affiliate(code: HugeProgram.disabledCode)?.disabled ?? false
        } else {
            try store.initialize(DemoProgram.settings, who: DemoProgram.admin)
            try HugeProgram.addAffiliates(store, count: shape.affiliates, seed: seed)
        }
        var lives = HugeLives(seed: seed, shape: shape)
        let feed = TrackingFeed(defaultCurrency: .usd, file: "huge.jsonl")
        let chunk = max(HugeProgram.chunk, tuning.batch)
        var pending: [InboundEvent] = []
        var read = 0, stored = skip, skipped = 0
        var next = marks.sorted()
        func ingest(_ events: [InboundEvent]) throws {
            if !events.isEmpty { _ = try store.ingest(events, tuning: tuning) }
            stored += events.count
        }
        while let first = next.first, let (at, line) = lives.next() {
            if !recurringOn, at >= DemoProgram.recurringOn {
                try ingest(pending); pending.removeAll(keepingCapacity: true)
                var on = DemoProgram.settings
                on.recurring = true
                try store.updateSettings(on, who: DemoProgram.admin)
                recurringOn = true
            }
            if !disabled, at >= DemoProgram.disabledAt {
                try ingest(pending); pending.removeAll(keepingCapacity: true)
                try store.setAffiliateDisabled(code: HugeProgram.disabledCode, disabled: true, who: DemoProgram.admin)
                disabled = true
            }
            read += 1
            guard let e = feed.read(line: line, number: read) else { continue }
            if skipped < skip { skipped += 1; continue }
            pending.append(e)
            if stored < first, stored + pending.count >= first || pending.count >= chunk {
                try ingest(pending); pending.removeAll(keepingCapacity: true)
                if read % 500_000 < chunk { progress("\(stored) events stored") }
            } else if stored >= first, pending.count >= window {
                point(try timed(store, pending, tuning: tuning, stored: &stored, begins: begins))
                pending.removeAll(keepingCapacity: true)
                next.removeFirst()
            }
        }
    }

    /// One window: the WAL emptied first (untimed), then the ingest and the checkpoint that
    /// copies its pages back, each timed.
    static func timed(_ store: Store, _ events: [InboundEvent], tuning: BulkTuning, stored: inout Int,
                      begins: () -> Void) throws -> Point {
        try store.checkpointAll()
        begins()
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try store.ingest(events, tuning: tuning)
        let mid = DispatchTime.now().uptimeNanoseconds
        try store.checkpointAll()
        let end = DispatchTime.now().uptimeNanoseconds
        defer { stored += events.count }
        return Point(stored: stored, events: events.count, seconds: Double(mid - start) / 1e9,
                     checkpointSeconds: Double(end - mid) / 1e9)
    }
}
