import ArgumentParser
import Demo
import Foundation

/// `affdesk bench payment-events`: writes the Stripe and WooCommerce webhook events of a
/// payment-fed program for the huge demo's customers (`PaymentEvents`), one JSON object a line,
/// for `affdesk ingest --format stripe` / `--format woocommerce` (issue 11: Triage by Stripe and
/// WooCommerce ids at scale).
struct PaymentEventsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-events",
        abstract: "Write deterministic Stripe and WooCommerce events for the huge demo's customers (for affdesk ingest --format).",
        discussion: """
            One customer in --every (cus_0000001…) pays monthly for --months before the demo's now: one payer in --woo-every \
            through WooCommerce (orders, subscriptions, renewals, cancels), the others through Stripe (invoice.paid, some \
            failed attempts, duplicates as invoice.payment_succeeded, partial refunds, disputes, subscription ends). The same \
            arguments always write the same lines.
            """)
    @Option(help: "The program's customers (as built by demo --size huge --customers N).") var customers: Int = 1_000_000
    @Option(help: "One payer per this many customers.") var every: Int = 10
    @Option(help: "Months of payments, ending at the demo's now.") var months: Int = 6
    @Option(help: "One payer in this many pays through WooCommerce.") var wooEvery: Int = 5
    @Option(help: "Seed of the ids and of who refunds, disputes and cancels.") var seed: UInt64 = 1
    @Flag(help: "No Stripe refunds or disputes (a bulk ingest of many is slow: each one refused rolls back a savepoint).")
    var withoutRefunds = false
    @Option(help: ArgumentHelp("Stripe events to this file.", valueName: "file")) var stripe: String
    @Option(help: ArgumentHelp("WooCommerce payloads to this file.", valueName: "file")) var woocommerce: String

    func validate() throws {
        if customers < 1 || customers > 100_000_000 { throw ValidationError("--customers: 1…100000000") }
        if every < 1 || months < 1 || months > 24 || wooEvery < 1 { throw ValidationError("--every, --woo-every ≥ 1; --months 1…24") }
    }

    func run() throws {
        guard FileManager.default.createFile(atPath: stripe, contents: nil), FileManager.default.createFile(atPath: woocommerce, contents: nil),
              let s = FileHandle(forWritingAtPath: stripe), let w = FileHandle(forWritingAtPath: woocommerce) else {
            throw Failure("cannot write \(stripe) or \(woocommerce)")
        }
        defer { try? s.close(); try? w.close() }
        var buffers: [Data] = [Data(), Data()]
        let generator = PaymentEvents(seed: seed, customers: customers, every: every, months: months, wooEvery: wooEvery, ledger: !withoutRefunds)
        let counts = try generator.generate { feed, line in
            let i = feed == .stripe ? 0 : 1
            buffers[i].append(contentsOf: Array(line.utf8) + [10])
            if buffers[i].count > 1 << 20 { try (i == 0 ? s : w).write(contentsOf: buffers[i]); buffers[i].removeAll(keepingCapacity: true) }
        }
        try s.write(contentsOf: buffers[0])
        try w.write(contentsOf: buffers[1])
        print("wrote \(counts.stripe) Stripe events to \(stripe) and \(counts.woocommerce) WooCommerce payloads to \(woocommerce)")
    }
}
