import AttributionStore
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every fault of the database file gets one sentence naming the file and what to do, a non-zero
/// exit, and leaves the file exactly as it was: no command writes a schema into a file that holds
/// no program, and a command that only reads never writes at all.
final class DatabaseFaultTests: CLITestCase {
    /// Commands that only read the database.
    static let readers: [[String]] = [
        ["customers", "list"], ["customers", "show", "u1"], ["conversions", "list"], ["events", "list"], ["affiliates", "list"],
        ["program", "show"], ["program", "show", "--json"], ["triage", "u1"], ["ssh", "list-keys"], ["ssh", "authorized-keys"],
        ["view", "--affiliate", "alice"], ["view", "--affiliate", "alice", "--snapshot", "80x24"],
    ]
    /// Commands that write it.
    static let writers: [[String]] = [
        ["dashboard"], ["dashboard", "--snapshot", "80x24"], ["ingest", "-"], ["affiliates", "add", "--code", "x", "--name", "X"],
        ["affiliates", "disable", "alice"], ["program", "set", "--name", "Y"], ["customers", "set-status", "u1", "ended"],
        ["events", "replay", "1"],
    ]

    struct Case {
        var name: String
        /// Prepares the path.
        var setUp: (String) throws -> Void
        var commands: [[String]]
        /// What stderr must say, with `PATH` standing for the database's path.
        var says: [String]
    }

    /// What is at a path, to compare before and after.
    func state(_ path: String) -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return "absent" }
        if isDir.boolValue { return "directory: " + ((try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? []).joined(separator: ",") }
        guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
        return "file of \(data.count) bytes, \(data.hashValue)"
    }

    func check(_ c: Case, prefix: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        let path = dir + "/" + c.name.replacingOccurrences(of: " ", with: "-") + ".sqlite"
        try c.setUp(path)
        let before = state(path)
        let bytes = FileManager.default.contents(atPath: path)
        for args in c.commands {
            let r = try CLIRunner.run(args + ["--db", path], stdin: "", prefix: prefix)
            let what = "\(c.name): affdesk \(args.joined(separator: " "))"
            XCTAssertFalse(r.timedOut, what, file: file, line: line)
            XCTAssertNotEqual(r.status, 0, "\(what) succeeded:\n\(r.stdout)", file: file, line: line)
            for s in c.says {
                let expected = s.replacingOccurrences(of: "PATH", with: path)
                XCTAssertTrue(r.stderr.contains(expected), "\(what): stderr lacks \"\(expected)\":\n\(r.stderr)", file: file, line: line)
            }
            XCTAssertFalse(r.stderr.contains("SQLite error"), "\(what): \(r.stderr)", file: file, line: line)
            XCTAssertEqual(state(path), before, "\(what) changed the file", file: file, line: line)
            XCTAssertEqual(FileManager.default.contents(atPath: path), bytes, "\(what) changed the file", file: file, line: line)
        }
    }

    /// A program with affiliate alice, customer u1 and one event.
    func program(_ path: String) throws {
        try affdesk("init", "--db", path)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", path)
        let events = [#"{"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T10:00:00Z"}"#,
                      #"{"type":"lead","customer_key":"u1","click_id":"c1","at":"2026-01-05T11:00:00Z"}"#]
        let r = try affdesk("ingest", "-", "--db", path, stdin: events.joined(separator: "\n") + "\n")
        XCTAssertTrue(r.stdout.contains("2 accepted"), r.stdout)
    }

    func testAMissingFileIsNamedAndNeverCreated() throws {
        try check(Case(name: "missing", setUp: { _ in }, commands: Self.readers + Self.writers,
                       says: ["PATH does not exist", "affdesk init --db PATH"]))
    }

    func testADirectoryIsNotADatabaseFile() throws {
        try check(Case(name: "directory", setUp: { try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: true) },
                       commands: Self.readers + Self.writers + [["init"]], says: ["PATH is a directory, not a database file"]))
    }

    func testAnEmptyFileGetsNoSchemaAndSaysHowToCreateTheProgram() throws {
        let c = Case(name: "empty", setUp: { _ = FileManager.default.createFile(atPath: $0, contents: Data()) },
                     commands: Self.readers + Self.writers, says: ["PATH holds no affdesk program yet", "affdesk init --db PATH"])
        try check(c)
        let path = dir + "/empty.sqlite"
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, 0, "still 0 bytes")
        // And the advice works.
        try affdesk("init", "--db", path)
        try affdesk("customers", "list", "--db", path)
    }

    func testASchemaWithoutAProgramSaysHowToCreateIt() throws {
        try check(Case(name: "schema only", setUp: { _ = try Store(path: $0) }, commands: Self.readers + Self.writers,
                       says: ["PATH holds no affdesk program yet", "affdesk init --db PATH"]))
    }

    func testSomeoneElsesDatabaseIsLeftAlone() throws {
        try check(Case(name: "foreign", setUp: { try SQLiteFile.execute($0, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine')") },
                       commands: Self.readers + Self.writers + [["init"]], says: ["PATH is not an affdesk database"]))
    }

    func testAnOlderSchemaIsNotUpgradedByAReaderAndAWriterUpgradesIt() throws {
        let c = Case(name: "older", setUp: { path in
            try self.program(path)
            try SQLiteFile.execute(path, "PRAGMA user_version = 4")
        }, commands: Self.readers, says: ["PATH has schema version 4, older than this affdesk's (21)", "affdesk program set --db PATH"])
        try check(c)
        let path = dir + "/older.sqlite"
        try affdesk("program", "set", "--db", path)
        XCTAssertTrue(try affdesk("customers", "list", "--db", path).stdout.contains("u1"))
    }

    /// Run as an unprivileged user when the tests run as root (root may write any file).
    func testAReadOnlyFileIsNamedForWritersAndStillServesReaders() throws {
        let prefix = geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let c = Case(name: "read only", setUp: { path in
            try self.program(path)
            if geteuid() == 0 {
                // The directory is nobody's (the -wal and -shm files can be made), the file root's.
                XCTAssertEqual(chown(self.dir, 65534, 65534), 0)
            } else {
                XCTAssertEqual(chmod(path, 0o444), 0)
            }
        }, commands: Self.writers, says: ["PATH is read-only: affdesk needs to write it", "or use a command that only reads"])
        let path = dir + "/read-only.sqlite"
        try check(c, prefix: prefix)
        let bytes = FileManager.default.contents(atPath: path)
        for args in [["customers", "list"], ["program", "show"], ["triage", "u1"]] {
            let r = try CLIRunner.run(args + ["--db", path], prefix: prefix)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), bytes, "readers leave it byte for byte")
    }

    func testNumbersAreCheckedWithTheRuleAndTheValue() throws {
        let path = dir + "/numbers.sqlite"
        try program(path)
        let bytes = FileManager.default.contents(atPath: path)
        let limit = #"--limit must be a whole number from 0 to 1,000,000,000, got "#
        let id = "must be a whole number from 1 to 9,223,372,036,854,775,807, got "
        let cases: [([String], String)] = [
            (["customers", "list", "--limit", "-1"], limit + #""-1""#),
            (["conversions", "list", "--limit", "-1"], limit + #""-1""#),
            (["events", "list", "--limit", "-1"], limit + #""-1""#),
            (["events", "list", "--limit=-5"], limit + #""-5""#),
            (["customers", "list", "--limit", "ten"], limit + #""ten""#),
            (["ingest", "--batch", "-1", "-"], #"--batch must be a whole number from 1 to 1,000,000, got "-1""#),
            (["ingest", "--batch", "0", "-"], #"--batch must be a whole number from 1 to 1,000,000, got "0""#),
            (["events", "replay", "-1"], #"the event id "# + id + #""-1""#),
            (["events", "replay", "0", "--json"], #"the event id "# + id + #""0""#),
            (["events", "replay"], "give the event id"),
            (["ssh", "remove-key", "-1"], #"the key id "# + id + #""-1""#),
            (["conversions", "add", "--from-event", "-1"], #"--from-event "# + id + #""-1""#),
            (["view", "--key-id", "-1"], #"--key-id "# + id + #""-1""#),
        ]
        for (args, message) in cases {
            let r = try CLIRunner.run(args + ["--db", path], stdin: "")
            XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Missing"), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), bytes)
        XCTAssertEqual(try affdesk("events", "list", "--limit", "1", "--json", "--db", path).stdout.components(separatedBy: "\"id\"").count, 2)
    }

    func testInitSaysWhichDirectoryItCreated() throws {
        let path = dir + "/new/place/affdesk.sqlite"
        let r = try affdesk("init", "--db", path)
        XCTAssertTrue(r.stdout.hasPrefix("created directory \(dir!)/new/place (it did not exist)\n"), r.stdout)
        XCTAssertFalse(try affdesk("init", "--db", dir + "/other.sqlite").stdout.contains("directory"))
        // A directory that cannot be made is named, with why.
        let under = dir + "/other.sqlite/x/affdesk.sqlite"
        let refused = try affdeskFailing("init", "--db", under)
        XCTAssertTrue(refused.stderr.contains("\(under) cannot be created (\(dir!)/other.sqlite is a file, not a directory)"), refused.stderr)
    }

    func testDemoSaysWhichDirectoryItCreated() throws {
        // The process's one run of `affdesk demo --summary --db DIR/demo/here/demo.sqlite`, DIR/demo not there before.
        let demo = try DemoDatabase.build()
        XCTAssertTrue(demo.result.stderr.contains("created directory \(demo.newDirectory) (it did not exist)"), demo.result.stderr)
    }
}

/// SQL on a database file through the system's libsqlite3 (this test target does not link GRDB),
/// for files affdesk would never write: someone else's database, an older schema version.
enum SQLiteFile {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func execute(_ path: String, _ sql: String) throws {
        guard let lib = dlopen("libsqlite3.so.0", RTLD_NOW) ?? dlopen("libsqlite3.so", RTLD_NOW) ?? dlopen("libsqlite3.dylib", RTLD_NOW) else {
            throw Failure(description: "libsqlite3 not found")
        }
        defer { dlclose(lib) }
        typealias Open = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<OpaquePointer?>) -> Int32
        typealias Exec = @convention(c) (OpaquePointer?, UnsafePointer<CChar>, OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
        typealias Close = @convention(c) (OpaquePointer?) -> Int32
        let open = unsafeBitCast(dlsym(lib, "sqlite3_open"), to: Open.self)
        let exec = unsafeBitCast(dlsym(lib, "sqlite3_exec"), to: Exec.self)
        let close = unsafeBitCast(dlsym(lib, "sqlite3_close"), to: Close.self)
        var db: OpaquePointer?
        guard open(path, &db) == 0 else { throw Failure(description: "cannot open \(path)") }
        defer { _ = close(db) }
        guard exec(db, sql, nil, nil, nil) == 0 else { throw Failure(description: "\(sql) failed on \(path)") }
    }
}
