import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion with posix_spawn, for end-to-end tests.
///
/// Not Foundation.Process: tmux's client forks a server that inherits the client's stdout, so
/// anything that reads the output to end-of-file (as Process with a Pipe does) waits for the
/// server to exit, i.e. forever. Here the output goes to a temporary file and completion is
/// the child's exit, not EOF. The child starts with an empty signal mask and every signal at
/// its default (a test runner may have blocked or ignored some, and a TUI would then miss
/// SIGWINCH), in its own process group (so a timeout kills it and its children), with stdin
/// from /dev/null and no file descriptors but 0, 1 and 2.
enum Spawn {
    struct Result {
        /// The exit code, or 128 + the signal number when it was killed by a signal.
        var status: Int32
        /// The signal that ended it, if any.
        var signal: Int32?
        /// stdout and stderr, interleaved as written.
        var output: String
        /// True when it ran out of time and was killed.
        var timedOut: Bool
    }

    enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case spawn(String, Int32)
        case tempFile(Int32)

        var description: String {
            switch self {
            case .notFound(let p): "\(p): not found on PATH"
            case .spawn(let p, let e): "posix_spawn \(p): \(String(cString: strerror(e)))"
            case .tempFile(let e): "temporary file: \(String(cString: strerror(e)))"
            }
        }
    }

    /// Runs `program` (a path, or a name looked up on PATH) with `arguments`. `environment`
    /// replaces the whole environment when given (default: this process's). Kills the process
    /// group after `timeout` seconds.
    static func run(_ program: String, _ arguments: [String] = [], environment: [String: String]? = nil,
                    timeout: Double = 10) throws -> Result {
        guard let path = program.contains("/") ? program : which(program) else { throw Failure.notFound(program) }

        // Output file: created, opened, unlinked; the child writes through the descriptor.
        var template = Array((NSTemporaryDirectory() + "/affdesk-spawn-XXXXXX").utf8CString)
        let outFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard outFD >= 0 else { throw Failure.tempFile(errno) }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        defer { close(outFD) }

        let pid = try start(path, arguments, environment: environment, output: outFD)

        var status: Int32 = 0
        var timedOut = false
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if Date() >= deadline {
                timedOut = true
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(2_000)
        }

        let signal = status & 0x7F
        let code: Int32 = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return Result(status: code, signal: signal == 0 ? nil : signal, output: readAll(outFD), timedOut: timedOut)
    }

    /// Starts `path` and returns at once: its own process group, an empty signal mask, default
    /// signal actions, stdin from /dev/null, stdout and stderr to `output`, and no other
    /// inherited descriptor. `environment` replaces the whole environment when given.
    static func start(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                      output: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        closeInheritedDescriptors(&actions)

        let env = environment ?? ProcessInfo.processInfo.environment
        return try spawn(path, arguments, environment: env, actions: &actions, flags: Int32(POSIX_SPAWN_SETPGROUP))
    }

    /// posix_spawn with an empty signal mask and default signal actions (the test runner's own
    /// are not inherited), `flags` added (a new process group, or a new session), and
    /// `environment` as the whole environment.
    static func spawn(_ path: String, _ arguments: [String], environment: [String: String],
                      actions: inout posix_spawn_file_actions_t, flags: Int32) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        if flags & Int32(POSIX_SPAWN_SETPGROUP) != 0 { posix_spawnattr_setpgroup(&attr, 0) }
        posix_spawnattr_setflags(&attr, Int16(Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | flags))
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, &argv, &envp)
        guard rc == 0 else { throw Failure.spawn(path, rc) }
        return pid
    }

    /// The full path of `name` on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+), looked up at run time because
    /// the Glibc module does not declare it.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        #if os(Linux)
        if let sym = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let addCloseFrom = unsafeBitCast(sym, to: AddCloseFrom.self)
            if addCloseFrom(&actions, 3) == 0 { return }
        }
        #endif
        // Close only what is open now: closing a descriptor that is not open can fail the spawn.
        for fd in Int32(3)..<256 where fcntl(fd, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    private static func readAll(_ fd: Int32) -> String {
        lseek(fd, 0, SEEK_SET)
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: chunk[0..<n]) }
            else if n < 0 && errno == EINTR { continue }
            else { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}
