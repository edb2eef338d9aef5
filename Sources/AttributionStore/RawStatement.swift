import Foundation
import GRDB
import GRDBSQLite

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement driven through SQLite's C API, for the ingest hot path where GRDB's
/// argument arrays and rows cost half the throughput. Lives no longer than one transaction.
final class RawStatement {
    private let statement: Statement   // keeps GRDB's handle alive
    private let handle: OpaquePointer

    init(_ db: Database, _ sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
    }

    /// The connection's cached statement for `sql`, compiled once per connection. Only for
    /// statements run to their end by `run()` (an INSERT): two users of the same text then share
    /// one handle safely, since each resets and binds every parameter before it runs.
    init(cached db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
    }

    @discardableResult
    func bind(_ values: RawValue...) -> RawStatement { bind(all: values) }

    /// Binds every parameter (so there is nothing to clear), each text copied by SQLite.
    @discardableResult
    func bind(all values: [RawValue]) -> RawStatement {
        bind(values, texts: .copied)
        return self
    }

    /// Binds `values` and runs the statement to its end, as `bind(all:).run()` does, with the
    /// bytes of every text copied first into `scratch`, one buffer, and bound from there as they
    /// are (SQLITE_STATIC): a multi-row INSERT binds hundreds of texts, and SQLite's own copy of
    /// each is an allocation. The bindings are cleared before `scratch` is let go of.
    func run(packing values: [RawValue], into scratch: inout [UInt8]) throws {
        scratch.removeAll(keepingCapacity: true)
        for case .text(let s) in values { scratch.append(contentsOf: s.utf8) }
        try scratch.withUnsafeBufferPointer { bytes in
            defer { sqlite3_reset(handle); sqlite3_clear_bindings(handle) }
            bind(values, texts: .packed(bytes))
            _ = try step()
        }
    }

    /// Where the bytes of the texts bound come from: each string's own, copied by SQLite
    /// (SQLITE_TRANSIENT); or `packed`, every text's bytes one after the other in `values`
    /// order, bound in place (SQLITE_STATIC: the buffer must outlive the statement's use).
    private enum TextSource { case copied, packed(UnsafeBufferPointer<UInt8>) }

    /// Resets the statement and binds every parameter in order, texts as `texts` says. A text's
    /// UTF-8 bytes are bound with their length (no bridging copy); a NUL inside is kept.
    private func bind(_ values: [RawValue], texts: TextSource) {
        sqlite3_reset(handle)
        var offset = 0
        for (i, v) in values.enumerated() {
            let idx = Int32(i + 1)
            switch v {
            case .null: sqlite3_bind_null(handle, idx)
            case .int(let n): sqlite3_bind_int64(handle, idx, n)
            case .text(var s):
                switch texts {
                case .copied:
                    s.withUTF8 { bindText($0, at: idx, transient) }
                case .packed(let bytes):
                    let n = s.utf8.count
                    bindText(UnsafeBufferPointer(rebasing: bytes[offset..<offset + n]), at: idx, nil)   // nil: SQLITE_STATIC
                    offset += n
                }
            }
        }
    }

    private func bindText(_ buf: UnsafeBufferPointer<UInt8>, at idx: Int32, _ destructor: sqlite3_destructor_type?) {
        guard let base = buf.baseAddress else { sqlite3_bind_text(handle, idx, "", 0, transient); return }
        _ = base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
            sqlite3_bind_text(handle, idx, $0, Int32(buf.count), destructor)
        }
    }

    /// Steps once; true when a row is available.
    func step() throws -> Bool {
        let rc: Int32
        if let profile = StatementProfile.active {
            let start = PhaseClock.now(), cpu = PhaseClock.threadCPU()
            rc = sqlite3_step(handle)
            profile.add(handle, nanos: PhaseClock.now() &- start, cpu: PhaseClock.threadCPU() &- cpu)
        } else {
            rc = sqlite3_step(handle)
        }
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
        sqlite3_reset(handle)
        // The text from SQLite itself: GRDB's `statement.sql` may only be read on the connection's
        // own queue, and a bulk ingest's second thread (`WriteBehind`) steps statements too.
        let sql = sqlite3_sql(handle).map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines.union([";"]))
        throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: message, sql: sql)
    }

    func run() throws { _ = try step(); sqlite3_reset(handle) }

    func int(_ col: Int32) -> Int64 { sqlite3_column_int64(handle, col) }
    func optionalInt(_ col: Int32) -> Int64? {
        sqlite3_column_type(handle, col) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, col)
    }
    func text(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(handle, col) else { return "" }
        return String(cString: p)
    }
    func optionalText(_ col: Int32) -> String? {
        sqlite3_column_type(handle, col) == SQLITE_NULL ? nil : text(col)
    }
    func done() { sqlite3_reset(handle) }
}

enum RawValue: Equatable {
    case null, int(Int64), text(String)
    static func of(_ s: String?) -> RawValue { s.map { .text($0) } ?? .null }
    static func of(_ n: Int64?) -> RawValue { n.map { .int($0) } ?? .null }
    static func of(_ b: Bool) -> RawValue { .int(b ? 1 : 0) }
}
