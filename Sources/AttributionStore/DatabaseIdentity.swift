import Foundation
import GRDB
import GRDBSQLite
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which file a path names: its device and inode. A database deleted while affdesk has it open
/// lives on as an unnamed file; one put in its place (a restored backup, a copy) is another
/// file under the same name. Either way a write would go where nobody will ever read it, so the
/// store compares the file it opened with the file the path names now before every write.
public struct DatabaseIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    /// The file `path` names now (symbolic links followed), nil when there is none.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// The database file was deleted or replaced while a store had it open: nothing is written.
public struct DatabaseFileChanged: Error, Hashable, Sendable, CustomStringConvertible {
    public var path: String
    /// No file has the name any more (deleted or moved away), rather than another file.
    public var deleted: Bool

    public init(path: String, deleted: Bool) { self.path = path; self.deleted = deleted }

    var what: String {
        "The database file \(path) was \(deleted ? "deleted" : "replaced by another file") while affdesk was open"
    }

    /// The refusal of a write.
    public var description: String { "\(what); nothing was written. Quit and reopen." }

    /// The notice of a screen that noticed it on a refresh (what it shows is the old file's).
    public var notice: String { "\(what); no change can be saved. Quit and reopen." }
}

extension Store {
    /// Throws `DatabaseFileChanged` when `path` no longer names the file this store opened.
    /// One `stat`: cheap enough for every refresh.
    public func checkFileIdentity() throws {
        let now = DatabaseIdentity(path: path)
        guard now == opened else { throw DatabaseFileChanged(path: path, deleted: now == nil) }
    }

    /// The check of a write, inside its transaction: the path as above, and SQLite's own view of
    /// the connection that writes (its open file against the path), which holds even for a file
    /// replaced while the store was being opened.
    func checkFileIdentity(_ db: Database) throws {
        try checkFileIdentity()
        var moved: Int32 = 0
        if sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK, moved != 0 {
            throw DatabaseFileChanged(path: path, deleted: DatabaseIdentity(path: path) == nil)
        }
    }
}
