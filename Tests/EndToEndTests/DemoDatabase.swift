import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo program as the real binary builds it (`affdesk demo --summary --db FILE`: seed 1,
/// small, with its ledger), built once per test process into a template file; each test that
/// only needs the demo's data gets its own copy of that file, byte for byte what the command
/// would have made (the demo is deterministic). The tests of the command's own output read what
/// that one run printed (`build()`). The template's directory is removed when the process exits.
enum DemoDatabase {
    /// The one run of `affdesk demo --summary --db path`; `path` was in a directory that did not
    /// exist yet (`newDirectory`, two levels deep), so the run had to create it.
    struct Build: Sendable {
        var path: String
        var newDirectory: String
        var result: CLIResult
    }

    private static let template: Result<Build, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-demo-template-\(getpid())").path
        templateDirectory = strdup(dir)
        atexit { if let p = templateDirectory { _ = try? FileManager.default.removeItem(atPath: String(cString: p)) } }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let newDirectory = dir + "/demo/here"
        let path = newDirectory + "/demo.sqlite"
        let r = try CLIRunner.run(["demo", "--summary", "--db", path])
        guard r.succeeded else { throw Failure.build(r) }
        return Build(path: path, newDirectory: newDirectory, result: r)
    }

    /// The template's build (run on first use).
    static func build() throws -> Build { try template.get() }

    /// Copies the demo database to `path` (which must not exist; its directory must).
    static func copy(to path: String) throws {
        let t = try template.get().path
        let fm = FileManager.default
        try fm.copyItem(atPath: t, toPath: path)
        if fm.fileExists(atPath: t + "-wal") { try fm.copyItem(atPath: t + "-wal", toPath: path + "-wal") }
    }

    enum Failure: Error, CustomStringConvertible {
        case build(CLIResult)
        var description: String {
            switch self {
            case .build(let r): "affdesk demo --summary exited \(r.status)\(r.timedOut ? " (timed out)" : "")\nstdout: \(r.stdout)\nstderr: \(r.stderr)"
            }
        }
    }
}

/// The template's directory as a C string, for the exit handler (which cannot capture).
nonisolated(unsafe) private var templateDirectory: UnsafeMutablePointer<CChar>?
