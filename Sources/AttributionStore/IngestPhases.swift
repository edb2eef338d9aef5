/// Where a bulk ingest's wall time went, summed over its batches, for `affdesk bench ingest
/// --phases`: the ingest's own thread phase by phase, and the busy time of its second thread
/// (`WriteBehind`). Both threads drive one connection, which runs one call at a time, so what
/// the second thread overlaps is only the deciding; `waiting` is the time the deciding thread
/// stood still until the second one had written its rows. Costs one clock read per phase per
/// batch and two per chunk of rows written behind. Filled in by the ingest; read after it.
public final class IngestPhases: @unchecked Sendable {
    public internal(set) var batches = 0
    /// Reading the batch's facts (`FactCache.prefetch`), one query per table.
    public internal(set) var prefetch = 0.0
    /// Deciding the events and handing their rows over (waits for the second thread excluded).
    public internal(set) var decide = 0.0
    /// Waiting for the second thread: before a statement of its own, and at the end of the batch.
    public internal(set) var waiting = 0.0
    /// Writing what is left at the end of the batch on the ingest's thread: the changed
    /// customers, the running totals, the part-full chunks, the customer-number counters.
    public internal(set) var flush = 0.0
    /// Opening the unit of work (settings, ids, counters) and the transaction's own statements.
    public internal(set) var setup = 0.0
    /// `COMMIT` (writing the batch's pages to the WAL), with the transaction's begin and the
    /// foreign-key switches around it.
    public internal(set) var commit = 0.0
    /// The WAL copied back on the writer between batches (`IngestCheckpoint`'s catch-up).
    public internal(set) var checkpoint = 0.0
    /// Time the second thread spent writing, and the chunks it wrote.
    public internal(set) var behindBusy = 0.0
    public internal(set) var behindJobs = 0

    public init() {}

    /// The sum of the ingest thread's phases: its share of the wall time.
    public var total: Double { prefetch + decide + waiting + flush + setup + commit + checkpoint }
}
