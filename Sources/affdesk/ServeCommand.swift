import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import Server

/// `affdesk serve`: the webhooks and the tracking API over HTTP until SIGTERM or SIGINT.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Receive Stripe and WooCommerce webhooks and the tracking API over HTTP.",
        discussion: """
        POST /webhooks/stripe, POST /webhooks/woocommerce (signed; secrets from `affdesk webhook-secrets`
        or $AFFDESK_STRIPE_WEBHOOK_SECRET[_FILE] / $AFFDESK_WOOCOMMERCE_WEBHOOK_SECRET[_FILE]),
        POST /track/click|lead|sale|refund|cancel (Authorization: Bearer <key from `affdesk api-keys add`>),
        GET /healthz, GET /metrics. An event is answered only after it is committed. Plain HTTP:
        put a TLS-terminating reverse proxy in front (see the README). SIGTERM or SIGINT finishes
        the requests in flight and exits 0.
        """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: ArgumentHelp("Address and port to listen on (port 0: any free port).", valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:8080"
    @Option(name: .customLong("group-window-ms"), parsing: .unconditional,
            help: ArgumentHelp("How long the writer waits for more events before a commit.", valueName: "MS"))
    var groupWindow: String = "2"
    @Flag(name: .customLong("no-sync"), help: "Do not wait for the disk on each commit (a power loss may lose the last acknowledged events; a crash never does).")
    var noSync = false
    @Option(name: .customLong("sync"), help: ArgumentHelp(
        "flush: answer once the commit is flushed to the disk, flushing beside the writer (default); full: SQLite's synchronous=FULL, the flush inside each commit; off: as --no-sync.",
        valueName: "flush|full|off"))
    var sync: String = "flush"
    @Option(name: .customLong("credentials-max-age-ms"), help: ArgumentHelp(
        "A key revoked or a secret removed by another process is refused within this time (0: read them for every request).", valueName: "MS"))
    var credentialsMaxAge: String = "1000"
    @Option(name: .customLong("writer-connection"), help: ArgumentHelp(
        "own: the group commit writes through a connection of its own (default); shared: through the store's (to compare).",
        valueName: "own|shared", visibility: .hidden))
    var writerConnection: String = "own"

    func run() throws {
        var config = ServeConfiguration()
        do {
            (config.host, config.port) = try ServeConfiguration.parseListen(listen)
            config.extraSecrets = try SecretSources.load(environment: ProcessInfo.processInfo.environment)
        } catch let e as ServeSetupError { throw Failure(e.description) }
        config.commit.window = Double(try wholeNumber(groupWindow, "--group-window-ms", in: 0...1000)) / 1000
        guard let mode = DiskSync(rawValue: sync) else { throw Failure("--sync: must be flush, full or off") }
        config.diskSync = noSync ? .off : mode
        guard ["own", "shared"].contains(writerConnection) else { throw Failure("--writer-connection: must be own or shared") }
        config.commit.ownConnection = writerConnection == "own"
        config.credentialsMaxAge = Double(try wholeNumber(credentialsMaxAge, "--credentials-max-age-ms", in: 0...3_600_000)) / 1000
        let store = try database.open()
        AffdeskServer.bootstrapLogging()
        let server = AffdeskServer(store: store, configuration: config)
        let outcome = BlockingRun()
        let host = config.host
        outcome.start {
            try await server.run { port in
                Console.out("affdesk serve: listening on http://\(host):\(port) (database \(store.path))")
                fflush(nil)
            }
        }
        if let error = outcome.wait() { throw Failure("serve: \(error)") }
        Console.out("affdesk serve: stopped; every acknowledged event is committed")
    }
}

/// Runs async work from the synchronous command line and waits for it.
final class BlockingRun: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: (any Error)?

    func start(_ body: @escaping @Sendable () async throws -> Void) {
        Task.detached {
            do { try await body() } catch { self.error = error }
            self.done.signal()
        }
    }

    func wait() -> (any Error)? {
        done.wait()
        return error
    }
}
