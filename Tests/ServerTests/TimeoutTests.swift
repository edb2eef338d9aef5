import Foundation
@testable import Server
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A body that trickles in is answered 408 once the body timeout has passed; nothing recorded.
final class TimeoutTests: ServeTestCase, @unchecked Sendable {
    func testABodyThatNeverArrivesIs408() async throws {
        let key = apiKey
        try await serve(configuration { $0.bodyTimeout = 0.5 }) { client, _ in
            let port = try XCTUnwrap(client.port)
            let answer = try Self.rawExchange(port: port, """
                POST /track/click HTTP/1.1\r
                Host: localhost\r
                Authorization: Bearer \(key)\r
                Content-Type: application/json\r
                Content-Length: 100\r
                \r
                {"click_id":
                """)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408"), answer)
            XCTAssertTrue(answer.contains("body_timeout"), answer)
            XCTAssertEqual(try self.events, 0)
        }
    }

    /// Sends `text` on a new loopback connection and returns what comes back within 5 s.
    static func rawExchange(port: Int, _ text: String) throws -> String {
        let fd = LoopbackConnection.connect(port: port, readTimeoutSeconds: 5)
        XCTAssertGreaterThanOrEqual(fd, 0, "connect to 127.0.0.1:\(port)")
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }
}
