import AttributionCore
import Feeds
import Foundation
@testable import Server
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The dashboard open on the database `affdesk serve` writes to shows a webhook's event within a
/// second of the 2xx: the real `affdesk` dashboard in tmux, a signed Stripe webhook over HTTP.
final class LiveDashboardTests: ServeTestCase, @unchecked Sendable {
    func testTheDashboardShowsAWebhookEventWithinASecondOfThe2xx() async throws {
        try ingestLines([#"{"type":"click","click_id":"c-live","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#])
        let tmux = try TmuxScreen(command: [try CrashTests.binary(), "--db", store.path], width: 110, height: 24)
        defer { tmux.kill() }
        try tmux.waitFor("Conversions")
        tmux.send("3")
        try tmux.waitUntil("the empty Conversions tab") { s in s.contains { $0.contains("External id") } && s.contains { $0.contains("Nothing here yet.") } }
        let body = StripeEvents.basil(event: "evt_live_1", invoice: "in_live_1", amount: 4900, key: "cust-live", click: "c-live")
        try await serve { client, _ in
            let r = try await client.post("/webhooks/stripe", body, headers: StripeEvents.headers(body))
            let answered = ContinuousClock.now
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["outcome"]?.string, "accepted", r.text)
            try tmux.waitFor("in_live_1", timeout: 10)
            let shownAfter = ContinuousClock.now - answered
            XCTAssertLessThanOrEqual(shownAfter, .seconds(1), "the dashboard showed the event \(shownAfter) after the 2xx")
        }
        tmux.send("q")
    }
}

/// A private tmux server (its own -L socket, no config) running one command in a fixed-size
/// window; the screen is read with capture-pane. Waits poll the screen, never sleep blindly.
final class TmuxScreen: @unchecked Sendable {
    let socket = "affdesk-serve-test-" + UUID().uuidString.prefix(8).lowercased()
    private var killed = false

    init(command: [String], width: Int, height: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else { throw XCTSkip("tmux is not installed") }
        let line = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let r = try run(["set", "-g", "default-terminal", "tmux-256color", ";", "set", "-g", "status", "off", ";",
                         "new-session", "-d", "-s", "main", "-x", String(width), "-y", String(height), line])
        guard r.status == 0 else { throw XCTSkip("tmux new-session failed: \(r.output)") }
    }

    deinit { kill() }

    func send(_ keys: String...) { _ = try? run(["send-keys", "-t", "=main:"] + keys) }

    func capture() -> [String] {
        guard let r = try? run(["capture-pane", "-p", "-t", "=main:"]), r.status == 0 else { return [] }
        return r.output.components(separatedBy: "\n")
    }

    @discardableResult
    func waitFor(_ text: String, timeout: Double = 20) throws -> [String] {
        try waitUntil("\"\(text)\" on screen", timeout: timeout) { $0.contains { $0.contains(text) } }
    }

    /// Reads the screen every 20 ms until `condition` holds; throws with the last screen after `timeout`.
    @discardableResult
    func waitUntil(_ what: String, timeout: Double = 20, _ condition: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let screen = capture()
            if condition(screen) { return screen }
            guard Date() < deadline else { throw Timeout(what: what, screen: screen.joined(separator: "\n")) }
            usleep(20_000)
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var screen: String
        var description: String { "timed out waiting for \(what); the screen was:\n\(screen)" }
    }

    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? run(["kill-server"])
        // tmux leaves its socket file behind.
        let dir = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(dir)/tmux-\(getuid())/\(socket)")
    }

    /// tmux through posix_spawn and waitpid (Foundation's Process waits for descriptors the
    /// tmux server it forks would inherit); output through a file.
    private func run(_ args: [String]) throws -> (status: Int32, output: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(socket + "-" + UUID().uuidString).path
        defer { unlink(path) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "tmux-256color"
        env["TMUX"] = nil
        env["AFFDESK_DB"] = nil
        env["SWIFT_BACKTRACE"] = "enable=no"
        let argv = (["/usr/bin/tmux", "-L", socket, "-f", "/dev/null"] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, argv, envp)
        guard rc == 0 else { throw Timeout(what: "tmux to start (\(rc))", screen: "") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        return ((status >> 8) & 0xff, output)
    }
}
