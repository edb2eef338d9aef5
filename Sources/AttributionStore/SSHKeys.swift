import AttributionCore
import Foundation
import GRDB

/// An affiliate's key for the SSH view.
public struct SSHKeyRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var affiliateID: Int64
    public var affiliateCode: String
    public var keyType: String
    public var keyData: String
    public var comment: String?
    public var addedAt: Instant
    public var removedAt: Instant?
    public init(row: Row) {
        id = row["id"]; affiliateID = row["affiliate_id"]; affiliateCode = row["affiliate_code"] ?? ""
        keyType = row["key_type"]; keyData = row["key_data"]; comment = row["comment"]
        addedAt = Instant(seconds: row["added_at"]); removedAt = (row["removed_at"] as Int64?).map(Instant.init(seconds:))
    }
    /// "ssh-ed25519 AAAA…"
    public var publicKey: String { "\(keyType) \(keyData)" }
}

/// The affiliates' SSH keys (admin side): added, removed and listed, audited.
extension Store {
    static let allowedKeyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// A public key line ("TYPE BASE64 [comment]") read into its parts, refusing an unknown type
    /// or key data that is not base64.
    static func parsePublicKey(_ line: String) throws -> (type: String, data: String, comment: String?) {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count >= 2 else { throw StoreError.invalid(field: "public key", message: "expected \"TYPE BASE64 [comment]\"") }
        let type = parts[0], data = parts[1]
        guard Store.allowedKeyTypes.contains(type) else {
            throw StoreError.invalid(field: "public key", message: "unsupported key type \"\(type)\"")
        }
        guard data.count >= 16, data.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 43 || $0 == 47 || $0 == 61 }),
              Data(base64Encoded: data) != nil else {
            throw StoreError.invalid(field: "public key", message: "the key data is not base64")
        }
        return (type, data, parts.count > 2 ? parts[2...].joined(separator: " ") : nil)
    }

    /// Registers a public key ("ssh-ed25519 AAAA… comment") for an affiliate.
    public func addSSHKey(affiliateCode: String, publicKey line: String, who: String) throws -> SSHKeyRow {
        let (type, data, comment) = try Store.parsePublicKey(line)
        let now = clock.now()
        return try write { db in
            guard let a = try AffiliateRow.fetch(db, code: affiliateCode) else { throw StoreError.notFound(what: "affiliate", value: affiliateCode) }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ssh_key WHERE key_data = ?)", arguments: [data]) == true {
                throw StoreError.duplicate(what: "public key", value: String(data.prefix(24)) + "…")
            }
            try db.execute(sql: "INSERT INTO ssh_key (affiliate_id, key_type, key_data, comment, added_at) VALUES (?,?,?,?,?)",
                           arguments: [a.id, type, data, comment, now.seconds])
            let id = db.lastInsertedRowID
            try self.audit(db, who: who, action: "ssh.add-key", target: affiliateCode, before: nil, after: "key \(id) \(type)", detail: comment)
            return try SSHKeyRow.fetchOne(db, sql: Store.sshKeySelect + " WHERE k.id = ?", arguments: [id])!
        }
    }

    /// Removes a key: its sessions are refused from the next login on.
    public func removeSSHKey(id: Int64, who: String) throws {
        let now = clock.now()
        try write { db in
            guard let k = try SSHKeyRow.fetchOne(db, sql: Store.sshKeySelect + " WHERE k.id = ?", arguments: [id]), k.removedAt == nil else {
                throw StoreError.notFound(what: "active key", value: String(id))
            }
            try db.execute(sql: "UPDATE ssh_key SET removed_at = ? WHERE id = ?", arguments: [now.seconds, id])
            try self.audit(db, who: who, action: "ssh.remove-key", target: k.affiliateCode, before: "key \(id) active", after: "removed", detail: nil)
        }
    }

    static let sshKeySelect = "SELECT k.*, a.code AS affiliate_code FROM ssh_key k JOIN affiliate a ON a.id = k.affiliate_id"

    /// Keys by id; only active ones unless `includeRemoved`.
    public func sshKeys(includeRemoved: Bool = false) throws -> [SSHKeyRow] {
        try read { db in
            try SSHKeyRow.fetchAll(db, sql: Store.sshKeySelect + (includeRemoved ? "" : " WHERE k.removed_at IS NULL AND a.disabled = 0")
                                   + " ORDER BY k.id")
        }
    }
}
