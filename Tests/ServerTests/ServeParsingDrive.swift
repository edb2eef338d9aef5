// Serve's own request parsing driven from bytes, without I/O: the Stripe-Signature header parser
// and verifier, the Bearer parser, WooCommerce's signature and ping detection, and a tracking body
// read with its route's type. Shared by the libFuzzer target `serve` (Tests/Fuzz/ServeFuzz.swift,
// which compiles this file with Sources/AttributionCore, Sources/Feeds and the pure files of
// Sources/Server as one module, hence the conditional imports) and `ServeParsingCorpusTests`,
// which replays every input in Corpus/. No XCTest here.
#if canImport(Server)
import AttributionCore
import Feeds
@testable import Server
#endif

enum ServeParsingDrive {
    static let stripeSecrets = ["whsec_fuzz_first_secret", "whsec_fuzz_second_secret"]
    static let wooSecret = "wc_fuzz_secret_1"
    static let now: Int64 = 1_750_000_000

    /// The input's first byte picks the part (its low two bits) and the tracking route or the
    /// Stripe timestamp's age, 4 s a step up to 252 s (the rest); then the header, up to the first 0 byte; then the body.
    /// Returns the properties that did not hold (none: the input is handled).
    static func run(_ input: [UInt8]) -> [String] {
        guard let mode = input.first else { return [] }
        let rest = input.dropFirst()
        let cut = rest.firstIndex(of: 0) ?? rest.endIndex
        let header = String(decoding: rest[rest.startIndex..<cut], as: UTF8.self)
        let body = cut < rest.endIndex ? Array(rest[(cut + 1)...]) : []
        switch mode & 3 {
        case 0: return stripe(header, body, age: Int64(mode >> 2) * 4)
        case 1: return bearer(header)
        case 2: return wooCommerce(header, body)
        default: return tracking(body, route: Int(mode >> 2) % TrackingRouteTypes.all.count)
        }
    }

    static func stripe(_ header: String, _ body: [UInt8], age: Int64) -> [String] {
        var broken: [String] = []
        let t = now - age
        _ = StripeSignature.verify(header: header, body: body, secrets: stripeSecrets, now: now)
        _ = StripeSignature.verify(header: header, body: body, secrets: stripeSecrets, now: t, tolerance: 0)
        let genuine = StripeSignature.header(body: body, secrets: [stripeSecrets[1]], t: t)
        if StripeSignature.verify(header: genuine, body: body, secrets: stripeSecrets, now: now) != nil {
            broken.append("a genuine Stripe signature was refused")
        }
        if StripeSignature.verify(header: genuine, body: body + [0x20], secrets: stripeSecrets, now: now) != .mismatch {
            broken.append("a Stripe signature of another body was not a mismatch")
        }
        if StripeSignature.verify(header: genuine, body: body, secrets: stripeSecrets, now: t + 301) != .staleTimestamp {
            broken.append("a Stripe signature 301 s old was not stale")
        }
        return broken
    }

    static func bearer(_ header: String) -> [String] {
        var broken: [String] = []
        if let key = BearerToken.apiKey(header) {
            if !ServeCredentials.isAPIKeyShaped(key) { broken.append("a Bearer key of the wrong shape was taken") }
            if !header.lowercased().hasPrefix("bearer ") { broken.append("a key without the Bearer scheme was taken") }
        }
        return broken
    }

    static func wooCommerce(_ header: String, _ body: [UInt8]) -> [String] {
        var broken: [String] = []
        let ping = WooCommerceSignature.isPing(body)
        if ping, !(body.starts(with: Array("webhook_id=".utf8)) && body.count <= 31) { broken.append("a ping of the wrong form") }
        _ = WooCommerceSignature.verify(header: header, body: body, secrets: [wooSecret])
        let genuine = WooCommerceSignature.header(body: body, secret: wooSecret)
        if WooCommerceSignature.verify(header: genuine, body: body, secrets: ["another_secret", wooSecret]) != nil {
            broken.append("a genuine WooCommerce signature was refused")
        }
        if WooCommerceSignature.verify(header: genuine, body: body + [0x20], secrets: [wooSecret]) != .mismatch {
            broken.append("a WooCommerce signature of another body was not a mismatch")
        }
        return broken
    }

    static func tracking(_ body: [UInt8], route: Int) -> [String] {
        let (name, types) = TrackingRouteTypes.all[route]
        let feed = TrackingFeed(defaultCurrency: try? Currency("USD"), file: "POST /track/" + name)
        switch TypedBody.read(body, types: types, feed: feed) {
        case .success(let event?):
            // What is recorded is an event of a type the route takes, or an invalid one.
            if case .invalid = event.payload { return [] }
            return types.contains(event.type) ? [] : ["/track/\(name) recorded a \"\(event.type)\" event"]
        case .success(nil), .failure: return []
        }
    }
}
