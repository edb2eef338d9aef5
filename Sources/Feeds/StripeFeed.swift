import AttributionCore

/// Stripe events (webhook payloads, `stripe events list` data) as core events. See the README,
/// "Feeding Stripe and WooCommerce events".
///
/// - `invoice.paid` / `invoice.payment_succeeded` with a paid invoice: a conversion whose external
///   id is the invoice id, for `amount_paid` (integer minor units; the currency upper-cased). The
///   subscription is the invoice's `subscription` (API versions before 2025-03-31) or
///   `parent.subscription_details.subscription` ("basil" and later), else a line's subscription.
///   `billing_reason` `subscription_create` is a first payment, any other with a subscription a
///   renewal (the store's history decides in the end). The customer key and click id are read
///   from metadata: the invoice's, its subscription details', then its lines'.
/// - an invoice whose `status` is not `paid`: recorded, ignored (`unpaid_invoice`).
/// - `customer.subscription.deleted`: the subscription's customer is canceled.
/// - every other type: recorded, ignored (`ignored_event_type`).
///
/// The event id is the idempotency key (`stripe:evt_...`); the invoice id, subscription id,
/// Stripe customer id, charge, payment intent and invoice number are kept as references for triage.
public struct StripeFeed: Sendable {
    public static let source = "stripe"
    /// The metadata key holding the customer key (the program's `--metadata-key`).
    public var metadataKey: String
    /// The metadata key holding the affiliate click id.
    public var clickKey: String
    /// Commission on the amount paid minus the invoice's tax.
    public var taxExcluded: Bool
    public var file: String?

    public init(metadataKey: String = "customer_key", clickKey: String = "click_id", taxExcluded: Bool = false,
                file: String? = nil) {
        self.metadataKey = metadataKey; self.clickKey = clickKey; self.taxExcluded = taxExcluded; self.file = file
    }

    /// The types that become conversions.
    public static let paidTypes: Set<String> = ["invoice.paid", "invoice.payment_succeeded"]
    public static let cancelType = "customer.subscription.deleted"

    typealias FieldError = TrackingFeed.FieldError

    /// Turns one record of the input into an inbound event; nil for a blank record. A record over
    /// the size limit is an invalid event naming the limit.
    public func read(_ record: InputRecord) -> InboundEvent? {
        record.overLong(source: StripeFeed.source, file: file, what: "record") ?? read(record: record.text, line: record.line)
    }

    /// Turns one record (a JSON object) into an inbound event; nil for a blank record.
    public func read(record text: String, line: Int) -> InboundEvent? {
        if JSONRecordReader.isBlank(text) { return nil }
        var refs: [String] = []
        func inbound(_ type: String, _ dedupe: String, _ payload: InboundEvent.Payload) -> InboundEvent {
            var seen = Set<String>()
            return InboundEvent(source: StripeFeed.source, type: type, raw: text, dedupeKey: dedupe, file: file, line: line,
                                payload: payload, refs: refs.filter { seen.insert($0).inserted })
        }
        let json: JSON
        do { json = try JSON.parse(text) } catch {
            return inbound("unknown", "stripe:" + StableHash.hex(text), .invalid(field: nil, message: error.description(firstLine: line)))
        }
        let contentKey = "stripe:" + StableHash.hex(json.canonicalText)
        guard case .object = json else {
            return inbound("unknown", contentKey, .invalid(field: nil, message: "a record must be a JSON object"))
        }
        // An event envelope, or a bare invoice (as `stripe invoices retrieve` prints it).
        let type: String, object: JSON, prefix: String, created: Int64?, dedupe: String
        if json["object"]?.string == "event" || (json["type"] != nil && json["data"] != nil) {
            guard let t = json["type"]?.string, !t.isEmpty else {
                return inbound("unknown", contentKey, .invalid(field: "type", message: json["type"] == nil ? "missing" : "must be a string"))
            }
            if t.utf8.count > FeedLimits.idBytes {
                return inbound("unknown", contentKey, .invalid(field: "type", message: "longer than \(FeedLimits.idBytes) bytes"))
            }
            let id: String
            do { id = try PayloadField.requiredID(json, "id", prefix: "") } catch {
                return inbound(t, contentKey, .invalid(field: error.field, message: error.message))
            }
            refs.append(id)
            guard let o = json[path: "data", "object"], case .object = o else {
                return inbound(t, "stripe:" + id, .invalid(field: "data.object", message: "missing: an event carries its object in data.object"))
            }
            (type, object, prefix, created, dedupe) = (t, o, "data.object.", json["created"]?.int, "stripe:" + id)
        } else if json["object"]?.string == "invoice" {
            (type, object, prefix, created, dedupe) = ("invoice", json, "", nil, contentKey)
        } else if json["object"]?.string == "list" {
            return inbound("unknown", contentKey, .invalid(field: "object", message: "a Stripe list: ingest the array in its \"data\" instead"))
        } else {
            return inbound("unknown", contentKey, .invalid(field: "type", message:
                "not a Stripe event: expected an object with \"object\": \"event\", an \"id\", a \"type\" and \"data\""))
        }
        do {
            let payload: InboundEvent.Payload
            if type == StripeFeed.cancelType {
                payload = try subscriptionDeleted(object, created: created, prefix: prefix, refs: &refs)
            } else if type == "invoice" || type.hasPrefix("invoice.") {
                payload = try invoice(object, type: type, created: created, prefix: prefix, refs: &refs)
            } else if let p = try ledgerPayload(object, type: type, created: created, prefix: prefix, refs: &refs) {
                payload = p
            } else {
                if let id = try? PayloadField.optionalID(object["id"], field: "id") { refs.append(id) }
                payload = .ignored(.ignoredEventType, detail: "\(type) is not acted on: affdesk reads invoice.paid, "
                                   + "invoice.payment_succeeded, customer.subscription.deleted, refunds and disputes")
            }
            return inbound(type, dedupe, payload)
        } catch {
            return inbound(type, dedupe, .invalid(field: error.field, message: error.message))
        }
    }

    func invoice(_ o: JSON, type: String, created: Int64?, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        if let kind = o["object"]?.string, kind != "invoice" {
            throw FieldError(field: prefix + "object", message: "is \"\(kind)\"; \(type) carries an invoice")
        }
        let id = try PayloadField.requiredID(o, "id", prefix: prefix)
        refs.append(id)
        let subscription = try subscriptionID(o, prefix: prefix)
        if let s = subscription { refs.append(s) }
        for key in ["customer", "charge", "payment_intent"] {
            if let r = try PayloadField.reference(o[key], field: prefix + key) { refs.append(r) }
        }
        if let number = try PayloadField.optionalID(o["number"], field: prefix + "number") { refs.append(number) }

        let status = o["status"]?.string ?? (o["paid"]?.bool == true ? "paid" : nil)
        guard status == "paid" else {
            let due = o["amount_due"]?.int.map { ", amount_due \($0)" } ?? ""
            return .ignored(.unpaidInvoice, detail: "invoice \(id) is \(status.map { "\"\($0)\"" } ?? "without a status")\(due) (\(type)): "
                            + "only paid invoices earn")
        }
        guard type == "invoice" || StripeFeed.paidTypes.contains(type) else {
            return .ignored(.ignoredEventType, detail: "\(type) is not acted on: invoice.paid credits invoice \(id)")
        }
        guard let code = o["currency"]?.string else {
            throw FieldError(field: prefix + "currency", message: o["currency"] == nil ? "missing" : "must be a string like \"usd\"")
        }
        let currency: Currency
        do { currency = try Currency(code) } catch {
            throw FieldError(field: prefix + "currency", message: "\"\(code)\" is not a three-letter ISO 4217 code")
        }
        let paid = try stripeInt(o, "amount_paid", prefix: prefix)
        let amount = try StripeFeed.money(paid, currency, field: prefix + "amount_paid")
        var base: Money?
        if taxExcluded, let tax = try StripeFeed.tax(o, prefix: prefix), tax != 0 {
            // Both are bounded, so the difference fits; a tax above the amount paid leaves nothing.
            let (rest, overflow) = paid.subtractingReportingOverflow(tax)
            base = try StripeFeed.money(overflow ? 0 : max(0, rest), currency, field: prefix + "tax")
        }
        let reason = o["billing_reason"]?.string
        let at = try time(o, created: created, prefix: prefix, keys: [["status_transitions", "paid_at"]])
        return .event(.conversion(.init(
            externalID: id, amount: amount, commissionBase: base,
            customerKey: try metadata(o, metadataKey, prefix: prefix), clickID: try metadata(o, clickKey, prefix: prefix),
            isFirstPayment: reason == "subscription_create", at: at, subscriptionID: subscription,
            isRenewal: subscription != nil && reason != "subscription_create")))
    }

    func subscriptionDeleted(_ o: JSON, created: Int64?, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        if let kind = o["object"]?.string, kind != "subscription" {
            throw FieldError(field: prefix + "object", message: "is \"\(kind)\"; \(StripeFeed.cancelType) carries a subscription")
        }
        let id = try PayloadField.requiredID(o, "id", prefix: prefix)
        refs.append(id)
        if let c = try PayloadField.reference(o["customer"], field: prefix + "customer") { refs.append(c) }
        let key = try PayloadField.optionalID(o[path: "metadata", metadataKey], field: prefix + "metadata." + metadataKey)
        let at = try time(o, created: created, prefix: prefix, keys: [["ended_at"], ["canceled_at"]])
        return .event(.cancel(.init(customerKey: key, subscriptionID: id, at: at)))
    }

    /// The invoice's subscription, in either API shape.
    func subscriptionID(_ o: JSON, prefix: String) throws(FieldError) -> String? {
        if let s = try PayloadField.reference(o["subscription"], field: prefix + "subscription") { return s }
        if let s = try PayloadField.reference(o[path: "parent", "subscription_details", "subscription"],
                                              field: prefix + "parent.subscription_details.subscription") { return s }
        for (i, l) in (o[path: "lines", "data"]?.array ?? []).enumerated() {
            let at = prefix + "lines.data[\(i)]."
            if let s = try PayloadField.reference(l[path: "parent", "subscription_item_details", "subscription"],
                                                  field: at + "parent.subscription_item_details.subscription") { return s }
            if l["type"]?.string == "subscription", let s = try PayloadField.reference(l["subscription"], field: at + "subscription") {
                return s
            }
        }
        return nil
    }

    /// A metadata value: the invoice's own, its subscription details' (both API shapes), then its lines'.
    func metadata(_ o: JSON, _ key: String, prefix: String) throws(FieldError) -> String? {
        var places: [(String, JSON?)] = [
            ("metadata", o["metadata"]),
            ("subscription_details.metadata", o[path: "subscription_details", "metadata"]),
            ("parent.subscription_details.metadata", o[path: "parent", "subscription_details", "metadata"]),
        ]
        for (i, l) in (o[path: "lines", "data"]?.array ?? []).enumerated() {
            places.append(("lines.data[\(i)].metadata", l["metadata"]))
        }
        for (path, m) in places {
            if let v = try PayloadField.optionalID(m?[key], field: prefix + path + "." + key) { return v }
        }
        return nil
    }

    func stripeInt(_ o: JSON, _ key: String, prefix: String) throws(FieldError) -> Int64 {
        guard let v = o[key], !v.isNull else { throw FieldError(field: prefix + key, message: "missing") }
        guard case .number(let n) = v, let i = Int64(n) else {
            throw FieldError(field: prefix + key, message: "must be an integer amount in the currency's smallest unit")
        }
        return i
    }

    /// The first time found: the given keys of the object, else the event's `created`, else the
    /// object's. A time outside `Instant.accepted` is refused, naming its field.
    func time(_ o: JSON, created: Int64?, prefix: String, keys: [[String]]) throws(FieldError) -> Instant {
        func checked(_ s: Int64, _ field: String) throws(FieldError) -> Instant {
            if let problem = Instant.rangeProblem(s) { throw FieldError(field: field, message: problem) }
            return Instant(seconds: s)
        }
        for path in keys {
            var v: JSON? = o
            for k in path { v = v?[k] }
            if let v, !v.isNull {
                let field = prefix + path.joined(separator: ".")
                guard let s = v.int else { throw FieldError(field: field, message: "must be epoch seconds") }
                return try checked(s, field)
            }
        }
        if let c = created { return try checked(c, "created") }
        if let c = o["created"]?.int { return try checked(c, prefix + "created") }
        throw FieldError(field: prefix + "created", message: "missing")
    }

    /// The invoice's tax in Stripe's minor units: `tax` (API versions before 2025-03-31), else the
    /// sum of `total_taxes` ("basil"), else of `total_tax_amounts`; nil when the invoice says none.
    /// Each amount and the sum are within 0...`maxStripeMinor`.
    static func tax(_ o: JSON, prefix: String) throws(FieldError) -> Int64? {
        func amount(_ v: JSON?, _ field: String) throws(FieldError) -> Int64 {
            guard let n = v?.int else { throw FieldError(field: field, message: "must be an integer amount") }
            if n < 0 { throw FieldError(field: field, message: "\(n) is negative") }
            if n > maxStripeMinor { throw FieldError(field: field, message: "\(n) is out of range (at most \(maxStripeMinor))") }
            return n
        }
        if let t = o["tax"], !t.isNull { return try amount(t, prefix + "tax") }
        for key in ["total_taxes", "total_tax_amounts"] {
            guard let list = o[key]?.array else { continue }
            var sum: Int64 = 0
            for (i, item) in list.enumerated() {
                sum += try amount(item["amount"], prefix + "\(key)[\(i)].amount")   // two bounded amounts cannot overflow
                if sum > maxStripeMinor {
                    throw FieldError(field: prefix + key, message: "the sum of the amounts is out of range (at most \(maxStripeMinor))")
                }
            }
            return sum
        }
        return nil
    }

    /// The largest amount in Stripe's units that can be an amount affdesk accepts: Stripe counts
    /// ISK in hundredths where ISO 4217 has none, so 100 * `Money.maxMinor`.
    static let maxStripeMinor = Money.maxMinor * 100

    /// Stripe's amounts are integers in the currency's smallest unit as Stripe counts it, which is
    /// ISO 4217's except for a few currencies (ISK is two-decimal in Stripe, MGA zero-decimal).
    static func money(_ stripeMinor: Int64, _ currency: Currency, field: String) throws(FieldError) -> Money {
        let code = currency.code
        let stripeDigits = stripeZeroDecimal.contains(code) ? 0 : stripeThreeDecimal.contains(code) ? 3 : 2
        var minor = stripeMinor
        var shift = stripeDigits - currency.minorDigits
        while shift > 0 {
            guard minor % 10 == 0 else {
                throw FieldError(field: field, message: "\(stripeMinor) is not a whole amount of \(code) (Stripe counts \(code) in "
                                 + "hundredths)")
            }
            minor /= 10
            shift -= 1
        }
        while shift < 0 {
            let (m, overflow) = minor.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw FieldError(field: field, message: "\(stripeMinor) is out of range") }
            minor = m
            shift += 1
        }
        if minor > Money.maxMinor || minor < -Money.maxMinor { throw FieldError(field: field, message: "\(stripeMinor) is out of range") }
        return Money(minor: minor, currency: currency)
    }

    static let stripeZeroDecimal: Set<String> = ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                                                 "VND", "VUV", "XAF", "XOF", "XPF"]
    static let stripeThreeDecimal: Set<String> = ["BHD", "JOD", "KWD", "OMR", "TND"]
}
