/// The rules for an existing affiliate's fields (its code: `AffiliateCode`): the display name, the
/// payout email (PayPal and Wise pay to it) and the commission override. `affdesk affiliates set`,
/// the Affiliates tab's edit form and the store (when it saves) all read a change with these.
public enum AffiliateFields {
    /// A display name: up to 200 characters (Unicode scalars).
    public static let maxNameLength = 200
    /// An email: up to 254 bytes (the longest address SMTP carries).
    public static let maxEmailBytes = 254

    /// A name: any text but an empty one, without NUL, trimmed (it is sanitized wherever shown).
    public static func parseName(_ text: String) throws(SettingError) -> String {
        let v = text.trimmingSpaces
        if v.isEmpty { throw SettingError(field: "name", message: "must not be empty") }
        if v.unicodeScalars.contains(where: { $0.value == 0 }) { throw SettingError(field: "name", message: "must not contain a NUL character") }
        let n = v.unicodeScalars.count
        if n > maxNameLength { throw SettingError(field: "name", message: "is \(n) characters long; at most \(maxNameLength) are allowed") }
        return v
    }

    /// A payout email, trimmed: `local@domain`, one `@`, a domain with a dot inside it; no spaces,
    /// control or format characters (bidi overrides); at most `maxEmailBytes`.
    public static func parseEmail(_ text: String) throws(SettingError) -> String {
        let v = text.trimmingSpaces
        func refuse(_ m: String) -> SettingError { SettingError(field: "email", message: m) }
        if v.isEmpty { throw refuse("must not be empty") }
        if v.utf8.count > maxEmailBytes { throw refuse("is \(v.utf8.count) bytes long; at most \(maxEmailBytes) are allowed") }
        if let bad = v.unicodeScalars.first(where: isForbidden) {
            throw refuse(bad.properties.isWhitespace ? "must not contain a space" : "must not contain a control or format character")
        }
        let parts = v.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { throw refuse("\"\(v)\" is not an address like name@example.com") }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
            throw refuse("\"\(v)\" is not an address like name@example.com (the domain after @ needs a dot)")
        }
        return v
    }

    static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x21 || (0x7F...0x9F).contains(u.value) || u.properties.isWhitespace || u.properties.generalCategory == .format
    }
}

/// What to do with one field of a record: leave it, set it, or remove it (back to the default).
public enum FieldChange<Value: Hashable & Sendable>: Hashable, Sendable {
    case keep
    case set(Value)
    case remove

    /// The field's new value, given its current one.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .keep: return current
        case .set(let v): return v
        case .remove: return nil
        }
    }
}

/// A change to an existing affiliate: its name, its payout email (removable), its commission
/// override (removable: the program's commission applies again).
public struct AffiliateChange: Hashable, Sendable {
    public var name: String?
    public var email: FieldChange<String>
    public var commission: FieldChange<Commission>

    public init(name: String? = nil, email: FieldChange<String> = .keep, commission: FieldChange<Commission> = .keep) {
        self.name = name; self.email = email; self.commission = commission
    }

    public var isEmpty: Bool { name == nil && email == .keep && commission == .keep }

    /// The affiliate's fields after this change.
    public func applied(to v: AffiliateValues) -> AffiliateValues {
        AffiliateValues(name: name ?? v.name, email: email.applied(to: v.email), commission: commission.applied(to: v.commission))
    }

    /// The change with its values read by the rules (trimmed), or the first refusal naming its field.
    public func validated() throws(SettingError) -> AffiliateChange {
        var out = self
        if let n = name { out.name = try AffiliateFields.parseName(n) }
        if case .set(let e) = email { out.email = .set(try AffiliateFields.parseEmail(e)) }
        if case .set(let c) = commission { try SettingRules.checkCommission(c) }
        return out
    }
}

/// The fields an `AffiliateChange` changes, as they stand.
public struct AffiliateValues: Hashable, Sendable {
    public var name: String
    public var email: String?
    public var commission: Commission?
    public init(name: String, email: String?, commission: Commission?) { self.name = name; self.email = email; self.commission = commission }

    public struct Difference: Hashable, Sendable {
        public var field: String
        public var before: String
        public var after: String
    }

    /// The fields that differ from `old`, in the words every front end shows (and the audit log
    /// keeps): no email is "none"; no override is "program", or "the program's (20%)" given the
    /// program's commission.
    public func differences(from old: AffiliateValues, program: Commission? = nil) -> [Difference] {
        func commission(_ c: Commission?) -> String { c?.description ?? program.map { "the program's (\($0))" } ?? "program" }
        var out: [Difference] = []
        if name != old.name { out.append(Difference(field: "name", before: old.name, after: name)) }
        if email != old.email { out.append(Difference(field: "email", before: old.email ?? "none", after: email ?? "none")) }
        if self.commission != old.commission {
            out.append(Difference(field: "commission", before: commission(old.commission), after: commission(self.commission)))
        }
        return out
    }
}
