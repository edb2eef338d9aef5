import AttributionCore
import AttributionStore
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `affdesk` dashboard in tmux: the demo end to end (tabs, mouse, filter, status
/// change, reassignment, resizes, quit), Ctrl-C, live refresh while another process ingests,
/// the plain-text fallbacks and NO_COLOR. Every wait polls the screen (or a file) with a time
/// limit; the limits are generous because builds run beside the tests on a small machine, and
/// they cost nothing when the program is quick.
///
/// Each run wraps the binary in a small shell script that records `stty -g` before and after
/// it, prints "AFTER-EXIT <status>" and waits for Enter, so the terminal the program leaves
/// behind (tty modes, the normal screen, mouse and keypad modes) can be inspected while the
/// pane is still alive.
final class DashboardTmuxTests: TmuxProgramTestCase {
    // MARK: - 1. The demo, end to end

    func testDemoFlow() throws {
        let db = dir + "/demo.sqlite"
        let tmux = try Tmux(command: wrapped("demo --db \(q(db))"), width: 100, height: 30)
        defer { tmux.kill() }

        // The demo builds, then opens on Customers.
        try waitForTab(tmux, .customers, timeout: demoTimeout)
        try assertTakenOver(tmux)
        let total = try Store(path: db, readOnly: true).customerCount()
        XCTAssertGreaterThan(total, 1000)
        try tmux.waitUntil("the status bar's row count 1/\(total)", timeout: uiTimeout) { statusLine($0).hasSuffix(" 1/\(total)") }

        // Tabs: Tab and Shift-Tab (both wrap), numbers, and mouse clicks on the labels.
        for (key, tab) in [("Tab", Tab.conversions), ("Tab", .caps), ("BTab", .conversions), ("BTab", .customers),
                           ("BTab", .affiliates), ("BTab", .payouts), ("BTab", .commissions), ("Tab", .payouts), ("Tab", .affiliates)] {
            tmux.sendKeys(key)
            try waitForTab(tmux, tab, after: key)
        }
        for (key, tab) in [("5", Tab.triage), ("6", .audit), ("4", .caps), ("7", .settings), ("8", .commissions), ("9", .payouts), ("1", .affiliates),
                           ("3", .conversions), ("2", .customers)] {
            tmux.sendKeys(key)
            try waitForTab(tmux, tab, after: key)
        }
        for tab in [Tab.audit, .triage, .affiliates, .customers] {
            let x = try XCTUnwrap(labelColumn(tmux.capture(), tab), "tab label \(tab.label) not on the tab bar")
            tmux.click(x: x, y: 1)
            try waitForTab(tmux, tab, after: "a click on \"\(tab.label)\"")
        }
        // A click on a row selects it; the wheel moves the selection three rows.
        tmux.click(x: 10, y: 7)
        try tmux.waitUntil("row 5 selected by a click", timeout: uiTimeout) { statusLine($0).hasSuffix(" 5/\(total)") }
        tmux.wheel(up: false, x: 10, y: 7)
        try tmux.waitUntil("row 8 selected by the wheel", timeout: uiTimeout) { statusLine($0).hasSuffix(" 8/\(total)") }
        tmux.wheel(up: true, x: 10, y: 7)
        try tmux.waitUntil("row 5 selected by the wheel", timeout: uiTimeout) { statusLine($0).hasSuffix(" 5/\(total)") }
        tmux.sendKeys("g")
        try tmux.waitUntil("row 1 selected", timeout: uiTimeout) { statusLine($0).hasSuffix(" 1/\(total)") }

        // Resizes: each screen is exactly what the dashboard draws at that size (the same
        // database rendered by `--snapshot` in another process), with the tab bar and the
        // status bar; 50x12 is below the minimum and says what is needed.
        for (w, h) in [(80, 24), (60, 16), (50, 12), (120, 40), (100, 30)] {
            tmux.resize(width: w, height: h)
            let screen = try waitForSnapshot(tmux, db: db, width: w, height: h)
            if w < 60 || h < 16 {
                XCTAssertTrue(screen.contains { $0.contains("Terminal too small") }, screen.joined(separator: "\n"))
                XCTAssertTrue(screen.contains { $0.contains("affdesk needs at least 60x16") }, screen.joined(separator: "\n"))
                XCTAssertTrue(screen.contains { $0.contains("now \(w)x\(h)") }, screen.joined(separator: "\n"))
            } else {
                XCTAssertTrue(screen[1].contains("1 Aff") && screen[1].contains("7 Set") && screen[1].contains("9 Pay"), "tab bar at \(w)x\(h): \(screen[1])")
                XCTAssertTrue(screen[h - 1].hasPrefix(" q quit  ? help"), "status bar at \(w)x\(h): \(screen[h - 1])")
                XCTAssertFalse(screen.contains { $0.contains("Terminal too small") }, "stale text at \(w)x\(h)")
            }
        }
        // A dialog open across a resize is drawn again, centred on the new size.
        tmux.sendKeys("s")
        try waitForAll(tmux, ["Status of ", "↑/↓ choose · Enter · Esc cancel"])
        tmux.resize(width: 70, height: 20)
        try waitForSnapshot(tmux, db: db, width: 70, height: 20, keys: "s")
        tmux.sendKeys("Escape")
        tmux.resize(width: 100, height: 30)
        try waitForSnapshot(tmux, db: db, width: 100, height: 30)

        try checkFilter(tmux, db: db, total: total)
        try checkStatusChange(tmux, db: db)
        try checkReassign(tmux, db: db)

        tmux.sendKeys("q")
        try assertRestored(tmux, after: "q")
    }

    /// `/` and a key prefix: only matching rows, in the store's order; Enter keeps the
    /// filter, Esc clears it.
    func checkFilter(_ tmux: Tmux, db: String, total: Int) throws {
        let prefix = "usr_1000"
        let store = try Store(path: db, readOnly: true)
        let query = CustomerQuery(filter: prefix)
        let matching = try store.customerCount(query)
        XCTAssertGreaterThan(matching, 0)
        XCTAssertLessThan(matching, total)

        tmux.sendKeys("/")
        try tmux.waitFor(" / █", timeout: uiTimeout)
        tmux.type(prefix)
        // The rows between the header and the filter line: the store's first matches.
        let room = tmux.height - 5
        let expected = try store.customers(query, page: .first(room)).map(\.key)
        XCTAssertEqual(expected.count, min(room, matching))
        var screen = try tmux.waitUntil("the filtered list \(expected)", timeout: uiTimeout) {
            statusLine($0).hasSuffix(" 1/\(matching)") && $0.contains { $0.hasPrefix(" / \(prefix)█") } && rowKeys($0) == expected
        }
        var keys = rowKeys(screen)
        for k in keys { XCTAssertTrue(k.hasPrefix(prefix), "\(k) does not match the filter \(prefix)") }

        tmux.sendKeys("Enter")
        screen = try tmux.waitUntil("the kept filter", timeout: uiTimeout) {
            $0.contains { $0.hasPrefix(" / \(prefix) ") && $0.hasSuffix("(filter · Esc clears)") }
                && statusLine($0).hasSuffix(" 1/\(matching)")
        }
        XCTAssertEqual(rowKeys(screen), keys)

        tmux.sendKeys("Escape")
        let all = try store.customers(CustomerQuery(), page: .first(room)).map(\.key)
        screen = try tmux.waitUntil("the filter cleared", timeout: uiTimeout) {
            statusLine($0).hasSuffix(" 1/\(total)") && !$0.contains { $0.hasPrefix(" / ") } && rowKeys($0) == all
        }
        keys = rowKeys(screen)
        XCTAssertTrue(keys.contains { !$0.hasPrefix(prefix) }, "still filtered: \(keys)")
    }

    /// `s`, a target from the menu, the confirmation "before → after", `y`: the status
    /// changes and is audited. The same with `n` changes nothing.
    func checkStatusChange(_ tmux: Tmux, db: String) throws {
        // The first row.
        tmux.sendKeys("g")
        var screen = try tmux.waitUntil("row 1 selected", timeout: uiTimeout) { statusLine($0).contains(" 1/") }
        let row = try XCTUnwrap(rowFields(screen, row: 0))
        let (key, before) = (row[0], row[2])
        let store = try Store(path: db, readOnly: true)
        let settings = try store.settings()
        XCTAssertEqual(settings.label(try XCTUnwrap(store.customer(key: key)).status), before, "the screen shows \(key)'s status")
        let auditBefore = try store.auditCount()

        tmux.sendKeys("s")
        screen = try waitForAll(tmux, ["Status of \(key) (now \(before))", "↑/↓ choose · Enter · Esc cancel"])
        let items = menuItems(screen)
        XCTAssertFalse(items.isEmpty, screen.joined(separator: "\n"))
        XCTAssertFalse(items.contains(before), "the menu offers the current status")
        // The last target offered (for an active customer: the end status).
        for _ in 1..<max(1, items.count) { tmux.sendKeys("Down") }
        let after = try XCTUnwrap(items.last)
        try tmux.waitFor("▶ \(after)", timeout: uiTimeout)
        tmux.sendKeys("Enter")
        // The confirmation: what changes, before → after.
        try waitForAll(tmux, ["Change status?", "Customer  \(key)", "Status    \(before) → \(after)", "y confirm · n / Esc cancel"])
        tmux.sendKeys("y")
        try tmux.waitFor("\(key): status is now \(after).", timeout: uiTimeout)
        // The list shows it too (read again after the change).
        try tmux.waitUntil("\(key) shown as \(after)", timeout: uiTimeout) { s in
            s.contains { $0.hasPrefix(" \(key) ") && $0.split(separator: " ").dropFirst(2).first.map(String.init) == after }
        }

        let changed = try XCTUnwrap(store.customer(key: key))
        XCTAssertEqual(settings.label(changed.status), after)
        XCTAssertEqual(try store.auditCount(), auditBefore + 1)
        let entry = try XCTUnwrap(store.audit(page: .first(1)).first)
        XCTAssertEqual(entry.action, "customer.status")
        XCTAssertEqual(entry.target, key)
        XCTAssertEqual(entry.before, before)
        XCTAssertEqual(entry.after, after)
        XCTAssertEqual(entry.who, currentUserName())

        // A change cancelled with `n`, on the next row.
        tmux.sendKeys("Down")
        screen = try tmux.waitUntil("row 2 selected", timeout: uiTimeout) { statusLine($0).contains(" 2/") }
        let other = try XCTUnwrap(rowFields(screen, row: 1))
        let (otherKey, otherStatus) = (other[0], other[2])
        XCTAssertNotEqual(otherKey, key)
        let otherBefore = try XCTUnwrap(store.customer(key: otherKey))
        tmux.sendKeys("s")
        screen = try waitForAll(tmux, ["Status of \(otherKey) (now \(otherStatus))", "↑/↓ choose · Enter · Esc cancel"])
        let target = try XCTUnwrap(menuItems(screen).first)
        tmux.sendKeys("Enter")
        try waitForAll(tmux, ["Change status?", "Status    \(otherStatus) → \(target)", "y confirm · n / Esc cancel"])
        tmux.sendKeys("n")
        // The message, and the confirmation gone.
        try waitForAll(tmux, ["Cancelled: nothing was changed."], absent: ["Change status?", "y confirm"])
        XCTAssertEqual(try store.customer(key: otherKey), otherBefore, "a cancelled change changed the customer")
        XCTAssertEqual(try store.auditCount(), auditBefore + 1, "a cancelled change was audited")
    }

    /// `r`, part of another affiliate's code in the picker, Enter, `y`: the customer moves.
    func checkReassign(_ tmux: Tmux, db: String) throws {
        // The third row.
        tmux.sendKeys("Down")
        let screen = try tmux.waitUntil("row 3 selected", timeout: uiTimeout) { statusLine($0).contains(" 3/") }
        let row = try XCTUnwrap(rowFields(screen, row: 2))
        let (key, current) = (row[0], row[1])
        let store = try Store(path: db, readOnly: true)
        XCTAssertEqual(try store.customer(key: key)?.affiliateCode, current)
        // Another affiliate, and a part of its code that only it matches.
        let (target, part) = current == "yamada" ? ("lukasz", "ukas") : ("yamada", "amad")
        let targetName = try XCTUnwrap(store.affiliate(code: target)).name
        let auditBefore = try store.auditCount()

        tmux.sendKeys("r")
        // The picker, with the affiliates loaded (the current one is marked).
        try waitForAll(tmux, ["Reassign \(key) to…", " \(current) ", "(current)", "Enter choose · Esc cancel"])
        tmux.type(part)
        try waitForAll(tmux, ["Filter: \(part)█", "▶ \(target) ", "Enter choose · Esc cancel"], absent: ["(current)"])
        tmux.sendKeys("Enter")
        try waitForAll(tmux, ["Reassign customer?", "Customer  \(key)", "Affiliate \(current) → \(target) (\(targetName))",
                              "y confirm · n / Esc cancel"])
        tmux.sendKeys("y")
        try tmux.waitFor("\(key) now belongs to \(target)", timeout: uiTimeout)
        try tmux.waitUntil("\(key) shown with \(target)", timeout: uiTimeout) { s in
            s.contains { $0.hasPrefix(" \(key) ") && $0.split(separator: " ").dropFirst().first.map(String.init) == target }
        }

        XCTAssertEqual(try store.customer(key: key)?.affiliateCode, target)
        XCTAssertEqual(try store.auditCount(), auditBefore + 1)
        let entry = try XCTUnwrap(store.audit(page: .first(1)).first)
        XCTAssertEqual(entry.action, "customer.reassign")
        XCTAssertEqual(entry.target, key)
        XCTAssertEqual(entry.before, current)
        XCTAssertEqual(entry.after, target)
    }

    // MARK: - 2. Ctrl-C

    func testCtrlCQuitsAndRestoresTheTerminal() throws {
        let db = try makeProgram()
        // On the main screen.
        do {
            let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 80, height: 24)
            defer { tmux.kill() }
            try waitForTab(tmux, .customers)
            try assertTakenOver(tmux)
            tmux.sendKeys("C-c")
            try assertRestored(tmux, after: "Ctrl-C")
        }
        // With the help open and while the filter is being typed.
        for keys in [["?"], ["/", "x"]] {
            let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 80, height: 24)
            defer { tmux.kill() }
            try waitForTab(tmux, .customers)
            tmux.sendKeys(keys[0])
            if keys[0] == "?" { try waitForAll(tmux, ["Keys · ? or Esc closes", "Quit (also Ctrl-C)"]) }
            if keys.count > 1 {
                tmux.type(keys[1])
                try tmux.waitFor(" / \(keys[1])█", timeout: uiTimeout)
            }
            tmux.sendKeys("C-c")
            try assertRestored(tmux, after: "Ctrl-C after \(keys.joined(separator: " "))")
        }
        // SIGTERM from outside (not a key: the keyboard is in raw mode) also gives the
        // terminal back; the status then says it did not end normally.
        #if os(Linux)
        do {
            let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 80, height: 24)
            defer { tmux.kill() }
            try waitForTab(tmux, .customers)
            let pid = try affdeskPID(tmux)
            XCTAssertEqual(kill(pid, SIGTERM), 0)
            try assertRestored(tmux, after: "SIGTERM", status: nil)
        }
        #endif
    }

    // MARK: - 3. Live refresh

    func testNewCustomerFromAnotherProcessAppearsWithoutAKey() throws {
        let db = try makeProgram()
        let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 100, height: 30)
        defer { tmux.kill() }
        try waitForTab(tmux, .customers)
        let screen = try tmux.waitUntil("cust_first, 1 row", timeout: uiTimeout) {
            $0.contains { $0.hasPrefix(" cust_first ") } && statusLine($0).hasSuffix(" 1/1")
        }
        XCTAssertFalse(screen.contains { $0.contains("cust_live") })

        let now = Int(Date().timeIntervalSince1970)
        let file = try write("live.jsonl", [
            #"{"type":"click","click_id":"live-c1","affiliate":"bob","at":\#(now - 3600)}"#,
            #"{"type":"signup","customer_key":"cust_live","click_id":"live-c1","at":\#(now - 1800)}"#,
            #"{"type":"conversion","external_id":"live-inv-1","amount":"49.00","customer_key":"cust_live","at":\#(now - 600)}"#,
        ])
        let r = try affdesk("ingest", file, "--no-progress", "--db", db)
        XCTAssertTrue(r.stdout.contains("3 recorded"), r.stdout)

        // No key is pressed: the dashboard notices the change by itself.
        try tmux.waitUntil("cust_live (bob, Paying, 1 conversion) on screen, 2 rows", timeout: uiTimeout) { screen in
            screen.contains { $0.split(separator: " ").prefix(4) == ["cust_live", "bob", "Paying", "1"] }
                && screen.contains { $0.hasPrefix(" cust_first ") } && statusLine(screen).hasSuffix("/2")
        }

        tmux.sendKeys("q")
        try assertRestored(tmux, after: "q")
    }

    // MARK: - 4. Plain-text fallbacks

    func testTermDumbPrintsThePlainSummary() throws {
        let db = try makeProgram()
        // The command waits for Enter so that every byte it writes is captured.
        let raw = dir + "/raw.out"
        let tmux = try Tmux(command: "read go; TERM=dumb \(q(bin)) dashboard --db \(q(db)); code=$?; echo \"AFTER-EXIT $code\"; read _; exit $code",
                            width: 100, height: 30)
        defer { tmux.kill() }
        try tmuxControl(tmux, ["pipe-pane", "-o", "-t", "=main:", "cat > \(q(raw))"])
        tmux.sendKeys("Enter")
        let screen = try tmux.waitFor("AFTER-EXIT", timeout: uiTimeout)
        XCTAssertTrue(screen.contains("AFTER-EXIT 0"), screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("affdesk: no full-screen terminal (TERM is dumb); printing a plain-text summary instead.") },
                      screen.joined(separator: "\n"))
        assertSummary(screen.joined(separator: "\n"))
        XCTAssertEqual(try paneFlags(tmux)["alternate_on"], "0")

        let bytes = try waitForFile(raw, containing: "AFTER-EXIT")
        XCTAssertFalse(bytes.contains(0x1B), "escape sequences in the output: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        tmux.sendKeys("Enter")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }

    func testNoTerminalPrintsThePlainSummary() throws {
        let db = try makeProgram()

        // Neither stdin nor stdout a terminal (TERM says it could draw).
        let env = CLIRunner.environment(["TERM": "xterm-256color"])
        let r = try Spawn.run(bin, ["dashboard", "--db", db], environment: env, timeout: 120)
        XCTAssertFalse(r.timedOut)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.output.hasPrefix("affdesk: no full-screen terminal (standard input is not a terminal); printing a plain-text summary instead.\n"),
                      r.output)
        XCTAssertFalse(r.output.contains("\u{1B}"), r.output.debugDescription)
        assertSummary(r.output)
        let spawnSummary = r.output.split(separator: "\n", maxSplits: 1).last.map(String.init) ?? ""

        // A terminal on stdin, stdout to a file: the same summary, and the terminal untouched.
        let out = dir + "/out.txt", err = dir + "/err.txt"
        let tmux = try Tmux(command: "\(q(bin)) dashboard --db \(q(db)) > \(q(out)) 2> \(q(err)); code=$?; echo \"AFTER-EXIT $code\"; read _; exit $code",
                            width: 100, height: 30)
        defer { tmux.kill() }
        let screen = try tmux.waitFor("AFTER-EXIT", timeout: uiTimeout)
        XCTAssertEqual(screen.first, "AFTER-EXIT 0", screen.joined(separator: "\n"))
        XCTAssertEqual(try paneFlags(tmux)["alternate_on"], "0")
        let stdout = try String(contentsOfFile: out, encoding: .utf8)
        let stderr = try String(contentsOfFile: err, encoding: .utf8)
        XCTAssertEqual(stderr, "affdesk: no full-screen terminal (standard output is not a terminal); printing a plain-text summary instead.\n")
        XCTAssertFalse(stdout.contains("\u{1B}"), stdout.debugDescription)
        XCTAssertEqual(stdout, spawnSummary)
        tmux.sendKeys("Enter")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }

    // MARK: - 5. Colour

    func testNoColorDrawsWithAttributesOnly() throws {
        let db = try makeProgram()
        // Control: by default the screen has colours.
        do {
            let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))"), width: 100, height: 30)
            defer { tmux.kill() }
            try waitForSmallProgram(tmux)
            let styled = tmux.captureStyled()
            XCTAssertFalse(colourSequences(styled).isEmpty, "no colours by default:\n" + styled.joined(separator: "\n"))
            tmux.sendKeys("q")
            try assertRestored(tmux, after: "q")
        }
        for (label, args, variables) in [("NO_COLOR=1", "", "NO_COLOR=1 "), ("--no-color", " --no-color", "")] {
            let tmux = try Tmux(command: wrapped("dashboard --db \(q(db))\(args)", variables: variables), width: 100, height: 30)
            defer { tmux.kill() }
            try waitForSmallProgram(tmux)
            let styled = tmux.captureStyled()
            XCTAssertEqual(colourSequences(styled), [], "\(label): colours on screen")
            // Attributes still mark the status bar and the selection (reverse) and the header (bold).
            let params = sgrParameters(styled)
            XCTAssertTrue(params.contains(7), "\(label): nothing in reverse")
            XCTAssertTrue(params.contains(1), "\(label): nothing in bold")
            tmux.sendKeys("q")
            try assertRestored(tmux, after: "q with \(label)")
        }
    }

    // MARK: - Helpers: programs


    func write(_ name: String, _ lines: [String]) throws -> String {
        let path = dir + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A small program: two affiliates, one paying customer of alice's (cust_first), one
    /// rejected event.
    func makeProgram() throws -> String {
        let db = dir + "/small.sqlite"
        try affdesk("init", "--name", "E2E program", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        try affdesk("affiliates", "add", "--code", "bob", "--name", "Bob", "--db", db)
        let now = Int(Date().timeIntervalSince1970)
        let file = try write("setup.jsonl", [
            #"{"type":"click","click_id":"c1","affiliate":"alice","at":\#(now - 86_400)}"#,
            #"{"type":"trial","customer_key":"cust_first","click_id":"c1","at":\#(now - 80_000)}"#,
            #"{"type":"conversion","external_id":"inv-1","amount":"29.00","customer_key":"cust_first","at":\#(now - 70_000)}"#,
            #"{"type":"click","click_id":"c2","affiliate":"nobody","at":\#(now - 60_000)}"#,
        ])
        try affdesk("ingest", file, "--no-progress", "--db", db)
        return db
    }

    /// The plain-text summary of `makeProgram`'s program.
    func assertSummary(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for expected in ["E2E program — SaaS, recurring on", "customers: 0 Trial, 1 Paying, 0 Capped, 0 Canceled",
                         "events: 3 accepted, 1 rejected", "top affiliates by earnings:", "rejected events by reason:", "unknown_affiliate"] {
            XCTAssertTrue(text.contains(expected), "\"\(expected)\" missing from:\n\(text)", file: file, line: line)
        }
        let lines = text.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("alice ") }, text, file: file, line: line)
        XCTAssertTrue(lines.contains { $0.hasPrefix("bob ") }, text, file: file, line: line)
    }

    func currentUserName() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
    }

    // MARK: - Helpers: the terminal before and after

    /// `affdesk args` in a script that records the tty modes before and after it, then prints
    /// "AFTER-EXIT <status>" and waits for Enter before exiting with affdesk's status.
    /// NO_COLOR is unset (`swift test` sets it, and tmux passes the test's environment on to
    /// the pane); `variables` ("NAME=value ") go before the command.
    func wrapped(_ args: String, variables: String = "") -> String {
        "unset NO_COLOR; rm -f \(q(dir + "/stty.after")); stty -g > \(q(dir + "/stty.before")); "
            + "\(variables)\(q(bin)) \(args); code=$?; stty -g > \(q(dir + "/stty.after")); "
            + "echo \"AFTER-EXIT $code\"; read _; exit $code"
    }

    /// Runs a tmux command on the test's server.
    @discardableResult
    func tmuxControl(_ tmux: Tmux, _ args: [String]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "tmux-256color"
        env.removeValue(forKey: "TMUX")
        let r = try Spawn.run(try XCTUnwrap(Spawn.which("tmux")), ["-L", tmux.socket, "-f", "/dev/null"] + args, environment: env, timeout: 10)
        guard r.status == 0, !r.timedOut else { throw Tmux.TmuxError.failed(args.first ?? "tmux", r.output) }
        return r.output
    }

    static let flagNames = ["alternate_on", "cursor_flag", "keypad_cursor_flag", "keypad_flag", "mouse_any_flag",
                            "mouse_button_flag", "mouse_standard_flag", "mouse_sgr_flag", "insert_flag", "wrap_flag"]

    /// The pane's terminal modes as tmux tracks them: alternate screen, cursor visible, keypad
    /// and mouse modes.
    func paneFlags(_ tmux: Tmux) throws -> [String: String] {
        let out = try tmuxControl(tmux, ["display-message", "-p", "-t", "=main:",
                                         DashboardTmuxTests.flagNames.map { "#{\($0)}" }.joined(separator: " ")])
        let values = out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(DashboardTmuxTests.flagNames, values))
    }

    /// While the dashboard runs: the alternate screen, no cursor, keypad mode, and (unless
    /// --no-mouse) mouse reporting. The control for `assertRestored`.
    func assertTakenOver(_ tmux: Tmux, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try paneFlags(tmux)
        XCTAssertEqual(f["alternate_on"], "1", "\(f)", file: file, line: line)
        XCTAssertEqual(f["cursor_flag"], "0", "\(f)", file: file, line: line)
        XCTAssertEqual(f["keypad_cursor_flag"], "1", "\(f)", file: file, line: line)
        XCTAssertEqual(f["mouse_standard_flag"], "1", "\(f)", file: file, line: line)
    }

    /// After the program ended: status 0, the normal screen with what was there before and
    /// nothing of the dashboard, the tty modes as they were, the cursor back, keypad and mouse
    /// modes off. Then lets the script end and checks its status too.
    /// `status` nil: any status but 0.
    func assertRestored(_ tmux: Tmux, after what: String, status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws {
        let screen = try tmux.waitFor("AFTER-EXIT", timeout: uiTimeout)
        let text = screen.joined(separator: "\n")
        let code = screen.lazy.compactMap { $0.hasPrefix("AFTER-EXIT ") ? Int32($0.dropFirst("AFTER-EXIT ".count)) : nil }.first
        if let status {
            XCTAssertEqual(code, status, "exit status after \(what):\n\(text)", file: file, line: line)
        } else {
            XCTAssertNotNil(code, "no exit status after \(what):\n\(text)", file: file, line: line)
            XCTAssertNotEqual(code, 0, "exit status after \(what):\n\(text)", file: file, line: line)
        }
        XCTAssertFalse(screen.contains { $0.contains("1 Affi") || $0.contains("q quit") || $0.contains("affdesk ·") },
                       "dashboard left on screen after \(what):\n\(text)", file: file, line: line)
        let before = try String(contentsOfFile: dir + "/stty.before", encoding: .utf8)
        let after = try String(contentsOfFile: dir + "/stty.after", encoding: .utf8)
        XCTAssertFalse(before.isEmpty, file: file, line: line)
        XCTAssertEqual(after, before, "tty modes after \(what)", file: file, line: line)
        let f = try paneFlags(tmux)
        let expected = ["alternate_on": "0", "cursor_flag": "1", "keypad_cursor_flag": "0", "keypad_flag": "0", "mouse_any_flag": "0",
                        "mouse_button_flag": "0", "mouse_standard_flag": "0", "mouse_sgr_flag": "0", "insert_flag": "0", "wrap_flag": "1"]
        XCTAssertEqual(f, expected, "terminal modes after \(what)", file: file, line: line)
        tmux.sendKeys("Enter")
        let scriptStatus = try tmux.waitForExit(timeout: uiTimeout)
        if let code { XCTAssertEqual(scriptStatus, code, "script status after \(what)", file: file, line: line) }
    }

    /// The pid of the affdesk process under the pane's shell (polled: it may be starting).
    /// Reads /proc (Linux).
    func affdeskPID(_ tmux: Tmux) throws -> pid_t {
        let shell = try XCTUnwrap(tmux.panePID)
        let name = String((bin as NSString).lastPathComponent.prefix(15))   // comm is cut at 15 bytes
        let deadline = Date().addingTimeInterval(uiTimeout)
        while true {
            var queue = [shell]
            while let p = queue.popLast() {
                let comm = (try? String(contentsOfFile: "/proc/\(p)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if comm == name { return p }
                let children = (try? String(contentsOfFile: "/proc/\(p)/task/\(p)/children", encoding: .utf8)) ?? ""
                queue += children.split(separator: " ").compactMap { pid_t($0) }
            }
            if Date() >= deadline { throw Tmux.TmuxError.failed("ps", "no affdesk process under pid \(shell) in /proc") }
            usleep(50_000)
        }
    }

    /// Polls a file until it contains `text`; returns its bytes.
    func waitForFile(_ path: String, containing text: String, timeout: Double = 30) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let bytes = FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
            if String(decoding: bytes, as: UTF8.self).contains(text) { return bytes }
            if Date() >= deadline {
                XCTFail("\(path) never contained \"\(text)\": \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                return bytes
            }
            usleep(50_000)
        }
    }

    // MARK: - Helpers: reading the screen

    enum Tab: CaseIterable {
        case affiliates, customers, conversions, caps, triage, audit, settings, commissions, payouts

        /// The label on the tab bar (at 100 columns: "1 Affiliates").
        var label: String {
            switch self {
            case .affiliates: "1 Affiliates"
            case .customers: "2 Customers"
            case .conversions: "3 Conversions"
            case .caps: "4 Caps"
            case .triage: "5 Triage"
            case .audit: "6 Audit"
            case .settings: "7 Settings"
            case .commissions: "8 Commissions"
            case .payouts: "9 Payouts"
            }
        }

        /// Text only this tab shows in its first lines (a column header, the context line).
        var signature: String {
            switch self {
            case .affiliates: "Earnings / month"
            case .customers: "Last activity"
            case .conversions: "External id"
            case .caps: "Months"
            case .triage: "all rejected"
            case .audit: "Target"
            case .settings: "Program settings"
            case .commissions: "Approves/payout"
            case .payouts: "Reference"
            }
        }
    }

    /// Waits until the screen shows `tab` (and no other tab's header).
    @discardableResult
    func waitForTab(_ tmux: Tmux, _ tab: Tab, after what: String = "", timeout: Double? = nil) throws -> [String] {
        try tmux.waitUntil("the \(tab) tab\(what.isEmpty ? "" : " after \(what)")", timeout: timeout ?? uiTimeout) { screen in
            let top = screen.prefix(4)
            return Tab.allCases.allSatisfy { t in top.contains { $0.contains(t.signature) } == (t == tab) }
        }
    }

    /// Waits for `makeProgram`'s Customers screen, drawn whole.
    @discardableResult
    func waitForSmallProgram(_ tmux: Tmux) throws -> [String] {
        try waitForTab(tmux, .customers)
        return try tmux.waitUntil("the Customers screen", timeout: uiTimeout) {
            $0.contains { $0.hasPrefix(" cust_first ") } && statusLine($0).hasPrefix(" q quit  ? help") && statusLine($0).hasSuffix(" 1/1")
        }
    }

    /// Waits until every one of `texts` is on the screen and none of `absent` (a dialog is
    /// checked whole, not half drawn).
    @discardableResult
    func waitForAll(_ tmux: Tmux, _ texts: [String], absent: [String] = []) throws -> [String] {
        let what = texts.map { "\"\($0)\"" }.joined(separator: ", ") + (absent.isEmpty ? "" : " without " + absent.joined(separator: ", "))
        return try tmux.waitUntil(what, timeout: uiTimeout) { screen in
            texts.allSatisfy { t in screen.contains { $0.contains(t) } } && !absent.contains { t in screen.contains { $0.contains(t) } }
        }
    }

    /// The middle column of a tab's label on the tab bar.
    func labelColumn(_ screen: [String], _ tab: Tab) -> Int? {
        guard screen.count > 1, let r = screen[1].range(of: tab.label) else { return nil }
        // Columns are characters here: the tab bar is ASCII.
        return screen[1].distance(from: screen[1].startIndex, to: r.lowerBound) + tab.label.count / 2
    }

    /// The bottom line.
    func statusLine(_ screen: [String]) -> String { screen.last ?? "" }

    /// The customer keys of the list rows (between the header and the message line).
    func rowKeys(_ screen: [String]) -> [String] {
        guard screen.count > 5 else { return [] }
        return screen[3..<(screen.count - 2)].compactMap { line in
            guard line.hasPrefix(" "), !line.hasPrefix(" / "), let k = line.split(separator: " ").first else { return nil }
            return String(k)
        }
    }

    /// The whitespace-separated fields of a list row (0-based, the list scrolled to the top).
    func rowFields(_ screen: [String], row: Int) -> [String]? {
        guard screen.count > 3 + row else { return nil }
        let f = screen[3 + row].split(separator: " ").map(String.init)
        return f.count >= 3 ? f : nil
    }

    /// The choices of the status menu, top to bottom.
    func menuItems(_ screen: [String]) -> [String] {
        screen.compactMap { line -> String? in
            guard let bar = line.range(of: "│ ") else { return nil }
            let inner = line[bar.upperBound...]
            guard inner.hasPrefix("▶ ") || inner.hasPrefix("  ") else { return nil }
            let word = inner.dropFirst(2).prefix { $0 != " " && $0 != "│" }
            return word.isEmpty ? nil : String(word)
        }
    }

    /// Polls until the screen is exactly what `--snapshot` renders from the same database at
    /// this size (after `keys`, for a dashboard in the same state); fails with both screens
    /// otherwise. Returns the screen.
    @discardableResult
    func waitForSnapshot(_ tmux: Tmux, db: String, width: Int, height: Int, keys: String = "") throws -> [String] {
        let r = try affdesk("dashboard", "--db", db, "--snapshot", "\(width)x\(height)", "--keys", keys)
        var expected = r.stdout.components(separatedBy: "\n")
        if expected.last == "" { expected.removeLast() }
        XCTAssertEqual(expected.count, height)
        do {
            return try tmux.waitUntil("the \(width)x\(height) screen", timeout: uiTimeout) { $0 == expected }
        } catch {
            XCTFail("at \(width)x\(height) the screen is not the dashboard's frame.\nexpected:\n\(expected.joined(separator: "\n"))\n\(error)")
            throw error
        }
    }

    // MARK: - Helpers: SGR

    /// The parameters of every SGR sequence ("ESC [ ... m") in styled lines.
    func sgrSequences(_ lines: [String]) -> [[Int]] {
        var out: [[Int]] = []
        for line in lines {
            var rest = Substring(line)
            while let start = rest.range(of: "\u{1B}[") {
                let body = rest[start.upperBound...]
                guard let end = body.firstIndex(where: { $0.isLetter }) else { break }
                if body[end] == "m" {
                    let params = body[..<end].split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                    out.append(params.isEmpty ? [0] : params)
                }
                rest = body[body.index(after: end)...]
            }
        }
        return out
    }

    func sgrParameters(_ lines: [String]) -> Set<Int> { Set(sgrSequences(lines).flatMap { $0 }) }

    /// SGR sequences that set a colour (foreground, background or underline; 39 and 49, the
    /// default colours, do not count).
    func colourSequences(_ lines: [String]) -> [[Int]] {
        sgrSequences(lines).filter { params in
            var i = 0
            while i < params.count {
                let p = params[i]
                if p == 38 || p == 48 || p == 58 { return true }
                if (30...37).contains(p) || (40...47).contains(p) || (90...97).contains(p) || (100...107).contains(p) { return true }
                i += 1
            }
            return false
        }
    }
}
