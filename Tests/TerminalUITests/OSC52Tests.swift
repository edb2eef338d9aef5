import Foundation
import TerminalUI
import XCTest

/// `y`'s clipboard bytes: OSC 52 with the text in base64, sanitized first, so a copied
/// identifier can never carry a control sequence to the terminal.
final class OSC52Tests: XCTestCase {
    func testSequenceIsBase64OfTheText() {
        let bytes = OSC52.sequence("usr_100017")
        XCTAssertEqual(bytes, Array("\u{1B}]52;c;dXNyXzEwMDAxNw==\u{07}".utf8))
    }

    func testControlsAndBidiAreRemovedBeforeEncoding() {
        let hostile = "k\u{1B}]52;c;ZXZpbA==\u{07}\u{202E}1\u{9B}2"
        let bytes = OSC52.sequence(hostile)
        XCTAssertEqual(Array(bytes.prefix(7)), Array("\u{1B}]52;c;".utf8))
        XCTAssertEqual(bytes.last, 0x07)
        let payload = String(decoding: bytes.dropFirst(7).dropLast(), as: UTF8.self)
        let decoded = String(decoding: Data(base64Encoded: payload) ?? Data(), as: UTF8.self)
        XCTAssertFalse(decoded.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E },
                       decoded.debugDescription)
        XCTAssert(decoded.hasPrefix("k"), decoded)
        // Only the frame bytes are outside the base64 alphabet.
        XCTAssertEqual(bytes.filter { $0 == 0x1B || $0 == 0x07 }.count, 2)
    }
}
