import AttributionCore
import AttributionStore
import Feeds
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `affdesk serve`: the webhooks (Stripe, WooCommerce) and the tracking API over HTTP, on
/// Hummingbird. Every event goes through the same feeds as `affdesk ingest` and is answered
/// only after its transaction committed (group commit, `GroupCommitter`).
public struct AffdeskServer: Sendable {
    public let store: Store
    public let configuration: ServeConfiguration
    public let metrics: ServerMetrics
    let committer: GroupCommitter
    let feeds: FeedSettings
    let credentials: CredentialCache
    let bodyDeadlines: BodyDeadlines
    let logger: Logger

    public init(store: Store, configuration: ServeConfiguration, logger: Logger = Logger(label: "affdesk.serve")) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        metrics = ServerMetrics()
        committer = GroupCommitter(store: store, limits: configuration.commit, metrics: metrics, waitForDisk: configuration.diskSync == .flush)
        feeds = FeedSettings(store: store)
        credentials = CredentialCache(store: store, maxAge: configuration.credentialsMaxAge)
        bodyDeadlines = BodyDeadlines()
    }

    /// The routes, with the metrics middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(RequestMetrics<BasicRequestContext>(metrics: metrics))
        router.post("webhooks/stripe") { request, context in try await self.stripeWebhook(request, context) }
        router.post("webhooks/woocommerce") { request, context in try await self.wooCommerceWebhook(request, context) }
        for (route, types) in Self.trackingRoutes {
            router.post("track/\(route)") { request, context in try await self.track(request, context, route: route, types: types) }
        }
        router.get("healthz") { _, _ in self.health() }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: self.metrics.text())))
        }
        return router
    }

    /// The application, listening where the configuration says; `onRunning` is told the port.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "affdesk",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Starts the writer (call before serving) and stops it once the last request is answered.
    public func startWriter() throws {
        if configuration.diskSync == .full { try store.syncEveryCommit() }
        committer.start()
    }

    public func stopWriter() { committer.stop() }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish, commits what is
    /// queued and returns.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try startWriter()
        defer { stopWriter() }
        try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    static let knownPaths: Set<String> =
        Set(["/webhooks/stripe", "/webhooks/woocommerce", "/healthz", "/metrics"] + trackingRoutes.map { "/track/" + $0.route })

    // MARK: Shared steps

    /// The body, up to the limit; a larger one is answered 413 (and nothing is recorded).
    func readBody(_ request: Request) async -> BodyOrAnswer {
        let tooLarge = Reply.error(.contentTooLarge, "body_too_large", "The body is over \(configuration.maxBodyBytes) bytes.")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            return .answer(tooLarge)
        }
        let seconds = configuration.bodyTimeout
        do {
            // The body must arrive within `bodyTimeout`: a sender that trickles it is answered 408.
            switch try await bodyDeadlines.collect(request.body, upTo: configuration.maxBodyBytes, within: seconds) {
            case .body(let buffer): return .body(Array(buffer.readableBytesView))
            case .timedOut: return .answer(Reply.error(.requestTimeout, "body_timeout", "The body did not arrive within \(seconds) s."))
            }
        } catch is NIOTooManyBytesError {
            return .answer(tooLarge)
        } catch {
            return .answer(Reply.error(.badRequest, "body_unreadable", "The body could not be read."))
        }
    }

    /// Commits the event (group commit) and answers with its decision.
    func record(_ event: InboundEvent, status: (RecordedDecision) -> HTTPResponse.Status) async -> Response {
        do {
            let d = try await committer.submit(event)
            metrics.event(source: event.source, d)
            return Reply.decision(d).response(status(d))
        } catch {
            logger.error("event not recorded", metadata: ["source": .string(event.source), "why": .string("\(error)")])
            return Reply.refusal(error)
        }
    }

    /// 200 when the database answers and takes a write, else 503.
    func health() -> Response {
        do {
            try store.checkWritable()
            return Reply.obj([("ok", .bool(true))]).response(.ok)
        } catch {
            return Reply.error(.serviceUnavailable, "database_unavailable", Store.explainFailedWrite(error))
        }
    }
}

/// A request's body, or the answer that refuses it.
enum BodyOrAnswer {
    case body([UInt8])
    case answer(Response)
}

/// Counts every request by route (the known ones; anything else is "other") and status.
struct RequestMetrics<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let route = AffdeskServer.knownPaths.contains(path) ? path : "other"
        do {
            let response = try await next(request, context)
            metrics.request(route: route, status: response.status.code)
            return response
        } catch let e as any HTTPResponseError {
            metrics.request(route: route, status: e.status.code)
            throw e
        } catch {
            metrics.request(route: route, status: 500)
            throw error
        }
    }
}

extension AffdeskServer {
    /// Log lines go to standard error (standard output says where the server listens); the level
    /// from $LOG_LEVEL, else info. Nothing logged carries a secret, a key or a payload.
    public static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return MetadataOnWrite(h)
        }
    }
}

/// A `StreamLogHandler` that formats its metadata only for a line it writes. The stream handler
/// formats it again on every change, and Hummingbird sets a request id on every request's
/// logger: about 1.5% of the server's CPU under load (`perf`) for lines almost never written.
/// The lines are the same: the metadata is handed over with the line's own.
struct MetadataOnWrite: LogHandler {
    private var inner: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(_ inner: StreamLogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var e = event
        if !metadata.isEmpty { e.metadata = metadata.merging(event.metadata ?? [:]) { _, line in line } }
        inner.log(event: e)
    }
}
