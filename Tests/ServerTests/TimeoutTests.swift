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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }
}
