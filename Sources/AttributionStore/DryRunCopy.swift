import Foundation
import GRDB

extension Store {
    /// A private copy of this database in a new temporary directory, for a dry run: whatever
    /// is written to it never reaches this file. The caller removes it (`removeDryRunCopy`).
    /// The copy is as large as the database.
    public func dryRunCopy() throws -> Store {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-dry-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("copy.sqlite").path
        let copy = try DatabaseQueue(path: path)
        try pool.backup(to: copy)
        try copy.close()
        return try Store(path: path, clock: clock)
    }

    /// Removes a dry run's copy and its directory.
    public func removeDryRunCopy() {
        try? pool.close()
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}
