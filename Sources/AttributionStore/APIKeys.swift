import AttributionCore
import GRDB

/// A tracking API key as stored: its name, the first characters of the key (to tell keys
/// apart), never the key itself (only its SHA-256, which is not listed either).
public struct APIKeyRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var name: String
    /// "afk_1a2b…": the first characters of the key.
    public var hint: String
    public var createdAt: Instant
    public var revokedAt: Instant?
    public init(row: Row) {
        id = row["id"]; name = row["name"]; hint = row["hint"]
        createdAt = Instant(seconds: row["created_at"]); revokedAt = (row["revoked_at"] as Int64?).map(Instant.init(seconds:))
    }
}

/// The tracking API's keys: made by the caller (random, hashed with SHA-256 there), stored
/// hashed, listed, revoked; each change audited without the key.
extension Store {
    /// Records a new key under `name` (unique among active keys). `sha256Hex` is the SHA-256 of
    /// the key in lower-case hex; `hint` its first characters.
    public func addAPIKey(name typed: String, sha256Hex: String, hint: String, who: String) throws -> APIKeyRow {
        let name: String
        do { name = try ServeCredentials.parseKeyName(typed) } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        guard sha256Hex.utf8.count == 64, sha256Hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw StoreError.invalid(field: "hash", message: "must be 64 lower-case hex digits (SHA-256)")
        }
        let hint = String(hint.prefix(ServeCredentials.keyHintCharacters))
        let now = clock.now()
        defer { CredentialChanges.changed() }
        return try write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_key WHERE name = ? AND revoked_at IS NULL)", arguments: [name]) == true {
                throw StoreError.duplicate(what: "API key", value: name)
            }
            try db.execute(sql: "INSERT INTO api_key (name, hash, hint, created_at) VALUES (?,?,?,?)",
                           arguments: [name, sha256Hex, hint, now.seconds])
            let id = db.lastInsertedRowID
            try self.audit(db, who: who, action: "api-key.add", target: name, before: nil, after: "key \(id) \(hint)…", detail: nil)
            return try APIKeyRow.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [id])!
        }
    }

    /// Revokes the active key named `name` (or with id `name`): refused from the next request on.
    public func revokeAPIKey(_ name: String, who: String) throws -> APIKeyRow {
        let now = clock.now()
        defer { CredentialChanges.changed() }
        return try write { db in
            let sql = "SELECT * FROM api_key WHERE revoked_at IS NULL AND (name = ? OR CAST(id AS TEXT) = ?) ORDER BY id LIMIT 1"
            guard let k = try APIKeyRow.fetchOne(db, sql: sql, arguments: [name, name]) else {
                throw StoreError.notFound(what: "active API key", value: name)
            }
            try db.execute(sql: "UPDATE api_key SET revoked_at = ? WHERE id = ?", arguments: [now.seconds, k.id])
            try self.audit(db, who: who, action: "api-key.revoke", target: k.name, before: "key \(k.id) \(k.hint)… active",
                           after: "revoked", detail: nil)
            return try APIKeyRow.fetchOne(db, sql: "SELECT * FROM api_key WHERE id = ?", arguments: [k.id])!
        }
    }

    /// Keys by id; only active ones unless `includeRevoked`.
    public func apiKeys(includeRevoked: Bool = false) throws -> [APIKeyRow] {
        try read { db in
            try APIKeyRow.fetchAll(db, sql: "SELECT * FROM api_key" + (includeRevoked ? "" : " WHERE revoked_at IS NULL") + " ORDER BY id")
        }
    }

    /// The active key whose SHA-256 is `sha256Hex`, or nil (unknown or revoked).
    public func activeAPIKey(sha256Hex: String) throws -> APIKeyRow? {
        try read { db in
            try APIKeyRow.fetchOne(db, sql: "SELECT * FROM api_key WHERE hash = ? AND revoked_at IS NULL", arguments: [sha256Hex])
        }
    }
}
