// The ingest's path from bytes to decisions, in memory: the reader (LineReader or
// JSONRecordReader), the feed, and the core's Engine over facts kept in memory (no SQLite).
// Shared by the corpus regression tests and the libFuzzer targets in Tests/Fuzz (which compile
// this file together with Sources/AttributionCore and Sources/Feeds as one module, hence the
// conditional imports). No XCTest here.
#if canImport(Feeds)
import AttributionCore
import Feeds
#endif

enum Pipeline {
    enum Format: String, CaseIterable { case jsonl, stripe, woocommerce }

    struct Step {
        var inbound: InboundEvent
        /// The core's decision, for an event the feed could read; nil for a rejected payload.
        var decision: Decision?
        /// Refused: the payload was invalid or ignored, or the core rejected the event.
        var isRejection: Bool { decision.map { !$0.isAccepted } ?? true }
    }

    /// Reads `bytes` as `ingest --format <format>` does and decides every event, in order.
    /// `chunkBytes` and `limit` are small in fuzzing, to reach chunk ends and the size limit.
    static func run(_ bytes: [UInt8], format: Format, taxExcluded: Bool = false, chunkBytes: Int = 1 << 20,
                    limit: Int = FeedLimits.recordBytes, each: (Step) -> Void = { _ in }) {
        var facts = MemoryFacts()
        let engine = Engine(settings: ProgramSettings())
        func decide(_ e: InboundEvent) {
            var decision: Decision?
            if case .event(let ev) = e.payload {
                let d = engine.decide(ev, facts: facts)
                facts.apply(d)
                decision = d
            }
            each(Step(inbound: e, decision: decision))
        }
        let lines = LineReader(bytes: bytes, chunkBytes: chunkBytes, maxLineBytes: limit)
        switch format {
        case .jsonl:
            var reader = lines
            let feed = TrackingFeed(defaultCurrency: .usd, file: "fuzz.jsonl")
            while let line = reader.nextRecord() { if let e = feed.read(line) { decide(e) } }
        case .stripe:
            var reader = JSONRecordReader(lines: lines)
            let feed = StripeFeed(taxExcluded: taxExcluded, file: "fuzz.json")
            while let r = reader.nextRecord() { if let e = feed.read(r) { decide(e) } }
        case .woocommerce:
            var reader = JSONRecordReader(lines: lines)
            let feed = WooCommerceFeed(taxExcluded: taxExcluded, defaultCurrency: .usd, file: "fuzz.json")
            while let r = reader.nextRecord() { if let e = feed.read(r) { decide(e) } }
        }
    }
}

/// Facts in memory: every affiliate code exists; clicks, customers and conversions are what the
/// decisions so far created.
struct MemoryFacts: Facts {
    private var clicks: [String: ClickFact] = [:]
    private var customers: [String: CustomerFact] = [:]
    private var conversions: Set<String> = []

    /// An affiliate's id from its code, the same in every run (FNV-1a).
    static func id(_ code: String) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in code.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return Int64(h >> 2) + 1
    }

    func affiliate(code: String) -> AffiliateFact? { AffiliateFact(id: MemoryFacts.id(code), code: code) }
    func affiliate(id: Int64) -> AffiliateFact? { AffiliateFact(id: id, code: "affiliate-\(id)") }
    func click(id: String) -> ClickFact? { clicks[id] }
    func customer(key: String) -> CustomerFact? { customers[key] }
    func capHistory(customerID: Int64) -> CapHistory { .empty }
    func conversionExists(externalID: String) -> Bool { conversions.contains(externalID) }

    mutating func apply(_ d: Decision) {
        if let c = d.newClick { clicks[c.clickID] = c }
        if let n = d.newCustomer {
            customers[n.key] = CustomerFact(id: Int64(customers.count + 1), key: n.key, affiliateID: n.affiliateID, status: n.status)
        }
        if let c = d.conversion { conversions.insert(c.externalID) }
    }
}
