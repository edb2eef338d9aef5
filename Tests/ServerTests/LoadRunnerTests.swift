import AttributionCore
import Foundation
@testable import Server
import XCTest

/// The bench's lean clients (`LoadRunner.runLean`): raw keep-alive connections, one thread each,
/// against a live server; every request answered and every acknowledged one in the database.
final class LoadRunnerTests: ServeTestCase, @unchecked Sendable {
    /// The bench's mix of signed requests for one alice, tagged `tag`.
    func mix(_ tag: String) -> EventMix {
        EventMix(affiliates: ["alice"], stripeSecret: Self.stripeSecret, wooSecret: Self.wooSecret, apiKey: apiKey,
                 time: signingTime, runTag: tag)
    }

    /// The server for the mix: it signs Stripe requests with the real clock, so the server checks
    /// them against it.
    var realClock: ServeConfiguration { configuration { $0.now = { Int64(Date().timeIntervalSince1970) } } }

    /// The clients' run on a thread of their own (they block), its report.
    func onThread(_ run: @escaping @Sendable () -> LoadRunner.Report) async -> LoadRunner.Report {
        await withCheckedContinuation { (c: CheckedContinuation<LoadRunner.Report, Never>) in
            Thread { c.resume(returning: run()) }.start()
        }
    }

    func testLeanClientsGetEveryAnswerAndEveryAcknowledgedEventIsStored() async throws {
        let mix = mix("lean")
        try await serve(realClock) { client, _ in
            let port = try XCTUnwrap(client.port)
            let report = await self.onThread { LoadRunner.runLean(port: port, mix: mix, clients: 3, duration: 0.3) }
            XCTAssertGreaterThanOrEqual(report.sent.count, 9, "each client sends at least one customer's three requests")
            XCTAssertEqual(report.byStatus, [200: report.sent.count], "\(report.byStatus)")
            XCTAssertEqual(try self.events, report.acknowledged.count)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE outcome = 'accepted'"), report.sent.count)
            // A path the server does not know: 404, and the connection goes on.
            let none = await self.onThread { LoadRunner.runLean(port: port, mix: mix, clients: 1, duration: 0.05, path: "/bench/none") }
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

    func testEventedClientsOnOneThreadGetEveryAnswerAndEveryAcknowledgedEventIsStored() async throws {
        let mix = mix("evented")
        try await serve(realClock) { client, _ in
            let port = try XCTUnwrap(client.port)
            let report = await self.onThread { LoadRunner.runEvented(port: port, mix: mix, clients: 4, duration: 0.3) }
            XCTAssertGreaterThanOrEqual(report.sent.count, 12, "each client sends at least one customer's three requests")
            XCTAssertEqual(report.byStatus, [200: report.sent.count], "\(report.byStatus)")
            // Each client's customers in order, every request of each customer before the next.
            for c in 0..<4 {
                let mine = report.sent.filter { $0.customer % 4 == c }
                XCTAssertEqual(mine.map(\.customer), mine.map(\.customer).sorted())
                XCTAssertTrue(mine.allSatisfy { $0.seconds > 0 })
            }
            XCTAssertEqual(try self.events, report.acknowledged.count)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE outcome = 'accepted'"), report.sent.count)
            let none = await self.onThread { LoadRunner.runEvented(port: port, mix: mix, clients: 2, duration: 0.05, path: "/bench/none") }
            XCTAssertEqual(none.byStatus.keys.sorted(), [404])
            XCTAssertGreaterThanOrEqual(none.sent.count, 6)
        }
    }

    /// The clients' reading of an answer: by Content-Length, chunked, cut short, closing.
    func testLoopbackAnswerIsReadByItsLength() {
        let ok = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\n\r\n{}".utf8)
        XCTAssertEqual(LoopbackAnswer.parse(ok), .complete(status: 200, keepAlive: true, length: ok.count))
        XCTAssertEqual(LoopbackAnswer.parse(ok + Array("HTTP/1.1 404".utf8)), .complete(status: 200, keepAlive: true, length: ok.count))
        XCTAssertEqual(LoopbackAnswer.parse(Array(ok.dropLast())), .incomplete)
        XCTAssertEqual(LoopbackAnswer.parse(Array(ok.prefix(20))), .incomplete)
        let closing = Array("HTTP/1.1 503 Service Unavailable\r\nConnection:  close \r\nContent-Length: 0\r\n\r\n".utf8)
        XCTAssertEqual(LoopbackAnswer.parse(closing), .complete(status: 503, keepAlive: false, length: closing.count))
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".utf8)
        XCTAssertEqual(LoopbackAnswer.parse(chunked), .complete(status: 200, keepAlive: true, length: chunked.count))
        XCTAssertEqual(LoopbackAnswer.parse(Array("SSH-2.0-x\r\n\r\n".utf8)), .malformed)
    }
}
