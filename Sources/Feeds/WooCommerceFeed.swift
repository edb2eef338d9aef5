import AttributionCore

/// WooCommerce orders and WooCommerce Subscriptions subscriptions (REST resources, as the
/// webhooks send them) as core events. See the README, "Feeding Stripe and WooCommerce events".
///
/// - An order (`processing` or `completed`) is a conversion whose external id is `wc-<order id>`,
///   for `total` (minus `total_tax` when tax is excluded from the commission basis). A parent
///   order (`order_type` `parent_order`, or none) is a first payment; a renewal order
///   (`order_type` `renewal_order`, or meta `_subscription_renewal`) is a renewal of subscription
///   `wc-sub-<meta _subscription_renewal>`: it carries no click, and is credited as that
///   subscription's history says, or like its parent order.
/// - Any other order status (`pending`, `on-hold`, `failed`, ...) is recorded and ignored
///   (`order_not_paid`): the order earns when it arrives again paid.
/// - A subscription (a resource with `billing_period`) links `wc-sub-<id>` to its parent order
///   `wc-<parent_id>`; a `cancelled` or `expired` one cancels its customer.
///
/// Where a renewal's parent comes from, first found: meta `_affdesk_parent_order_id`, the order's
/// own `parent_id` when not 0, a subscription read earlier from the same input; the store also
/// knows every subscription linked before (by a subscription payload or an earlier renewal).
/// The click is meta `_affdesk_click_id`; the customer key is meta `_affdesk_customer_key`, else
/// the WordPress `customer_id` (when not 0, a guest), else the billing email, lower-cased.
public final class WooCommerceFeed {
    public static let source = "woocommerce"
    public static let paidStatuses: Set<String> = ["processing", "completed"]
    public static let endedSubscriptionStatuses: Set<String> = ["cancelled", "expired"]
    public static let clickMeta = "_affdesk_click_id"
    public static let customerMeta = "_affdesk_customer_key"
    public static let parentMeta = "_affdesk_parent_order_id"

    /// The conversion external id of an order, and the subscription id of a subscription.
    public static func externalID(order: String) -> String { "wc-" + order }
    public static func subscriptionID(_ id: String) -> String { "wc-sub-" + id }

    public var taxExcluded: Bool
    /// The currency of an order that names none (the program's).
    public var defaultCurrency: Currency?
    public var file: String?
    /// Subscription id -> parent order id, and back, from the subscriptions read so far.
    public private(set) var parentOrder: [String: String] = [:]
    public private(set) var subscriptionOfOrder: [String: String] = [:]

    typealias FieldError = TrackingFeed.FieldError

    public init(taxExcluded: Bool = false, defaultCurrency: Currency? = nil, file: String? = nil) {
        self.taxExcluded = taxExcluded; self.defaultCurrency = defaultCurrency; self.file = file
    }

    /// Turns one record of the input into an inbound event; nil for a blank record. A record over
    /// the size limit is an invalid event naming the limit.
    public func read(_ record: InputRecord) -> InboundEvent? {
        record.overLong(source: WooCommerceFeed.source, file: file, what: "record") ?? read(record: record.text, line: record.line)
    }

    /// Turns one record (a JSON object) into an inbound event; nil for a blank record.
    public func read(record text: String, line: Int) -> InboundEvent? {
        if JSONRecordReader.isBlank(text) { return nil }
        var refs: [String] = []
        func inbound(_ type: String, _ dedupe: String, _ payload: InboundEvent.Payload) -> InboundEvent {
            var seen = Set<String>()
            return InboundEvent(source: WooCommerceFeed.source, type: type, raw: text, dedupeKey: dedupe, file: file, line: line,
                                payload: payload, refs: refs.filter { seen.insert($0).inserted })
        }
        let json: JSON
        do { json = try JSON.parse(text) } catch {
            return inbound("unknown", "woocommerce:" + StableHash.hex(text), .invalid(field: nil, message: error.description(firstLine: line)))
        }
        // Webhooks are delivered again with the same body: the content is the idempotency key.
        let hash = StableHash.hex(json.canonicalText)
        guard case .object = json else {
            return inbound("unknown", "woocommerce:" + hash, .invalid(field: nil, message: "a record must be a JSON object"))
        }
        let isSubscription = json["billing_period"] != nil || json["billing_interval"] != nil
        var type = isSubscription ? "subscription" : "order"
        guard json["id"] != nil, json["status"] != nil else {
            return inbound("unknown", "woocommerce:" + hash,
                           .ignored(.ignoredEventType, detail: "not a WooCommerce order or subscription (no \"id\" and \"status\")"))
        }
        let idText = json["id"]?.text ?? "?"
        do {
            let payload: InboundEvent.Payload
            if isSubscription {
                payload = try subscription(json, refs: &refs)
            } else {
                (type, payload) = try order(json, refs: &refs)
            }
            return inbound(type, "woocommerce:\(type):\(idText):\(hash)", payload)
        } catch {
            if !isSubscription, let t = json["order_type"]?.string, !t.isEmpty { type = t }
            return inbound(type, "woocommerce:\(type):\(idText):\(hash)", .invalid(field: error.field, message: error.message))
        }
    }

    func order(_ j: JSON, refs: inout [String]) throws(FieldError) -> (String, InboundEvent.Payload) {
        let id = try PayloadField.requiredID(j, "id", prefix: "")
        let external = WooCommerceFeed.externalID(order: id)
        refs += [id, external]
        if let number = try PayloadField.optionalID(j["number"], field: "number"), number != id { refs.append(number) }
        if let t = try PayloadField.optionalID(j["transaction_id"], field: "transaction_id") { refs.append(t) }
        let meta = try WooCommerceFeed.meta(j)
        var renewalOf: String?
        for key in ["_subscription_renewal", "_subscription_switch"] where renewalOf == nil {
            renewalOf = try PayloadField.optionalID(meta[key], field: "meta_data." + key)
        }
        let orderType = j["order_type"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let isRenewal = renewalOf != nil || (orderType?.contains("renewal") ?? false)
        let type = orderType ?? (isRenewal ? "renewal_order" : "order")
        var subscription: String?
        var parent: String?
        if isRenewal {
            if let s = renewalOf {
                subscription = WooCommerceFeed.subscriptionID(s)
                refs += [s, subscription!]
            }
            parent = try PayloadField.optionalID(meta[WooCommerceFeed.parentMeta], field: "meta_data." + WooCommerceFeed.parentMeta)
            if parent == nil, let p = j["parent_id"]?.int, p > 0 { parent = String(p) }
            if parent == nil, let s = renewalOf { parent = parentOrder[s] }
            if let p = parent { refs += [p, WooCommerceFeed.externalID(order: p)] }
        } else if let s = subscriptionOfOrder[id] {
            subscription = WooCommerceFeed.subscriptionID(s)
            refs += [s, subscription!]
        }
        guard let status = j["status"]?.string else { throw FieldError(field: "status", message: "must be a string") }
        if let refunds = try ledgerPayload(j, id: id, status: status, refs: &refs) { return (type, refunds) }
        guard WooCommerceFeed.paidStatuses.contains(status) else {
            let what = isRenewal ? "renewal order" : "order"
            return (type, .ignored(.orderNotPaid, detail: "\(what) \(id) is \(status): only processing or completed orders earn"))
        }
        let currency = try self.currency(j)
        let amount = try WooCommerceFeed.money(j, "total", currency, required: true)!
        var base: Money?
        if taxExcluded, let tax = try WooCommerceFeed.money(j, "total_tax", currency, required: false), tax.minor != 0 {
            // Both were parsed within ±Money.maxMinor, so the difference fits in Int64.
            base = Money(minor: max(0, amount.minor - tax.minor), currency: currency)
        }
        let at = try WooCommerceFeed.time(j, ["date_paid_gmt", "date_completed_gmt", "date_created_gmt", "date_modified_gmt"])
        return (type, .event(.conversion(.init(
            externalID: external, amount: amount, commissionBase: base, customerKey: try WooCommerceFeed.customerKey(j, meta),
            clickID: try PayloadField.optionalID(meta[WooCommerceFeed.clickMeta], field: "meta_data." + WooCommerceFeed.clickMeta),
            isFirstPayment: !isRenewal, at: at, subscriptionID: subscription, isRenewal: isRenewal,
            parentExternalID: parent.map { WooCommerceFeed.externalID(order: $0) }))))
    }

    func subscription(_ j: JSON, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        let id = try PayloadField.requiredID(j, "id", prefix: "")
        let sub = WooCommerceFeed.subscriptionID(id)
        refs += [id, sub]
        var parent: String?
        if let p = j["parent_id"], !p.isNull {
            guard let n = p.int else { throw FieldError(field: "parent_id", message: "must be an order id") }
            if n > 0 { parent = String(n) }
        }
        if let p = parent { refs += [p, WooCommerceFeed.externalID(order: p)] }
        guard let status = j["status"]?.string else { throw FieldError(field: "status", message: "must be a string") }
        let meta = try WooCommerceFeed.meta(j)
        let key = try WooCommerceFeed.customerKey(j, meta)
        let ended = WooCommerceFeed.endedSubscriptionStatuses.contains(status)
        let at = try WooCommerceFeed.time(j, ended ? ["cancelled_date_gmt", "end_date_gmt", "date_modified_gmt", "date_created_gmt"]
                                                   : ["start_date_gmt", "date_created_gmt", "date_modified_gmt"])
        if let p = parent {
            parentOrder[id] = p
            subscriptionOfOrder[p] = id
        }
        if ended { return .event(.cancel(.init(customerKey: key, subscriptionID: sub, at: at))) }
        return .event(.subscription(.init(subscriptionID: sub, parentExternalID: parent.map { WooCommerceFeed.externalID(order: $0) },
                                          customerKey: key, at: at)))
    }

    func currency(_ j: JSON) throws(FieldError) -> Currency {
        guard let c = j["currency"], !c.isNull, c != .string("") else {
            if let d = defaultCurrency { return d }
            throw FieldError(field: "currency", message: "missing")
        }
        guard let s = c.string, let cur = try? Currency(s) else {
            throw FieldError(field: "currency", message: "must be a three-letter ISO 4217 code like \"USD\"")
        }
        return cur
    }

    /// `meta_data` as key -> value (the first entry of each key).
    static func meta(_ j: JSON) throws(FieldError) -> [String: JSON] {
        guard let m = j["meta_data"], !m.isNull else { return [:] }
        guard let list = m.array else { throw FieldError(field: "meta_data", message: "must be an array of {key, value}") }
        var out: [String: JSON] = [:]
        for item in list {
            guard let k = item["key"]?.string, let v = item["value"] else { continue }
            if out[k] == nil { out[k] = v }
        }
        return out
    }

    /// Meta `_affdesk_customer_key`, else the WordPress customer id (0 is a guest), else the
    /// billing email, lower-cased.
    static func customerKey(_ j: JSON, _ meta: [String: JSON]) throws(FieldError) -> String? {
        if let k = try PayloadField.optionalID(meta[customerMeta], field: "meta_data." + customerMeta) { return k }
        if let c = j["customer_id"], !c.isNull {
            guard let n = c.int else { throw FieldError(field: "customer_id", message: "must be a number") }
            if n > 0 { return String(n) }
        }
        if let e = try PayloadField.optionalID(j[path: "billing", "email"], field: "billing.email") {
            return e.strippingBlanks().lowercased()
        }
        return nil
    }

    static func money(_ j: JSON, _ key: String, _ currency: Currency, required: Bool) throws(FieldError) -> Money? {
        guard let v = j[key], !v.isNull else {
            if required { throw FieldError(field: key, message: "missing") }
            return nil
        }
        guard let text = v.text else { throw FieldError(field: key, message: "must be a decimal string like \"29.00\"") }
        do { return try Money.parse(text, currency: currency) } catch { throw FieldError(field: key, message: error.description) }
    }

    static func time(_ j: JSON, _ keys: [String]) throws(FieldError) -> Instant {
        for k in keys {
            if let t = try PayloadField.utcTime(j[k], field: k) { return t }
        }
        throw FieldError(field: keys[0], message: "missing (and no \(keys.dropFirst().joined(separator: ", ")) either)")
    }
}

extension String {
    fileprivate func strippingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
