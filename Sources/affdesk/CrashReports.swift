import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Affdesk {
    /// The entry point: crash reports are made safe (see `CrashReports`) before anything runs.
    static func main() {
        CrashReports.reexecIfNeeded()
        parseAndRun()
    }
}

/// Where a crash report goes: to a log file, never to a terminal.
///
/// Swift's runtime catches a crash and runs its backtracer, which on a terminal prints the
/// registers and the memory around them (another customer's key, email or order id can be in
/// it) and offers an interactive prompt. Its settings come from the SWIFT_BACKTRACE variable,
/// read once when the process starts. So when affdesk runs on a terminal (any of standard
/// input, output or error), for `affdesk view` always (the affiliates' SSH forced command,
/// with or without a terminal), and for anything sshd started, affdesk re-executes itself
/// once, at the very start, with
///
///     SWIFT_BACKTRACE=enable=yes,interactive=no,color=no,registers=none,output-to=DIR
///
/// DIR is `AFFDESK_CRASH_DIR`, else `$XDG_STATE_HOME/affdesk/crashes`, else
/// `~/.local/state/affdesk/crashes` (created, mode 0700); the backtracer writes one file per
/// crash there, named after the program, its pid and the time. When no such directory can be
/// made (or its path holds a "," or "="), the report goes to /dev/null: the backtracer prints
/// the whole report on the terminal when it cannot open its output, so the path must work.
/// What still reaches standard error is the runtime's one-line message ("Fatal error: ...")
/// and "*** Signal N: Backtracing from 0x... done ***"; during the full-screen display, and
/// while the view prints its plain summary, standard error goes to a file as well
/// (`StderrDiversion`), so nothing of a crash reaches the screen or an affiliate.
/// Any SWIFT_BACKTRACE of the caller is replaced. Without a terminal (pipes, CI) nothing
/// changes, except for `view`.
enum CrashReports {
    static let variable = "SWIFT_BACKTRACE"
    /// Set for the re-executed process (and removed by it), so it never re-executes again.
    static let marker = "AFFDESK_CRASH_REPORTS_SET"

    /// The SWIFT_BACKTRACE value that sends reports to `directory` (nil: nowhere).
    static func settings(directory: String?) -> String {
        "enable=yes,interactive=no,color=no,registers=none,output-to=" + (directory ?? "/dev/null")
    }

    /// Whether this process needs the safe settings: `view`, a process sshd started, or one
    /// with a terminal on standard input, output or error.
    static func needed(arguments: [String], environment: [String: String]) -> Bool {
        if arguments.dropFirst().first == "view" { return true }
        if environment["SSH_CONNECTION"] != nil || environment["SSH_ORIGINAL_COMMAND"] != nil { return true }
        return isatty(0) == 1 || isatty(1) == 1 || isatty(2) == 1
    }

    /// The directory for crash reports, created (0700) if missing; nil when none can be used.
    static func directory(environment: [String: String]) -> String? {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let candidates = [environment["AFFDESK_CRASH_DIR"],
                          environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 + "/affdesk/crashes" : nil },
                          home.map { $0 + "/.local/state/affdesk/crashes" }]
        for case let dir? in candidates where !dir.isEmpty && !dir.contains(",") && !dir.contains("=") {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue, access(dir, W_OK | X_OK) == 0 {
                return dir
            }
        }
        return nil
    }

    /// Re-executes this program with the safe settings when it needs them and does not have
    /// them. Returns when nothing needs doing (or, should exec fail, runs on as it is).
    static func reexecIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        if env[marker] != nil {
            unsetenv(marker)
            return
        }
        let arguments = CommandLine.arguments
        guard needed(arguments: arguments, environment: env) else { return }
        let dir = directory(environment: env)
        let wanted = settings(directory: dir)
        if env[variable] == wanted { return }
        setenv(variable, wanted, 1)
        setenv(marker, "1", 1)
        #if os(Linux)
        // The file itself, not /proc/self/exe, so the process keeps its name (ps, pgrep).
        let linked = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let path = access(linked, X_OK) == 0 ? linked : "/proc/self/exe"
        #else
        let path = Bundle.main.executablePath ?? arguments[0]
        #endif
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        execv(path, &argv)
        // exec failed: run on with the settings the process started with.
        for p in argv { free(p) }
        unsetenv(marker)
    }
}

/// Standard error sent to a file while the full-screen display is up (and while the view
/// prints its plain summary), so that nothing a crash prints (the runtime's "Fatal error"
/// line, which can quote a value, and the backtracer's notice) reaches the screen or an
/// affiliate.
/// The file is `affdesk-<pid>.stderr` in the crash directory (or /dev/null without one); it is
/// removed at `restore()` when nothing was written to it.
final class StderrDiversion {
    private var saved: Int32 = -1
    private var path: String?

    /// Diverts standard error when it is a terminal, or whatever it is with
    /// `evenWithoutATerminal` (the affiliate view over `ssh -T`).
    init(evenWithoutATerminal: Bool = false) {
        guard evenWithoutATerminal || isatty(2) == 1 else { return }
        let dir = CrashReports.directory(environment: ProcessInfo.processInfo.environment)
        if let dir { Self.removeLeftovers(in: dir) }
        let file = dir.map { "\($0)/affdesk-\(getpid()).stderr" }
        let fd = open(file ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        saved = fcntl(2, F_DUPFD_CLOEXEC, 3)
        guard saved >= 0, dup2(fd, 2) == 2 else {
            if saved >= 0 { close(saved) }
            saved = -1
            return
        }
        path = file
    }

    /// Puts standard error back; removes the file if it stayed empty. Idempotent.
    func restore() {
        guard saved >= 0 else { return }
        _ = dup2(saved, 2)
        close(saved)
        saved = -1
        var st = stat()
        if let path, stat(path, &st) == 0, st.st_size == 0 { unlink(path) }
    }

    deinit { restore() }

    /// Removes the empty files of processes that ended without `restore` (a hang-up ends the
    /// process with SIGHUP): `affdesk-<pid>.stderr` of size 0 whose process is gone.
    static func removeLeftovers(in dir: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where name.hasPrefix("affdesk-") && name.hasSuffix(".stderr") {
            guard let pid = pid_t(name.dropFirst("affdesk-".count).dropLast(".stderr".count)), pid != getpid(),
                  kill(pid, 0) != 0 && errno == ESRCH else { continue }
            var st = stat()
            if stat(dir + "/" + name, &st) == 0, st.st_size == 0 { unlink(dir + "/" + name) }
        }
    }
}
