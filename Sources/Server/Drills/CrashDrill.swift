import AttributionCore
import AttributionStore
import Foundation

/// The crash drill: a real `affdesk serve` under load, killed with SIGKILL at random moments,
/// restarted each time. After each kill, before anything is sent again, every request that got a
/// 2xx must be in the database (exactly once: the inbox's dedupe key is unique); at the end
/// everything is sent again (what a sender retries), the consistency check must be clean, and
/// sending everything yet again must change nothing.
public enum CrashDrill {
    public struct Report: Sendable {
        public var rounds = 0
        public var sent = 0
        public var acknowledged = 0
        /// Acknowledged requests whose event is not in the database (must be empty).
        public var missing: [String] = []
        public var consistencyProblems: [String] = []
        /// Whether the last resend changed the database (must be false).
        public var resendChanged = false
        /// The exit status of the last server, stopped with SIGTERM (must be 0).
        public var exitStatus: Int32 = -1
        public var seconds = 0.0

        public var passed: Bool { missing.isEmpty && consistencyProblems.isEmpty && !resendChanged && exitStatus == 0 && rounds > 0 }
        public var summary: String {
            "\(rounds) kills, \(sent) requests sent, \(acknowledged) acknowledged, \(missing.count) acknowledged but missing, "
                + "\(consistencyProblems.count) consistency problems, resend \(resendChanged ? "CHANGED the database" : "changed nothing"), "
                + "SIGTERM exit \(exitStatus), \(String(format: "%.1f", seconds)) s"
        }
    }

    public static let stripeSecret = "whsec_crash_drill_secret"
    public static let wooSecret = "wc_crash_drill_secret"

    /// Sets up a program in a new database at `path`: `affiliates` affiliates (the events are
    /// spread over all of them; past the first five each has a payout email, as in a real
    /// program), an API key, the secrets.
    public static func prepare(path: String, affiliates count: Int = 5) throws -> EventMix {
        let store = try Store(path: path)
        try store.initialize(ProgramSettings(name: "Crash drill", model: .saas, currency: .usd), who: "drill")
        let affiliates = (0..<max(1, count)).map { "aff\($0)" }
        for (i, a) in affiliates.enumerated() {
            _ = try store.addAffiliate(code: a, name: a, email: i < 5 ? nil : "\(a)@partners.example", commission: nil, who: "drill")
        }
        let k = APIKeyMaker.make()
        _ = try store.addAPIKey(name: "drill", sha256Hex: k.sha256Hex, hint: k.hint, who: "drill")
        _ = try store.addWebhookSecret(source: "stripe", secret: stripeSecret, fingerprint: APIKeyMaker.fingerprint(stripeSecret), label: nil, who: "drill")
        _ = try store.addWebhookSecret(source: "woocommerce", secret: wooSecret, fingerprint: APIKeyMaker.fingerprint(wooSecret), label: nil, who: "drill")
        return EventMix(affiliates: affiliates, stripeSecret: stripeSecret, wooSecret: wooSecret, apiKey: k.key,
                        time: Int64(Date().timeIntervalSince1970), runTag: "d")
    }

    /// `rounds` kills, each after a random 50 ms to `maxRoundSeconds` of load from `clients` clients.
    public static func run(binary: String, directory: String, rounds: Int, clients: Int, maxRoundSeconds: Double,
                           seed: UInt64 = 1) async throws -> Report {
        let started = Date()
        let path = (directory as NSString).appendingPathComponent("drill.sqlite")
        let mix = try prepare(path: path)
        var rng = SplitMix(seed: seed)
        var report = Report()
        var sentRequests: [(customer: Int, index: Int)] = []
        var acked: [(customer: Int, index: Int)] = []
        var nextCustomer = 0
        for _ in 0..<rounds {
            let server = try ServerProcess(binary: binary, database: path)
            let delay = 0.05 + Double(rng.next() % 1000) / 1000 * max(0, maxRoundSeconds - 0.05)
            async let load = LoadRunner.run(port: server.port, mix: mix, clients: clients, duration: 60, firstCustomer: nextCustomer)
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            server.crash()
            let r = await load
            report.rounds += 1
            sentRequests += r.sent.map { ($0.customer, $0.index) }
            acked += r.acknowledged.map { ($0.customer, $0.index) }
            // Right after the kill, before anything is sent again: every acknowledged event is there.
            report.missing += try missing(r.acknowledged.map { ($0.customer, $0.index) }, mix: mix, path: path)
            nextCustomer = (r.sent.map(\.customer).max() ?? nextCustomer) + 1
        }
        report.sent = sentRequests.count
        report.acknowledged = acked.count
        // Everything again (what was not acknowledged is what a sender would retry), then check.
        let final = try ServerProcess(binary: binary, database: path)
        let customers = Set(sentRequests.map(\.customer)).sorted()
        try await resend(customers, mix: mix, port: final.port, clients: clients)
        let store = try Store(path: path)
        report.consistencyProblems = try store.consistencyProblems()
        let before = try store.contentDigest()
        try await resend(customers, mix: mix, port: final.port, clients: clients)
        report.resendChanged = try store.contentDigest() != before
        report.exitStatus = final.stop()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// The acknowledged requests whose event the database does not hold.
    static func missing(_ acked: [(customer: Int, index: Int)], mix: EventMix, path: String) throws -> [String] {
        let keys = acked.compactMap { EventMix.inbound(mix.customer($0.customer)[$0.index])?.dedupeKey }
        let found = try Store(path: path).recordedDedupeKeys(keys)
        return keys.filter { !found.contains($0) }
    }

    static func resend(_ customers: [Int], mix: EventMix, port: Int, clients: Int) async throws {
        guard !customers.isEmpty else { return }
        let r = await LoadRunner.run(port: port, mix: mix, clients: clients, duration: 3600, customers: customers,
                                     stopOnTransportError: false)
        let failures = r.sent.filter { ($0.status ?? 0) / 100 != 2 }.count
        if failures > 0 { throw ServeSetupError("the resend got \(failures) answers other than 2xx: \(r.byStatus)") }
    }
}
