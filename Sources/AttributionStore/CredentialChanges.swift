import AttributionCore
import Foundation
import GRDB

/// A count of the changes this process made to API keys and webhook secrets, so that a cache of
/// them (the server's) sees such a change at once; a change by another process is seen when the
/// cache's own age limit has passed.
public enum CredentialChanges {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var count = 0

    /// Moves after every committed change of a key or a secret made through any `Store` here.
    public static var generation: Int {
        lock.lock(); defer { lock.unlock() }
        return count
    }

    static func changed() {
        lock.lock(); count += 1; lock.unlock()
    }
}

/// What the server checks requests against, read in one transaction: the SHA-256 of every
/// active API key and the active webhook secrets of each source (in clear: the server only).
public struct ActiveCredentials: Sendable {
    public var apiKeyHashes: Set<String>
    public var webhookSecrets: [ServeCredentials.Source: [String]]
}

extension Store {
    public func activeCredentials() throws -> ActiveCredentials {
        try read { db in
            let hashes = try String.fetchSet(db, sql: "SELECT hash FROM api_key WHERE revoked_at IS NULL")
            var secrets: [ServeCredentials.Source: [String]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT source, secret FROM webhook_secret WHERE removed_at IS NULL ORDER BY id")
            for row in rows {
                guard let source = ServeCredentials.Source(rawValue: row["source"]) else { continue }
                secrets[source, default: []].append(row["secret"])
            }
            return ActiveCredentials(apiKeyHashes: hashes, webhookSecrets: secrets)
        }
    }
}
