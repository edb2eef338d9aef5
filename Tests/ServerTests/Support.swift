import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import HTTPTypes
import GRDB
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import Server
import XCTest

/// Unix time the test events and signatures are made at: 2024-09-25T01:48:04Z.
let signingTime: Int64 = 1_727_228_884

/// A program in a temporary database, served over real HTTP on loopback (HummingbirdTesting's
/// `.live`: a NIO client against a server on an ephemeral port).
class ServeTestCase: XCTestCase, @unchecked Sendable {
    var dir = ""
    var store: Store!
    var apiKey = ""
    static let stripeSecret = "whsec_test_first_secret"
    static let wooSecret = "wc_test_secret_1"

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-serve-\(UUID().uuidString)").path
        store = try Store(path: dir + "/affdesk.sqlite", clock: FixedClock(Instant(seconds: signingTime)))
        try store.initialize(ProgramSettings(name: "Serve tests", model: .saas, currency: .usd), who: "test")
        _ = try store.addAffiliate(code: "alice", name: "Alice", who: "test")
        let k = APIKeyMaker.make()
        apiKey = k.key
        _ = try store.addAPIKey(name: "website", sha256Hex: k.sha256Hex, hint: k.hint, who: "test")
        _ = try addSecret("stripe", Self.stripeSecret)
        _ = try addSecret("woocommerce", Self.wooSecret)
    }

    override func tearDownWithError() throws {
        store = nil
        try? FileManager.default.removeItem(atPath: dir)
    }

    func addSecret(_ source: String, _ secret: String) throws -> WebhookSecretRow {
        try store.addWebhookSecret(source: source, secret: secret, fingerprint: APIKeyMaker.fingerprint(secret), label: nil, who: "test")
    }

    func configuration(_ change: (inout ServeConfiguration) -> Void = { _ in }) -> ServeConfiguration {
        var c = ServeConfiguration()
        c.port = 0
        c.now = { signingTime + 10 }
        c.syncEveryCommit = false
        change(&c)
        return c
    }

    /// Runs `test` against a live server on this database; the writer is stopped after.
    func serve(_ config: ServeConfiguration? = nil, _ test: @escaping @Sendable (any TestClientProtocol, AffdeskServer) async throws -> Void) async throws {
        let server = AffdeskServer(store: store, configuration: config ?? configuration())
        try server.startWriter()
        defer { server.stopWriter() }
        try await server.application().test(.live) { client in try await test(client, server) }
    }

    // MARK: The database, checked after each request

    func count(_ sql: String, _ args: StatementArguments = []) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql, arguments: args) ?? -1 }
    }
    var events: Int { get throws { try count("SELECT COUNT(*) FROM event") } }
    var conversions: Int { get throws { try count("SELECT COUNT(*) FROM conversion") } }

    func ingestLines(_ lines: [String]) throws {
        let feed = TrackingFeed(defaultCurrency: .usd, file: "setup")
        _ = try store.ingest(lines.enumerated().compactMap { feed.read(line: $1, number: $0 + 1) })
    }
}

extension TestClientProtocol {
    /// POSTs `body` with `headers`; returns the status and the parsed JSON answer.
    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> (status: Int, json: JSON?, text: String) {
        var fields = HTTPFields()
        for (k, v) in headers { fields[HTTPField.Name(k)!] = v }
        let r = try await executeRequest(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
        let text = String(buffer: r.body)
        return (Int(r.status.code), try? JSON.parse(text), text)
    }
}

/// Stripe events in both API generations, shaped like Stripe's (see the shared fixtures):
/// before 2025-03-31 ("acacia") the invoice names its `subscription` and `subscription_details`;
/// from "basil" on, `parent.subscription_details`.
enum StripeEvents {
    static func basil(event: String, invoice: String, amount: Int, key: String, click: String? = nil) -> String {
        let clickMeta = click.map { #","click_id":"\#($0)""# } ?? ""
        return """
        {"id":"\(event)","object":"event","api_version":"2025-03-31.basil","created":\(signingTime),"type":"invoice.paid","livemode":false,\
        "data":{"object":{"id":"\(invoice)","object":"invoice","amount_due":\(amount),"amount_paid":\(amount),"amount_remaining":0,\
        "billing_reason":"subscription_create","created":\(signingTime),"currency":"usd","customer":"cus_\(key)","metadata":{},\
        "parent":{"quote_details":null,"subscription_details":{"metadata":{"customer_key":"\(key)"\(clickMeta)},"subscription":"sub_\(invoice)"},\
        "type":"subscription_details"},"status":"paid","status_transitions":{"finalized_at":\(signingTime),"paid_at":\(signingTime)},"total_taxes":[]}}}
        """
    }

    static func acacia(event: String, invoice: String, amount: Int, key: String, click: String? = nil) -> String {
        let clickMeta = click.map { #","click_id":"\#($0)""# } ?? ""
        return """
        {"id":"\(event)","object":"event","api_version":"2025-02-24.acacia","created":\(signingTime),"type":"invoice.payment_succeeded",\
        "data":{"object":{"id":"\(invoice)","object":"invoice","amount_due":\(amount),"amount_paid":\(amount),"amount_remaining":0,\
        "billing_reason":"subscription_create","created":\(signingTime),"currency":"usd","customer":"cus_\(key)","metadata":{},\
        "status":"paid","status_transitions":{"finalized_at":\(signingTime),"paid_at":\(signingTime)},"subscription":"sub_\(invoice)",\
        "subscription_details":{"metadata":{"customer_key":"\(key)"\(clickMeta)}},"tax":null}}}
        """
    }

    static func headers(_ body: String, secrets: [String] = [ServeTestCase.stripeSecret], t: Int64 = signingTime) -> [(String, String)] {
        [("Stripe-Signature", StripeSignature.header(body: Array(body.utf8), secrets: secrets, t: t)), ("Content-Type", "application/json")]
    }
}
