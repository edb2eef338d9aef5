import AttributionCore
import AttributionStore
import Foundation
import XCTest

/// The real dashboard in tmux with its reads off the UI loop (issue 11): a filter typed in one
/// burst answers, and while a slow list read runs (AFFDESK_TEST_SLOW_LIST_READS_MS) the screen
/// says "loading…" over the previous rows and keys are honoured at once. Waits poll the
/// screen with a time limit; nothing sleeps.
final class DashboardSlowReadTmuxTests: TmuxProgramTestCase {
    func status(_ screen: [String]) -> String { screen.last ?? "" }
    /// The first field of each list row (between the header and the filter and status lines).
    func rowKeys(_ screen: [String]) -> [String] {
        guard screen.count > 5 else { return [] }
        return screen[3..<(screen.count - 2)].compactMap { line in
            guard line.hasPrefix(" "), !line.hasPrefix(" / "), let k = line.split(separator: " ").first else { return nil }
            return String(k)
        }
    }

    func testAFilterTypedInABurstAnswersAndKeysWorkDuringASlowLoad() throws {
        let db = dir + "/demo.sqlite"
        try DemoDatabase.copy(to: db)
        let total = try Store(path: db, readOnly: true).customerCount()
        let tmux = try Tmux(command: "\(q(bin)) --db \(q(db))", width: 100, height: 30,
                            environment: ["AFFDESK_TEST_SLOW_LIST_READS_MS": "1500"])
        defer { tmux.kill() }
        try tmux.waitUntil("the Customers list", timeout: uiTimeout) { self.status($0).hasSuffix(" 1/\(total)") }

        // A filter typed in one burst: the previous rows stay, marked, while it loads; Down
        // during the load moves among them at once; then the filter's rows come.
        tmux.sendKeys("/")
        tmux.type("usr_1003")
        tmux.sendKeys("Enter")
        let loading = try tmux.waitUntil("the loading mark", timeout: uiTimeout) {
            self.status($0).hasSuffix(" loading… (previous rows) 1/\(total)")
        }
        XCTAssertFalse(rowKeys(loading).isEmpty, "the previous rows are shown while loading:\n\(loading.joined(separator: "\n"))")
        tmux.sendKeys("Down")
        try tmux.waitUntil("Down honoured during the load", timeout: uiTimeout) {
            self.status($0).hasSuffix(" loading… (previous rows) 2/\(total)")
        }
        let filtered = try tmux.waitUntil("the filter's rows", timeout: uiTimeout) { screen in
            let keys = self.rowKeys(screen)
            return !self.status(screen).contains("loading") && !keys.isEmpty && keys.allSatisfy { $0.hasPrefix("usr_1003") }
        }
        let shown = try XCTUnwrap(status(filtered).split(separator: "/").last.flatMap { Int($0) }, status(filtered))
        XCTAssertTrue(status(filtered).hasSuffix(" 1/\(shown)"), status(filtered))
        XCTAssertTrue(shown >= rowKeys(filtered).count && shown < total, status(filtered))

        // q during a load quits at once.
        tmux.sendKeys("Escape")
        try tmux.waitUntil("loading the whole list again", timeout: uiTimeout) { self.status($0).contains("loading…") }
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: uiTimeout), 0)
    }
}
