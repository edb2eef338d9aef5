import AttributionCore
import AttributionStore
import Feeds
import Foundation

/// The feeds as the program's settings configure them (metadata key, tax rule, currency),
/// read from the store at most once a second: a `program set` applies within a second.
final class FeedSettings: @unchecked Sendable {
    struct Values {
        var metadataKey: String
        var taxExcluded: Bool
        var currency: Currency
    }

    private let store: Store
    private let lock = NSLock()
    private var cached: (values: Values, at: Date)?

    init(store: Store) { self.store = store }

    func values() throws -> Values {
        lock.lock()
        if let c = cached, Date().timeIntervalSince(c.at) < 1 { lock.unlock(); return c.values }
        lock.unlock()
        let a = try store.adapterSettings()
        let v = Values(metadataKey: a.metadataKey, taxExcluded: a.taxExcluded, currency: try store.settings().currency)
        lock.lock()
        cached = (v, Date())
        lock.unlock()
        return v
    }

    func stripe() throws -> StripeFeed {
        let v = try values()
        return StripeFeed(metadataKey: v.metadataKey, taxExcluded: v.taxExcluded, file: "POST /webhooks/stripe")
    }

    func woocommerce() throws -> WooCommerceFeed {
        let v = try values()
        return WooCommerceFeed(taxExcluded: v.taxExcluded, defaultCurrency: v.currency, file: "POST /webhooks/woocommerce")
    }

    func tracking(route: String) throws -> TrackingFeed {
        TrackingFeed(defaultCurrency: try values().currency, file: "POST " + route)
    }
}
