/// The rule for affiliate codes (the `CODE` in `?aff=CODE`), shared by every front end.
///
/// - 1 to 64 characters (Unicode scalars, so at most 256 bytes: always within the feeds' id
///   limit, so an affiliate can always be credited);
/// - letters and digits of any script, and `.`, `_`, `-`; the first is a letter or a digit;
///   no spaces, control characters, format characters (bidi overrides) or symbols;
/// - case: a code keeps the case it was added with (it is shown that way), but codes that
///   differ only in case are the same code: adding `ZOE` when `zoe` exists is refused as a
///   duplicate, and events and commands naming `ZOE` find `zoe`. `key` is the compared form.
///
/// Spaces around a code are trimmed before the rule is applied.
public enum AffiliateCode {
    public static let maxLength = 64

    /// The code as stored (trimmed), or a sentence saying what is wrong with it.
    public static func validate(_ text: String) -> Result<String, SettingError> {
        let code = text.trimmingSpaces
        func refuse(_ m: String) -> Result<String, SettingError> { .failure(SettingError(field: "code", message: m)) }
        let scalars = Array(code.unicodeScalars)
        guard let first = scalars.first else { return refuse("must not be empty") }
        if scalars.contains(where: { $0.value == 0 }) { return refuse("must not contain a NUL character") }
        if scalars.count > maxLength { return refuse("is \(scalars.count) characters long; at most \(maxLength) are allowed") }
        guard isLetterOrDigit(first) else { return refuse("must start with a letter or a digit") }
        if let bad = scalars.first(where: { !(isLetterOrDigit($0) || isMark($0) || $0 == "." || $0 == "_" || $0 == "-") }) {
            let what = bad.value < 0x20 || (0x7F...0x9F).contains(bad.value) ? "a control character"
                : bad.properties.isWhitespace ? "a space" : "\"\(bad.escaped(asASCII: true))\""
            return refuse("must hold only letters, digits, \".\", \"_\" and \"-\" (found \(what))")
        }
        return .success(code)
    }

    /// The form codes are compared in: lower case.
    public static func key(_ code: String) -> String { code.lowercased() }

    static func isLetterOrDigit(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    static func isMark(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .nonspacingMark, .spacingMark: return true
        default: return false
        }
    }
}
