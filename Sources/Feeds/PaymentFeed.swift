import AttributionCore

extension JSON {
    /// The value written with sorted keys and no spaces: the same content formatted differently
    /// gives the same text (and the same idempotency key).
    var canonicalText: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSON.quote(k, into: &out)
                out += ":"
                o[k]!.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

/// Reading identifiers, times and money out of payment payloads, with the field at fault named.
enum PayloadField {
    typealias FieldError = TrackingFeed.FieldError

    /// An identifier: a string or a number's text, not empty, no control characters, at most
    /// `TrackingFeed.maxIDLength` bytes.
    static func id(_ v: JSON, field: String) throws(FieldError) -> String {
        guard let s = v.text else { throw FieldError(field: field, message: "must be a string") }
        if s.isEmpty { throw FieldError(field: field, message: "must not be empty") }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw FieldError(field: field, message: "must not contain control characters")
        }
        if s.utf8.count > TrackingFeed.maxIDLength {
            throw FieldError(field: field, message: "longer than \(TrackingFeed.maxIDLength) bytes")
        }
        return s
    }

    /// An optional identifier: absent, null and "" are nil.
    static func optionalID(_ v: JSON?, field: String) throws(FieldError) -> String? {
        guard let v, !v.isNull, v != .string("") else { return nil }
        return try id(v, field: field)
    }

    static func requiredID(_ o: JSON, _ key: String, prefix: String) throws(FieldError) -> String {
        guard let v = o[key], !v.isNull else { throw FieldError(field: prefix + key, message: "missing") }
        return try id(v, field: prefix + key)
    }

    /// An id given as a string or as an expanded object with an "id".
    static func reference(_ v: JSON?, field: String) throws(FieldError) -> String? {
        if case .object = v { return try optionalID(v?["id"], field: field + ".id") }
        return try optionalID(v, field: field)
    }

    /// "2021-04-19T07:21:00" (WooCommerce's *_gmt fields have no zone: they are UTC), or any
    /// RFC 3339 time; nil when absent or empty.
    /// A time outside `Instant.accepted` is refused.
    static func utcTime(_ v: JSON?, field: String) throws(FieldError) -> Instant? {
        guard let v, !v.isNull, v != .string("") else { return nil }
        func checked(_ i: Instant) throws(FieldError) -> Instant {
            if let problem = Instant.rangeProblem(i.seconds) { throw FieldError(field: field, message: problem) }
            return i
        }
        if case .number(let n) = v, let secs = Int64(n) { return try checked(Instant(seconds: secs)) }
        guard let s = v.string else { throw FieldError(field: field, message: "must be a time like \"2026-01-05T10:00:00\"") }
        if let i = Instant.parse(s) { return try checked(i) }
        if let i = Instant.parse(s + "Z") { return try checked(i) }
        throw FieldError(field: field, message: "\"\(s)\" is not a time like \"2026-01-05T10:00:00\"")
    }
}
