import GRDB

extension Store {
    /// How long a write waits for another process's write lock before giving up, in seconds.
    public static let busyTimeoutSeconds = 10

    /// Why a write did not happen, as a sentence for an admin. Every write is one transaction,
    /// so a write that failed changed nothing; the sentence says so, and what to do.
    public static func explainFailedWrite(_ error: any Error) -> String {
        switch error {
        case let e as DatabaseFileChanged:
            return e.description
        case let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED:
            return "the database stayed locked by another process for \(busyTimeoutSeconds) s; nothing was changed. Try again."
        case let e as DatabaseError:
            return "SQLite refused it (\(e.message ?? "error \(e.resultCode.rawValue)")); nothing was changed."
        case let e as StoreError:
            return "\(e); nothing was changed."
        default:
            return "\(error); nothing was changed."
        }
    }
}

extension Store {
    /// `explainFailedWrite` for the database's own failures (locked, file deleted, SQLite's
    /// refusals), nil for anything else: what the command line prints instead of a raw SQLite error.
    public static func explainDatabaseFailure(_ error: any Error) -> String? {
        switch error {
        case is DatabaseFileChanged, is DatabaseError: return explainFailedWrite(error)
        default: return nil
        }
    }
}
