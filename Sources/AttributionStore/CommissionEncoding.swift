import AttributionCore

extension Commission {
    /// The canonical stored form: "percent:1000" or "fixed:500:USD".
    var stored: String {
        switch self {
        case .percent(let bp): return "percent:\(bp)"
        case .fixed(let m): return "fixed:\(m.minor):\(m.currency.code)"
        }
    }

    init?(stored: String?) {
        guard let parts = stored?.split(separator: ":").map(String.init) else { return nil }
        switch (parts.first, parts.count) {
        case ("percent", 2): guard let bp = Int(parts[1]) else { return nil }; self = .percent(basisPoints: bp)
        case ("fixed", 3): guard let m = Int64(parts[1]) else { return nil }
            self = .fixed(Money(minor: m, currency: Currency(validated: parts[2])))
        default: return nil
        }
    }
}
