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
        /// The window's timed parts: one (all its events), or with `steady` one per group of
        /// event types (`Part.group`).
        public var parts: [Part] = []
        public var rate: Double { Double(events) / max(seconds, 1e-9) }
        /// Events/s counting the checkpoint that ended the window.
        public var rateWithCheckpoint: Double { Double(events) / max(seconds + checkpointSeconds, 1e-9) }
    }

    /// One timed ingest of a window: its events, then the checkpoint of its pages.
    public struct Part: Sendable {
        /// "all", or the group of event types (`group(of:)`).
        public var label: String
        public var events: Int
        public var seconds: Double
        public var checkpointSeconds: Double

        public init(label: String, events: Int, seconds: Double, checkpointSeconds: Double) {
            self.label = label; self.events = events; self.seconds = seconds; self.checkpointSeconds = checkpointSeconds
        }
    }

    /// Runs up to the last mark plus a window; `point` gets each figure as it is measured and
    /// `progress` a line now and then. `begins` is called as each window's clock starts.
    /// `resume`: the store already holds the start of this stream (seed, customers): its events
    /// are generated again and skipped, and the stream goes on from there (a mark below the
    /// stored count is measured at once).
    public static func measure(into store: Store, marks: [Int], window: Int = 20_000, seed: UInt64 = 1,
                               customers: Int = HugeProgram.defaultCustomers, tuning: BulkTuning = .standard,
                               resume: Bool = false, steady: Bool = false, alternate: BulkTuning? = nil,
                               point: (Point) -> Void,
                               begins: () -> Void = {}, ended: (Part) -> Void = { _ in },
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
        var read = 0, stored = skip, skipped = 0, timedWindows = 0
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
                // `alternate`: every other window is timed with it (paired comparisons in one run).
                let use = alternate != nil && timedWindows % 2 == 1 ? alternate! : tuning
                timedWindows += 1
                point(try timed(store, steady ? groups(pending) : [("all", pending)], tuning: use, stored: &stored,
                                begins: begins, ended: ended))
                pending.removeAll(keepingCapacity: true)
                next.removeFirst()
            }
        }
    }

    /// One window, part after part: for each, the WAL emptied first (untimed), then the ingest
    /// and the checkpoint that copies its pages back, each timed.
    static func timed(_ store: Store, _ parts: [(String, [InboundEvent])], tuning: BulkTuning, stored: inout Int,
                      begins: () -> Void, ended: (Part) -> Void) throws -> Point {
        var point = Point(stored: stored, events: 0, seconds: 0)
        for (label, events) in parts where !events.isEmpty {
            try store.checkpointAll()
            begins()
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try store.ingest(events, tuning: tuning)
            let mid = DispatchTime.now().uptimeNanoseconds
            try store.checkpointAll()
            let end = DispatchTime.now().uptimeNanoseconds
            let part = Part(label: label, events: events.count, seconds: Double(mid - start) / 1e9,
                            checkpointSeconds: Double(end - mid) / 1e9)
            ended(part)
            point.parts.append(part)
            point.events += part.events
            point.seconds += part.seconds
            point.checkpointSeconds += part.checkpointSeconds
            stored += events.count
        }
        return point
    }

    // MARK: - the steady mode

    /// The groups of event types a `steady` window is cut into, in the order they are ingested
    /// (a click before the sign-up it brings, a sign-up before its payments, a payment before
    /// a cancel): clicks, sign-ups (trial, lead, signup), payments (conversion), cancels, and the
    /// rest (unreadable lines, other types).
    public static let groupOrder = ["click", "signup", "conversion", "cancel", "other"]

    public static func group(of type: String) -> String {
        switch type {
        case "click": return "click"
        case "trial", "lead", "signup": return "signup"
        case "conversion": return "conversion"
        case "cancel": return "cancel"
        default: return "other"
        }
    }

    /// The whole stream's share of each group (the huge program, 1,000,000 customers, seed 1:
    /// 8,598,875 events, counted on its store by type: clicks 17.5%, sign-ups 8.4%, payments
    /// 69.8%, cancels 4.2%, the rest 0.02%): what a steady window is weighed by.
    public static let streamMix: [String: Double] = [
        "click": 1_506_665.0 / 8_598_875, "signup": 725_682.0 / 8_598_875, "conversion": 6_004_722.0 / 8_598_875,
        "cancel": 360_139.0 / 8_598_875, "other": 1_667.0 / 8_598_875,
    ]

    /// The window's events cut into groups (`groupOrder`), each in stream order.
    static func groups(_ events: [InboundEvent]) -> [(String, [InboundEvent])] {
        var by: [String: [InboundEvent]] = [:]
        for e in events { by[group(of: e.type), default: []].append(e) }
        return groupOrder.map { ($0, by[$0] ?? []) }
    }

    /// A group with fewer events than this in a window is ingested and timed, but left out of
    /// the steady rate: an ingest's fixed cost (its setup, prefetch, commit and checkpoint)
    /// spread over a handful of events says nothing about their cost per event.
    public static let steadyMinimum = 500

    /// The events/s a window would have at the stream's overall mix (`streamMix`), from each
    /// group's own seconds per event in this window (`seconds` picks which seconds); groups of
    /// fewer than `steadyMinimum` events are left out and the others' shares weighed up.
    public static func steadyRate(_ parts: [Part], seconds: (Part) -> Double) -> Double {
        var perEvent = 0.0, weight = 0.0
        for p in parts where p.events >= steadyMinimum {
            let share = streamMix[p.label] ?? 0
            perEvent += share * seconds(p) / Double(p.events)
            weight += share
        }
        return perEvent > 0 ? weight / perEvent : 0
    }
}
