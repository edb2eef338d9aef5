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
        public var seconds: Double
        public var rate: Double { Double(events) / max(seconds, 1e-9) }
    }

    /// Runs up to the last mark plus a window; `point` gets each figure as it is measured and
    /// `progress` a line now and then.
    public static func measure(into store: Store, marks: [Int], window: Int = 20_000, seed: UInt64 = 1,
                               customers: Int = HugeProgram.defaultCustomers, point: (Point) -> Void,
                               progress: (String) -> Void = { _ in }) throws {
        let shape = HugeLives.Shape.scaled(customers: customers)
        try store.initialize(DemoProgram.settings, who: DemoProgram.admin)
        try HugeProgram.addAffiliates(store, count: shape.affiliates, seed: seed)
        var lives = HugeLives(seed: seed, shape: shape)
        let feed = TrackingFeed(defaultCurrency: .usd, file: "huge.jsonl")
        var pending: [InboundEvent] = []
        var read = 0, stored = 0
        var recurringOn = false, disabled = false
        var next = marks.sorted()
        func ingest(_ events: [InboundEvent]) throws { if !events.isEmpty { _ = try store.ingest(events) }; stored += events.count }
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
            if let e = feed.read(line: line, number: read) { pending.append(e) }
            if stored < first, stored + pending.count >= first || pending.count >= HugeProgram.chunk {
                try ingest(pending); pending.removeAll(keepingCapacity: true)
                if read % 500_000 < HugeProgram.chunk { progress("\(stored) events stored") }
            } else if stored >= first, pending.count >= window {
                let start = DispatchTime.now().uptimeNanoseconds
                let began = stored
                try ingest(pending); pending.removeAll(keepingCapacity: true)
                point(Point(stored: began, events: stored - began, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
                next.removeFirst()
            }
        }
    }
}
