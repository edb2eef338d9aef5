/// Money is an integer count of minor units plus an ISO 4217 currency code. Never a Double.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public var minor: Int64
    public var currency: Currency

    public init(minor: Int64, currency: Currency) {
        self.minor = minor
        self.currency = currency
    }

    /// Parses a decimal string in major units ("29.00", "1500", "0.5") exactly.
    /// More fraction digits than the currency has is an error, not a rounding.
    public static func parse(_ text: String, currency: Currency) throws(MoneyError) -> Money {
        var s = Substring(text.trimmingSpaces)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !(whole.isEmpty && (parts.count < 2 || parts[1].isEmpty)) else {
            throw .notANumber(text)
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit) else { throw .notANumber(text) }
        let trimmedFraction = fraction.reversed().drop(while: { $0 == "0" })
        if trimmedFraction.count > currency.minorDigits { throw .tooPrecise(text, currency) }
        var value: Int64 = 0
        for c in whole {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c.asciiValue! - 48))
            if o1 || o2 { throw .outOfRange(text) }
            value = a
        }
        var digits = Array(fraction.prefix(currency.minorDigits))
        while digits.count < currency.minorDigits { digits.append("0") }
        for c in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c.asciiValue! - 48))
            if o1 || o2 { throw .outOfRange(text) }
            value = a
        }
        if value > Money.maxMinor { throw .outOfRange(text) }
        return Money(minor: negative ? -value : value, currency: currency)
    }

    /// The largest amount affdesk accepts, in minor units: 9 * 10^12 (90 billion dollars, or 9
    /// trillion yen). Larger ones (and their negatives) are refused at the door, so that a sum of
    /// up to a million amounts and amount * basis points never overflow Int64.
    public static let maxMinor: Int64 = 9_000_000_000_000_000 / 1000

    /// "1234.50" — major units with exactly the currency's fraction digits.
    public var decimalString: String {
        let digits = currency.minorDigits
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        guard digits > 0 else { return sign + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        var frac = String(magnitude % scale)
        while frac.count < digits { frac = "0" + frac }
        return "\(sign)\(magnitude / scale).\(frac)"
    }

    /// "1,234.50 USD"
    public var description: String { "\(Money.grouped(decimalString)) \(currency.code)" }

    public static func grouped(_ s: String) -> String {
        var sign = ""
        var body = Substring(s)
        if body.first == "-" { sign = "-"; body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1)
        let whole = Array(parts[0])
        var out = ""
        for (i, c) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return sign + out + (parts.count == 2 ? "." + parts[1] : "")
    }
}

public enum MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    case notANumber(String)
    case tooPrecise(String, Currency)
    case outOfRange(String)
    case badCurrency(String)

    public var description: String {
        switch self {
        case .notANumber(let s): return "\"\(s)\" is not a decimal amount"
        case .tooPrecise(let s, let c): return "\"\(s)\" has more than \(c.minorDigits) decimal places for \(c.code)"
        case .outOfRange(let s): return "\"\(s)\" is out of range"
        case .badCurrency(let s): return "\"\(s)\" is not an ISO 4217 currency code"
        }
    }
}

/// An ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    public let code: String
    /// The ISO 4217 minor-unit exponent. A code that is not in the table (stored by an older
    /// build, which accepted any three letters) is shown with two.
    public var minorDigits: Int { Currency.iso4217[code] ?? 2 }

    /// Accepts an active ISO 4217 code (any case) that has a minor unit; anything else is refused.
    public init(_ code: String) throws(MoneyError) {
        let up = code.uppercased()
        guard up.utf8.count == 3, up.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }), Currency.iso4217[up] != nil else {
            throw .badCurrency(code)
        }
        self.code = up
    }

    public init(validated code: String) { self.code = code }

    public var description: String { code }

    public static let usd = Currency(validated: "USD")
    public static let eur = Currency(validated: "EUR")
    public static let jpy = Currency(validated: "JPY")

    /// The active ISO 4217 codes (list one, with the 2024-2025 amendments: XCG, ZWG, VED, SLE)
    /// and their minor-unit exponents: the one table of currencies. Funds codes with a minor unit
    /// (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW) are included; codes without one (gold and
    /// other metals, XDR, XSU, XUA, the testing and "no currency" codes XTS and XXX) are not, as
    /// no amount can be written in them. ANG, SLL and ZWL, withdrawn in 2023-2025, are still
    /// read for older payments.
    public static let iso4217: [String: Int] = {
        var t: [String: Int] = [:]
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF
            CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF
            IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
            MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL
            SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW
            ZWG ZWL
            """
        for c in two.split(whereSeparator: { $0 == " " || $0 == "\n" }) { t[String(c)] = 2 }
        for c in ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF",
                  "XPF"] { t[c] = 0 }
        for c in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { t[c] = 3 }
        for c in ["CLF", "UYW"] { t[c] = 4 }
        return t
    }()
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension Sequence where Element == Int64 {
    /// The sum, held at Int64's ends instead of trapping: for totals shown on screen of amounts
    /// already stored (each within `Money.maxMinor`, but a million of them need not fit).
    public func saturatingSum() -> Int64 {
        reduce(0) { total, v in
            let (r, o) = total.addingReportingOverflow(v)
            return o ? (v < 0 ? .min : .max) : r
        }
    }
}
