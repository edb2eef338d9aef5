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

    /// Amounts above this (9 * 10^12 minor units) are refused, so that sums of many amounts and
    /// amount * basis points never overflow Int64.
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
    public var minorDigits: Int {
        if Currency.zeroDecimal.contains(code) { return 0 }
        if Currency.threeDecimal.contains(code) { return 3 }
        return 2
    }

    /// Accepts three ASCII letters (any case); anything else is refused.
    public init(_ code: String) throws(MoneyError) {
        let up = code.uppercased()
        guard up.utf8.count == 3, up.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { throw .badCurrency(code) }
        self.code = up
    }

    public init(validated code: String) { self.code = code }

    public var description: String { code }

    public static let usd = Currency(validated: "USD")
    public static let eur = Currency(validated: "EUR")
    public static let jpy = Currency(validated: "JPY")

    static let zeroDecimal: Set<String> = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                           "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"]
    static let threeDecimal: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
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
