import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sessions left alone stay open; a real hang-up still ends them at once; a crash shows
/// nothing on the terminal. The dashboard and the affiliate view in tmux, and the view over a
/// real sshd (skipped without OpenSSH). Linux (/proc).
final class TerminalSessionTests: XCTestCase {
    var program: SessionProgram!
    let timeout = 60.0
    /// How long the idle sessions are left alone.
    let idleSeconds = 60.0

    override func tearDownWithError() throws {
        if let s = program?.server, (testRun?.totalFailureCount ?? 0) > 0 { print("sshd log:\n" + s.log) }
        program?.remove()
    }

    var binName: String { (program.bin as NSString).lastPathComponent }

    /// The sessions of these tests: name, tmux command, text its first screen shows.
    func sessions(ssh: Bool) -> [(name: String, command: String, title: String)] {
        var all = [("the dashboard", program.affdeskCommand(""), "Session program"),
                   ("the affiliate view", program.affdeskCommand("view --affiliate alpha"), "Alma Alpha (alpha)")]
        if ssh { all.append(("the affiliate view over ssh", program.sshCommand(), "Alma Alpha (alpha)")) }
        return all
    }

    /// Left alone for a minute while both cores are busy, every session is still open, then
    /// answers a key (a tab switch) and quits with q. The sessions idle side by side.
    func testIdleSessionsStayOpenForAMinuteWhileTheCoresAreBusy() throws {
        program = try SessionProgram(test: self, ssh: true)
        let running = try sessions(ssh: true).map { s in
            (s.name, try Tmux(command: s.command, width: 100, height: 30))
        }
        defer { for (_, t) in running { t.kill() } }
        for ((name, tmux), s) in zip(running, sessions(ssh: true)) {
            // The whole first screen: its title and its status bar (a capture can land mid-draw).
            let screen = try tmux.waitUntil("\(name): its first screen", timeout: timeout) { lines in
                lines.contains { $0.contains(s.title) } && (lines.last { !$0.isEmpty }?.hasPrefix(" q quit") ?? false)
            }
            XCTAssertTrue(screen.contains { $0.contains(s.title) }, "\(name):\n\(screen.joined(separator: "\n"))")
        }

        let busy = try BusyLoops(count: max(2, ProcessInfo.processInfo.activeProcessorCount))
        defer { busy.stop() }
        let start = Date()
        var ended: [String] = []
        while Date().timeIntervalSince(start) < idleSeconds && ended.isEmpty {
            usleep(500_000)
            ended = running.filter { !$0.1.isRunning }.map { "\($0.0) after \(Int(Date().timeIntervalSince(start))) s" }
        }
        busy.stop()
        XCTAssertEqual(ended, [], "sessions that ended by themselves")

        for (name, tmux) in running {
            XCTAssertTrue(tmux.isRunning, "\(name) is gone:\n\(tmux.capture().joined(separator: "\n"))")
            tmux.sendKeys("2")
            let header = name == "the dashboard" ? " Customer " : " Date"
            try tmux.waitUntil("\(name): the second tab", timeout: timeout) { s in s.contains { $0.hasPrefix(header) } && s.contains { $0.contains("2/2") || $0.contains("1/2") } }
            tmux.sendKeys("q")
            XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 0, "\(name) after q")
        }
    }

    /// The pane closed (tmux killed) ends the dashboard and the view within a second, also
    /// when SIGHUP is ignored (then only the read failing with EIO / poll's POLLHUP tells).
    func testClosingTheTerminalEndsTheSessionWithinASecond() throws {
        program = try SessionProgram(test: self, ssh: false)
        for ignoreHUP in [false, true] {
            for s in sessions(ssh: false) {
                let command = (ignoreHUP ? "trap '' HUP; " : "") + s.command
                let tmux = try Tmux(command: command, width: 100, height: 30)
                defer { tmux.kill() }
                try tmux.waitFor(s.title, timeout: timeout)
                let pid = try Processes.waitForOne(name: binName, containing: [program.db])
                let killed = Date()
                tmux.kill()
                let seconds = Processes.secondsUntilGone(pid, since: killed, limit: 10)
                XCTAssertNotNil(seconds, "\(s.name) still running 10 s after its terminal closed (SIGHUP ignored: \(ignoreHUP))")
                if seconds == nil { kill(pid, SIGKILL) }
                XCTAssertLessThan(seconds ?? 99, 1, "\(s.name): seconds until it ended (SIGHUP ignored: \(ignoreHUP))")
            }
        }
    }

    /// The ssh client killed ends the remote view within a second.
    func testADroppedSSHConnectionEndsTheViewWithinASecond() throws {
        program = try SessionProgram(test: self, ssh: true)
        let tmux = try Tmux(command: program.sshCommand(), width: 100, height: 30)
        defer { tmux.kill() }
        try tmux.waitFor("Alma Alpha (alpha)", timeout: timeout)
        let client = try Processes.waitForOne(name: "ssh", containing: [program.key])
        let view = try Processes.waitForOne(name: binName, containing: ["view", program.db])
        let killed = Date()
        kill(client, SIGKILL)
        let seconds = Processes.secondsUntilGone(view, since: killed, limit: 10)
        XCTAssertNotNil(seconds, "the view still runs 10 s after its ssh connection was killed")
        if seconds == nil { kill(view, SIGKILL) }
        // The view ended by SIGHUP: its (empty) diverted standard error is left for the next
        // session to sweep; this test's is removed now.
        let home = String(cString: getpwuid(geteuid()).pointee.pw_dir)
        try? FileManager.default.removeItem(atPath: "\(home)/.local/state/affdesk/crashes/\(binName)-\(view).stderr")
        XCTAssertLessThan(seconds ?? 99, 1, "seconds until the view ended")
    }

    /// A crash (here a SIGSEGV sent to the process) shows nothing on the terminal, of the
    /// dashboard, the view and the view over ssh: the report goes to a file in the crash
    /// directory, without registers.
    func testACrashShowsNothingOnTheTerminal() throws {
        program = try SessionProgram(test: self, ssh: true)
        let home = String(cString: getpwuid(geteuid()).pointee.pw_dir)
        for (name, command, crashDir) in [("the dashboard", program.affdeskCommand(""), program.crashDir),
                                          ("the view", program.affdeskCommand("view --affiliate alpha"), program.crashDir),
                                          ("the view over ssh", program.sshCommand(), home + "/.local/state/affdesk/crashes")] {
            // After the end: the status on a line of its own, whatever state the terminal is in.
            let tmux = try Tmux(command: command + "; code=$?; stty sane; printf '\\r\\nAFTER-EXIT %d\\r\\n' $code; read _",
                                width: 100, height: 30)
            defer { tmux.kill() }
            try tmux.waitFor(name == "the dashboard" ? "Session program" : "Alma Alpha (alpha)", timeout: timeout)
            let pid = try Processes.waitForOne(name: binName, containing: name == "the dashboard" ? [program.db] : ["view", program.db])
            let report = "\(crashDir)/\(binName)-\(pid)-"
            // A signal sent from outside is caught as a crash; the backtracer reports it and
            // then lets the program go on (only a real fault ends it).
            kill(pid, SIGSEGV)
            // The report goes to the crash directory: once it is complete, nothing of it is on
            // the screen.
            let deadline = Date().addingTimeInterval(timeout)
            var text = ""
            var screen = ""
            while !text.contains("Backtrace took") && Date() < deadline {
                usleep(50_000)
                screen = tmux.capture().joined(separator: "\n")
                if crashReportMarkers.contains(where: screen.contains) { break }   // the old behaviour
                let files = (try? FileManager.default.contentsOfDirectory(atPath: crashDir)) ?? []
                text = files.map { crashDir + "/" + $0 }.first { $0.hasPrefix(report) && $0.hasSuffix(".log") }
                    .flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            }
            screen = tmux.capture().joined(separator: "\n")
            for marker in crashReportMarkers where screen.contains(marker) {
                XCTFail("\(name): \"\(marker)\" on the screen:\n\(screen)")
            }
            XCTAssertTrue(text.contains("Program crashed"), "\(name): no complete crash report \(report)*.log in \(crashDir)")
            XCTAssertFalse(text.contains("Registers:"), "registers (and the memory they point to) in the report:\n\(text)")
            if !Processes.isGone(pid) { kill(pid, SIGKILL) }
            try tmux.waitFor("AFTER-EXIT", timeout: timeout)
            if crashDir != program.crashDir {
                for f in (try? FileManager.default.contentsOfDirectory(atPath: crashDir)) ?? [] where f.hasPrefix("\(binName)-\(pid)-") || f == "\(binName)-\(pid).stderr" {
                    try? FileManager.default.removeItem(atPath: crashDir + "/" + f)
                }
            }
        }
    }
}
