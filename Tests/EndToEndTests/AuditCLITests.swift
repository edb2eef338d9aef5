import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the session-10 audit of the README found at the command line: a `--db` that is no regular
/// file (a named pipe, a device), a damaged database file, an unknown reason code and an admin
/// action refused for every id each get a sentence naming what was wrong, a non-zero exit, and
/// change nothing (and never hang).
final class AuditCLITests: CLITestCase {
    /// Runs `args` with `--db path`; it must fail within `seconds`, saying `says` (PATH: the path).
    func refused(_ args: [String], db path: String, says: String, seconds: Double = 60,
                 file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLIRunner.run(args + ["--db", path], stdin: "", timeout: seconds)
        let what = "affdesk \(args.joined(separator: " ")) --db \(path)"
        XCTAssertFalse(r.timedOut, "\(what) hung", file: file, line: line)
        XCTAssertNotEqual(r.status, 0, "\(what) succeeded:\n\(r.stdout)", file: file, line: line)
        let expected = says.replacingOccurrences(of: "PATH", with: path)
        XCTAssertTrue(r.stderr.contains(expected), "\(what): stderr lacks \"\(expected)\":\n\(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("SQLite refused it"), "\(what): \(r.stderr)", file: file, line: line)
    }

    static let commands: [[String]] = [["init"], ["customers", "list"], ["customers", "set-status", "u1", "ended"], ["check"]]

    func testANamedPipeOrADeviceIsNoDatabaseAndNothingWaitsOnIt() throws {
        let fifo = dir + "/pipe.sqlite"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for args in Self.commands {
            try refused(args, db: fifo, says: "PATH is a named pipe (FIFO), not a database file", seconds: 30)
            try refused(args, db: "/dev/full", says: "PATH is a character device, not a database file")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: fifo + "-wal"))
    }

    func testADamagedDatabaseIsNamedAndLeftAsItWas() throws {
        try affdesk("init", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: db))
        let cut = dir + "/cut.sqlite"
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        let before = FileManager.default.contents(atPath: cut)
        for args in Self.commands.dropFirst() {
            try refused(args, db: cut, says: "PATH is damaged (SQLite: database disk image is malformed); affdesk changed nothing")
        }
        XCTAssertEqual(FileManager.default.contents(atPath: cut), before)
    }

    func testAnUnknownReasonCodeIsRefusedNotAnEmptyList() throws {
        try affdesk("init", "--db", db)
        let r = try affdeskFailing("events", "list", "--reason", "customer_caped", "--db", db)
        XCTAssertTrue(r.stderr.contains(#"--reason: "customer_caped" is not a reason or note code"#), r.stderr)
        try affdesk("events", "list", "--rejected", "--reason", "customer_capped", "--db", db)
        try affdesk("events", "list", "--reason", "refund_reversed", "--db", db)
    }

    func testAnAdminActionRefusedForEveryIdSaysNothingChanged() throws {
        try affdesk("init", "--db", db)
        let one = try affdeskFailing("commissions", "approve", "7", "--db", db)
        XCTAssertTrue(one.stdout.contains("refused unknown_commission"), one.stdout)
        XCTAssertTrue(one.stderr.contains("refused; nothing was changed"), one.stderr)
        XCTAssertFalse(one.stderr.contains("the others were applied"), one.stderr)
        let two = try affdeskFailing("commissions", "hold", "7", "8", "--db", db)
        XCTAssertTrue(two.stderr.contains("all 2 refused; nothing was changed"), two.stderr)
    }

    func testAConversionAddedByHandKeepsTheIdentifierLimit() throws {
        try affdesk("init", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        let long = String(repeating: "a", count: 257)
        let r = try affdeskFailing("conversions", "add", "--external-id", long, "--amount", "5.00", "--affiliate", "alice", "--db", db)
        XCTAssertTrue(r.stderr.contains("external_id is 257 bytes long; at most 256 are allowed"), r.stderr)
        XCTAssertTrue(try affdesk("conversions", "list", "--db", db).stdout.contains("0 conversions"))
        try affdesk("conversions", "add", "--external-id", String(long.dropFirst()), "--amount", "5.00", "--affiliate", "alice", "--db", db)
    }

    func testAnExportToADirectoryOrAMissingOneIsSaidInWords() throws {
        try affdesk("init", "--db", db)
        let toDir = try affdeskFailing("payouts", "export", "--format", "csv", "--output", dir, "--db", db)
        XCTAssertTrue(toDir.stderr.contains("--output: \(dir!) is a directory: give a file's path"), toDir.stderr)
        let missing = dir + "/no/such/payouts.csv"
        let r = try affdeskFailing("payouts", "export", "--format", "csv", "--output", missing, "--db", db)
        XCTAssertTrue(r.stderr.contains("the directory \(dir!)/no/such does not exist; the export was not written"), r.stderr)
    }

    /// A payout's reference is printed by `payouts show` and shown to the affiliate: a line break
    /// in it forged a line of the output ("reference  PP-1" then "paid to: ..." on a line of its own).
    func testAPaymentReferenceCannotCarryALineBreak() throws {
        try affdesk("init", "--db", db)
        try affdesk("program", "set", "--holding-days", "0", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--email", "alice@example.com", "--db", db)
        try affdesk("conversions", "add", "--external-id", "o1", "--amount", "100.00", "--affiliate", "alice",
                    "--at", "2026-01-05T10:00:00Z", "--db", db)
        XCTAssertTrue(try affdesk("payouts", "create", "--through", "2026-01-31", "--db", db).stdout.contains("payout #1"))
        for bad in ["PP-1\nforged line", "PP-1\u{202E}", String(repeating: "r", count: 257)] {
            let r = try affdeskFailing("payouts", "mark-paid", "1", "--reference", bad, "--db", db)
            XCTAssertTrue(r.stderr.contains("reference: "), r.stderr)
        }
        XCTAssertTrue(try affdesk("payouts", "show", "1", "--db", db).stdout.contains("payout     #1 open"))
        try affdesk("payouts", "mark-paid", "1", "--reference", "  PP-1 ", "--db", db)
        let shown = try affdesk("payouts", "show", "1", "--db", db).stdout
        XCTAssertTrue(shown.contains("payout     #1 paid") && shown.contains("reference  PP-1\n"), shown)
    }

    /// "-5.00" was read as an option name: "Missing value for '--amount <amount>'".
    func testANegativeAmountIsRefusedByTheRulesNotTheParser() throws {
        try affdesk("init", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        let r = try affdeskFailing("conversions", "add", "--external-id", "o1", "--amount", "-5.00", "--affiliate", "alice", "--db", db)
        XCTAssertTrue(r.stderr.contains("invalid_amount") && r.stderr.contains("-5.00 USD is not positive"), r.stderr)
    }
}

