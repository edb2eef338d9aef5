import AttributionCore
import GRDB

/// What an ingest did, counted per outcome and reason.
public struct IngestSummary: Hashable, Sendable {
    public var received = 0
    public var accepted = 0
    public var rejected = 0
    /// Already in the inbox (same event received before): nothing changed.
    public var alreadyIngested = 0
    /// Per code: reasons for refusals, notes for accepted events.
    public var byReason: [String: Int] = [:]
    /// The first invalid lines, "file:line: field: message".
    public var invalid: [String] = []
    /// Inbox ids of the events recorded by this run, in order (first and last).
    public var firstEventID: Int64?
    public var lastEventID: Int64?

    public init() {}

    mutating func count(_ d: Decision, _ e: InboundEvent) {
        received += 1
        if d.isAccepted { accepted += 1 } else { rejected += 1 }
        if let r = d.reason { byReason[r.rawValue, default: 0] += 1 }
        for n in d.notes { byReason[n.rawValue, default: 0] += 1 }
        if let m = e.invalidMessage, invalid.count < 20 { invalid.append(m) }
    }
}

extension Store {
    /// Records and applies events. Each event is decided by the core and written with all of its
    /// effects; events are committed in batches of `batchSize` (one transaction each), so a crash
    /// leaves every event either fully applied or absent, and an event already in the inbox (same
    /// dedupe key) is skipped: ingesting the same input twice changes nothing the second time.
    public func ingest<S: Sequence>(_ events: S, batchSize: Int = BulkTuning.standard.batch,
                                    progress: ((Int) -> Void)? = nil) throws -> IngestSummary where S.Element == InboundEvent {
        var tuning = BulkTuning.standard
        tuning.batch = batchSize
        return try ingest(events, tuning: tuning, progress: progress)
    }

    /// The same, committing as `tuning` says (events per transaction, the writer's cache and
    /// WAL size while it runs).
    /// `phases`, when given, is filled in with where the time went (`affdesk bench ingest --phases`).
    public func ingest<S: Sequence>(_ events: S, tuning: BulkTuning, phases: IngestPhases? = nil,
                                    progress: ((Int) -> Void)? = nil) throws -> IngestSummary where S.Element == InboundEvent {
        let batchSize = max(1, tuning.batch)
        try tuning.apply(pool)
        defer { tuning.restore(pool) }
        var summary = IngestSummary()
        var batch: [InboundEvent] = []
        batch.reserveCapacity(batchSize)
        var done = 0
        // From the second batch on, the WAL is copied back beside the writer (`IngestCheckpoint`).
        var checkpoint: IngestCheckpoint?, triedCheckpoint = false
        // The full chunks of rows are written on a second thread while the events after them are decided.
        let behind = WriteBehind()
        defer { try? checkpoint?.finish() }
        func flush() throws {
            guard !batch.isEmpty else { return }
            if done > 0, !triedCheckpoint { triedCheckpoint = true; checkpoint = try IngestCheckpoint(pool, path: path, catchUp: tuning.checkpointPages) }
            let clock = BatchClock(behind)
            try bulkWrite { db in
                clock.began()
                let work = try UnitOfWork(db, store: self, behind: behind)
                defer { work.settle() }
                clock.mark(\.setup)
                try work.facts.prefetch(batch)
                clock.mark(\.prefetch)
                for e in batch {
                    guard let (decision, id) = try work.decideAndApply(e) else { summary.alreadyIngested += 1; continue }
                    summary.count(decision, e)
                    if summary.firstEventID == nil { summary.firstEventID = id }
                    summary.lastEventID = id
                }
                clock.mark(\.decide)
                try work.finish()
                clock.mark(\.flush)
            }
            clock.mark(\.commit)
            checkpoint?.committed()
            clock.mark(\.checkpoint)
            phases.map(clock.add(to:))
            done += batch.count
            batch.removeAll(keepingCapacity: true)
            progress?(done)
        }
        for e in events {
            batch.append(e)
            if batch.count >= batchSize { try flush() }
        }
        try flush()
        return summary
    }

    /// Times one batch's phases on the ingest's thread (`IngestPhases`): each `mark` charges the
    /// time since the one before to a phase, less what was spent waiting for the second thread.
    private final class BatchClock {
        private let behind: WriteBehind
        private var last = PhaseClock.now(), waitedBefore: UInt64, busyBefore: UInt64, jobsBefore: Int
        private let phases = IngestPhases()

        init(_ behind: WriteBehind) {
            self.behind = behind
            waitedBefore = behind.waited
            busyBefore = behind.busy
            jobsBefore = behind.jobs
        }

        /// Inside the transaction: the time before it went to `commit` (BEGIN, the pragmas around it).
        func began() { mark(\.commit) }

        func mark(_ phase: ReferenceWritableKeyPath<IngestPhases, Double>) {
            let now = PhaseClock.now(), waited = behind.waited &- waitedBefore
            waitedBefore = behind.waited
            phases[keyPath: phase] += Double(now &- last &- min(waited, now &- last)) / 1e9
            phases.waiting += Double(waited) / 1e9
            last = now
        }

        /// Adds this batch to `total` (the second thread's figures are read after its drain).
        func add(to total: IngestPhases) {
            total.batches += 1
            for p in [\IngestPhases.prefetch, \.decide, \.waiting, \.flush, \.setup, \.commit, \.checkpoint] {
                total[keyPath: p] += phases[keyPath: p]
            }
            total.behindBusy += Double(behind.busy &- busyBefore) / 1e9
            total.behindJobs += behind.jobs - jobsBefore
        }
    }

    /// Decides one event against the stored facts WITHOUT writing: what the settings today would
    /// do if it came again. Used by triage.
    public func dryRun(_ event: Event, settings: ProgramSettings? = nil) throws -> Decision {
        try read { db in
            let work = try UnitOfWork(db, store: self, settings: settings)
            return try work.engine.decide(event, facts: work.facts)
        }
    }
}
