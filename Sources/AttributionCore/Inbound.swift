/// An event as received: its raw text, where it came from, and either the parsed event or why
/// it could not be parsed. Feeds produce these; the store records every one in the inbox.
public struct InboundEvent: Hashable, Sendable {
    /// "jsonl", "stripe", "woocommerce", "admin", ...
    public var source: String
    /// The event type as received ("click", "invoice.paid", ...), or "unknown".
    public var type: String
    /// The raw payload, kept verbatim for triage.
    public var raw: String
    /// Identifies the event for idempotency: the same key is never recorded twice.
    public var dedupeKey: String
    public var file: String?
    public var line: Int?
    public var payload: Payload
    /// Extra identifiers the event mentions (Stripe event / invoice / subscription / customer
    /// ids, WooCommerce order ids) so triage can find it by any of them.
    public var refs: [String]

    public enum Payload: Hashable, Sendable {
        case event(Event)
        /// Could not be read: the field at fault (nil when the line itself is unreadable) and why.
        case invalid(field: String?, message: String)
        /// Read, understood, and deliberately not turned into an event (an unpaid invoice, a
        /// pending order): recorded as rejected with this reason and detail.
        case ignored(Reason, detail: String)
        /// A refund or a dispute of a credited sale (see `LedgerEvent`).
        case ledger(LedgerEvent)
    }

    public init(source: String, type: String, raw: String, dedupeKey: String, file: String? = nil, line: Int? = nil,
                payload: Payload, refs: [String] = []) {
        self.source = source; self.type = type; self.raw = raw; self.dedupeKey = dedupeKey
        self.file = file; self.line = line; self.payload = payload; self.refs = refs
    }

    /// "events.jsonl:12: amount: ..." — where and what, for an invalid event.
    public var invalidMessage: String? {
        guard case .invalid(let field, let message) = payload else { return nil }
        var place = file ?? source
        if let l = line { place += ":\(l)" }
        return "\(place): \(field.map { "\($0): " } ?? "")\(message)"
    }
}
