import AttributionCore

/// WooCommerce refunds, for the ledger: an order's `refunds` array (each `{"id", "total"}`, the
/// total negative as WooCommerce writes it) is a partial refund per id (`wc-refund-<id>`), and an
/// order arriving `refunded` is, after those, a full refund of whatever is left
/// (`wc-<order id>:refunded`). The sale is the order's conversion `wc-<order id>`, which must have
/// been credited by an earlier delivery of the order (processing or completed).
extension WooCommerceFeed {
    /// The refunds of an order, or nil when it has none and is not `refunded`.
    func ledgerPayload(_ j: JSON, id: String, status: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload? {
        let list = j["refunds"]?.array ?? []
        guard status == "refunded" || (!list.isEmpty && WooCommerceFeed.paidStatuses.contains(status)) else { return nil }
        let currency = try self.currency(j)
        var requests: [RefundRequest] = []
        for (i, r) in list.enumerated() {
            let rid = try PayloadField.requiredID(r, "id", prefix: "refunds[\(i)].")
            let m: Money
            do { m = try WooCommerceFeed.money(r, "total", currency, required: true)! } catch {
                throw FieldError(field: "refunds[\(i)]." + error.field, message: error.message)
            }
            let refund = "wc-refund-" + rid
            refs.append(refund)
            // Money.parse keeps amounts within ±Money.maxMinor, so the magnitude fits.
            requests.append(RefundRequest(refundID: refund, amount: .partial(Money(minor: abs(m.minor), currency: currency))))
        }
        if status == "refunded" { requests.append(RefundRequest(refundID: WooCommerceFeed.externalID(order: id) + ":refunded", amount: .full)) }
        let at = try WooCommerceFeed.time(j, ["date_modified_gmt", "date_completed_gmt", "date_paid_gmt", "date_created_gmt"])
        return .ledger(.refund(sale: [WooCommerceFeed.externalID(order: id)], refunds: requests, at: at))
    }
}
