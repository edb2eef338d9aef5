import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small program for the terminal-session tests: affiliate alpha with two customers, and
/// (when OpenSSH is installed) alpha's key registered and a private sshd serving the view.
final class SessionProgram {
    let dir: String
    let db: String
    let bin: String
    let user = SSHServer.userName()
    private(set) var server: SSHServer?
    /// Where crash reports of processes started here go (AFFDESK_CRASH_DIR).
    var crashDir: String { dir + "/crashes" }

    init(test: XCTestCase, ssh: Bool) throws {
        bin = try CLIRunner.binary().path
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-term-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        db = dir + "/affdesk.sqlite"
        try test.affdesk("init", "--db", db, "--name", "Session program")
        try test.affdesk("affiliates", "add", "--db", db, "--code", "alpha", "--name", "Alma Alpha")
        let now = Int(Date().timeIntervalSince1970)
        var lines: [String] = []
        for i in 1...2 {
            lines.append(#"{"type":"click","click_id":"c\#(i)","affiliate":"alpha","at":\#(now - 90_000)}"#)
            lines.append(#"{"type":"signup","customer_key":"SECRETKEY-\#(i)","click_id":"c\#(i)","at":\#(now - 80_000)}"#)
            lines.append(#"{"type":"conversion","external_id":"SECRETORDER-\#(i)","amount":"10.00","currency":"USD","customer_key":"SECRETKEY-\#(i)","at":\#(now - 70_000)}"#)
        }
        let events = dir + "/events.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        try test.affdesk("ingest", events, "--no-progress", "--db", db)
        guard ssh else { return }
        guard access("/usr/sbin/sshd", X_OK) == 0, Spawn.which("ssh") != nil, Spawn.which("ssh-keygen") != nil else {
            throw XCTSkip("OpenSSH (server and client) is not installed")
        }
        let k = try Spawn.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "alpha@test", "-f", key])
        XCTAssertEqual(k.status, 0, k.output)
        try test.affdesk("ssh", "add-key", "--db", db, "alpha", key + ".pub")
        let s = try SSHServer(dir: dir + "/sshd", user: user, binary: bin, db: db)
        server = s
        try s.writeAuthorizedKeys(try test.affdesk("ssh", "authorized-keys", "--db", db).stdout)
        try s.start()
    }

    var key: String { dir + "/id_alpha" }

    func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A shell command line running `affdesk args` with this program's crash directory.
    func affdeskCommand(_ args: String) -> String {
        "unset NO_COLOR; AFFDESK_CRASH_DIR=\(q(crashDir)) \(q(bin)) \(args) --db \(q(db))"
    }

    /// A shell command line logging in as alpha over ssh (with a terminal).
    func sshCommand() -> String {
        guard let server else { return "false" }
        return (["ssh", "-F", "/dev/null", "-tt", "-p", String(server.port), "-i", key, "-o", "IdentitiesOnly=yes",
                 "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                 "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20", "\(user)@127.0.0.1"]).map(q).joined(separator: " ")
    }

    func remove() {
        server?.stop()
        server?.removeFiles()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// Processes seen through /proc (Linux).
enum Processes {
    /// The pids whose command line holds every one of `parts` (and whose name is `name`).
    static func find(name: String, containing parts: [String]) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard !isGone(pid), comm(pid) == String(name.prefix(15)),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let cmdline = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return parts.allSatisfy { cmdline.contains($0) }
        }
    }

    /// Polls for the one process `find` names; throws after `timeout` seconds.
    static func waitForOne(name: String, containing parts: [String], timeout: Double = 30) throws -> pid_t {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let found = find(name: name, containing: parts)
            if found.count == 1 { return found[0] }
            if Date() >= deadline { throw Tmux.TmuxError.failed("ps", "\(found.count) processes \(name) with \(parts)") }
            usleep(20_000)
        }
    }

    /// The peak resident memory of `pid` in MB (VmHWM), or nil.
    static func peakMemoryMB(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kb / 1024
    }

    static func comm(_ pid: pid_t) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True when `pid` has ended (no such process, or a zombie waiting to be reaped).
    static func isGone(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
        return state == "Z" || state == "X"
    }

    /// Seconds until `pid` has ended, polled every 10 ms; nil if it is still there after `limit`.
    static func secondsUntilGone(_ pid: pid_t, since start: Date, limit: Double) -> Double? {
        while Date().timeIntervalSince(start) < limit {
            if isGone(pid) { return Date().timeIntervalSince(start) }
            usleep(10_000)
        }
        return isGone(pid) ? Date().timeIntervalSince(start) : nil
    }
}

/// Processes that keep every core busy (`while :; do :; done`), for as long as they live.
final class BusyLoops {
    private var pids: [pid_t] = []

    init(count: Int) throws {
        let devnull = open("/dev/null", O_WRONLY)
        defer { close(devnull) }
        for _ in 0..<count {
            pids.append(try Spawn.start("/bin/sh", ["-c", "while :; do :; done"], output: devnull))
        }
    }

    /// Ends them (SIGKILL to each process group) and reaps them. Idempotent.
    func stop() {
        for pid in pids {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        pids = []
    }

    deinit { stop() }
}

/// Text that only a crash report puts on a terminal (the runtime's message, the backtracer's
/// report and prompt).
let crashReportMarkers = ["Fatal error", "crashed", "Crashed", "Backtracing", "Registers", "Press space", "Thread 0",
                          "Segmentation", "Illegal instruction", "0x0000"]
