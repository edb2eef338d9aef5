import AttributionCore

/// Reads a stored raw payload again, as the feed it came from would: for triage ("what would
/// today's settings decide?") and replays. A payment payload is read with the program's adapter
/// settings (the Stripe metadata key, tax excluded or not); a WooCommerce renewal read on its
/// own names its parent only when the payload does (the store knows every linked subscription).
public enum Reparse {
    public static func event(source: String, raw: String, defaultCurrency: Currency?,
                             metadataKey: String = "customer_key", taxExcluded: Bool = false) -> Event? {
        let inbound: InboundEvent?
        switch source {
        case "jsonl":
            inbound = TrackingFeed(defaultCurrency: defaultCurrency).read(line: raw, number: 0)
        case StripeFeed.source:
            inbound = StripeFeed(metadataKey: metadataKey, taxExcluded: taxExcluded).read(record: raw, line: 0)
        case WooCommerceFeed.source:
            inbound = WooCommerceFeed(taxExcluded: taxExcluded, defaultCurrency: defaultCurrency).read(record: raw, line: 0)
        default:
            return nil
        }
        guard let e = inbound, case .event(let ev) = e.payload else { return nil }
        return ev
    }

    /// The one builder of a reader of stored payloads (what the store calls a `Reparser`): every
    /// payload read with the program's currency and the adapters' settings.
    public static func reader(defaultCurrency: Currency?, metadataKey: String,
                              taxExcluded: Bool) -> (_ source: String, _ raw: String) -> Event? {
        { source, raw in
            event(source: source, raw: raw, defaultCurrency: defaultCurrency, metadataKey: metadataKey, taxExcluded: taxExcluded)
        }
    }
}
