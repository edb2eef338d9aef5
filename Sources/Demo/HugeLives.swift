import AttributionCore

/// The huge demo's events, as a stream in time order that never holds the program in memory.
///
/// The program is N "slots", one per customer, spread evenly over ~18 months. Slot n holds
/// customer n (always), a visit that never signed up (every other slot) and a problem line
/// (every `problemEvery`-th slot). Each of these is a "life": a short list of events computed
/// from its own random stream (seed, slot, kind) alone, every event at or after the slot's
/// time. The stream merges lives through a heap of (time, slot, kind, step) — one entry per
/// life still running — so memory is bounded by the lives running at once, never the events.
/// A life is recomputed when its next step is due; that costs a few random draws.
public struct HugeLives: Sequence, IteratorProtocol {
    public struct Shape: Sendable {
        public var customers: Int
        public var affiliates: Int
        public var problemEvery = 50
        public init(customers: Int, affiliates: Int) { self.customers = customers; self.affiliates = affiliates }
        /// The issue's program at N customers: 10,000 affiliates at 1M, one per 100 customers below.
        public static func scaled(customers: Int) -> Shape {
            Shape(customers: customers, affiliates: Swift.max(20, Swift.min(10_000, customers / 100)))
        }
    }

    /// One event of a life: when, and its JSON line.
    struct Step { var at: Instant; var line: String }

    struct Pending: Comparable {
        var at: Int64, slot: Int32, kind: UInt8, step: UInt16
        static func < (a: Pending, b: Pending) -> Bool {
            (a.at, a.slot, a.kind, a.step) < (b.at, b.slot, b.kind, b.step)
        }
    }

    public let seed: UInt64
    public let shape: Shape
    let start = DemoProgram.start
    let now = DemoProgram.now
    /// Slots are spread over this many seconds from `start` (a week short of now, so a sign-up
    /// up to 6 days after its click is still in the past).
    let slotSpan: Int64
    var heap = MinHeap<Pending>()
    var nextSlot = 1

    public init(seed: UInt64, shape: Shape) {
        self.seed = seed
        self.shape = shape
        slotSpan = DemoProgram.now.seconds - DemoProgram.start.seconds - 7 * 86_400
    }

    /// The most lives running at once so far (the heap's size): the stream's memory.
    public private(set) var peakRunning = 0

    func slotTime(_ n: Int) -> Int64 { start.seconds + Int64(n - 1) * slotSpan / Int64(shape.customers) }
    var spacing: Int64 { Swift.max(1, slotSpan / Int64(shape.customers)) }

    /// The next event, in time order (ties by slot, kind, step): (instant, JSON line).
    public mutating func next() -> (Instant, String)? {
        while true {
            let slotT = nextSlot <= shape.customers ? slotTime(nextSlot) : Int64.max
            if let top = heap.min, top.at < slotT {
                _ = heap.popMin()
                let life = self.life(Int(top.slot), kind: top.kind)
                let i = Int(top.step)
                if i + 1 < life.count {
                    heap.push(Pending(at: life[i + 1].at.seconds, slot: top.slot, kind: top.kind, step: UInt16(i + 1)))
                }
                return (life[i].at, life[i].line)
            }
            guard nextSlot <= shape.customers else { return nil }
            for kind: UInt8 in 0...2 {
                let life = self.life(nextSlot, kind: kind)
                if let first = life.first {
                    heap.push(Pending(at: first.at.seconds, slot: Int32(nextSlot), kind: kind, step: 0))
                }
            }
            peakRunning = Swift.max(peakRunning, heap.count)
            nextSlot += 1
        }
    }

    /// The life of one kind in slot n, in time order; empty when the slot has none of it.
    func life(_ n: Int, kind: UInt8) -> [Step] {
        var rng = SplitMix(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(n) &* 0xBF58_476D_1CE4_E5B9 ^ UInt64(kind) << 56)
        _ = rng.next()
        let at = Instant(seconds: slotTime(n) + Int64(rng.next() % UInt64(spacing)))
        var steps: [Step] = []
        switch kind {
        case 0: customer(n, click: at, &rng, into: &steps)
        case 1:
            if n % 2 == 0 {
                let code = pickAffiliate(&rng)
                steps.append(Step(at: at, line: #"{"type":"click","click_id":"clk_v\#(n)","affiliate":"\#(code)","at":"\#(at.iso8601)"}"#))
            }
        default:
            if n % shape.problemEvery == 0 { problem(n, at: at, &rng, into: &steps) }
        }
        return steps
    }

    static func customerKey(_ n: Int) -> String { "cus_" + pad(n, 7) }
    static func affiliateCode(_ i: Int) -> String { "p" + pad(i + 1, 5) }
    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Affiliates are far from equal: index = A·u⁴, so the first holds ~10% of the customers
    /// and the last a few dozen (at 1M customers and 10k affiliates).
    func pickAffiliate(_ rng: inout SplitMix) -> String {
        let u = rng.unit()
        let i = Swift.min(shape.affiliates - 1, Int(Double(shape.affiliates) * u * u * u * u))
        return HugeLives.affiliateCode(i)
    }
}

/// A binary min-heap (the stream's running lives).
struct MinHeap<T: Comparable> {
    private var items: [T] = []
    var count: Int { items.count }
    var min: T? { items.first }

    mutating func push(_ x: T) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[i] < items[p] { items.swapAt(i, p); i = p } else { break }
        }
    }

    mutating func popMin() -> T? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return top }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, items[l] < items[m] { m = l }
            if r < items.count, items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
