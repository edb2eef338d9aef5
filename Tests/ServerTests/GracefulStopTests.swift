@testable import AttributionStore
import Foundation
@testable import Server
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM under load: the real `affdesk serve` answers what it took, commits what is
/// queued and exits 0; every request answered 2xx is in the database, and every other answer is
/// a 503 that says the server is stopping (the sender retries it).
final class GracefulStopTests: XCTestCase {
    func testSIGINTAndSIGTERMUnderLoadCommitWhatWasAcknowledgedAndExit0() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-stop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/stop.sqlite"
        let mix = try CrashDrill.prepare(path: path)
        let store = try Store(path: path)
        var first = 0
        for signal in [SIGINT, SIGTERM] {
            let server = try ServerProcess(binary: try CrashTests.binary(), database: path)
            let before = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }
            async let load = LoadRunner.run(port: server.port, mix: mix, clients: 8, duration: 60, firstCustomer: first)
            // Under load: wait (reading the database, not sleeping) until events are being committed.
            let deadline = Date().addingTimeInterval(30)
            while try store.read({ db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }) < before + 40, Date() < deadline {
                try await Task.sleep(nanoseconds: 20_000_000)   // a poll interval, not a wait for time to pass
            }
            kill(server.process.processIdentifier, signal)
            server.process.waitUntilExit()
            let r = await load
            XCTAssertEqual(server.process.terminationStatus, 0, "exit status after signal \(signal)")
            XCTAssertGreaterThan(r.acknowledged.count, 0, "\(r.byStatus)")
            let missing = try CrashDrill.missing(r.acknowledged.map { ($0.customer, $0.index) }, mix: mix, path: path)
            XCTAssertEqual(missing, [], "acknowledged before signal \(signal) but not in the database")
            let others = r.sent.compactMap(\.status).filter { $0 / 100 != 2 && $0 != 503 }
            XCTAssertEqual(others, [], "answers other than 2xx or 503 while stopping: \(r.byStatus)")
            first = (r.sent.map(\.customer).max() ?? first) + 1
        }
        XCTAssertEqual(try store.consistencyProblems(), [])
    }
}
