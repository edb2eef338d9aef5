import Foundation

/// Errors the store reports, each naming what was wrong.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case newerSchema(path: String, found: Int, supported: Int)
    case notInitialized(path: String)
    case alreadyInitialized(path: String)
    case duplicate(what: String, value: String)
    case notFound(what: String, value: String)
    case invalid(field: String, message: String)
    case accessRefused(String)
    /// A write was attempted through a read-only store.
    case readOnly(path: String)
    /// The file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// No file at the path (a command other than `init` never creates one).
    case noFile(path: String)
    /// The path is a directory.
    case isDirectory(path: String)
    /// An SQLite database with tables, none of them affdesk's program.
    case notAffdesk(path: String)
    /// A command that writes, on a file (or directory) this user cannot write.
    case fileReadOnly(path: String)
    /// A read-only opening of a database an older affdesk wrote: only a writer upgrades it.
    case olderSchema(path: String, found: Int, supported: Int)
    /// A new database (or its directory) that cannot be made.
    case cannotCreate(path: String, reason: String)
    /// The path names a named pipe, a device or a socket: no database can live there (and
    /// opening a pipe would wait for a writer forever).
    case notAFile(path: String, kind: String)
    /// SQLite found the file damaged (truncated, overwritten): nothing was read as data.
    case damaged(path: String, why: String)
    /// SQLite could not use the file for another reason (the disk full, an I/O error).
    case unusable(path: String, why: String)

    public var description: String {
        switch self {
        case .newerSchema(let p, let f, let s):
            return "\(p): the database has schema version \(f), newer than this affdesk supports (\(s)); upgrade affdesk"
        case .notInitialized(let p): return "\(p) holds no affdesk program yet: create one with `affdesk init --db \(shellWord(p))`"
        case .alreadyInitialized(let p): return "\(p): a program is already set up here"
        case .duplicate(let w, let v): return "\(w) \"\(v)\" already exists"
        case .notFound(let w, let v): return "no \(w) \"\(v)\""
        case .invalid(let f, let m): return "\(f): \(m)"
        case .accessRefused(let why): return "access refused: \(why)"
        case .readOnly(let p): return "\(p): opened read-only; nothing can be changed here"
        case .notADatabase(let p): return "\(p): not an affdesk database (the file is not SQLite)"
        case .noFile(let p):
            return "\(p) does not exist: check the path (--db or $AFFDESK_DB), or create a program there with `affdesk init --db \(shellWord(p))`"
        case .isDirectory(let p):
            return "\(p) is a directory, not a database file: give the file's path (e.g. --db \(shellWord(p + "/affdesk.sqlite")))"
        case .notAffdesk(let p):
            return "\(p) is not an affdesk database (it has tables but no program): check the path; affdesk leaves such a file alone"
        case .fileReadOnly(let p):
            return "\(p) is read-only: affdesk needs to write it for this command (check the permissions of the file and its "
                + "directory) — or use a command that only reads (list, show, triage, program show)"
        case .olderSchema(let p, let f, let s):
            return "\(p) has schema version \(f), older than this affdesk's (\(s)), and a command that only reads never upgrades it: "
                + "upgrade it once with a command that writes, e.g. `affdesk program set --db \(shellWord(p))` (which changes no setting)"
        case .cannotCreate(let p, let why):
            return "\(p) cannot be created (\(why)): choose a path this user can write, or create its directory first"
        case .notAFile(let p, let kind):
            return "\(p) is a \(kind), not a database file: give the path of a regular file (e.g. --db ~/affdesk.sqlite)"
        case .damaged(let p, let why):
            return "\(p) is damaged (SQLite: \(why)); affdesk changed nothing: restore it from a backup "
                + "(`sqlite3 \(shellWord(p)) 'PRAGMA integrity_check'` says what is wrong)"
        case .unusable(let p, let why):
            return "\(p) cannot be used (SQLite: \(why)); affdesk changed nothing: check the path and the disk it is on"
        }
    }
}

/// `p` as one shell word, for a command a message suggests.
func shellWord(_ p: String) -> String {
    p.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@".contains($0) } ? p : "'" + p.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
