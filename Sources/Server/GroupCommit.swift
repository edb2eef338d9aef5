import AttributionCore
import AttributionStore
import Foundation

/// Why an event was not committed: the request is answered 503 with `Retry-After`, and the
/// sender's retry is recorded once (the inbox's dedupe key).
public enum CommitRefusal: Error, Sendable, Equatable {
    /// The queue holds its maximum of events or bytes.
    case queueFull
    /// The event waited longer than the request timeout before its turn: it was not written.
    case timedOut
    /// The server is shutting down.
    case shuttingDown
    /// The transaction failed (the database is locked by another process for too long, the
    /// disk is full, ...): nothing of the event was written.
    case storeFailed(String)
    /// The event was committed but the disk did not confirm it (a failed flush): it may be
    /// lost on a power loss; a retry is recorded once.
    case notOnDisk(String)
}

/// Group commit: requests hand their event to one writer thread, which takes everything
/// queued (up to `maxGroup` events, waiting up to `window` for more) and decides and applies it
/// in ONE transaction (`Store.ingestGroup`); each request then gets its own decision, after the
/// commit (and, with a `DiskFlush`, after the commit is on the disk: the writer goes on with the
/// next group meanwhile). The queue is bounded in events and bytes: a full queue refuses at once.
public final class GroupCommitter: @unchecked Sendable {
    public struct Limits: Sendable {
        public var maxQueuedEvents = 4096
        public var maxQueuedBytes = 64 << 20
        public var maxGroup = 512
        public var window: TimeInterval = 0.002
        /// An event not taken by the writer within this time is refused (never written).
        public var queueTimeout: TimeInterval = 10
        /// Whether the writer commits through a connection of its own (`GroupWriter`) rather than
        /// the store's (`Store.ingestGroup`, which compiles every statement again each group).
        public var ownConnection = true
        /// Whether the checkpoints run beside the writer (`WriterCheckpoints`) rather than
        /// inside the commit of every group that takes the WAL past 10,000 pages (SQLite's
        /// automatic checkpoint). Only with `ownConnection`.
        public var checkpointsBeside = true
        public init() {}
    }

    private struct Job: Sendable {
        var event: InboundEvent
        var bytes: Int
        var queuedAt: Date
        var done: @Sendable (Result<RecordedDecision, CommitRefusal>) -> Void
    }

    private let store: Store
    private let limits: Limits
    private let metrics: ServerMetrics?
    private let flush: DiskFlush?
    private let worker = WorkerThread()
    private var condition: NSCondition { worker.condition }
    private var queue: [Job] = []
    private var queuedBytes = 0
    /// The writer waits for a first event (an empty queue): the next event wakes it. While it
    /// waits out the window for more, only a full group (or `stop`) does: a wake-up per event
    /// cost a context switch per request for nothing.
    private var waitingForWork = false
    /// The writer's own connection (`GroupWriter`), opened by `start`; nil when it could not be
    /// opened: the groups then go through `store` itself (`Store.ingestGroup`), only slower.
    private var writer: GroupWriter?
    /// The checkpoints beside the writer (nil: SQLite's automatic checkpoint, in the commits).
    private var checkpoints: WriterCheckpoints?

    /// With `flush`, an event is answered only once its commit is flushed to the disk (it then
    /// survives a power loss, not only a crash of the process); see `DiskFlush`.
    init(store: Store, limits: Limits = Limits(), metrics: ServerMetrics? = nil, flush: DiskFlush?) {
        self.store = store; self.limits = limits; self.metrics = metrics; self.flush = flush
        flush?.flushed = { [metrics] in metrics?.phase(.fsync, $0) }
    }

    public convenience init(store: Store, limits: Limits = Limits(), metrics: ServerMetrics? = nil, waitForDisk: Bool = false) {
        self.init(store: store, limits: limits, metrics: metrics, flush: waitForDisk ? DiskFlush(databasePath: store.path) : nil)
    }

    public func start() {
        writer = limits.ownConnection ? try? GroupWriter(store: store) : nil
        if let writer, limits.checkpointsBeside, let connection = WALCheckpointConnection(store: store),
           (try? writer.offloadCheckpoints()) != nil {
            let c = WriterCheckpoints(connection: connection)
            c.checkpointed = { [metrics] in metrics?.phase(.checkpoint, $0) }
            checkpoints = c
            c.start()
        }
        flush?.start()
        worker.start(name: "affdesk-writer") { [self] in self.run() }
    }

    /// Commits the rest of the queue, then ends the writer; returns once it has.
    public func stop() { worker.stop() }

    /// Events waiting for the writer.
    public var queued: Int {
        condition.lock(); defer { condition.unlock() }
        return queue.count
    }

    /// Queues an event and returns its decision once its transaction has committed.
    public func submit(_ event: InboundEvent) async throws(CommitRefusal) -> RecordedDecision {
        let result: Result<RecordedDecision, CommitRefusal> = await withCheckedContinuation { c in
            enqueue(event) { c.resume(returning: $0) }
        }
        return try result.get()
    }

    private func enqueue(_ event: InboundEvent, done: @escaping @Sendable (Result<RecordedDecision, CommitRefusal>) -> Void) {
        let bytes = event.raw.utf8.count + 256
        condition.lock()
        if worker.stopping {
            condition.unlock(); done(.failure(.shuttingDown)); return
        }
        if queue.count >= limits.maxQueuedEvents || queuedBytes + bytes > limits.maxQueuedBytes {
            condition.unlock(); done(.failure(.queueFull)); return
        }
        queue.append(Job(event: event, bytes: bytes, queuedAt: Date(), done: done))
        queuedBytes += bytes
        metrics?.queueDepth.record(Int64(queue.count))
        if waitingForWork || queue.count >= limits.maxGroup { condition.signal() }
        condition.unlock()
    }

    private func run() {
        while let jobs = nextGroup() {
            let cpu = PhaseClock.threadCPU()
            commit(jobs)
            if let checkpoints, let writer {
                var lap = PhaseClock()
                if checkpoints.committed(writer) { metrics?.phase(.restart, lap.lap()) }
            }
            metrics?.phase(.writerCPU, PhaseClock.threadCPU() &- cpu)
        }
        checkpoints?.stop()
        flush?.stop()
    }

    /// Waits for work; after an idle wait, up to `window` more for others to join (or a full
    /// group). Under load the queue fills while the previous group commits, so it is taken at
    /// once. nil once stopping and empty.
    private func nextGroup() -> [Job]? {
        var lap = PhaseClock()
        condition.lock()
        defer { condition.unlock() }
        let wasIdle = queue.isEmpty
        waitingForWork = true
        while queue.isEmpty && !worker.stopping { condition.wait() }
        waitingForWork = false
        if queue.isEmpty { return nil }
        metrics?.phase(.idle, lap.lap())
        if wasIdle {
            let deadline = Date(timeIntervalSinceNow: limits.window)
            while queue.count < limits.maxGroup && !worker.stopping && condition.wait(until: deadline) {}
            metrics?.phase(.window, lap.lap())
        }
        let n = min(queue.count, limits.maxGroup)
        let jobs = Array(queue.prefix(n))
        queue.removeFirst(n)
        queuedBytes -= jobs.reduce(0) { $0 + $1.bytes }
        metrics?.queueDepth.record(Int64(queue.count))
        metrics?.phase(.take, lap.lap())
        return jobs
    }

    private func commit(_ all: [Job]) {
        let now = Date()
        var jobs: [Job] = []
        for j in all {
            if now.timeIntervalSince(j.queuedAt) > limits.queueTimeout { j.done(.failure(.timedOut)) } else { jobs.append(j) }
        }
        guard !jobs.isEmpty else { return }
        let started = ContinuousClock.now
        var phases = GroupPhases()
        do {
            let events = jobs.map(\.event)
            let decisions = try writer.map { try $0.ingest(events, phases: &phases) } ?? store.ingestGroup(events, phases: &phases)
            var lap = PhaseClock()
            metrics?.phases(phases)
            metrics?.commitLatency.record(ContinuousClock.now - started)
            metrics?.groupSize.record(Int64(jobs.count))
            let taken = jobs, metrics = metrics
            let answer: DiskFlush.Answer = { failure in
                var lap = PhaseClock()
                for (j, d) in zip(taken, decisions) { j.done(failure.map { .failure(.notOnDisk($0)) } ?? .success(d)) }
                metrics?.phase(.answer, lap.lap())
            }
            if let flush { flush.afterNextFlush(answer) } else { answer(nil) }
            metrics?.phase(.handoff, lap.lap())
        } catch {
            // One event that makes the transaction fail must not fail the others: each alone.
            guard jobs.count > 1, !Store.failsEveryWrite(error) else {
                metrics?.commitFailures.increment()
                let why = Store.explainFailedWrite(error)
                for j in jobs { j.done(.failure(.storeFailed(why))) }
                return
            }
            for j in jobs { commit([j]) }
        }
    }
}
