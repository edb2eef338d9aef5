import AttributionCore

/// Tracking lines for the ledger: `{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"10.00","at":...}`
/// (no amount: the rest of the sale, a full refund; `currency` defaults to the program's; `"status":"failed"`
/// or `"canceled"`: that refund did not happen, what it took is given back) and
/// `{"type":"dispute","external_id":"inv_1","dispute_id":"dp_1","status":"opened|won|lost","at":...}`.
extension TrackingFeed {
    static let ledgerTypes: Set<String> = ["refund", "dispute"]

    func ledgerEvent(type: String, _ j: JSON) throws(FieldError) -> LedgerEvent {
        let at = try instant(j, "at")
        let externalID = try id(j, "external_id")
        if type == "refund" {
            let refundID = try id(j, "refund_id")
            // A refund that failed or was canceled: what it took is given back (`Refunds.reverse`).
            if let status = j["status"] {
                guard let text = status.string, text == "failed" || text == "canceled" || text == "succeeded" else {
                    throw FieldError(field: "status", message: "must be succeeded, failed or canceled")
                }
                if text != "succeeded" { return .refund(sale: [externalID], refunds: [RefundRequest(refundID: refundID, amount: .reversed)], at: at) }
            }
            guard j["amount"] != nil, j["amount"]?.isNull == false else {
                return .refund(sale: [externalID], refunds: [RefundRequest(refundID: refundID, amount: .full)], at: at)
            }
            // Zero or negative: read, and refused by the ledger's rule (`invalid_refund_amount`).
            let amount = try money(j, "amount", try currency(j))
            return .refund(sale: [externalID], refunds: [RefundRequest(refundID: refundID, amount: .partial(amount))], at: at)
        }
        let disputeID = try id(j, "dispute_id")
        guard let text = j["status"]?.string, let status = DisputeStatus(rawValue: text) else {
            throw FieldError(field: "status", message: j["status"] == nil ? "missing" : "must be opened, won or lost")
        }
        return .dispute(sale: [externalID], disputeID: disputeID, status: status, at: at)
    }

    /// The identifiers a ledger line mentions, for triage.
    static func refs(_ le: LedgerEvent) -> [String] {
        switch le {
        case .refund(let sale, let refunds, _): return sale + refunds.map(\.refundID)
        case .dispute(let sale, let id, _, _): return sale + [id]
        }
    }
}
