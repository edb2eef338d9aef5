import Logging
@testable import Server
import XCTest

/// The server's log handler (`MetadataOnWrite`) writes the lines the stream handler wrote.
final class LogLineTests: XCTestCase {
    final class Lines: TextOutputStream, @unchecked Sendable {
        var text = ""
        func write(_ string: String) { text += string }
    }

    func testLinesKeepTheLoggersAndTheLinesMetadata() {
        let plain = Lines(), deferred = Lines()
        var a = Logger(label: "t") { StreamLogHandler(label: $0, stream: plain, metadataProvider: nil) }
        var b = Logger(label: "t") { MetadataOnWrite(StreamLogHandler(label: $0, stream: deferred, metadataProvider: nil)) }
        a[metadataKey: "hb.request.id"] = "7"; b[metadataKey: "hb.request.id"] = "7"
        a[metadataKey: "route"] = "x"; b[metadataKey: "route"] = "x"
        a.error("event not recorded", metadata: ["why": "queueFull", "route": "y"])
        b.error("event not recorded", metadata: ["why": "queueFull", "route": "y"])
        a.info("plain"); b.info("plain")
        b.logLevel = .error
        b.info("not written")
        func withoutTimes(_ s: String) -> [String] { s.split(separator: "\n").map { String($0.drop { $0 != " " }) } }
        XCTAssertEqual(withoutTimes(deferred.text), withoutTimes(plain.text))
        XCTAssertEqual(withoutTimes(deferred.text).first, " error t: hb.request.id=7 route=y why=queueFull [ServerTests] event not recorded")
        XCTAssertEqual(withoutTimes(deferred.text).count, 2)
    }
}
