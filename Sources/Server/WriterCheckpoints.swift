import AttributionStore
import Foundation

/// Keeps the checkpoints off the group writer's commits. SQLite's automatic checkpoint ran
/// inside the commit of the group that took the WAL past 10,000 pages: that group (and every
/// request in it) waited for every page to be copied back and for two flushes. Here the writer
/// only tells this thread after each group how long the WAL is (`GroupWriter.walFrames`); every
/// `step` frames this thread runs a PASSIVE checkpoint on a connection of its own, beside the
/// writer. Once the WAL passes `restartAt` frames, this thread checkpoints again after each
/// group until what is left is little (the frames since its last checkpoint began), and then
/// the writer copies that between two groups, so that the next group starts the WAL over: the
/// WAL stays as short as with the automatic checkpoint (at most twice: past that the writer
/// waits for the background checkpoint and copies the rest at once).
final class WriterCheckpoints: @unchecked Sendable {
    struct Limits: Sendable {
        /// WAL frames between two background checkpoints (one per WAL length: checkpoints
        /// more often copy the pages rewritten group after group more often, and their flushes
        /// of the database file slow the flushes of the WAL that the answers wait for).
        var step: Int32 = Store.walAutocheckpointPages
        /// WAL frames at which the writer has the WAL started over (the automatic checkpoint's).
        var restartAt: Int32 = Store.walAutocheckpointPages
    }

    private let connection: WALCheckpointConnection
    private let limits: Limits
    private let worker = WorkerThread()
    private var condition: NSCondition { worker.condition }
    /// The WAL's length when the last background checkpoint was asked for.
    private var askedAt: Int32 = 0
    private var wanted = false
    private var running = false
    /// Told how long each background checkpoint took (nanoseconds), for the metrics.
    var checkpointed: (@Sendable (UInt64) -> Void)?

    init(connection: WALCheckpointConnection, limits: Limits = Limits()) {
        self.connection = connection; self.limits = limits
    }

    func start() { worker.start(name: "affdesk-checkpoint") { [self] in self.run() } }

    /// After a group is committed (on the writer thread): the background checkpoint is asked
    /// for, or the writer copies the rest so that the WAL starts over (then true).
    @discardableResult
    func committed(_ writer: GroupWriter) -> Bool {
        let frames = writer.walFrames
        condition.lock()
        if frames < askedAt { askedAt = 0 }   // the WAL started over
        // Past twice the length, the writer waits for the background checkpoint to end.
        while frames >= 2 * limits.restartAt && (running || wanted) && !worker.stopped { condition.wait() }
        let idle = !running && !wanted
        // The writer copies what is left only when it is little: the frames committed since the
        // last background checkpoint began (a few groups); else one more background checkpoint
        // first. Past twice the length, the writer copies the rest whatever it is.
        if idle && (frames >= limits.restartAt && frames &- askedAt <= limits.step / 4 || frames >= 2 * limits.restartAt) {
            condition.unlock()
            writer.checkpointRemainder()
            return true
        }
        if idle && (frames &- askedAt >= limits.step || frames >= limits.restartAt) {
            askedAt = frames
            wanted = true
            condition.signal()
        }
        condition.unlock()
        return false
    }

    /// Ends the thread once its checkpoint is done and closes its connection.
    func stop() {
        worker.stop()
        connection.close()
    }

    private func run() {
        while true {
            condition.lock()
            while !wanted && !worker.stopping { condition.wait() }
            if worker.stopping { condition.unlock(); return }
            wanted = false
            running = true
            condition.unlock()
            var lap = PhaseClock()
            // Best effort: SQLITE_BUSY (another process's checkpoint) only leaves it to the next.
            _ = try? connection.passive()
            checkpointed?(lap.lap())
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
