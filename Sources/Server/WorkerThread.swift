import Foundation

/// A thread of its own that waits on `condition` for work until it is told to stop, and the
/// handshake that ends it: `stop` sets `stopping`, wakes the thread and returns once `body` has
/// returned. The owners (`GroupCommitter`, `DiskFlush`, `WriterCheckpoints`) keep their work's
/// state under the same `condition` and read `stopping` in their waits, under its lock.
/// (`@unchecked Sendable`: every field is read and written under `condition`'s lock, but
/// `thread`, set once by `start` before anyone may `stop`.)
final class WorkerThread: @unchecked Sendable {
    let condition = NSCondition()
    /// Set by `stop`; read under `condition`'s lock.
    private(set) var stopping = false
    /// Set once `body` has returned; read under `condition`'s lock.
    private(set) var stopped = false
    private var thread: Thread?

    /// Runs `body` on a new thread named `name`.
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let t = Thread { [self] in
            body()
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }
        t.name = name
        thread = t
        t.start()
    }

    /// Tells the thread to stop and returns once its body has returned (at once if it never started).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped && thread != nil { condition.wait() }
        condition.unlock()
    }
}
