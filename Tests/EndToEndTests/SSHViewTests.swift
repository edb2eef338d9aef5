import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The affiliate view over a real OpenSSH server on loopback.
///
/// Each test builds a small program with the real command line (three affiliates, each with a
/// few customers whose keys, emails and order ids are recognisable secrets), registers the
/// affiliates' ed25519 keys with `affdesk ssh add-key`, and starts its own `sshd` as the user
/// running the tests: no system configuration, a fresh host key, loopback only, keys from the
/// database. When the tests run as root (as in CI) sshd runs with the shipped
/// `Assets/sshd_config.affdesk` (its user, program and database replaced by the test's): it asks
/// `affdesk ssh authorized-keys` for the keys at every login (`AuthorizedKeysCommand`, through a
/// small root-owned script, which is what sshd requires of it), so a removal takes effect at
/// once. As another user (and for the stale-file and no-LANG checks) sshd reads an
/// authorized_keys file the test regenerates after each change, with no configuration file.
/// The real `ssh` client then logs in, in tmux when it needs a terminal.
///
/// Skipped only when /usr/sbin/sshd is not installed (`.ci/run` installs openssh-server).
final class SSHViewTests: XCTestCase {
    var dir: String!
    var bin: String!
    var db: String!
    var user: String!
    var server: SSHServer?
    /// Registered keys: the affiliate code -> key id.
    var keyIDs: [String: Int64] = [:]
    let timeout = 60.0

    /// The program and the keys, built by the real command line once per process (into their own
    /// directory) and copied into each test's: a test changes only its copy.
    struct Template {
        var dir: String
        /// The affiliate code -> key id.
        var keyIDs: [String: Int64]
    }
    nonisolated(unsafe) static var template: Template?

    override func setUpWithError() throws {
        guard access("/usr/sbin/sshd", X_OK) == 0 else { throw XCTSkip("/usr/sbin/sshd is not installed (openssh-server)") }
        guard Spawn.which("ssh") != nil, Spawn.which("ssh-keygen") != nil else { throw XCTSkip("the OpenSSH client is not installed") }
        guard Spawn.which("tmux") != nil else { throw XCTSkip("tmux is not installed") }
        bin = try CLIRunner.binary().path
        user = SSHServer.userName()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-ssh-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        db = dir + "/affdesk.sqlite"

        let t: Template
        if let made = Self.template {
            t = made
        } else {
            let failures = testRun?.totalFailureCount ?? 0
            t = try makeTemplate()
            if (testRun?.totalFailureCount ?? 0) == failures { Self.template = t }
        }
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: t.dir) where !name.hasSuffix("-shm") {
            try fm.copyItem(atPath: t.dir + "/" + name, toPath: dir + "/" + name)
            if name.hasPrefix("id_") { chmod(dir + "/" + name, name.hasSuffix(".pub") ? 0o644 : 0o600) }
        }
        keyIDs = t.keyIDs
        server = try SSHServer(dir: dir, user: user, binary: bin, db: db)
        try server!.writeAuthorizedKeys(try authorizedKeys())
        try server!.start()
    }

    override class func tearDown() {
        if let t = template { try? FileManager.default.removeItem(atPath: t.dir) }
        template = nil
        super.tearDown()
    }

    /// The program, in a directory of its own: alpha has 3 customers, beta 5, gamma 1; every
    /// identifier is a secret. Then each affiliate's key registered, and a stranger's made.
    func makeTemplate() throws -> Template {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-ssh-template-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = dir + "/affdesk.sqlite"
        try affdesk("init", "--db", db, "--name", "Nimbus Notes")
        try affdesk("affiliates", "add", "--db", db, "--code", "alpha", "--name", "Zo\u{EB} Alpha", "--email", "secret-alpha@example.com")
        try affdesk("affiliates", "add", "--db", db, "--code", "beta", "--name", "Bruno Beta", "--email", "secret-beta@example.com")
        try affdesk("affiliates", "add", "--db", db, "--code", "gamma", "--name", "Gus Gamma")
        var lines: [String] = []
        var n = 0
        for (code, count) in [("alpha", 3), ("beta", 5), ("gamma", 1)] {
            for i in 1...count {
                n += 1
                let at = String(format: "2026-03-%02dT10:00:00Z", n)
                lines.append(#"{"type":"click","click_id":"SECRETCLICK-\#(code)-\#(i)","affiliate":"\#(code)","at":"\#(at)"}"#)
                lines.append(#"{"type":"signup","customer_key":"SECRETKEY-\#(code)-\#(i)","email":"secret-mail-\#(code)-\#(i)@example.com","click_id":"SECRETCLICK-\#(code)-\#(i)","at":"\#(at)"}"#)
                lines.append(#"{"type":"conversion","external_id":"SECRETORDER-\#(code)-\#(i)","amount":"\#(10 * i).00","currency":"USD","customer_key":"SECRETKEY-\#(code)-\#(i)","at":"\#(at)"}"#)
            }
        }
        let events = dir + "/events.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        try affdesk("ingest", events, "--no-progress", "--db", db)

        // The ledger, with secrets in its ids: a refund and a lost dispute of alpha's sales, then
        // payouts marked paid (beta's reference a secret).
        let ledger = dir + "/ledger.jsonl"
        try ([#"{"type":"refund","external_id":"SECRETORDER-alpha-1","refund_id":"re_SECRETREFUND-1","amount":"4.00","at":"2026-03-20T10:00:00Z"}"#,
              #"{"type":"dispute","external_id":"SECRETORDER-alpha-2","dispute_id":"dp_SECRETDISPUTE-1","status":"opened","at":"2026-03-20T10:00:00Z"}"#,
              #"{"type":"dispute","external_id":"SECRETORDER-alpha-2","dispute_id":"dp_SECRETDISPUTE-1","status":"lost","at":"2026-03-25T10:00:00Z"}"#,
             ].joined(separator: "\n") + "\n").write(toFile: ledger, atomically: true, encoding: .utf8)
        try affdesk("ingest", ledger, "--no-progress", "--db", db)
        try affdesk("payouts", "create", "--through", "2026-03-31", "--db", db)
        for p in try jsonArray(try affdesk("payouts", "list", "--json", "--db", db)) {
            let id = String(p["id"] as? Int ?? 0)
            try affdesk("payouts", "mark-paid", id, "--reference", p["affiliate"] as? String == "alpha" ? "PP-ALPHA-\(id)" : "SECRETREF-\(id)", "--db", db)
        }

        // Keys: one per affiliate, and a stranger's that is never registered.
        for name in ["alpha", "beta", "gamma", "stranger"] {
            let r = try Spawn.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "\(name)@test", "-f", dir + "/id_\(name)"])
            XCTAssertEqual(r.status, 0, r.output)
        }
        var keyIDs: [String: Int64] = [:]
        for code in ["alpha", "beta", "gamma"] {
            let r = try affdesk("ssh", "add-key", "--db", db, code, dir + "/id_\(code).pub")
            let id = try XCTUnwrap(r.stdout.split(separator: " ").dropFirst(2).first.flatMap { Int64($0) }, r.stdout)
            keyIDs[code] = id
        }
        return Template(dir: dir, keyIDs: keyIDs)
    }

    override func tearDownWithError() throws {
        server?.stop()
        if let s = server, (testRun?.totalFailureCount ?? 0) > 0 { print("sshd log:\n" + s.log) }
        server?.removeFiles()
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }

    // MARK: - Helpers

    func key(_ name: String) -> String { dir + "/id_\(name)" }

    /// `affdesk ssh authorized-keys` for this database.
    func authorizedKeys() throws -> String {
        let r = try affdesk("ssh", "authorized-keys", "--db", db)
        return r.stdout
    }

    /// The ssh client's arguments for a login with `name`'s key, then `extra` (a remote command).
    func sshArguments(_ name: String, tty: Bool, port: Int? = nil, _ extra: [String] = []) -> [String] {
        ["-F", "/dev/null", tty ? "-tt" : "-T", "-p", String(port ?? server!.port), "-i", key(name),
         "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20",
         "\(user!)@127.0.0.1"] + extra
    }

    /// A shell command line running ssh (for tmux).
    func sshCommand(_ name: String, _ extra: [String] = []) -> String {
        (["ssh"] + sshArguments(name, tty: true, extra)).map(q).joined(separator: " ")
    }

    func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// `ssh -T`: no terminal; what it printed and how it ended.
    func sshNoTTY(_ name: String, port: Int? = nil, _ extra: [String] = []) throws -> Spawn.Result {
        let r = try Spawn.run("ssh", sshArguments(name, tty: false, port: port, extra), timeout: timeout)
        XCTAssertFalse(r.timedOut, "ssh -T timed out: \(r.output)")
        return r
    }

    func assertNothingSecret(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for secret in ["SECRET", "secret", "@example.com", "root:x:0:0", "/bin/bash", "/usr/sbin/nologin"] where text.contains(secret) {
            XCTFail("\(what): \"\(secret)\" appears:\n\(text)", file: file, line: line)
        }
    }

    func statusLine(_ screen: [String]) -> String { screen.last { !$0.isEmpty } ?? "" }

    /// The tab's header is drawn and its rows have landed: the status line ends with the
    /// position ("1/5"). The header alone is drawn before the list's read answers (reads are off
    /// the loop), so a screen caught between the two has no position yet.
    func listShown(_ screen: [String], header: String) -> Bool {
        screen.contains { $0.hasPrefix(header) } && statusLine(screen).range(of: #" \d+/\d+$"#, options: .regularExpression) != nil
    }

    // MARK: - The view in a terminal

    func testAnAffiliateLogsInSeesTheirCustomersBrowsesResizesAndQuits() throws {
        let tmux = try Tmux(command: sshCommand("alpha"), width: 100, height: 30)
        defer { tmux.kill() }

        var screen = try tmux.waitFor("Customer #3", timeout: timeout)
        let all = screen.joined(separator: "\n")
        XCTAssertTrue(screen[0].hasSuffix("Zo\u{EB} Alpha (alpha) \u{B7} read-only"), "title: \(screen[0])")
        for n in 1...3 { XCTAssertTrue(all.contains("Customer #\(n)"), "Customer #\(n) missing:\n\(all)") }
        XCTAssertFalse(all.contains("Customer #4"), all)
        XCTAssertTrue(statusLine(screen).hasSuffix(" 1/3"), statusLine(screen))
        XCTAssertFalse(all.contains("Bruno") || all.contains("beta") || all.contains("Gus"), all)
        assertNothingSecret(all, "My customers")

        // Tabs: 2, 3, 4, and Tab (wrapping back to the first).
        tmux.sendKeys("2")
        screen = try tmux.waitUntil("My conversions", timeout: timeout) { s in self.listShown(s, header: " Date") }
        XCTAssertTrue(statusLine(screen).hasSuffix(" 1/3"), statusLine(screen))
        assertNothingSecret(screen.joined(separator: "\n"), "My conversions")
        tmux.sendKeys("3")
        screen = try tmux.waitUntil("Earnings", timeout: timeout) { s in s.contains { $0.hasPrefix(" Month") } }
        XCTAssertTrue(screen.contains { $0.contains("2026-03") }, screen.joined(separator: "\n"))
        assertNothingSecret(screen.joined(separator: "\n"), "Earnings")
        tmux.sendKeys("4")
        screen = try tmux.waitFor("PP-ALPHA-", timeout: timeout)
        assertNothingSecret(screen.joined(separator: "\n"), "Payouts")
        tmux.sendKeys("Enter")
        screen = try tmux.waitUntil("a payout's lines", timeout: timeout) { s in s.contains { $0.contains("Customer #1") && $0.contains("2026-03") } }
        assertNothingSecret(screen.joined(separator: "\n"), "a payout's lines")
        XCTAssertFalse(screen.joined(separator: "\n").contains("re_") || screen.joined(separator: "\n").contains("dp_"))
        tmux.sendKeys("Escape")
        try tmux.waitUntil("the payouts again", timeout: timeout) { s in s.contains { $0.contains("PP-ALPHA-") } && !s.contains { $0.contains("Customer #1") } }
        tmux.sendKeys("Tab")
        screen = try tmux.waitUntil("back on My customers", timeout: timeout) { s in s.contains { $0.hasPrefix(" Customer") } }

        // A customer's detail.
        tmux.sendKeys("Enter")
        screen = try tmux.waitFor("Your conversions from this customer", timeout: timeout)
        assertNothingSecret(screen.joined(separator: "\n"), "detail")
        tmux.sendKeys("Escape")
        try tmux.waitUntil("the list again", timeout: timeout) { s in s.contains { $0.hasPrefix(" Customer") } }

        // Resizes: the remote view redraws at each new size (title to the right edge, status
        // bar on the last line).
        for (w, h) in [(120, 40), (60, 16), (80, 24)] {
            tmux.resize(width: w, height: h)
            screen = try tmux.waitUntil("a redraw at \(w)x\(h)", timeout: timeout) { s in
                s.count == h && s[h - 1].hasPrefix(" q quit") && s[h - 1].hasSuffix(" 1/3")
                    && s[0].contains("Alpha (alpha)") && (w - 1...w).contains(s[0].count)
            }
            XCTAssertTrue(screen.joined(separator: "\n").contains("Customer #1"), screen.joined(separator: "\n"))
        }

        // q ends the view, and with it the ssh session.
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 0, tmux.capture().joined(separator: "\n"))
    }

    func testARequestedRemoteCommandIsIgnoredAndTheViewOpens() throws {
        for command in [["cat /etc/passwd"], ["affdesk", "customers", "list"], ["sh", "-c", "id; cat /etc/passwd"]] {
            let tmux = try Tmux(command: sshCommand("alpha", command), width: 100, height: 30)
            defer { tmux.kill() }
            let screen = try tmux.waitFor("Customer #3", timeout: timeout)
            assertNothingSecret(screen.joined(separator: "\n"), "with the remote command \(command)")
            XCTAssertFalse(screen.contains { $0.contains("uid=") }, screen.joined(separator: "\n"))
            tmux.sendKeys("q")
            XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 0)
            // Back on the normal screen: the note the view printed, and still nothing of the command.
            let after = try tmux.waitFor("remote commands are not available; opening your read-only view.", timeout: timeout)
            assertNothingSecret(after.joined(separator: "\n"), "after the view, with \(command)")

            // Without a terminal the same: the summary, not the command.
            let r = try sshNoTTY("alpha", command)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(r.output.contains("customers: 3"), r.output)
            assertNothingSecret(r.output, "ssh -T with \(command)")
        }
    }

    func testWithoutATerminalTheAffiliateGetsThePlainSummary() throws {
        let r = try sshNoTTY("alpha")
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.output.contains("\u{1B}"), "escape sequences in the summary: \(r.output.debugDescription)")
        XCTAssertTrue(r.output.contains("Zo\u{EB} Alpha (alpha) \u{2014} Nimbus Notes affiliate program"), r.output)
        XCTAssertTrue(r.output.contains("customers: 3 \u{2014} 0 Trial, 3 Paying, 0 Capped, 0 Canceled"), r.output)
        // 20% of 10 + 20 + 30.
        XCTAssertTrue(r.output.contains("conversions: 3, earned 12.00 USD"), r.output)
        XCTAssertTrue(r.output.contains("2026-03"), r.output)
        XCTAssertTrue(r.output.contains("printing a plain-text summary instead"), r.output)
        XCTAssertFalse(r.output.contains("Bruno") || r.output.contains("beta"), r.output)
        assertNothingSecret(r.output, "ssh -T")
    }

    func testAnotherAffiliateSeesOnlyTheirOwnCustomers() throws {
        let tmux = try Tmux(command: sshCommand("beta"), width: 100, height: 30)
        defer { tmux.kill() }
        let screen = try tmux.waitFor("Customer #5", timeout: timeout)
        let all = screen.joined(separator: "\n")
        XCTAssertTrue(screen[0].hasSuffix("Bruno Beta (beta) \u{B7} read-only"), screen[0])
        for n in 1...5 { XCTAssertTrue(all.contains("Customer #\(n)"), all) }
        XCTAssertTrue(statusLine(screen).hasSuffix(" 1/5"), statusLine(screen))
        XCTAssertFalse(all.contains("Zo\u{EB}") || all.contains("alpha") || all.contains("Gus"), all)
        assertNothingSecret(all, "beta's customers")
        tmux.sendKeys("2")
        let conversions = try tmux.waitUntil("beta's conversions", timeout: timeout) { s in self.listShown(s, header: " Date") }
        XCTAssertTrue(statusLine(conversions).hasSuffix(" 1/5"), statusLine(conversions))
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 0)

        let b = try sshNoTTY("beta")
        XCTAssertEqual(b.status, 0, b.output)
        XCTAssertTrue(b.output.contains("customers: 5 \u{2014}"), b.output)
        XCTAssertTrue(b.output.contains("conversions: 5, earned 30.00 USD"), b.output)
        XCTAssertFalse(b.output.contains("Zo\u{EB}") || b.output.contains("alpha"), b.output)
        let a = try sshNoTTY("alpha")
        XCTAssertTrue(a.output.contains("customers: 3 \u{2014}"), a.output)
    }

    func testWithoutLANGTheViewStillDrawsUTF8() throws {
        // A server without the snippet's `SetEnv LANG=C.UTF-8` (and the client sends none):
        // the view falls back to C.UTF-8 by itself.
        let bare = try SSHServer(dir: dir + "/bare", user: user, binary: bin, db: db, useCommand: false)
        defer { bare.stop(); bare.removeFiles() }
        try bare.writeAuthorizedKeys(try authorizedKeys())
        try bare.start()
        let command = (["env", "-u", "LANG", "-u", "LC_ALL", "-u", "LC_CTYPE", "ssh"]
                       + sshArguments("alpha", tty: true, port: bare.port)).map(q).joined(separator: " ")
        let tmux = try Tmux(command: command, width: 100, height: 30)
        defer { tmux.kill() }
        let screen = try tmux.waitFor("Customer #3", timeout: timeout)
        XCTAssertTrue(screen[0].hasSuffix("Zo\u{EB} Alpha (alpha) \u{B7} read-only"), screen[0] + "\n" + bare.log)
        XCTAssertTrue(screen.contains { $0.contains("\u{25BC}") }, "no sort marker ▼: \(screen.joined(separator: "\n"))")
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 0)
    }

    // MARK: - Refusals

    func testARemovedKeyIsRefusedAtOnce() throws {
        XCTAssertEqual(try sshNoTTY("alpha").status, 0)
        let stale = try authorizedKeys()
        let id = try XCTUnwrap(keyIDs["alpha"])
        try affdesk("ssh", "remove-key", "--db", db, String(id))
        try server!.writeAuthorizedKeys(try authorizedKeys())   // a no-op when sshd asks affdesk itself

        let refused = try sshNoTTY("alpha")
        XCTAssertEqual(refused.status, 255, refused.output)
        XCTAssertTrue(refused.output.contains("Permission denied"), refused.output)
        XCTAssertFalse(refused.output.contains("customers:"), refused.output)
        // The others still get in.
        XCTAssertEqual(try sshNoTTY("beta").status, 0)

        // An authorized_keys file written before the removal still names the key id: the view
        // itself refuses it.
        let old = try SSHServer(dir: dir + "/stale", user: user, binary: bin, db: db, useCommand: false)
        defer { old.stop(); old.removeFiles() }
        try old.writeAuthorizedKeys(stale)
        try old.start()
        let r = try sshNoTTY("alpha", port: old.port)
        XCTAssertEqual(r.status, 1, r.output + "\n" + old.log)
        XCTAssertTrue(r.output.contains("affdesk: access refused: key \(id) was removed"), r.output)
        XCTAssertFalse(r.output.contains("customers:"), r.output)
    }

    func testADisabledAffiliateIsToldSoAndTheSessionEnds() throws {
        try affdesk("affiliates", "disable", "--db", db, "gamma")
        try server!.writeAuthorizedKeys(try authorizedKeys())
        let tmux = try Tmux(command: sshCommand("gamma"), width: 100, height: 30)
        defer { tmux.kill() }
        let screen = try tmux.waitFor("access refused: this affiliate account is disabled", timeout: timeout)
        XCTAssertFalse(screen.contains { $0.contains("Customer #") }, screen.joined(separator: "\n"))
        XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 1)

        let r = try sshNoTTY("gamma")
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.output.contains("affdesk: access refused: this affiliate account is disabled"), r.output)
        XCTAssertFalse(r.output.contains("customers:"), r.output)
    }

    func testAnUnregisteredKeyIsRefused() throws {
        let r = try sshNoTTY("stranger")
        XCTAssertEqual(r.status, 255, r.output)
        XCTAssertTrue(r.output.contains("Permission denied"), r.output)
    }
}

// MARK: - A private sshd

/// An OpenSSH server for one test: its own host key, loopback only, the affiliates' keys from
/// the database, run as the current user, killed at the end.
final class SSHServer {
    let dir: String
    let user: String
    let binary: String
    let db: String
    /// sshd asks `affdesk ssh authorized-keys` at each login (root only: sshd requires the
    /// command and every directory above it to be root-owned and not writable by others).
    let useCommand: Bool
    private(set) var port = 0
    private var process: BackgroundProcess?
    /// Where the AuthorizedKeysCommand script lives (under /run, root-owned).
    private var commandDir: String?

    static func userName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    init(dir: String, user: String, binary: String, db: String, useCommand: Bool? = nil) throws {
        self.dir = dir; self.user = user; self.binary = binary; self.db = db
        self.useCommand = useCommand ?? (geteuid() == 0)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try Spawn.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/host_ed25519"])
        guard r.status == 0 else { throw Failure("ssh-keygen (host key): \(r.output)") }
        if geteuid() == 0 {
            // The privilege separation directory sshd needs (`.ci/run` makes it too).
            mkdir("/run/sshd", 0o755)
        }
        if self.useCommand {
            var template = Array("/run/affdesk-ssh-test-XXXXXX".utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                throw Failure("mkdtemp under /run: \(String(cString: strerror(errno)))")
            }
            let d = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
            commandDir = d
            chmod(d, 0o755)
            let script = "#!/bin/sh\n# affdesk test: the affiliates' keys, read from the database at each login.\n"
                + "exec '\(binary)' ssh authorized-keys --db '\(db)' \"$@\"\n"
            try script.write(toFile: d + "/authorized-keys", atomically: false, encoding: .utf8)
            chmod(d + "/authorized-keys", 0o755)
        }
    }

    var authorizedKeysFile: String { dir + "/authorized_keys" }

    /// Writes the authorized_keys file (used only when sshd does not ask affdesk itself).
    func writeAuthorizedKeys(_ text: String) throws {
        guard !useCommand else { return }
        try text.write(toFile: authorizedKeysFile, atomically: true, encoding: .utf8)
        chmod(authorizedKeysFile, 0o600)
    }

    /// The shipped `Assets/sshd_config.affdesk`, for this test's user and key command.
    static let snippetPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Assets/sshd_config.affdesk").path

    /// The configuration file: empty, or (with the key command) the shipped snippet with its
    /// user, program and database replaced by this test's.
    func configFile() throws -> String {
        guard useCommand, let d = commandDir else { return "/dev/null" }
        var text = try String(contentsOfFile: Self.snippetPath, encoding: .utf8)
        for (from, to) in [("Match User affdesk", "Match User \(user)"),
                           ("/usr/local/bin/affdesk ssh authorized-keys --db /var/lib/affdesk/affdesk.sqlite %u", "\(d)/authorized-keys %u"),
                           ("AuthorizedKeysCommandUser affdesk", "AuthorizedKeysCommandUser \(user)")] {
            guard text.contains(from) else { throw Failure("\(Self.snippetPath) no longer has \"\(from)\"") }
            text = text.replacingOccurrences(of: from, with: to)
        }
        let path = dir + "/sshd_config"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func start() throws {
        port = try Self.freePort()
        var args = ["-D", "-e", "-f", try configFile(), "-p", String(port),
                    "-o", "ListenAddress=127.0.0.1:\(port)", "-o", "HostKey=\(dir)/host_ed25519",
                    "-o", "UsePAM=no", "-o", "StrictModes=no", "-o", "PidFile=none", "-o", "LogLevel=VERBOSE",
                    "-o", "PermitUserEnvironment=no", "-o", "AllowUsers=\(user)"]
        if geteuid() == 0 { args += ["-o", "PermitRootLogin=yes"] }
        if !useCommand {
            // No snippet (it needs the key command): its settings by hand, and no LANG.
            args += ["-o", "AuthorizedKeysFile=\(authorizedKeysFile)", "-o", "PasswordAuthentication=no",
                     "-o", "KbdInteractiveAuthentication=no", "-o", "PubkeyAuthentication=yes", "-o", "PermitTTY=yes",
                     "-o", "DisableForwarding=yes"]
        }
        let p = try BackgroundProcess("/usr/sbin/sshd", args, log: dir + "/sshd.log")
        process = p
        // Ready when it accepts a connection.
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port: port) {
            guard p.isRunning else { throw Failure("sshd exited:\n\(p.log)") }
            guard Date() < deadline else { throw Failure("sshd never listened on \(port):\n\(p.log)") }
            usleep(20_000)
        }
    }

    var log: String { process?.log ?? "" }

    func stop() { process?.stop() }

    func removeFiles() {
        if let d = commandDir { try? FileManager.default.removeItem(atPath: d) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A port nobody listens on (bound to 0, read, released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind: \(String(cString: strerror(errno)))") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// A long-running child started with posix_spawn like `Spawn.run` (own process group, empty
/// signal mask, default signal actions, stdin from /dev/null, no inherited descriptors), its
/// output in a log file; `stop()` ends it and its group.
final class BackgroundProcess {
    let pid: pid_t
    let logPath: String
    private var exited = false

    init(_ path: String, _ arguments: [String], log: String) throws {
        logPath = log
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SSHServer.Failure("\(log): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        pid = try Spawn.start(path, arguments, output: fd)
    }

    deinit { stop() }

    var isRunning: Bool {
        guard !exited else { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid || (r < 0 && errno == ECHILD) { exited = true }
        return !exited
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM to the group, then SIGKILL if it is still there after 5 s. Idempotent.
    func stop() {
        guard isRunning else { return }
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exited = true
        }
    }
}
