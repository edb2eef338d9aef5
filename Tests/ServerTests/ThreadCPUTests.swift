import Foundation
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
