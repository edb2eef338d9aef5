import AttributionCore
import AttributionStore
import Dashboard
import Demo
import Foundation
import TerminalText
import XCTest

// MARK: - Golden frames

/// Compares a frame with `Expected/<name>.txt`: every row at full width, joined by newlines, so
/// alignment and trailing cells are checked too.
///
/// Expected files are read from the test bundle (`Bundle.module`), but recorded into the source
/// tree next to this file: with `AFFDESK_RECORD=1` set, or when the file is missing, the frame is
/// written there and the test fails with "recorded <name>; run again", so a missing golden never
/// passes silently.
enum Golden {
    static let sourceDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Expected")
    static var recording: Bool { ProcessInfo.processInfo.environment["AFFDESK_RECORD"] == "1" }

    static func text(_ frame: Frame) -> String { frame.lines().joined(separator: "\n") + "\n" }

    static func expected(_ name: String) -> String? {
        if let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Expected"),
           let s = try? String(contentsOf: url, encoding: .utf8) {
            return s
        }
        // A golden recorded after the bundle was built: read it from the source tree.
        return try? String(contentsOf: sourceDir.appendingPathComponent(name + ".txt"), encoding: .utf8)
    }

    static func check(_ frame: Frame, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let actual = text(frame)
        let stored = expected(name)
        if recording || stored == nil {
            do {
                try FileManager.default.createDirectory(at: sourceDir, withIntermediateDirectories: true)
                try actual.write(to: sourceDir.appendingPathComponent(name + ".txt"), atomically: true, encoding: .utf8)
                XCTFail("recorded \(name); run again", file: file, line: line)
            } catch {
                XCTFail("could not record \(name): \(error)", file: file, line: line)
            }
            return
        }
        guard let stored, stored != actual else { return }
        XCTFail("\(name): the frame differs from Expected/\(name).txt\n" + diff(expected: stored, actual: actual),
                file: file, line: line)
    }

    /// The first differing lines, with their numbers, expected above actual.
    static func diff(expected: String, actual: String, limit: Int = 6) -> String {
        let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
        var out: [String] = []
        var shown = 0
        for i in 0..<max(e.count, a.count) where shown < limit {
            let el = i < e.count ? e[i] : "<no line>"
            let al = i < a.count ? a[i] : "<no line>"
            if el == al { continue }
            out.append(String(format: "line %3d expected |%@|", i + 1, el))
            out.append(String(format: "         actual   |%@|", al))
            shown += 1
        }
        if e.count != a.count { out.append("expected \(e.count) lines, got \(a.count)") }
        out.append("(AFFDESK_RECORD=1 records the new frames)")
        return out.joined(separator: "\n")
    }
}

// MARK: - Frame checks shared by the tests

enum FrameCheck {
    /// C0, DEL, C1 and bidi controls: nothing of these may reach a cell.
    static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) { return true }
        switch v {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Every row is exactly `width` cells, and no cell holds a control or bidi character.
    static func assertClean(_ frame: Frame, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for y in 0..<frame.height {
            let row = frame.row(y)
            XCTAssertEqual(Width.of(row), frame.width, "\(what): row \(y) is \(Width.of(row)) cells: |\(row)|", file: file, line: line)
            for x in 0..<frame.width {
                let cell = frame[x, y]
                if let bad = cell.text.unicodeScalars.first(where: isForbidden) {
                    XCTFail("\(what): cell (\(x),\(y)) holds U+\(String(bad.value, radix: 16, uppercase: true))", file: file, line: line)
                    return
                }
                if !cell.isContinuation {
                    XCTAssertLessThanOrEqual(Width.of(cell.text), 2, "\(what): cell (\(x),\(y))", file: file, line: line)
                }
            }
        }
    }

    /// The list's selected row is drawn highlighted across the whole width, and it is the only
    /// highlighted row.
    static func assertSelection(_ s: State, _ frame: Frame, file: StaticString = #filePath, line: UInt = #line) {
        let layout = Layout(s)
        let l = s.list
        let selectedY = layout.firstRowY + l.selected - l.top
        XCTAssert((layout.firstRowY..<(layout.firstRowY + layout.visibleRows)).contains(selectedY),
                  "selection \(l.selected) is off screen (top \(l.top))", file: file, line: line)
        for y in layout.firstRowY..<(layout.firstRowY + layout.visibleRows) {
            let highlighted = (0..<frame.width).allSatisfy { frame[$0, y].style.role == .selected }
            XCTAssertEqual(highlighted, y == selectedY, "row \(y) highlighted: \(highlighted)", file: file, line: line)
        }
    }

    /// The text of the frame's row `y`, trailing spaces trimmed.
    static func row(_ f: Frame, _ y: Int) -> String { f.row(y, trimTrailing: true) }
}

// MARK: - Stores

/// The demo program, built once per process into a template file; each test that changes data
/// gets its own copy, so tests never see each other's writes.
final class DemoFixture: @unchecked Sendable {
    static let shared = DemoFixture()
    private let lock = NSLock()
    private var template: Store?

    /// The shared demo store, built on first use. Read-only use only.
    func store() throws -> Store {
        lock.lock(); defer { lock.unlock() }
        if let t = template { return t }
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        _ = try DemoProgram.build(into: s, seed: 1, size: .small)
        template = s
        return s
    }

    /// A private copy of the demo store, for tests that write.
    func copy() throws -> Store {
        let t = try store()
        lock.lock(); defer { lock.unlock() }
        return try CopiesDirectory.copy(of: t)
    }
}

let demoClock = FixedClock(DemoProgram.now)

/// Where this test process keeps its private copies of the demo store: one directory, removed
/// when the process exits (a copy is about 18 MB, and a run makes hundreds of them).
enum CopiesDirectory {
    static let path: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-dash-\(getpid())-\(UUID().uuidString)").path
        copiesPath = strdup(dir)
        atexit { if let p = copiesPath { _ = try? FileManager.default.removeItem(atPath: String(cString: p)) } }
        return dir
    }()

    /// A private copy of an idle template store, in the copies' directory: its database file and
    /// write-ahead log together are the data.
    static func copy(of template: Store) throws -> Store {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: path).appendingPathComponent(UUID().uuidString)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let dest = dir.appendingPathComponent("affdesk.sqlite").path
        try fm.copyItem(atPath: template.path, toPath: dest)
        if fm.fileExists(atPath: template.path + "-wal") { try fm.copyItem(atPath: template.path + "-wal", toPath: dest + "-wal") }
        return try Store(path: dest, clock: FixedClock(DemoProgram.now))
    }
}

/// The copies' directory as a C string, for the exit handler (which cannot capture).
nonisolated(unsafe) private var copiesPath: UnsafeMutablePointer<CChar>?

func session(_ store: Store, width: Int = 80, height: Int = 24, mode: Mode = .admin) throws -> Session {
    try Session(store: store, mode: mode, who: "tester", clock: demoClock, width: width, height: height)
}

extension Session {
    /// The visible rows of the current list, as the store returned them.
    var rows: [ListRow] { state.list.rows }
    var selectedRow: ListRow? { state.list.selectedRow }
    /// A row of a tab's list (the current one by default) as it is drawn: its screen's cells,
    /// with this session's settings and time.
    func cells(_ row: ListRow?, on tab: Tab? = nil) -> [String] {
        row.map { Screens.drawn($0, tab ?? state.tab, state).cells } ?? []
    }
    /// The current list's rows as they are drawn.
    var drawnRows: [[String]] { rows.map { cells($0) } }
    /// Clicks (a left-button press) at a cell.
    func click(x: Int, y: Int) { send(.mouse(MouseEvent(x: x, y: y, kind: .press))) }
    /// Goes to a tab by its number key (its place among this mode's tabs).
    func go(_ tab: Tab, file: StaticString = #filePath, line: UInt = #line) {
        guard let i = state.tabs.firstIndex(of: tab) else { return XCTFail("no \(tab) tab in this mode", file: file, line: line) }
        send(.key(.char(Character(String(i + 1)))))
    }
    /// The message line's text.
    var messageText: String { state.message?.text ?? "" }
}
