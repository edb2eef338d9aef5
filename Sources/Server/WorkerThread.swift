import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Runs `body` on a new thread named `name` (also the system's name of the thread, its first
    /// 15 bytes: `top -H`, `perf` and `bench serve`'s CPU budget tell the threads apart by it).
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let t = Thread { [self] in
            WorkerThread.nameThisThread(name)
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

    /// The system's name of the calling thread (Linux: `/proc/thread-self/comm`, 15 bytes at
    /// most; `pthread_setname_np` is not visible to Swift here). Best effort.
    static func nameThisThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
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
