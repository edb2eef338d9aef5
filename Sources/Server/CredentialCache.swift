import AttributionCore
import AttributionStore
import Foundation

/// The API keys and webhook secrets the server checks requests against, kept in memory instead
/// of read from the database for every request. Read again when this process changed a key or
/// a secret (`CredentialChanges`), when the copy is older than `maxAge` (a change made by
/// another process, such as `affdesk api-keys revoke`, applies within that time), and, at most
/// every `missRefresh`, when a request presents a key or a signature the copy does not know (so
/// a key just added works at once, and unknown keys cannot make it read more often than that).
final class CredentialCache: @unchecked Sendable {
    private struct Copy {
        var credentials: ActiveCredentials
        var generation: Int
        /// When the read began (monotonic nanoseconds): the copy is at least this fresh.
        var readAt: UInt64
    }

    private let store: Store
    private let maxAge: UInt64
    private let missRefresh: UInt64
    private let lock = NSLock()
    private var copy: Copy?

    init(store: Store, maxAge: TimeInterval, missRefresh: TimeInterval = 0.05) {
        self.store = store
        self.maxAge = UInt64(max(0, maxAge) * 1e9)
        self.missRefresh = UInt64(max(0, missRefresh) * 1e9)
    }

    /// The credentials, read again if the copy is stale.
    func current() throws -> ActiveCredentials { try fresh(within: maxAge) }

    /// Whether an active key has this SHA-256 (hex).
    func isActiveKey(sha256Hex: String) throws -> Bool {
        if try current().apiKeyHashes.contains(sha256Hex) { return true }
        return try fresh(within: missRefresh).apiKeyHashes.contains(sha256Hex)
    }

    /// The database's active secrets of a source; `retry` asks for a copy at most
    /// `missRefresh` old (after a signature matched none of them).
    func secrets(_ source: ServeCredentials.Source, retry: Bool = false) throws -> [String] {
        try fresh(within: retry ? missRefresh : maxAge).webhookSecrets[source] ?? []
    }

    private func fresh(within age: UInt64) throws -> ActiveCredentials {
        let generation = CredentialChanges.generation
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        if let c = copy, c.generation == generation, now &- c.readAt <= age {
            lock.unlock()
            return c.credentials
        }
        lock.unlock()
        // Read outside the lock (two requests may read at once; the newer read is kept). The
        // generation and the time are taken before the read, so a change committed during it is
        // seen next time.
        let read = Copy(credentials: try store.activeCredentials(), generation: generation, readAt: now)
        lock.lock()
        if copy.map({ $0.readAt <= read.readAt }) ?? true { copy = read }
        lock.unlock()
        return read.credentials
    }
}
