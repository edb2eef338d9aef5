/// Settings used only by the payment adapters.
public struct AdapterSettings: Hashable, Sendable {
    /// The metadata key holding the customer key in Stripe objects.
    public var metadataKey: String = "customer_key"
    /// Compute commission on the amount without tax.
    public var taxExcluded: Bool = false
    public init(metadataKey: String = "customer_key", taxExcluded: Bool = false) {
        self.metadataKey = metadataKey; self.taxExcluded = taxExcluded
    }
}

extension AdapterSettings {
    var summary: String { " metadata_key=\(metadataKey) tax=\(taxExcluded ? "excluded" : "included")" }
}
