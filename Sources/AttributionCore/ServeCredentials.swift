/// The rules for the credentials `affdesk serve` checks: API keys for the tracking API and the
/// webhook secrets of the payment sources. One rule, used by the command line, the store and
/// the server. Secrets are never echoed back in these errors.
public enum ServeCredentials {
    /// The sources whose webhooks are signed.
    public enum Source: String, CaseIterable, Sendable {
        case stripe, woocommerce
    }

    /// What an API key starts with, so a leaked one is easy to recognise (and to search for).
    public static let apiKeyPrefix = "afk_"
    /// The random part of a key: 64 hex digits (32 bytes).
    public static let apiKeyRandomHexDigits = 64
    /// A key's name: what it is for ("website", "checkout").
    public static let nameBytes = 1...64
    /// A webhook secret's length.
    public static let secretBytes = 8...256
    /// How many characters of a key are kept in clear to tell keys apart ("afk_1a2b").
    public static let keyHintCharacters = 8

    public static func parseSource(_ s: String) throws(SettingError) -> Source {
        guard let v = Source(rawValue: s) else {
            throw SettingError(field: "source", message: "\"\(printable(s))\" is not stripe or woocommerce")
        }
        return v
    }

    /// A key's name: 1 to 64 letters, digits, `.`, `_` or `-`.
    public static func parseKeyName(_ s: String) throws(SettingError) -> String {
        guard nameBytes.contains(s.utf8.count) else {
            throw SettingError(field: "name", message: "must be 1 to \(nameBytes.upperBound) characters")
        }
        guard s.utf8.allSatisfy({ isAlphanumeric($0) || $0 == 46 || $0 == 95 || $0 == 45 }) else {
            throw SettingError(field: "name", message: "may hold only letters, digits, \".\", \"_\" and \"-\"")
        }
        return s
    }

    /// Whether `s` has the shape of an API key (`afk_` and 64 lower-case hex digits). Checked
    /// before a presented key is hashed, so nothing longer is ever processed.
    public static func isAPIKeyShaped(_ s: Substring) -> Bool {
        guard s.utf8.count == apiKeyPrefix.utf8.count + apiKeyRandomHexDigits, s.hasPrefix(apiKeyPrefix) else { return false }
        return s.utf8.dropFirst(apiKeyPrefix.utf8.count).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A webhook secret: 8 to 256 printable ASCII characters without spaces; a Stripe one
    /// starts with `whsec_` as the Dashboard shows it. The message never repeats the secret.
    public static func parseSecret(_ s: String, source: Source) throws(SettingError) -> String {
        guard secretBytes.contains(s.utf8.count) else {
            throw SettingError(field: "secret", message: "must be \(secretBytes.lowerBound) to \(secretBytes.upperBound) characters")
        }
        guard s.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw SettingError(field: "secret", message: "may hold only printable ASCII characters, no spaces")
        }
        if source == .stripe, !s.hasPrefix("whsec_") {
            throw SettingError(field: "secret", message: "a Stripe signing secret starts with \"whsec_\" (Developers > Webhooks > the endpoint > Signing secret)")
        }
        return s
    }

    /// Several secrets in one value (an environment variable or a file): separated by commas,
    /// spaces or new lines; blank entries skipped.
    public static func parseSecretList(_ text: String, source: Source) throws(SettingError) -> [String] {
        var out: [String] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            out.append(try parseSecret(String(piece), source: source))
        }
        return out
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
    }

    /// A value quoted in a message: at most 32 printable ASCII characters.
    private static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.prefix(32).map { (32...126).contains($0.value) ? $0 : "?" }))
    }
}
