import GRDB
import GRDBSQLite

/// A connection of its own to a store's file that only copies the write-ahead log back into the
/// database (PASSIVE checkpoints: it never waits for the writer, nor the writer for it), for a
/// thread beside `affdesk serve`'s group writer. A checkpoint only copies pages: the database
/// is the same whatever runs when, and SQLite flushes the database file before it counts the
/// copied frames as done, so a crash at any moment loses nothing committed.
/// (`@unchecked Sendable`: one thread at a time uses it.)
public final class WALCheckpointConnection: @unchecked Sendable {
    private var handle: OpaquePointer?

    /// Opens the store's file; nil when it cannot be opened (the writer then checkpoints itself).
    public convenience init?(store: Store) {
        guard !store.readOnly else { return nil }
        self.init(path: store.path)
    }

    init?(path: String) {
        var h: OpaquePointer?
        guard sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let h else {
            sqlite3_close(h)
            return nil
        }
        // The database file is flushed after each copy (as the automatic checkpoint does).
        sqlite3_exec(h, "PRAGMA synchronous = NORMAL", nil, nil, nil)
        handle = h
    }

    deinit { close() }

    public func close() {
        if let handle { sqlite3_close(handle) }
        handle = nil
    }

    /// A PASSIVE checkpoint: the frames in the WAL and those copied (SQLITE_BUSY when another
    /// checkpoint runs: harmless, the next one copies them).
    @discardableResult
    public func passive() throws -> (walFrames: Int32, copied: Int32) {
        try WALCheckpointConnection.passive(handle)
    }

    /// A PASSIVE checkpoint of the main database on `connection` (this one's, or a writer's
    /// between two transactions): the frames in the WAL and those copied.
    @discardableResult
    static func passive(_ connection: OpaquePointer?) throws -> (walFrames: Int32, copied: Int32) {
        var log: Int32 = 0, copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(connection, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        guard rc == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "checkpoint") }
        return (log, copied)
    }
}

extension GroupWriter {
    /// Leaves the checkpoints to another connection (`WALCheckpointConnection`, on another
    /// thread): SQLite's automatic checkpoint, which ran inside a commit every 10,000 WAL pages
    /// and made that group wait for the copy and two flushes, is off on this connection, and
    /// `walFrames` tells the caller how long the WAL is after each commit. The caller must keep
    /// the WAL bounded (`checkpointRemainder` between groups).
    public func offloadCheckpoints() throws {
        try own.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            sqlite3_wal_hook(db.sqliteConnection, GroupWriter.walHook, UnsafeMutableRawPointer(walFrameCount))
        }
    }

    /// Frames in the WAL after this writer's last commit (0 before `offloadCheckpoints`).
    public var walFrames: Int32 { walFrameCount.pointee }

    /// Copies what the other connection's checkpoints left (the last few groups) between two
    /// groups, so that the next group starts the WAL over (as the automatic checkpoint did):
    /// the WAL stays as short as before. Best effort, as the automatic checkpoint is (a reader
    /// on an older snapshot, or another checkpoint running, only leaves it longer until later).
    public func checkpointRemainder() {
        _ = try? own.pool.writeWithoutTransaction { db in try WALCheckpointConnection.passive(db.sqliteConnection) }
    }

    /// SQLite calls it after each commit of the connection with the WAL's length in frames.
    private static let walHook: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = {
        count, _, _, frames in
        count?.assumingMemoryBound(to: Int32.self).pointee = frames
        return SQLITE_OK
    }
}
