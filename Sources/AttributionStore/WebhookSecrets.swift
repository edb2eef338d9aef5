import AttributionCore
import GRDB

/// A webhook signing secret as listed: never the secret, only a fingerprint (the first hex
/// digits of its SHA-256, computed by the caller) and a label.
public struct WebhookSecretRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var source: String
    public var fingerprint: String
    public var label: String?
    public var addedAt: Instant
    public var removedAt: Instant?
    public init(row: Row) {
        id = row["id"]; source = row["source"]; fingerprint = row["fingerprint"]; label = row["label"]
        addedAt = Instant(seconds: row["added_at"]); removedAt = (row["removed_at"] as Int64?).map(Instant.init(seconds:))
    }
}

/// The webhook secrets per source (several active at once, so a secret can be rolled: add the
/// new one, switch the sender, remove the old one). Audited by fingerprint, never in clear.
extension Store {
    public func addWebhookSecret(source: String, secret typed: String, fingerprint: String, label: String?, who: String) throws -> WebhookSecretRow {
        let src: ServeCredentials.Source
        let secret: String
        do {
            src = try ServeCredentials.parseSource(source)
            secret = try ServeCredentials.parseSecret(typed, source: src)
        } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        var checkedLabel: String?
        if let l = label {
            do { checkedLabel = try ServeCredentials.parseKeyName(l) } catch { throw StoreError.invalid(field: "label", message: error.message) }
        }
        let label = checkedLabel
        let now = clock.now()
        defer { CredentialChanges.changed() }
        return try write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_secret WHERE source = ? AND secret = ? AND removed_at IS NULL)",
                                 arguments: [src.rawValue, secret]) == true {
                throw StoreError.duplicate(what: "\(src.rawValue) webhook secret", value: fingerprint)
            }
            try db.execute(sql: "INSERT INTO webhook_secret (source, secret, fingerprint, label, added_at) VALUES (?,?,?,?,?)",
                           arguments: [src.rawValue, secret, fingerprint, label, now.seconds])
            let id = db.lastInsertedRowID
            try self.audit(db, who: who, action: "webhook-secret.add", target: src.rawValue, before: nil,
                           after: "secret \(id) sha256:\(fingerprint)", detail: label)
            return try WebhookSecretRow.fetchOne(db, sql: "SELECT * FROM webhook_secret WHERE id = ?", arguments: [id])!
        }
    }

    /// Removes the active secret with this id: signatures made with it are refused from then on.
    public func removeWebhookSecret(id: Int64, who: String) throws {
        let now = clock.now()
        defer { CredentialChanges.changed() }
        try write { db in
            guard let s = try WebhookSecretRow.fetchOne(db, sql: "SELECT * FROM webhook_secret WHERE id = ? AND removed_at IS NULL",
                                                        arguments: [id]) else {
                throw StoreError.notFound(what: "active webhook secret", value: String(id))
            }
            try db.execute(sql: "UPDATE webhook_secret SET removed_at = ? WHERE id = ?", arguments: [now.seconds, id])
            try self.audit(db, who: who, action: "webhook-secret.remove", target: s.source, before: "secret \(id) sha256:\(s.fingerprint) active",
                           after: "removed", detail: s.label)
        }
    }

    /// The secrets as listed (no secret in them); only active ones unless `includeRemoved`.
    public func webhookSecrets(includeRemoved: Bool = false) throws -> [WebhookSecretRow] {
        try read { db in
            try WebhookSecretRow.fetchAll(db, sql: "SELECT id, source, fingerprint, label, added_at, removed_at FROM webhook_secret"
                                          + (includeRemoved ? "" : " WHERE removed_at IS NULL") + " ORDER BY id")
        }
    }

    /// The active secrets of a source, in clear, for checking signatures (the server only).
    public func activeWebhookSecrets(source: ServeCredentials.Source) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT secret FROM webhook_secret WHERE source = ? AND removed_at IS NULL ORDER BY id",
                                arguments: [source.rawValue])
        }
    }
}
