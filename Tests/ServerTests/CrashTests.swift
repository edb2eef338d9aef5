import Foundation
@testable import Server
import XCTest

/// The crash drill, short: a real `affdesk serve` process under load is killed with SIGKILL at
/// 10 random moments and restarted; every acknowledged request is in the database exactly once,
/// the consistency check is clean, resending everything changes nothing, SIGTERM exits 0. The
/// long version is `affdesk bench serve-crash`.
final class CrashTests: XCTestCase {
    func testKilledTenTimesUnderLoadEveryAcknowledgedEventIsKeptOnce() async throws {
        let binary = try Self.binary()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await CrashDrill.run(binary: binary, directory: dir, rounds: 10, clients: 8, maxRoundSeconds: 0.4, seed: 13)
        XCTAssertEqual(r.rounds, 10)
        XCTAssertGreaterThan(r.acknowledged, 0, r.summary)
        XCTAssertEqual(r.missing.count, 0, "\(r.summary); first missing: \(r.missing.prefix(5))")
        XCTAssertEqual(r.consistencyProblems, [], r.summary)
        XCTAssertFalse(r.resendChanged, r.summary)
        XCTAssertEqual(r.exitStatus, 0, r.summary)
    }

    /// `affdesk` next to the test bundle (or $AFFDESK_BIN), as the end-to-end tests find it.
    static func binary() throws -> String {
        if let bin = ProcessInfo.processInfo.environment["AFFDESK_BIN"], !bin.isEmpty { return bin }
        var dirs: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { dirs.append(bundle.bundleURL.deletingLastPathComponent()) }
        for start in [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments.first ?? "")].compactMap({ $0 }) {
            var url = start
            while url.path != "/" && !url.path.isEmpty {
                if url.pathExtension == "xctest" { dirs.append(url.deletingLastPathComponent()); break }
                url = url.deletingLastPathComponent()
            }
        }
        for d in dirs where FileManager.default.isExecutableFile(atPath: d.appendingPathComponent("affdesk").path) {
            return d.appendingPathComponent("affdesk").path
        }
        throw NotBuilt(looked: dirs.map(\.path))
    }
}

struct NotBuilt: Error { var looked: [String] }
