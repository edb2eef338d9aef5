import Foundation
import GRDBSQLite

/// Wall time inside `sqlite3_step` of the ingest's own statements (every `RawStatement`), summed
/// by kind of statement, for `affdesk bench ingest --profile`: how much of an ingest is SQLite
/// executing the statements it must issue, and which. Off unless a benchmark switches it on
/// (`start`); then each step costs four clock reads (two of them of the thread's CPU time). The ingest's two threads drive one
/// connection in turns, never at once, so the sums need no lock. The transaction's BEGIN and
/// COMMIT and the WAL checkpoint are not `RawStatement`s: `IngestPhases` times them.
public final class StatementProfile: @unchecked Sendable {
    /// One kind of statement: its SQL up to its column list (an INSERT), its WHERE (an UPDATE)
    /// or its first 60 characters, with the time SQLite spent stepping it and how many steps.
    public struct Line: Sendable {
        public var kind: String
        public var seconds: Double
        /// The CPU time of the stepping thread over the same steps (robust when the machine is loaded).
        public var cpuSeconds: Double
        public var steps: Int
    }

    nonisolated(unsafe) static var active: StatementProfile?

    private var lines: [Line] = []
    private var index: [String: Int] = [:]
    /// Per handle: the SQL text pointer it was classified with, and its line.
    private var handles: [OpaquePointer: (sql: UnsafePointer<CChar>?, line: Int)] = [:]

    private init() {}

    /// Starts profiling every `RawStatement` (one profile at a time, process-wide).
    public static func start() -> StatementProfile {
        let p = StatementProfile()
        active = p
        return p
    }

    /// Stops profiling; the lines, costliest first.
    public func stop() -> [Line] {
        if StatementProfile.active === self { StatementProfile.active = nil }
        return lines.sorted { $0.seconds > $1.seconds }
    }

    /// Charges `nanos` of stepping (`cpu` of the thread's CPU) to the statement `handle` is running.
    func add(_ handle: OpaquePointer, nanos: UInt64, cpu: UInt64) {
        let sql = sqlite3_sql(handle)
        let line: Int
        if let known = handles[handle], known.sql == sql { line = known.line } else {
            let kind = StatementProfile.kind(sql.map { String(cString: $0) } ?? "?")
            if let i = index[kind] { line = i } else {
                line = lines.count
                index[kind] = line
                lines.append(Line(kind: kind, seconds: 0, cpuSeconds: 0, steps: 0))
            }
            handles[handle] = (sql, line)
        }
        lines[line].seconds += Double(nanos) / 1e9
        lines[line].cpuSeconds += Double(cpu) / 1e9
        lines[line].steps += 1
    }

    /// The kind of a statement: whitespace collapsed, an INSERT cut before its column list (and
    /// named an upsert when it has ON CONFLICT), an UPDATE before its WHERE.
    static func kind(_ sql: String) -> String {
        let flat = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
        if flat.hasPrefix("INSERT"), let open = flat.firstIndex(of: "(") {
            let head = String(flat[..<open]).trimmingCharacters(in: [" "])
            return flat.contains("ON CONFLICT") ? head + " … ON CONFLICT (upsert)" : head
        }
        if flat.hasPrefix("UPDATE"), let r = flat.range(of: " WHERE") { return String(flat[..<r.lowerBound]) }
        return String(flat.prefix(60))
    }
}
