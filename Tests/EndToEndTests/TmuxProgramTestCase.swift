import Foundation
import XCTest

/// What every test of the real binary under tmux sets up: the binary, a private directory for its
/// database (removed after each test), the time limits, and shell quoting. Skipped without tmux.
class TmuxProgramTestCase: XCTestCase {
    var dir: String!
    var bin: String!

    /// Time limits, in seconds: the demo build (in a debug build, on a busy machine), and
    /// everything else.
    let demoTimeout = 300.0
    let uiTimeout = 30.0

    override func setUpWithError() throws {
        guard Spawn.which("tmux") != nil else { throw XCTSkip("tmux is not installed") }
        bin = try Tmux.binaryPath()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-tmux-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// `s` quoted for the shell tmux runs the command with.
    func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
