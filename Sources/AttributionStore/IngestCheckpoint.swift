import Dispatch
import GRDB
import GRDBSQLite

/// Copies the WAL back into the database file beside a long ingest, on the second core, instead
/// of on the writer's path. From its second batch on, a bulk ingest turns SQLite's automatic
/// checkpoint off on the writer; after each committed batch this starts a PASSIVE checkpoint on
/// a connection of its own (it never waits for the writer, nor the writer for it), and once the
/// WAL holds as many pages as the automatic checkpoint allowed, the writer copies what is left
/// (about one batch's pages) between two transactions, so that the next one starts the WAL over:
/// the WAL stays as small as before. A checkpoint only copies pages: the database is the same
/// whatever runs when. (`@unchecked Sendable`: its connection, a `WALCheckpointConnection` as
/// `affdesk serve`'s, is used only on `queue`, and `walPages` is read only after `group.wait()`.)
final class IngestCheckpoint: @unchecked Sendable {
    /// The writer's automatic checkpoint (`Store.writerPragmas`), given back at the end, and its
    /// size in pages, at which the writer catches up.
    static let pages = Store.walAutocheckpointPages
    static let automatic = "PRAGMA wal_autocheckpoint = \(pages)"

    private let pool: DatabasePool
    /// Pages in the WAL at which the writer catches up.
    private let catchUp: Int32
    private let queue = DispatchQueue(label: "affdesk.ingest-checkpoint")
    private let group = DispatchGroup()
    private var connection: WALCheckpointConnection?
    /// Pages in the WAL when the last background checkpoint ran (written on `queue`, read after
    /// `group.wait()`).
    private var walPages: Int32 = 0

    /// Nil when the connection cannot be opened: the ingest then checkpoints as before.
    init?(_ pool: DatabasePool, path: String, catchUp: Int32 = IngestCheckpoint.pages) throws {
        self.pool = pool
        self.catchUp = catchUp
        guard let connection = WALCheckpointConnection(path: path) else { return nil }
        self.connection = connection
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        } catch {
            connection.close()
            throw error
        }
    }

    /// After a batch is committed: catch up on the writer when the WAL is full, then start the
    /// next background checkpoint. A checkpoint that cannot run never fails the ingest.
    func committed() {
        group.wait()
        if walPages >= catchUp {
            // Best effort, as the automatic checkpoint is: a reader still on an older snapshot
            // (or another process's checkpoint) only leaves the WAL longer until a later batch.
            _ = try? pool.writeWithoutTransaction { db in try WALCheckpointConnection.passive(db.sqliteConnection) }
            walPages = 0
            return   // nothing left to copy; the next batch starts the WAL over
        }
        guard let connection else { return }
        queue.async(group: group) { [self] in
            // SQLITE_BUSY (another checkpoint running) is harmless: the next batch tries again.
            if let pages = try? connection.passive().walFrames { walPages = pages }
        }
    }

    /// Waits for the background checkpoint, closes its connection and gives the writer its
    /// automatic checkpoint back.
    func finish() throws {
        group.wait()
        connection?.close()
        connection = nil
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: IngestCheckpoint.automatic)
        }
    }
}
