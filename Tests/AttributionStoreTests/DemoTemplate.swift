import AttributionCore
import AttributionStore
import Demo
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The demo program (seed 1, small, without its ledger), built once per test process into a
/// template file: a test that needs a populated database copies the file (the demo is
/// deterministic, so the copy is what a build of its own would be) and changes only its copy.
/// The template's directory is removed when the process exits.
final class DemoTemplate: @unchecked Sendable {
    static let shared = DemoTemplate()
    private let lock = NSLock()
    private var built: (path: String, report: DemoProgram.Report)?

    /// Copies the demo database to `path` (a new file in an existing directory); returns the
    /// report of its build.
    @discardableResult
    func copy(to path: String) throws -> DemoProgram.Report {
        lock.lock(); defer { lock.unlock() }
        let b = try built ?? build()
        built = b
        let fm = FileManager.default
        try fm.copyItem(atPath: b.path, toPath: path)
        if fm.fileExists(atPath: b.path + "-wal") { try fm.copyItem(atPath: b.path + "-wal", toPath: path + "-wal") }
        return b.report
    }

    private func build() throws -> (path: String, report: DemoProgram.Report) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-store-demo-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        templateDirectory = strdup(dir)
        atexit { if let p = templateDirectory { _ = try? FileManager.default.removeItem(atPath: String(cString: p)) } }
        let path = dir + "/demo.sqlite"
        // Closed (its write-ahead log checkpointed) before the first copy.
        let report = try DemoProgram.build(into: try Store(path: path, clock: FixedClock(DemoProgram.now)), seed: 1, size: .small)
        return (path, report)
    }
}

/// The template's directory as a C string, for the exit handler (which cannot capture).
nonisolated(unsafe) private var templateDirectory: UnsafeMutablePointer<CChar>?
