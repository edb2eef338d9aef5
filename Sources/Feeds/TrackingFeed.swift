import AttributionCore

/// The tracking feed: JSON Lines, one event per line, in the shape of the tracking API
/// (`click`, `trial` / `lead` / `signup`, `conversion`, `cancel`). See the README for the format.
public struct TrackingFeed: Sendable {
    /// The currency assumed when a conversion names none (the program's).
    public var defaultCurrency: Currency?
    public var file: String?
    /// The core's identifier rule (`Identifiers.maxBytes`): one number for every front end.
    public static let maxIDLength = Identifiers.maxBytes

    public init(defaultCurrency: Currency? = nil, file: String? = nil) {
        self.defaultCurrency = defaultCurrency; self.file = file
    }

    /// Turns one line of the input into an inbound event; nil for a blank line. A line over the
    /// size limit is an invalid event naming the limit.
    public func read(_ line: InputRecord) -> InboundEvent? {
        line.overLong(source: "jsonl", file: file, what: "line") ?? read(line: line.text, number: line.line)
    }

    /// Turns one line into an inbound event; nil for a blank line.
    public func read(line text: String, number: Int) -> InboundEvent? {
        var blank = true
        for b in text.utf8 where !(b == 32 || b == 9 || b == 13) { blank = false; break }
        if blank { return nil }
        func inbound(_ type: String, _ payload: InboundEvent.Payload) -> InboundEvent {
            InboundEvent(source: "jsonl", type: type, raw: text, dedupeKey: TrackingFeed.dedupeKey(text, payload),
                         file: file, line: number, payload: payload)
        }
        let json: JSON
        do { json = try JSON.parse(text) } catch {
            return inbound("unknown", .invalid(field: nil, message: error.description))
        }
        guard case .object = json else { return inbound("unknown", .invalid(field: nil, message: "a line must be a JSON object")) }
        guard let type = json["type"]?.string else {
            return inbound("unknown", .invalid(field: "type", message: json["type"] == nil ? "missing" : "must be a string"))
        }
        if type.utf8.count > FeedLimits.idBytes {
            return inbound("unknown", .invalid(field: "type", message: "longer than \(FeedLimits.idBytes) bytes"))
        }
        do {
            if TrackingFeed.ledgerTypes.contains(type) {
                let le = try ledgerEvent(type: type, json)
                var e = inbound(type, .ledger(le))
                e.refs = TrackingFeed.refs(le)
                return e
            }
            return inbound(type, .event(try event(type: type, json)))
        } catch {
            return inbound(type, .invalid(field: error.field, message: error.message))
        }
    }

    /// The inbox key of a line: its content hash, led by the event's own time when it has one.
    /// Lines arrive roughly in time order, so keys led by time go into the inbox's unique index
    /// near each other instead of at random places (a third faster on large ingests); the same
    /// line always gives the same key.
    static func dedupeKey(_ text: String, _ payload: InboundEvent.Payload) -> String {
        let hash = StableHash.hex(text)
        guard case .event(let e) = payload else { return "jsonl:" + hash }
        let t = UInt64(bitPattern: e.at.seconds ^ Int64.min)   // order-preserving for negative times too
        let hex = String(t, radix: 16)
        return "jsonl:" + String(repeating: "0", count: 16 - hex.count) + hex + ":" + hash
    }

    public struct FieldError: Error, Equatable {
        public var field: String
        public var message: String
    }

    static let types: Set<String> = ["click", "trial", "lead", "signup", "conversion", "cancel"]

    func event(type: String, _ j: JSON) throws(FieldError) -> Event {
        // The type first: for a line of an unknown type, every other field is beside the point.
        guard TrackingFeed.types.contains(type) else {
            throw FieldError(field: "type", message: "unknown type \"\(type)\"; expected click, trial, lead, signup, conversion, cancel, refund or dispute")
        }
        let at = try instant(j, "at")
        switch type {
        case "click":
            return .click(.init(clickID: try id(j, "click_id"), affiliateCode: try id(j, "affiliate"), at: at))
        case "trial", "lead", "signup":
            return .track(.init(kind: Event.Kind(rawValue: type)!, customerKey: try id(j, "customer_key"),
                                clickID: try optionalID(j, "click_id"), at: at, email: try optionalID(j, "email")))
        case "conversion":
            let currency: Currency
            if let c = j["currency"] {
                guard let s = c.string, let cur = try? Currency(s) else {
                    throw FieldError(field: "currency", message: "must be a three-letter ISO 4217 code like \"USD\"")
                }
                currency = cur
            } else if let d = defaultCurrency {
                currency = d
            } else {
                throw FieldError(field: "currency", message: "missing")
            }
            let amount = try money(j, "amount", currency)
            var first = false
            if let f = j["first_payment"] {
                guard let b = f.bool else { throw FieldError(field: "first_payment", message: "must be true or false") }
                first = b
            }
            return .conversion(.init(externalID: try id(j, "external_id"), amount: amount,
                                     commissionBase: j["commission_base"] == nil ? nil : try money(j, "commission_base", currency),
                                     customerKey: try optionalID(j, "customer_key"), clickID: try optionalID(j, "click_id"),
                                     isFirstPayment: first, at: at))
        case "cancel":
            return .cancel(.init(customerKey: try id(j, "customer_key"), at: at))
        default:
            throw FieldError(field: "type", message: "unknown type \"\(type)\"; expected click, trial, lead, signup, conversion, cancel, refund or dispute")
        }
    }

    /// The currency a line names, else the program's.
    func currency(_ j: JSON) throws(FieldError) -> Currency {
        if let c = j["currency"] {
            guard let s = c.string, let cur = try? Currency(s) else {
                throw FieldError(field: "currency", message: "must be a three-letter ISO 4217 code like \"USD\"")
            }
            return cur
        }
        guard let d = defaultCurrency else { throw FieldError(field: "currency", message: "missing") }
        return d
    }

    func id(_ j: JSON, _ key: String) throws(FieldError) -> String {
        guard let v = try optionalID(j, key) else { throw FieldError(field: key, message: "missing") }
        return v
    }

    func optionalID(_ j: JSON, _ key: String) throws(FieldError) -> String? {
        guard let v = j[key], !v.isNull else { return nil }
        return try PayloadField.id(v, field: key)
    }

    func instant(_ j: JSON, _ key: String) throws(FieldError) -> Instant {
        guard let v = j[key] else { throw FieldError(field: key, message: "missing") }
        let i: Instant
        if case .number(let n) = v, let secs = Int64(n) {
            i = Instant(seconds: secs)
        } else {
            guard let s = v.string else { throw FieldError(field: key, message: "must be an ISO 8601 time like \"2026-01-05T10:00:00Z\"") }
            guard let parsed = Instant.parse(s) else {
                throw FieldError(field: key, message: "\"\(s)\" is not an ISO 8601 time like \"2026-01-05T10:00:00Z\"")
            }
            i = parsed
        }
        if let problem = Instant.rangeProblem(i.seconds) { throw FieldError(field: key, message: problem) }
        return i
    }

    func money(_ j: JSON, _ key: String, _ currency: Currency) throws(FieldError) -> Money {
        guard let v = j[key] else { throw FieldError(field: key, message: "missing") }
        guard let text = v.text else {
            throw FieldError(field: key, message: "must be a decimal string like \"29.00\" or a number")
        }
        // "2.9e1" as a number or a string: say what to change. Other text ("free") is simply
        // not a decimal amount, which Money.parse says.
        if text.contains(where: { $0 == "e" || $0 == "E" }),
           text.allSatisfy({ ("0"..."9").contains($0) || $0 == "e" || $0 == "E" || $0 == "." || $0 == "-" || $0 == "+" }) {
            throw FieldError(field: key, message: "write the amount without an exponent")
        }
        do { return try Money.parse(text, currency: currency) } catch {
            throw FieldError(field: key, message: error.description)
        }
    }
}
