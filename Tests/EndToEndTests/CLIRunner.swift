import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished run of the command line printed and how it ended.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the run outlived its time limit and was killed (a hang, not a slow machine).
    var timedOut: Bool

    var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs the real `affdesk` binary built next to the test bundle, with stdout and stderr captured
/// in temporary files (so a large output can never fill a pipe and stall the child) and stdin
/// from a file or /dev/null. The environment is this process's without `AFFDESK_DB`, with
/// `XDG_DATA_HOME` pointing into a scratch directory so no run can touch a real database.
enum CLIRunner {
    enum Failure: Error, CustomStringConvertible {
        case notBuilt([String])
        var description: String {
            switch self {
            case .notBuilt(let dirs): return "affdesk is not built next to the tests; looked in: \(dirs.joined(separator: ", "))"
            }
        }
    }

    /// The executable under test: `AFFDESK_BIN`, else `affdesk` in the products directory that
    /// holds the running test bundle.
    static func binary() throws -> URL {
        if let bin = ProcessInfo.processInfo.environment["AFFDESK_BIN"], !bin.isEmpty { return URL(fileURLWithPath: bin) }
        var dirs: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // On Linux the test bundle is an executable, run directly.
        for start in [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments.first ?? "")].compactMap({ $0 }) {
            var url = start
            while url.path != "/" && !url.path.isEmpty {
                if url.pathExtension == "xctest" { dirs.append(url.deletingLastPathComponent()); break }
                url = url.deletingLastPathComponent()
            }
        }
        for dir in dirs {
            let candidate = dir.appendingPathComponent("affdesk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw Failure.notBuilt(dirs.map(\.path))
    }

    /// A scratch directory for `XDG_DATA_HOME`, shared by all runs of this test process.
    static let scratchHome: String = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-cli-home-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["AFFDESK_DB"] = nil
        env["XDG_DATA_HOME"] = scratchHome
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// A started child: its output files, to be read when it has ended.
    final class Child: @unchecked Sendable {
        let process: Process
        let outURL: URL
        let errURL: URL
        let dir: URL
        let ended = DispatchSemaphore(value: 0)
        init(process: Process, outURL: URL, errURL: URL, dir: URL) {
            self.process = process; self.outURL = outURL; self.errURL = errURL; self.dir = dir
        }
        var pid: Int32 { process.processIdentifier }

        /// Waits for the end (at most `timeout` seconds, then kills it) and collects the output.
        func finish(timeout: Double) -> CLIResult {
            var timedOut = false
            if ended.wait(timeout: .now() + timeout) == .timedOut {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                ended.wait()
            }
            process.waitUntilExit()
            let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: dir)
            return CLIResult(status: process.terminationStatus, stdout: out, stderr: err, timedOut: timedOut)
        }
    }

    /// Starts `affdesk arguments...` without waiting for it.
    /// `prefix` runs affdesk through another program (e.g. `setpriv` to run it as another user).
    static func start(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                      removing: [String] = [], prefix: [String] = []) throws -> Child {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-cli-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        if let tool = prefix.first {
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = Array(prefix.dropFirst()) + [try binary().path] + arguments
        } else {
            p.executableURL = try binary()
            p.arguments = arguments
        }
        var env = environment(extra)
        for k in removing { env[k] = nil }
        p.environment = env
        p.currentDirectoryURL = dir
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        if let input = stdin {
            let inURL = dir.appendingPathComponent("stdin")
            try Data(input.utf8).write(to: inURL)
            p.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        }
        let child = Child(process: p, outURL: outURL, errURL: errURL, dir: dir)
        let ended = child.ended
        p.terminationHandler = { _ in ended.signal() }
        try p.run()
        return child
    }

    /// Runs `affdesk arguments...` to the end. The time limit only stops a hung child; it is
    /// generous because builds run beside the tests on a small machine.
    static func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                    removing: [String] = [], prefix: [String] = [], timeout: Double = 900) throws -> CLIResult {
        try start(arguments, stdin: stdin, environment: extra, removing: removing, prefix: prefix).finish(timeout: timeout)
    }
}

extension XCTestCase {
    /// Runs affdesk and fails the test (with everything it printed) unless it succeeded.
    @discardableResult
    func affdesk(_ arguments: String..., stdin: String? = nil, environment: [String: String] = [:],
                 file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let r = try CLIRunner.run(arguments, stdin: stdin, environment: environment)
        XCTAssertTrue(r.succeeded, "affdesk \(arguments.joined(separator: " ")) exited \(r.status)\(r.timedOut ? " (timed out)" : "")\n"
                      + "stdout: \(r.stdout)\nstderr: \(r.stderr)", file: file, line: line)
        return r
    }

    /// Runs affdesk expecting it to fail; returns what it printed.
    func affdeskFailing(_ arguments: String..., stdin: String? = nil, environment: [String: String] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        try affdeskFailing(arguments, stdin: stdin, environment: environment, file: file, line: line)
    }

    func affdeskFailing(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                        file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let r = try CLIRunner.run(arguments, stdin: stdin, environment: environment)
        XCTAssertFalse(r.timedOut, "timed out", file: file, line: line)
        XCTAssertNotEqual(r.status, 0, "affdesk \(arguments.joined(separator: " ")) succeeded:\n\(r.stdout)", file: file, line: line)
        return r
    }

    /// Parses a command's `--json` output.
    func json(_ r: CLIResult, file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        do { return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8), options: [.fragmentsAllowed]) } catch {
            XCTFail("not JSON: \(r.stdout)\nstderr: \(r.stderr)", file: file, line: line)
            throw error
        }
    }

    func jsonArray(_ r: CLIResult, file: StaticString = #filePath, line: UInt = #line) throws -> [[String: Any]] {
        try XCTUnwrap(try json(r, file: file, line: line) as? [[String: Any]], "not a JSON array: \(r.stdout)", file: file, line: line)
    }

    func jsonObject(_ r: CLIResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(try json(r, file: file, line: line) as? [String: Any], "not a JSON object: \(r.stdout)", file: file, line: line)
    }
}

/// A temporary directory with a database path, for tests that run the real binary.
class CLITestCase: XCTestCase {
    var dir: String!
    var db: String { dir + "/affdesk.sqlite" }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-\(Self.self)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let path = dir + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
