import AttributionStore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes committed groups survive a power loss without holding up the writer. The writer
/// commits with SQLite's `synchronous = NORMAL` (in WAL mode a commit is then written to the
/// WAL file, which survives a crash of the process but may still sit in the OS's cache), hands
/// the group's answers here and goes on with the next group, while this thread flushes the WAL
/// file to the disk (`fsync`). The answers of every group committed before a flush began are
/// sent when that flush returns: one flush covers all the groups committed while the previous
/// one ran, and a 2xx still comes only after the event is on the disk, as with
/// `synchronous = FULL` (which flushed inside every commit and made the next group wait).
///
/// A WAL frame SQLite overwrites (after a checkpoint) was first copied to the database file and
/// that file flushed, by SQLite, so a flush of the WAL as it is now always covers what was
/// committed before it began.
final class DiskFlush: @unchecked Sendable {
    /// Called once its commit is on the disk (nil) or the flush failed (why).
    typealias Answer = @Sendable (String?) -> Void

    private let flushFile: @Sendable () -> String?
    /// Told how long each fsync took (nanoseconds), for the metrics.
    var flushed: (@Sendable (UInt64) -> Void)?
    private let worker = WorkerThread()
    private var condition: NSCondition { worker.condition }
    private var waiting: [Answer] = []

    /// Flushes the WAL file of the database at `databasePath`.
    convenience init(databasePath: String) {
        let wal = databasePath + "-wal"
        self.init(flush: { DiskFlush.fsync(path: wal) })
    }

    /// `flush` does the flush: nil when it succeeded, else why not (the tests give their own).
    init(flush: @escaping @Sendable () -> String?) { flushFile = flush }

    func start() { worker.start(name: "affdesk-flush") { [self] in self.run() } }

    /// `answer` runs after the next flush that begins from now on.
    func afterNextFlush(_ answer: @escaping Answer) {
        condition.lock()
        waiting.append(answer)
        condition.signal()
        condition.unlock()
    }

    /// Flushes for what is waiting, then ends the thread; returns once it has.
    func stop() { worker.stop() }

    private func run() {
        while true {
            condition.lock()
            while waiting.isEmpty && !worker.stopping { condition.wait() }
            let answers = waiting
            waiting = []
            let done = answers.isEmpty && worker.stopping
            condition.unlock()
            if done { break }
            var lap = PhaseClock()
            let failure = flushFile()
            flushed?(lap.lap())
            for a in answers { a(failure) }
        }
    }

    /// fdatasync of the WAL file (as SQLite's own syncs on Linux): its content and the size
    /// needed to read it back, not its times; nil when it succeeded. Once SQLite starts the WAL
    /// over (after a checkpoint) its frames overwrite the file in place, and an fsync would still
    /// commit the file system's journal for the new modification time: 3.7 ms on average against
    /// 0.7 (ext4 here, 400 KiB rewritten per flush). A missing WAL file means SQLite has
    /// checkpointed everything into the database file and flushed it (then removed the WAL).
    static func fsync(path: String) -> String? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 { return errno == ENOENT ? nil : "the write-ahead log could not be opened to flush it (\(String(cString: strerror(errno))))" }
        defer { close(fd) }
        #if canImport(Glibc)
        let synced = Glibc.fdatasync(fd) == 0
        #else
        let synced = Darwin.fsync(fd) == 0
        #endif
        return synced ? nil : "the disk did not confirm the write (\(String(cString: strerror(errno))))"
    }
}
