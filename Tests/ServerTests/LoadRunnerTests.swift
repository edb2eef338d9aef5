import AttributionCore
import Foundation
@testable import Server
import XCTest

/// The bench's lean clients (`LoadRunner.runLean`): raw keep-alive connections, one thread each,
/// against a live server; every request answered and every acknowledged one in the database.
final class LoadRunnerTests: ServeTestCase, @unchecked Sendable {
    func testLeanClientsGetEveryAnswerAndEveryAcknowledgedEventIsStored() async throws {
        let mix = EventMix(affiliates: ["alice"], stripeSecret: Self.stripeSecret, wooSecret: Self.wooSecret, apiKey: apiKey,
                           time: signingTime, runTag: "lean")
        // The mix signs Stripe requests with the real clock.
        try await serve(configuration { $0.now = { Int64(Date().timeIntervalSince1970) } }) { client, _ in
            let port = try XCTUnwrap(client.port)
            let report = await withCheckedContinuation { (c: CheckedContinuation<LoadRunner.Report, Never>) in
                Thread { c.resume(returning: LoadRunner.runLean(port: port, mix: mix, clients: 3, duration: 0.3)) }.start()
            }
            XCTAssertGreaterThanOrEqual(report.sent.count, 9, "each client sends at least one customer's three requests")
            XCTAssertEqual(report.byStatus, [200: report.sent.count], "\(report.byStatus)")
            XCTAssertEqual(try self.events, report.acknowledged.count)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE outcome = 'accepted'"), report.sent.count)
            // A path the server does not know: 404, and the connection goes on.
            let none = await withCheckedContinuation { (c: CheckedContinuation<LoadRunner.Report, Never>) in
                Thread { c.resume(returning: LoadRunner.runLean(port: port, mix: mix, clients: 1, duration: 0.05, path: "/bench/none")) }.start()
            }
            XCTAssertEqual(none.byStatus.keys.sorted(), [404])
            XCTAssertGreaterThanOrEqual(none.sent.count, 3)
            // The bench's group-commit figures, from /metrics: every acknowledged event in a group.
            let metrics = await LoadRunner.metrics(port: port)
            let groups = try XCTUnwrap(metrics.flatMap(LoadRunner.groupCommits), metrics ?? "no /metrics")
            XCTAssertEqual(groups.events, report.sent.count)
            XCTAssertGreaterThan(groups.commits, 0)
            XCTAssertLessThanOrEqual(groups.commits, groups.events)
        }
    }
}
