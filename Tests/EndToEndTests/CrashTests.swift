import AttributionCore
import AttributionStore
import Demo
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kill safety: `affdesk ingest` killed with SIGKILL at several moments leaves a database in
/// which every event is either fully applied or absent, and ingesting the file again to the end
/// gives exactly the database a single clean run gives.
final class CrashTests: XCTestCase {
    /// Long enough that the kills below land mid-file: the last is due after at most about
    /// 86,000 events (1 event, then 5 and 12 more transactions, each kill perhaps one late).
    static let eventCount = 100_000
    /// The ingest commits this many events per transaction (`--batch`, given to every run: the
    /// default, 16,384, would ingest this file in seven transactions, too few to kill in between).
    static let batch = 4096
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A program with the benchmark's affiliates aff0...aff49, made through the store.
    func makeProgram(_ path: String) throws {
        let s = try Store(path: path, clock: FixedClock(Instant.parse("2025-01-01T00:00:00Z")!))
        try s.initialize(ProgramSettings(name: "crash", caps: Caps(count: 24)), who: "crash-test")
        for code in BenchEvents.affiliateCodes { _ = try s.addAffiliate(code: code, name: code, who: "crash-test") }
    }

    /// What must hold in any committed state.
    func checkInvariants(_ path: String, label: String) throws -> Int {
        // A reader first (the affiliate view may be the first to open after a crash)...
        let reader = try Store(path: path, readOnly: true)
        XCTAssertEqual(try reader.consistencyProblems(), [], label)
        let n = try reader.eventCount()
        XCTAssertTrue(n % CrashTests.batch == 0 || n == CrashTests.eventCount,
                      "\(label): \(n) events is not a whole number of \(CrashTests.batch)-event transactions")
        let totals = try reader.eventTotals()
        XCTAssertEqual(totals.accepted + totals.rejected, n, label)
        // ...then a writer, which recovers the write-ahead log like the next ingest would.
        let writer = try Store(path: path)
        XCTAssertEqual(try writer.consistencyProblems(), [], label)
        XCTAssertEqual(try writer.eventCount(), n, "\(label): opening to write lost or found events")
        return n
    }

    func testKilledIngestsLeaveWholeEventsAndFinishLikeACleanRun() throws {
        let file = dir + "/events.jsonl"
        let lines = BenchEvents.lines(count: CrashTests.eventCount)
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)

        // The reference: one clean run, in parallel with the killed ones (another database).
        let clean = dir + "/clean.sqlite"
        try makeProgram(clean)
        let cleanChild = try CLIRunner.start(["ingest", file, "--no-progress", "--batch", "\(CrashTests.batch)", "--db", clean])
        // Its figures are read on another thread as soon as it ends, while the killed runs go on
        // here (reading a database of this size takes seconds in a debug build).
        let cleanSide = Concurrently { () -> CleanSide in
            let run = cleanChild.finish(timeout: 1200)
            let a = Result { try Store(path: clean, readOnly: true) }
            return CleanSide(run: run, digest: a.flatMap { s in Result { try s.contentDigest() } },
                             figures: a.flatMap { s in Result { try Figures(s) } },
                             problems: a.flatMap { s in Result { try s.consistencyProblems() } })
        }

        // The same file, killed at a few moments: as soon as something is committed, then after
        // a few more transactions of this run, then later still.
        let crashed = dir + "/crashed.sqlite"
        try makeProgram(crashed)
        var before = 0
        var killedMidway = 0
        for (round, extra) in [1, 5 * CrashTests.batch, 12 * CrashTests.batch].enumerated() {
            let child = try CLIRunner.start(["ingest", file, "--no-progress", "--batch", "\(CrashTests.batch)", "--db", crashed])
            let watcher = try Store(path: crashed, readOnly: true)
            var seen = before
            // Poll until this run has committed `extra` more events (or it has finished). Every
            // 10 ms: a count is not free, the two ingests need the cores, and a transaction of
            // 4,096 events takes far longer than that.
            while child.process.isRunning {
                seen = try watcher.eventCount()
                if seen >= before + extra { break }
                usleep(10_000)
            }
            let killed = child.process.isRunning
            if killed { kill(child.pid, SIGKILL) }
            let result = child.finish(timeout: 300)
            XCTAssertFalse(result.timedOut)
            if killed {
                XCTAssertEqual(child.process.terminationReason, .uncaughtSignal, "round \(round)")
                XCTAssertEqual(result.status, SIGKILL, "round \(round)")
            }
            let after = try checkInvariants(crashed, label: "after kill \(round + 1)")
            XCTAssertGreaterThanOrEqual(after, seen, "round \(round): committed events were lost")
            if killed && after < CrashTests.eventCount { killedMidway += 1 }
            before = after
        }
        XCTAssertGreaterThanOrEqual(killedMidway, 2, "the ingest finished before it could be killed; make the file longer")

        // Ingest again to the end: exactly what the clean run made.
        let resumed = try affdesk("ingest", file, "--no-progress", "--batch", "\(CrashTests.batch)", "--db", crashed)
        XCTAssertTrue(resumed.stdout.contains("; \(before) already ingested (unchanged)"), resumed.stdout)
        _ = try checkInvariants(crashed, label: "after the resumed run")
        let b = try Store(path: crashed, readOnly: true)
        XCTAssertEqual(try b.eventCount(), CrashTests.eventCount)
        let digest = Concurrently { try b.contentDigest() }
        let got = try Figures(b)

        let a = try cleanSide.value()
        XCTAssertTrue(a.run.succeeded, "clean run: \(a.run.status) \(a.run.stderr)")
        XCTAssertTrue(a.run.stdout.hasPrefix("events.jsonl: \(CrashTests.eventCount) recorded: "), a.run.stdout)
        let expected = try a.figures.get()
        XCTAssertEqual(try digest.value(), try a.digest.get())
        XCTAssertEqual(got.accepted, expected.accepted)
        XCTAssertEqual(got.rejections, expected.rejections)
        XCTAssertEqual(got.statuses, expected.statuses)
        XCTAssertEqual(got.affiliates, expected.affiliates)
        XCTAssertEqual(got.conversions, expected.conversions)
        XCTAssertGreaterThan(expected.conversions, 10_000, "the file exercises the paying path")
        // And the clean run itself is consistent.
        XCTAssertEqual(try a.problems.get(), [])
    }

    /// What an ingest to the end leaves, compared between the clean run and the resumed one.
    struct Figures {
        var accepted: Int
        var rejections: [String]
        var statuses: [CustomerStatus: Int]
        /// Per affiliate: customers, conversions, earnings.
        var affiliates: [[Int]]
        var conversions: Int

        init(_ s: Store) throws {
            accepted = try s.eventTotals().accepted
            rejections = try s.rejectionCounts().map { "\($0.reason)=\($0.count)" }
            statuses = try s.customerStatusCounts()
            affiliates = try s.affiliateSummaries().map { [$0.customers, $0.conversions, Int($0.earnings)] }
            conversions = try s.conversionCount()
        }
    }

    /// The clean run and what its database holds.
    struct CleanSide {
        var run: CLIResult
        var digest: Result<[String: String], any Error>
        var figures: Result<Figures, any Error>
        var problems: Result<[String], any Error>
    }
}

/// A computation on another thread (the machine has a second core); `value()` waits for it.
final class Concurrently<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ work: @escaping @Sendable () throws -> T) {
        DispatchQueue.global().async {
            self.result = Result { try work() }
            self.done.signal()
        }
    }

    func value() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
