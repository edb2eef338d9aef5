import Foundation
import GRDB

/// Opening a database file that must already exist, and saying in words what is wrong with one
/// that cannot be used: missing, a directory, read-only, empty, someone else's, older or newer.
extension Store {
    /// Opens the database at `path` for a command: the file must already hold an affdesk program.
    /// Never creates a file or a directory and never writes into a file without a program (no
    /// schema as a side effect of a typo or an empty file). A read-only store never migrates: an
    /// older schema is refused with what to do. Every fault is a `StoreError` naming the file.
    public static func open(existing path: String, readOnly: Bool, clock: any Clock = SystemClock()) throws -> Store {
        try checkExisting(path, writing: !readOnly)
        return try Store(path: path, readOnly: readOnly, affiliateView: false, clock: clock)
    }

    /// What a database file holds, read without writing it.
    public enum Contents: Equatable, Sendable {
        /// An SQLite database without a table (a 0-byte file is one).
        case empty
        /// Tables, none of them affdesk's program.
        case foreign
        /// affdesk's schema, but `init` never completed.
        case noProgram
        case program(schemaVersion: Int)
    }

    /// Inspects the file at `path` through a read-only connection of its own.
    public static func contents(of path: String) throws -> Contents {
        if isDirectory(path) { throw StoreError.isDirectory(path: path) }
        try refuseSpecialFile(path)
        var config = Configuration()
        config.readonly = true
        config.label = "affdesk-inspect"
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            return try queue.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if tables.isEmpty { return .empty }
                guard tables.contains("program") else { return .foreign }
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM program)") == true else { return .noProgram }
                return .program(schemaVersion: try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0)
            }
        } catch let e as DatabaseError {
            throw refusal(e, path: path, readOnly: true)
        }
    }

    /// The checks of `open(existing:)` before any connection that could write: the file is there,
    /// is a file, can be read (and written by a writer) and holds a program.
    static func checkExisting(_ path: String, writing: Bool) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == EACCES {
                throw StoreError.accessRefused("\(path): this user (uid \(getuid())) cannot reach the file; a directory on its path is not searchable")
            }
            throw StoreError.noFile(path: path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw StoreError.isDirectory(path: path) }
        try refuseSpecialFile(path)
        if access(path, R_OK) != 0 {
            throw StoreError.accessRefused("\(path): this user (uid \(getuid())) cannot read the database; it needs read access to the file")
        }
        if writing {
            let dir = (path as NSString).deletingLastPathComponent
            // A writer also creates the -wal and -shm files beside the database.
            if access(path, W_OK) != 0 || (access(dir, W_OK) != 0 && access(path + "-wal", W_OK) != 0) {
                throw StoreError.fileReadOnly(path: path)
            }
        }
        if st.st_size == 0 { throw StoreError.notInitialized(path: path) }
        switch try contents(of: path) {
        case .empty, .noProgram: throw StoreError.notInitialized(path: path)
        case .foreign: throw StoreError.notAffdesk(path: path)
        case .program: break
        }
    }

    /// Why `dir` cannot be made: its nearest existing ancestor is a file, or not writable.
    static func whyNoDirectory(_ dir: String) -> String? {
        var p = dir
        while !p.isEmpty && p != "/" && !FileManager.default.fileExists(atPath: p) { p = (p as NSString).deletingLastPathComponent }
        if !isDirectory(p) { return "\(p) is a file, not a directory" }
        if access(p, W_OK) != 0 { return "\(p) is not writable by this user" }
        return nil
    }

    /// Refuses a path that names a named pipe, a device or a socket (following links), before
    /// SQLite opens it: opening a pipe would wait for a writer forever, and a device is no file.
    static func refuseSpecialFile(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        let kind: String
        switch st.st_mode & S_IFMT {
        case S_IFIFO: kind = "named pipe (FIFO)"
        case S_IFCHR: kind = "character device"
        case S_IFBLK: kind = "block device"
        case S_IFSOCK: kind = "socket"
        default: return
        }
        throw StoreError.notAFile(path: path, kind: kind)
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// SQLite's refusal to open or write a file, said with the file's name and what to do.
    static func refusal(_ e: DatabaseError, path: String, readOnly: Bool) -> Error {
        switch e.resultCode {
        case .SQLITE_NOTADB:
            return StoreError.notADatabase(path: path)
        case .SQLITE_READONLY where !readOnly, .SQLITE_CANTOPEN where !readOnly:
            if !FileManager.default.fileExists(atPath: path) {
                return StoreError.cannotCreate(path: path, reason: "\((path as NSString).deletingLastPathComponent) is not writable by this user")
            }
            return StoreError.fileReadOnly(path: path)
        case .SQLITE_READONLY, .SQLITE_CANTOPEN:
            // A reader of a WAL database needs its -wal and -shm files, or the right to create
            // them: the usual stumble of a dedicated account (the affiliate view over SSH).
            let dir = (path as NSString).deletingLastPathComponent
            return StoreError.accessRefused(e.resultCode == .SQLITE_CANTOPEN
                ? "\(path): this user (uid \(getuid())) cannot open the database; it needs read access to the file and its -wal and -shm files"
                : "\(path): this user (uid \(getuid())) can read the database but not its write-ahead log; make \(dir) writable by this user's group (mode 2770) or the database's -wal and -shm files readable by it")
        case .SQLITE_CORRUPT:
            return StoreError.damaged(path: path, why: e.message ?? "database disk image is malformed")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            // Said by `explainFailedWrite` (locked by another process for 10 s).
            return e
        default:
            return StoreError.unusable(path: path, why: e.message ?? "error \(e.resultCode.rawValue)")
        }
    }
}
