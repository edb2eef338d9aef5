import AttributionCore

/// Stripe refunds and disputes, for the ledger. The sale is found by the identifiers the payload
/// names, in this order: the charge's `invoice` (API versions before 2025-03-31 "basil"), the
/// charge, its payment intent (basil: an `invoice_payment.paid` links it to the invoice).
///
/// - `charge.refunded`: the charge's cumulative `amount_refunded`, and each refund it lists in
///   `refunds.data` (older API versions) by its own id; a listed refund `failed` or `canceled` is reversed.
/// - `refund.created`, `refund.updated`, `refund.failed`, and `charge.refund.updated` (whose object
///   is the refund; a charge, in payloads that send one, is read as `charge.refunded`): the refund by
///   its id and `amount`; one whose `status` is `failed` or `canceled` refunded nothing and is
///   reversed (`Refunds.reverse`: what it took is given back, once).
/// - `charge.dispute.created`: a dispute opened; `charge.dispute.closed`: won (`won`,
///   `warning_closed`) or lost (`lost`).
/// - `invoice_payment.paid`: recorded with its invoice and payment intent, so that a later refund
///   or dispute naming only the payment intent finds its invoice.
extension StripeFeed {
    static let ledgerTypes: Set<String> = ["charge.refunded", "charge.refund.updated", "refund.created", "refund.updated", "refund.failed",
                                           "charge.dispute.created", "charge.dispute.closed", "invoice_payment.paid"]

    /// The payload of a ledger type; nil for any other type.
    func ledgerPayload(_ o: JSON, type: String, created: Int64?, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload? {
        guard StripeFeed.ledgerTypes.contains(type) else { return nil }
        switch type {
        case "charge.refund.updated" where o["object"]?.string == "refund":
            return try refund(o, type: type, created: created, prefix: prefix, refs: &refs)
        case "charge.refunded", "charge.refund.updated": return try chargeRefunded(o, type: type, created: created, prefix: prefix, refs: &refs)
        case "refund.created", "refund.updated", "refund.failed": return try refund(o, type: type, created: created, prefix: prefix, refs: &refs)
        case "invoice_payment.paid": return try invoicePayment(o, prefix: prefix, refs: &refs)
        default: return try dispute(o, type: type, created: created, prefix: prefix, refs: &refs)
        }
    }

    func expect(_ o: JSON, _ kind: String, type: String, prefix: String) throws(FieldError) {
        if let k = o["object"]?.string, k != kind { throw FieldError(field: prefix + "object", message: "is \"\(k)\"; \(type) carries a \(kind)") }
    }

    func currency(_ o: JSON, prefix: String) throws(FieldError) -> Currency {
        guard let code = o["currency"]?.string else {
            throw FieldError(field: prefix + "currency", message: o["currency"] == nil ? "missing" : "must be a string like \"usd\"")
        }
        do { return try Currency(code) } catch {
            throw FieldError(field: prefix + "currency", message: "\"\(code)\" is not a three-letter ISO 4217 code")
        }
    }

    /// The ids that lead to the sale, in order, added to the event's references.
    func saleRefs(_ o: JSON, keys: [String], prefix: String, refs: inout [String]) throws(FieldError) -> [String] {
        var sale: [String] = []
        for key in keys {
            if let r = try PayloadField.reference(o[key], field: prefix + key) { sale.append(r) }
        }
        refs += sale
        return sale
    }

    func chargeRefunded(_ o: JSON, type: String, created: Int64?, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        try expect(o, "charge", type: type, prefix: prefix)
        let id = try PayloadField.requiredID(o, "id", prefix: prefix)
        refs.append(id)
        let sale = try saleRefs(o, keys: ["invoice", "payment_intent"], prefix: prefix, refs: &refs)
        let cur = try currency(o, prefix: prefix)
        let total = try StripeFeed.money(try stripeInt(o, "amount_refunded", prefix: prefix), cur, field: prefix + "amount_refunded")
        var requests: [RefundRequest] = []
        for (i, r) in (o[path: "refunds", "data"]?.array ?? []).enumerated() {
            let at = prefix + "refunds.data[\(i)]."
            let rid = try PayloadField.requiredID(r, "id", prefix: at)
            refs.append(rid)
            if let s = r["status"]?.string, s == "failed" || s == "canceled" {
                requests.append(RefundRequest(refundID: rid, amount: .reversed))
                continue
            }
            requests.append(RefundRequest(refundID: rid, amount: .partial(try StripeFeed.money(try stripeInt(r, "amount", prefix: at), cur, field: at + "amount"))))
        }
        requests.append(RefundRequest(refundID: id, amount: .cumulative(total)))
        let at = try time(o, created: created, prefix: prefix, keys: [])
        return .ledger(.refund(sale: sale.prefix(1) + [id] + sale.dropFirst(), refunds: requests, at: at))
    }

    func refund(_ o: JSON, type: String, created: Int64?, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        try expect(o, "refund", type: type, prefix: prefix)
        let id = try PayloadField.requiredID(o, "id", prefix: prefix)
        refs.append(id)
        let sale = try saleRefs(o, keys: ["charge", "payment_intent"], prefix: prefix, refs: &refs)
        if let s = o["status"]?.string, s == "failed" || s == "canceled" || type == "refund.failed" {
            let at = try time(o, created: nil, prefix: prefix, keys: [["created"]])
            return .ledger(.refund(sale: sale, refunds: [RefundRequest(refundID: id, amount: .reversed)], at: at))
        }
        let amount = try StripeFeed.money(try stripeInt(o, "amount", prefix: prefix), try currency(o, prefix: prefix), field: prefix + "amount")
        let at = try time(o, created: nil, prefix: prefix, keys: [["created"]])
        return .ledger(.refund(sale: sale, refunds: [RefundRequest(refundID: id, amount: .partial(amount))], at: at))
    }

    func dispute(_ o: JSON, type: String, created: Int64?, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        try expect(o, "dispute", type: type, prefix: prefix)
        let id = try PayloadField.requiredID(o, "id", prefix: prefix)
        refs.append(id)
        let sale = try saleRefs(o, keys: ["charge", "payment_intent"], prefix: prefix, refs: &refs)
        let stripeStatus = o["status"]?.string
        let status: DisputeStatus
        if type == "charge.dispute.created" {
            status = .opened
        } else if stripeStatus == "won" || stripeStatus == "warning_closed" {
            status = .won
        } else if stripeStatus == "lost" {
            status = .lost
        } else {
            return .ignored(.ignoredEventType, detail: "dispute \(id) closed with status \(stripeStatus.map { "\"\($0)\"" } ?? "none"): "
                            + "only won, warning_closed and lost are acted on")
        }
        let at = try time(o, created: created, prefix: prefix, keys: [])
        return .ledger(.dispute(sale: sale, disputeID: id, status: status, at: at))
    }

    func invoicePayment(_ o: JSON, prefix: String, refs: inout [String]) throws(FieldError) -> InboundEvent.Payload {
        try expect(o, "invoice_payment", type: "invoice_payment.paid", prefix: prefix)
        let id = try PayloadField.requiredID(o, "id", prefix: prefix)
        refs.append(id)
        let invoice = try PayloadField.reference(o["invoice"], field: prefix + "invoice")
        var payment: [String] = []
        for key in ["payment_intent", "charge"] {
            if let r = try PayloadField.reference(o[path: "payment", key], field: prefix + "payment." + key) { payment.append(r) }
        }
        refs += (invoice.map { [$0] } ?? []) + payment
        return .ignored(.ignoredEventType, detail: "invoice_payment \(id) links invoice \(invoice ?? "none") to payment "
                        + "\(payment.isEmpty ? "none" : payment.joined(separator: ", ")): kept to find the sale of a later refund or dispute")
    }
}
