import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private tmux server running one command in a fixed-size window, for end-to-end tests of
/// the real `affdesk` binary:
///
///     let tmux = try Tmux(command: "\(try Tmux.binaryPath()) demo", width: 100, height: 30)
///     defer { tmux.kill() }
///     try tmux.waitFor("Affiliates")          // polls the screen; never sleeps blindly
///     tmux.sendKeys("Tab", "Down")            // tmux key names
///     tmux.type("/alice")                     // literal text
///     let screen = try tmux.waitFor("alice")  // the screen lines that matched
///     tmux.resize(width: 60, height: 20)
///     tmux.sendKeys("q")
///     XCTAssertEqual(try tmux.waitForExit(), 0)
///
/// Each instance has its own server socket (`-L affdesk-test-<uuid>`, no config file), so
/// tests run in parallel without seeing each other or the user's tmux. The pane's TERM is
/// `tmux-256color` and the pane stays on screen after the command exits, so the final screen
/// and the exit status can still be read (tmux then shows "Pane is dead (status N, ...)" on
/// the bottom line; output written just before a very fast exit may not reach the screen).
/// `kill()` (also run by deinit) ends the server.
final class Tmux {
    let socket: String
    private(set) var width: Int
    private(set) var height: Int
    private let tmuxPath: String
    private var killed = false
    /// Where the wrapper shell writes the command's exit status.
    private let statusPath: String

    /// Key names `sendKeys` passes to tmux: "Enter", "Escape", "Tab", "BTab", "Up", "Down",
    /// "Left", "Right", "PageUp"/"PPage", "PageDown"/"NPage", "Home", "End", "BSpace", "DC",
    /// "F1"..."F12", "C-c", "M-x", "Space", or any single character.
    ///
    /// Starts `command` (a /bin/sh command line) in a new `width` x `height` window. `environment` is
    /// added to the command's environment (TERM cannot be set this way: it is tmux-256color).
    /// Throws XCTSkip when tmux is not installed.
    init(command: String, width: Int = 80, height: Int = 24, environment: [String: String] = [:],
         directory: String? = nil) throws {
        guard let path = Spawn.which("tmux") else { throw XCTSkip("tmux is not installed") }
        tmuxPath = path
        socket = "affdesk-test-" + UUID().uuidString.prefix(8).lowercased()
        statusPath = NSTemporaryDirectory() + "/" + socket + ".status"
        self.width = width
        self.height = height
        // window-size must be set after the session exists (before, the server exits). An
        // empty remain-on-exit-format keeps tmux from scrolling the final screen away to show
        // "Pane is dead".
        var args = ["set", "-g", "default-terminal", "tmux-256color", ";",
                    "set", "-g", "remain-on-exit", "on", ";",
                    "set", "-g", "remain-on-exit-format", "", ";",
                    "set", "-g", "status", "off", ";",
                    "new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height)]
        if let directory { args += ["-c", directory] }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        // The command runs in a subshell and the pane's shell records its status: tmux does not
        // always collect the status of a pane process that exits on its own.
        let wrapped = "(\n\(command)\n)\nstatus=$?; printf '%d' $status > '\(statusPath)'; exit $status"
        args += [wrapped, ";", "set", "-g", "window-size", "manual"]
        let r = try run(args)
        guard r.status == 0 else {
            throw TmuxError.failed("new-session", r.output)
        }
    }

    deinit { kill() }

    // MARK: - Input

    /// Sends tmux key names, one key each ("Enter", "C-c", "Down", "q").
    func sendKeys(_ keys: String...) {
        _ = try? run(["send-keys", "-t", target] + keys)
    }

    /// Types `text` literally (no key-name lookup).
    func type(_ text: String) {
        _ = try? run(["send-keys", "-t", target, "-l", text])
    }

    /// A left click at cell (x, y), 0-based, as a press and a release. Sent in the X10 mouse
    /// encoding, which is what ncurses asks for on tmux-256color; x and y must be below 223.
    func click(x: Int, y: Int) {
        mouse(button: 0, x: x, y: y)
        mouse(button: 3, x: x, y: y)
    }

    /// A mouse wheel notch at (x, y): up or down.
    func wheel(up: Bool, x: Int, y: Int) {
        mouse(button: up ? 64 : 65, x: x, y: y)
    }

    private func mouse(button: Int, x: Int, y: Int) {
        let bytes = [32 + button, 33 + x, 33 + y].map { Character(Unicode.Scalar(UInt8(min($0, 255)))) }
        type("\u{1B}[M" + String(bytes))
    }

    // MARK: - Screen

    /// The screen as lines (trailing spaces trimmed by tmux), exactly `height` of them.
    func capture() -> [String] {
        guard let r = try? run(["capture-pane", "-p", "-t", target]), r.status == 0 else { return [] }
        var lines = r.output.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The screen with SGR escape sequences for colours and attributes (`capture-pane -e`).
    func captureStyled() -> [String] {
        guard let r = try? run(["capture-pane", "-p", "-e", "-t", target]), r.status == 0 else { return [] }
        var lines = r.output.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// How long a wait pauses between two looks at the screen (or the status file), in µs:
    /// short, because a screen that is there is read at the next look.
    static let pollInterval: useconds_t = 20_000

    /// Polls the screen every 20 ms until `text` is on it; returns that screen. Throws (with
    /// the last screen in the message) after `timeout` seconds.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 10) throws -> [String] {
        try waitUntil("\"\(text)\" on screen", timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Polls the screen every 20 ms until `condition` holds for it; returns that screen.
    @discardableResult
    func waitUntil(_ what: String, timeout: Double = 10, _ condition: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var screen: [String] = []
        while true {
            screen = capture()
            if condition(screen) { return screen }
            if Date() >= deadline { throw TmuxError.timeout(what, screen) }
            usleep(Tmux.pollInterval)
        }
    }

    /// Waits until the command has exited and returns its exit status.
    @discardableResult
    func waitForExit(timeout: Double = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let text = try? String(contentsOfFile: statusPath, encoding: .utf8), let code = Int32(text) {
                return code
            }
            if Date() >= deadline { throw TmuxError.timeout("the command to exit", capture()) }
            usleep(Tmux.pollInterval)
        }
    }

    /// Whether the command is still running.
    var isRunning: Bool {
        access(statusPath, F_OK) != 0 && !killed
    }

    /// The process id of the pane's shell; the command runs as its child (`pgrep -P`).
    var panePID: Int32? {
        guard let r = try? run(["display-message", "-p", "-t", target, "#{pane_pid}"]) else { return nil }
        return Int32(r.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // MARK: - Window

    /// Appends everything the pane's program writes from now on to `path`, escape sequences
    /// and all (tmux pipe-pane): for bytes the screen does not show, such as OSC 52.
    func pipeOutput(to path: String) throws {
        let r = try run(["pipe-pane", "-o", "-t", target, "cat >> '" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"])
        guard r.status == 0 else { throw TmuxError.failed("pipe-pane", r.output) }
    }

    /// Resizes the window (the program gets SIGWINCH).
    func resize(width: Int, height: Int) {
        _ = try? run(["resize-window", "-t", target, "-x", String(width), "-y", String(height)])
        self.width = width
        self.height = height
    }

    /// Ends the server and everything in it. Idempotent.
    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? run(["kill-server"])
        unlink(statusPath)
        // tmux leaves its socket file behind: /tmp/tmux-UID/NAME (or under TMUX_TMPDIR).
        let dir = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        unlink("\(dir)/tmux-\(getuid())/\(socket)")
    }

    // MARK: - Plumbing

    /// The one window of the session "main" (exact match).
    private let target = "=main:"

    @discardableResult
    private func run(_ args: [String]) throws -> Spawn.Result {
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "tmux-256color"   // the client needs a TERM it knows
        env.removeValue(forKey: "TMUX")  // not nested in a tmux the tests run under
        let r = try Spawn.run(tmuxPath, ["-L", socket, "-f", "/dev/null"] + args, environment: env, timeout: 10)
        if r.timedOut { throw TmuxError.failed(args.first ?? "tmux", "timed out") }
        return r
    }

    enum TmuxError: Error, CustomStringConvertible {
        case failed(String, String)
        case timeout(String, [String])

        var description: String {
            switch self {
            case .failed(let cmd, let out): "tmux \(cmd) failed: \(out)"
            case .timeout(let what, let screen):
                "timed out waiting for \(what); the screen was:\n" + screen.joined(separator: "\n")
            }
        }
    }

    // MARK: - The binary under test

    /// The built executable `name` (default `affdesk`) in the products directory of the build
    /// running these tests (next to the .xctest bundle, whatever the scratch path). The
    /// environment variable AFFDESK_BIN overrides it. Throws XCTSkip when it is not built.
    static func binaryPath(_ name: String = "affdesk") throws -> String {
        if name == "affdesk", let bin = ProcessInfo.processInfo.environment["AFFDESK_BIN"], !bin.isEmpty {
            return bin
        }
        for dir in productDirectories() {
            let candidate = dir.appendingPathComponent(name).path
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw XCTSkip("\(name) is not built next to the test bundle")
    }

    private static func productDirectories() -> [URL] {
        var dirs: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // On Linux the test bundle is an executable run directly.
        if let exe = Bundle.main.executableURL {
            var url = exe
            while url.path != "/" {
                if url.pathExtension == "xctest" { dirs.append(url.deletingLastPathComponent()); break }
                url = url.deletingLastPathComponent()
            }
        }
        // Fallback: the default build directory of this package.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        dirs.append(root.appendingPathComponent(".build/debug"))
        return dirs
    }
}
