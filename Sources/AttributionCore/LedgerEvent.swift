/// A refund or a dispute of a sale, as a source sends it: read by the feeds, applied by the store
/// with the ledger's rules (`Refunds`, `Disputes`). The sale is named by identifiers in order of
/// preference (a conversion's external id, or a Stripe charge, payment intent or invoice that an
/// ingested payment mentioned); the store takes the first that leads to a credited conversion.
public enum LedgerEvent: Hashable, Sendable {
    /// Refunds applied in order (a WooCommerce order's refunds, then its full refund).
    case refund(sale: [String], refunds: [RefundRequest], at: Instant)
    case dispute(sale: [String], disputeID: String, status: DisputeStatus, at: Instant)

    public var sale: [String] {
        switch self {
        case .refund(let s, _, _), .dispute(let s, _, _, _): return s
        }
    }

    public var at: Instant {
        switch self {
        case .refund(_, _, let at), .dispute(_, _, _, let at): return at
        }
    }

    /// "refund" or "dispute".
    public var name: String {
        switch self {
        case .refund: return "refund"
        case .dispute: return "dispute"
        }
    }
}
