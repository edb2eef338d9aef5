// libFuzzer target: the amount parsers the feeds use (Money.parse for tracking amounts, the
// WooCommerce decimal strings and Stripe's integer minor units) in currencies with 0, 2 and 3
// minor digits, and what is done with a parsed amount. See README.md here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMoney(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for code in ["USD", "JPY", "BHD"] {
        let currency = Currency(validated: code)
        if let m = try? Money.parse(text, currency: currency) {
            _ = m.description
        }
        let feed = TrackingFeed(defaultCurrency: currency)
        for amount in [text, quoted(text)] {
            let line = #"{"type":"conversion","external_id":"o1","amount":"# + amount + #","at":1767607200}"#
            _ = feed.read(line: line, number: 1)
        }
    }
    return 0
}

/// The text as a JSON string.
func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default: out += u.value < 0x20 ? "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) : String(u)
        }
    }
    return out + "\""
}
