import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `affdesk` on a pseudo-terminal the test drives directly: the child is a session
/// leader with the pty's slave as its controlling terminal (stdin, stdout and stderr), the test
/// holds the master, sets its window size (TIOCSWINSZ, which also sends SIGWINCH), types into
/// it and keeps everything the program writes. Linux.
final class PTYSession: @unchecked Sendable {
    let pid: pid_t
    private let master: Int32
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var stopFlag = false
    private var drained = false
    private var exitStatus: Int32?

    private typealias IntFunction = @convention(c) (Int32) -> Int32
    private typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    /// Starts `path arguments` on a new `rows` x `cols` pty with `environment` (the whole
    /// environment).
    init(_ path: String, _ arguments: [String], environment: [String: String], rows: Int, cols: Int) throws {
        guard let o = dlsym(nil, "posix_openpt"), let g = dlsym(nil, "grantpt"), let u = dlsym(nil, "unlockpt"),
              let n = dlsym(nil, "ptsname") else { throw XCTSkip("no posix_openpt") }
        let m = unsafeBitCast(o, to: IntFunction.self)(O_RDWR | O_NOCTTY)
        guard m >= 0, unsafeBitCast(g, to: IntFunction.self)(m) == 0, unsafeBitCast(u, to: IntFunction.self)(m) == 0,
              let namePointer = unsafeBitCast(n, to: NameFunction.self)(m) else { throw XCTSkip("no pseudo-terminal") }
        master = m
        let slavePath = String(cString: namePointer)
        var ws = winsize(ws_row: UInt16(rows), ws_col: UInt16(cols), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(m, UInt(TIOCSWINSZ), &ws)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // After setsid, opening the slave (without O_NOCTTY) makes it the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        for fd in Int32(3)..<256 where fcntl(fd, F_GETFD) != -1 { posix_spawn_file_actions_addclose(&actions, fd) }
        let setsid: Int32 = 0x80   // POSIX_SPAWN_SETSID (glibc 2.26+)
        let child: pid_t
        do { child = try Spawn.spawn(path, arguments, environment: environment, actions: &actions, flags: setsid) } catch {
            close(m)
            throw error
        }
        pid = child
        let t = Thread { [self] in drain() }
        t.start()
    }

    deinit { end() }

    private func drain() {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !lock.withLock({ stopFlag }) {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 20) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n > 0 {
                lock.withLock { bytes += chunk[0..<n] }
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                break   // EIO: every slave descriptor is closed (the program ended)
            }
        }
        lock.withLock { drained = true }
    }

    /// Everything the program wrote so far.
    var output: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    var outputCount: Int { lock.withLock { bytes.count } }

    /// Sets the window size; the kernel sends SIGWINCH to the program.
    func resize(rows: Int, cols: Int) {
        var ws = winsize(ws_row: UInt16(rows), ws_col: UInt16(cols), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
    }

    /// Types `text`.
    func type(_ text: String) {
        let b = Array(text.utf8)
        _ = b.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// The exit status (128 + signal when killed) once it has ended; nil while it runs.
    var status: Int32? {
        if let exitStatus { return exitStatus }
        var s: Int32 = 0
        guard waitpid(pid, &s, WNOHANG) == pid else { return nil }
        let signal = s & 0x7F
        exitStatus = signal == 0 ? (s >> 8) & 0xFF : 128 + signal
        return exitStatus
    }

    /// Polls until `text` is in the output written after `offset`; false after `timeout`.
    func waitForOutput(_ text: String, after offset: Int = 0, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let found = lock.withLock { String(decoding: bytes.dropFirst(offset), as: UTF8.self).contains(text) }
            if found { return true }
            if status != nil { break }
            usleep(20_000)
        }
        return lock.withLock { String(decoding: bytes.dropFirst(offset), as: UTF8.self).contains(text) }
    }

    /// Waits for the end; nil if still running after `timeout`.
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = status { return s }
            usleep(20_000)
        }
        return status
    }

    /// Kills the program (if running), stops the reader, closes the master. Idempotent.
    func end() {
        if status == nil {
            _ = kill(pid, SIGKILL)
            _ = waitForExit(timeout: 10)
        }
        let wasStopped = lock.withLock { () -> Bool in
            let was = stopFlag
            stopFlag = true
            return was
        }
        if wasStopped { return }
        while !lock.withLock({ drained }) { usleep(5_000) }
        close(master)
    }
}
