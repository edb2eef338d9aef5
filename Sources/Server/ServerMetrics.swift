import AttributionCore
import AttributionStore
import Foundation
import Prometheus

/// The server's metrics, in its own Prometheus registry (served at `GET /metrics`): requests by
/// route and status, events by outcome and reason, signature failures, the commit latency and
/// group size, the queue depth. Label values come from fixed sets (routes, status codes,
/// reason codes), so their number is bounded.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// The labelled counters made so far, so a request looks one up instead of asking the
    /// registry to make it again (which builds its name and labels each time).
    private let counters = CounterCache()
    let commitLatency: DurationHistogram
    let groupSize: ValueHistogram
    let queueDepth: Gauge
    let commitFailures: Counter
    /// Nanoseconds spent in each phase of the group commits, by phase (`WriterPhase`).
    private let phaseCounters: [WriterPhase: Counter]

    public init() {
        commitLatency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "commit_duration", unitName: "seconds",
                                             helpText: "Time to decide, apply and commit one group of events"),
            buckets: [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1)])
        groupSize = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "commit_group_size", unitName: "events",
                                             helpText: "Events per group commit"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
        queueDepth = registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "queue_depth", unitName: "events",
                                                                         helpText: "Events waiting for the writer"))
        commitFailures = registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "commit_failures",
                                                                               unitName: "total", helpText: "Groups whose transaction failed"))
        var phases: [WriterPhase: Counter] = [:]
        for p in WriterPhase.allCases {
            phases[p] = registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "writer_phase_nanoseconds", unitName: "total",
                                                 helpText: "Time the writer and flush threads spent in each phase of the group commits"),
                labels: [("phase", p.rawValue)])
        }
        phaseCounters = phases
    }

    /// Adds `nanoseconds` to a phase of the group commits.
    func phase(_ p: WriterPhase, _ nanoseconds: UInt64) {
        phaseCounters[p]?.increment(by: Int64(truncatingIfNeeded: nanoseconds))
    }

    /// Adds a group's phases inside the store.
    func phases(_ g: GroupPhases) {
        phase(.begin, g.begin); phase(.setup, g.setup); phase(.prefetch, g.prefetch); phase(.decide, g.decide)
        phase(.write, g.write); phase(.repeats, g.repeats); phase(.commit, g.commit)
    }

    func request(route: String, status: Int) {
        counters.counter(CounterCache.Key(kind: 0, a: route, b: "", status: status)) {
            registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "http_requests", unitName: "total",
                                                                  helpText: "HTTP requests by route and status"),
                                 labels: [("route", route), ("status", String(status))])
        }.increment()
    }

    func event(source: String, _ d: RecordedDecision) {
        let reason = d.repeated ? "already_recorded" : (d.reason ?? d.notes.first)?.rawValue ?? "none"
        counters.counter(CounterCache.Key(kind: 1, a: source + " " + d.outcome.rawValue, b: reason, status: 0)) {
            registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "events", unitName: "total",
                                                                  helpText: "Events recorded, by source, outcome and reason"),
                                 labels: [("source", source), ("outcome", d.outcome.rawValue), ("reason", reason)])
        }.increment()
    }

    func signatureFailure(source: String, _ f: SignatureFailure) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "signature_failures", unitName: "total",
                                                              helpText: "Webhooks refused for their signature"),
                             labels: [("source", source), ("reason", f.rawValue)]).increment()
    }

    func authFailure(route: String) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "affdesk", metricName: "auth_failures", unitName: "total",
                                                              helpText: "Tracking requests refused for their API key"),
                             labels: [("route", route)]).increment()
    }

    public func text() -> String { registry.emitToString() }
}

/// The phases of a group commit, as `/metrics` names them: the writer thread's, in order, then
/// the flush thread's (`DiskFlush`).
public enum WriterPhase: String, CaseIterable, Sendable {
    /// Waiting for a first event (the queue was empty), then up to the window for more.
    case idle, window
    /// Taking the group off the queue; refusing events that waited too long.
    case take
    /// Inside the store (`GroupPhases`).
    case begin, setup, prefetch, decide, write, repeats, commit
    /// Metrics of the group, and handing its answers to the flush thread (or answering them).
    case handoff
    /// The writer copying what the background checkpoints left, so that the WAL starts over
    /// (`WriterCheckpoints`).
    case restart
    /// The flush thread: the fsync of the write-ahead log, then resuming the waiting requests.
    case fsync, answer
    /// The checkpoint thread: PASSIVE checkpoints beside the writer (`WriterCheckpoints`).
    case checkpoint
    /// Not a phase: the CPU time the writer thread used for its groups (from `begin` to
    /// `handoff`), beside their wall-clock time (a thread waiting for the disk or for a core
    /// counts in the phases, not here).
    case writerCPU = "writer_cpu"
}

/// Counters by their labels, made once each (the label sets are bounded: see `ServerMetrics`).
final class CounterCache: @unchecked Sendable {
    struct Key: Hashable {
        var kind: Int
        var a: String
        var b: String
        var status: Int
    }

    private let lock = NSLock()
    private var made: [Key: Counter] = [:]

    func counter(_ key: Key, make: () -> Counter) -> Counter {
        lock.lock()
        defer { lock.unlock() }
        if let c = made[key] { return c }
        let c = make()
        made[key] = c
        return c
    }
}
