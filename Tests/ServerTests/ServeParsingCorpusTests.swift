import Foundation
import XCTest

/// Every input in Corpus/ (hostile headers and bodies, and whatever the fuzz target `serve` ever
/// found failing) goes through serve's request parsing (`ServeParsingDrive`) on every `swift test`:
/// each must be handled, every property holding.
final class ServeParsingCorpusTests: XCTestCase {
    func testEveryCorpusInputIsHandled() throws {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Corpus", withExtension: nil))
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        XCTAssertGreaterThanOrEqual(files.count, 7)
        for url in files.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
            XCTAssertEqual(ServeParsingDrive.run(Array(try Data(contentsOf: url))), [], url.lastPathComponent)
        }
    }
}
