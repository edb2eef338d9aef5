import Foundation
@testable import AttributionStore
import GRDB
@testable import Server
import XCTest

/// `bench serve`'s CPU budget: the server's threads told apart by their system names.
final class ThreadCPUTests: XCTestCase {
    func testAStatLineIsReadAfterItsNameWhateverTheNameHolds() throws {
        let line = "4242 (NIO-ELT-0 (#1)) S 1 2 3 4 5 6 7 8 9 10 250 17 0 0 20 0 1 0"
        let stat = try XCTUnwrap(ThreadCPU.parse(line))
        XCTAssertEqual(stat.name, "NIO-ELT-0 (#1)")
        XCTAssertEqual(stat.ticks, 267)
        XCTAssertNil(ThreadCPU.parse("4242 NIO"))
        XCTAssertEqual(ThreadCPU.serverGroup("NIO-ELT-0-#1"), "nio")
        XCTAssertEqual(ThreadCPU.serverGroup("affdesk-checkpo"), "checkpoint")
        XCTAssertEqual(ThreadCPU.serverGroup("oot.default-qos"), "tasks")
    }

    /// Before, the writer, flush and checkpoint threads kept the name of the thread that made
    /// them (a task's, "…root.default-qos"), and their CPU could not be told from the handlers'.
    func testAWorkerThreadCarriesItsNameToTheSystem() throws {
        let worker = WorkerThread()
        let started = DispatchSemaphore(value: 0)
        worker.start(name: "affdesk-checkpoint") {
            started.signal()
            worker.condition.lock()
            while !worker.stopping { worker.condition.wait() }
            worker.condition.unlock()
        }
        started.wait()
        defer { worker.stop() }
        let names = ThreadCPU.of(pid: getpid()).ticks.values.map(\.name)
        XCTAssertTrue(names.contains("affdesk-checkpo"), "\(names.sorted())")
    }
}

/// `bench serve --affiliates N`: the program the bench serves has N affiliates, the events
/// spread over all of them (the 1M program has 10,000: each group commit's setup grows with them).
final class DrillProgramTests: XCTestCase {
    func testTheDrillsProgramHasTheAffiliatesAskedForAndTheMixSpreadsOverThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drill-program-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mix = try CrashDrill.prepare(path: dir + "/p.sqlite", affiliates: 7)
        XCTAssertEqual(mix.affiliates, (0..<7).map { "aff\($0)" })
        let clicks = (0..<7).map { mix.customer($0)[0].body }
        for (n, body) in clicks.enumerated() { XCTAssertTrue(body.contains("\"affiliate\":\"aff\(n)\""), body) }
        let emails = try AttributionStore.Store(path: dir + "/p.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM affiliate WHERE email IS NOT NULL")
        }
        XCTAssertEqual(emails, 2, "the affiliates past the first five have a payout email")
    }
}
