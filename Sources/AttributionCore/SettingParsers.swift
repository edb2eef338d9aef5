/// One parser per setting, for text typed on the command line (`program set`) or in the
/// dashboard's Settings form: both call these, so both accept the same values and refuse the
/// rest with the same sentence (`SettingError.message`; the field names the setting).
extension SettingRules {
    /// The program's name: any text but an empty one (it is sanitized wherever it is shown).
    public static func parseName(_ text: String) throws(SettingError) -> String {
        let v = text.trimmingSpaces
        if v.isEmpty { throw SettingError(field: "name", message: "must not be empty") }
        return v
    }

    /// `saas`, `leads` or `generic`, in any case.
    public static func parseModel(_ text: String) throws(SettingError) -> BusinessModel {
        guard let m = BusinessModel(rawValue: text.trimmingSpaces.lowercased()) else {
            throw SettingError(field: "model", message: "\"\(text)\" is not saas, leads or generic")
        }
        return m
    }

    /// On or off (`on`/`off`, `yes`/`no`, `true`/`false`, `1`/`0`, in any case).
    public static func parseOnOff(_ text: String, field: String) throws(SettingError) -> Bool {
        switch text.trimmingSpaces.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw SettingError(field: field, message: "\"\(text)\" is not on or off")
        }
    }

    /// "20%", "12.5%", or a fixed amount per conversion: "15.00 USD" / "USD 15.00"; within its bounds.
    public static func parseCommission(_ text: String, field: String = "commission") throws(SettingError) -> Commission {
        guard let c = Commission.parse(text) else {
            throw SettingError(field: field, message: "\"\(text)\" is not like \"20%\" or \"15.00 USD\"")
        }
        try checkCommission(c, field: field)
        return c
    }

    /// The amount cap in the program's currency ("500.00"), or nil for "none" (or nothing).
    public static func parseCapAmount(_ text: String, currency: Currency) throws(SettingError) -> Money? {
        let v = text.trimmingSpaces
        if v.isEmpty || v.lowercased() == "none" { return nil }
        let m: Money
        do { m = try Money.parse(v, currency: currency) } catch {
            throw SettingError(field: "cap-amount", message: "\(error); type an amount in \(currency.code) like 500.00, or none")
        }
        try checkCapAmount(m)
        return m
    }

    /// An active ISO 4217 code, in any case.
    public static func parseCurrency(_ text: String) throws(SettingError) -> Currency {
        do { return try Currency(text.trimmingSpaces) } catch { throw SettingError(field: "currency", message: "\(error)") }
    }

    /// The longest Stripe metadata key (Stripe refuses longer keys, so no object could carry it).
    public static let metadataKeyMaxLength = 40

    /// The Stripe metadata key that holds the customer key, trimmed: 1 to 40 characters, without
    /// square brackets (Stripe's rule for keys), control or format characters (bidi overrides).
    public static func parseMetadataKey(_ text: String) throws(SettingError) -> String {
        let k = text.trimmingSpaces
        func refuse(_ m: String) -> SettingError { SettingError(field: "metadata-key", message: m) }
        if k.isEmpty { throw refuse("must not be empty") }
        let n = k.unicodeScalars.count
        if n > metadataKeyMaxLength { throw refuse("is \(n) characters long; Stripe allows at most \(metadataKeyMaxLength)") }
        if k.contains("[") || k.contains("]") { throw refuse("must not contain square brackets (Stripe refuses them in keys)") }
        if k.unicodeScalars.contains(where: \.isControlOrFormat) {
            throw refuse("must not contain a control or format character")
        }
        return k
    }

    /// The commission basis for amounts that carry tax: `included` (false) or `excluded` (true).
    public static func parseTaxExcluded(_ text: String) throws(SettingError) -> Bool {
        switch text.trimmingSpaces.lowercased() {
        case "included": return false
        case "excluded": return true
        default: throw SettingError(field: "tax", message: "\"\(text)\" is not included or excluded")
        }
    }
}

extension Unicode.Scalar {
    /// A C0 control, DEL, a C1 control or a format character (a bidi override, a zero-width
    /// joiner): never kept in a setting or a payment reference, which are printed and exported.
    var isControlOrFormat: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || properties.generalCategory == .format
    }
}
