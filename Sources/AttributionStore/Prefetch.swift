import AttributionCore
import GRDB

extension FactCache {
    /// Reads, one query per table, everything the batch's events will ask about, so deciding
    /// them costs no query per event. Keys found nowhere are remembered as absent. The
    /// subscriptions the events name too (`prefetchSubscriptions`), kept up to date by the
    /// transaction.
    func prefetch(_ batch: [InboundEvent]) throws {
        var dedupe: [String] = [], clickIDs: [String] = [], keys: [String] = [], externalIDs: [String] = []
        dedupe.reserveCapacity(batch.count)
        for e in batch {
            dedupe.append(e.dedupeKey)
            guard case .event(let ev) = e.payload else { continue }
            let ids = ev.identifiers
            if let c = ids.clickID { clickIDs.append(c) }
            if let k = ids.customerKey { keys.append(k) }
            if let x = ids.externalID { externalIDs.append(x) }
        }
        for k in dedupe where recorded[k] == nil { recorded[k] = false }
        try each("SELECT e.dedupe FROM json_each(?) j JOIN event e ON e.dedupe = j.value", dedupe) { s in
            recorded[s.text(0)] = true
        }
        for k in clickIDs where clicks[k] == nil { clicks[k] = .some(nil) }
        try each("SELECT c.click_id, c.affiliate_id, c.at FROM json_each(?) j JOIN click c ON c.click_id = j.value", clickIDs) { s in
            let id = s.text(0)
            clicks[id] = ClickFact(clickID: id, affiliateID: s.int(1), at: Instant(seconds: s.int(2)))
        }
        for k in keys where customerIDs[k] == nil { customerIDs[k] = .some(nil) }
        let columns = CustomerState.columns.map { "c." + $0 }
        try each("SELECT \(columns.joined(separator: ", ")) FROM json_each(?) j JOIN customer c ON c.key = j.value", keys) { s in
            let c = CustomerState(s)
            if customers[c.id] == nil { customers[c.id] = c; customerIDs[c.key] = c.id }
        }
        for k in externalIDs where conversions[k] == nil { conversions[k] = false }
        try each("SELECT c.external_id FROM json_each(?) j JOIN conversion c ON c.external_id = j.value", externalIDs) { s in
            conversions[s.text(0)] = true
        }
        try prefetchSubscriptions(batch)
    }

    /// Runs `sql` with the keys bound as one JSON array, calling `row` for each result.
    /// The keys are sorted first, so the index is walked in order; a key listed twice is
    /// reported twice, which the callers do not mind.
    private func each(_ sql: String, _ keys: [String], _ row: (RawStatement) -> Void) throws {
        guard !keys.isEmpty else { return }
        let s = try fresh(sql: sql)
        s.bind(.text(FactCache.jsonArray(keys.sorted())))
        while try s.step() { row(s) }
        s.done()
    }

    /// The keys as a JSON array of strings, for `json_each`.
    static func jsonArray(_ keys: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(keys.count * 24)
        let hex = Array("0123456789abcdef".utf8)
        for (i, k) in keys.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            for b in k.utf8 {
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
                case 0..<0x20: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }
}
