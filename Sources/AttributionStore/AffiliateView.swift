import AttributionCore
import Foundation
import GRDB
import GRDBSQLite

/// What an affiliate may read, enforced by SQLite's authorizer on every connection of an
/// affiliate-view store. Two lists: `denied` names what must never be read (anything that
/// identifies a customer or an order, other affiliates' contact details, the raw inbox, the
/// audit log), and `allowed` is the only thing that may be read at all: a column or table not
/// named there — including tables and columns added by later migrations — is refused too. A
/// query that even names a refused column fails to prepare ("access to customer.key is
/// prohibited", SQLite error 23), so the screens never see one.
public enum AffiliatePrivacy {
    /// table -> denied columns ("*" = the whole table).
    public static let denied: [String: Set<String>] = [
        "customer": ["key", "email", "click_id"],
        "conversion": ["external_id", "click_id", "customer_id", "subscription_id"],
        "click": ["*"],
        "event": ["*"],
        "event_ref": ["*"],
        "audit": ["*"],
        "affiliate": ["email"],
        "ssh_key": ["key_data", "comment"],
    ]

    /// table -> the only columns the affiliate view reads ("*" = every column). "" is a table
    /// named without reading a column (`SELECT COUNT(*) FROM t`).
    public static let allowed: [String: Set<String>] = [
        "program": ["*"],
        "affiliate": ["", "id", "code", "name", "disabled"],
        "customer": ["", "affiliate_id", "number", "status", "created_at", "last_activity_at", "conversions",
                     "commission_minor", "commission_currency", "first_commission_at"],
        "conversion": ["", "id", "affiliate_id", "customer_number", "at", "amount_minor", "currency",
                       "commission_minor", "commission_currency"],
        "ssh_key": ["", "id", "affiliate_id", "removed_at"],
        // The schema itself (SQLite and GRDB read it to prepare statements).
        "sqlite_master": ["*"], "sqlite_schema": ["*"], "sqlite_temp_master": ["*"], "sqlite_temp_schema": ["*"],
    ]

    /// Whether the affiliate view may read `column` of `table` ("" = the table without a column).
    public static func mayRead(table: String, column: String) -> Bool {
        if let d = denied[table], d.contains("*") || d.contains(column) { return false }
        guard let a = allowed[table] else { return false }
        return a.contains("*") || a.contains(column)
    }

    static func install(on db: Database) {
        guard let handle = db.sqliteConnection else { return }
        sqlite3_set_authorizer(handle, { _, action, table, column, _, _ in
            // SQLITE_READ: reading a column of a table (also in WHERE, ORDER BY, joins, `*`).
            guard action == SQLITE_READ, let t = table.map({ String(cString: $0) }) else { return SQLITE_OK }
            return AffiliatePrivacy.mayRead(table: t, column: column.map { String(cString: $0) } ?? "") ? SQLITE_OK : SQLITE_DENY
        }, nil)
    }
}

/// What `Store._probe(sql:)` read: the result's column names and its rows as text.
public struct ProbeResult: Hashable, Sendable {
    public var columns: [String]
    public var rows: [[String?]]
}

extension Store {
    /// TEST AND DIAGNOSTIC USE ONLY — not used by any front end. Runs one read-only statement
    /// on this store's connections exactly as its own queries run (on an affiliate-view store,
    /// under the privacy authorizer) and returns the column names and at most `limit` rows as
    /// text. A statement that would write is refused before it runs; the store's connections
    /// stay untouched. Errors are SQLite's own ("SQLite error 23: access to customer.key is
    /// prohibited" for a column the affiliate view may not read).
    public func _probe(sql: String, arguments: [Int64] = [], limit: Int = 1000) throws -> ProbeResult {
        try read { db in
            let statement = try db.makeStatement(sql: sql)
            guard statement.isReadonly else {
                throw StoreError.invalid(field: "probe", message: "only read-only statements may be probed")
            }
            try statement.setArguments(StatementArguments(arguments))
            var rows: [[String?]] = []
            let cursor = try Row.fetchCursor(statement)
            while rows.count < limit, let r = try cursor.next() {
                rows.append(r.databaseValues.map { v -> String? in
                    switch v.storage {
                    case .null: return nil
                    case .int64(let i): return String(i)
                    case .double(let d): return String(d)
                    case .string(let t): return t
                    case .blob(let b): return String(decoding: b, as: UTF8.self)
                    }
                })
            }
            return ProbeResult(columns: statement.columnNames, rows: rows)
        }
    }
}

/// A customer as an affiliate sees one: "Customer #X" and figures, nothing that identifies them.
public struct AffiliateCustomerRow: Hashable, Sendable, FetchableRecord {
    public var number: Int64
    public var status: CustomerStatus
    public var createdAt: Instant
    public var lastActivityAt: Instant
    /// The conversions and commission THIS affiliate earned from the customer: after a
    /// reassignment, what another affiliate earned is never added in.
    public var conversions: Int
    public var commission: Money?
    /// Where the customer stands against the program's caps (caps are per customer).
    public var capHistory: CapHistory

    public init(row: Row) {
        number = row["number"]; status = CustomerStatus(rawValue: row["status"]) ?? .initial
        createdAt = Instant(seconds: row["created_at"]); lastActivityAt = Instant(seconds: row["last_activity_at"])
        conversions = row["mine"]
        if let cur: String = row["mine_currency"] {
            commission = Money(minor: row["mine_minor"], currency: Currency(validated: cur))
        }
        var capCommission: Money?
        if let cur: String = row["commission_currency"] {
            capCommission = Money(minor: row["commission_minor"], currency: Currency(validated: cur))
        }
        capHistory = CapHistory(row["conversions"], (row["first_commission_at"] as Int64?).map(Instant.init(seconds:)), capCommission)
    }

    public func cursor(_ sort: CustomerSort) -> Cursor {
        switch sort {
        case .key, .affiliate: return Cursor(int: number, id: number)
        case .status: return Cursor(text: status.rawValue, id: number)
        case .conversions: return Cursor(int: Int64(conversions), id: number)
        case .commission: return Cursor(int: commission?.minor ?? 0, id: number)
        case .activity: return Cursor(int: lastActivityAt.seconds, id: number)
        }
    }
}

/// A conversion as the affiliate who earned it sees it: when, which Customer #X, how much.
public struct AffiliateConversionRow: Hashable, Sendable, FetchableRecord {
    /// An internal row id, only for paging.
    public var id: Int64
    public var at: Instant
    /// The customer's number for this affiliate when it was credited (nil for a one-off).
    public var customerNumber: Int64?
    public var amount: Money
    public var commission: Money

    public init(row: Row) {
        id = row["id"]; at = Instant(seconds: row["at"]); customerNumber = row["customer_number"]
        amount = Money(minor: row["amount_minor"], currency: Currency(validated: row["currency"]))
        commission = Money(minor: row["commission_minor"], currency: Currency(validated: row["commission_currency"]))
    }

    public func cursor(_ sort: ConversionSort) -> Cursor {
        switch sort {
        case .amount: return Cursor(int: amount.minor, id: id)
        case .commission: return Cursor(int: commission.minor, id: id)
        default: return Cursor(int: at.seconds, id: id)
        }
    }
}

/// One month of an affiliate's earnings.
public struct EarningsMonth: Hashable, Sendable {
    public var month: String
    public var conversions: Int
    public var commission: Int64
}

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

/// Who an affiliate-view session is, resolved from the forced command's arguments only.
public struct AffiliateIdentity: Hashable, Sendable {
    public var id: Int64
    public var code: String
    public var name: String
}

extension Store {
    /// Opens `path` for the affiliate view: read-only, with the privacy authorizer.
    public static func affiliateView(path: String, clock: any Clock = SystemClock()) throws -> Store {
        try checkExisting(path, writing: false)
        return try Store(path: path, readOnly: true, affiliateView: true, clock: clock)
    }

    /// Resolves an SSH key id to its affiliate; refuses removed keys and disabled affiliates.
    public func identity(keyID: Int64) throws -> AffiliateIdentity {
        try read { db in
            guard let r = try Row.fetchOne(db, sql: """
                SELECT k.removed_at, a.id, a.code, a.name, a.disabled FROM ssh_key k JOIN affiliate a ON a.id = k.affiliate_id
                WHERE k.id = ?
                """, arguments: [keyID]) else {
                throw StoreError.accessRefused("key \(keyID) is not registered")
            }
            if (r[0] as Int64?) != nil { throw StoreError.accessRefused("key \(keyID) was removed") }
            if r[4] as Bool { throw StoreError.accessRefused("this affiliate account is disabled") }
            return AffiliateIdentity(id: r[1], code: r[2], name: r[3])
        }
    }

    /// Resolves an affiliate code (local use of the view).
    public func identity(code: String) throws -> AffiliateIdentity {
        try read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT id, code, name, disabled FROM affiliate WHERE code = ?",
                                           arguments: [code]) else {
                throw StoreError.notFound(what: "affiliate", value: code)
            }
            if r[3] as Bool { throw StoreError.accessRefused("this affiliate account is disabled") }
            return AffiliateIdentity(id: r[0], code: r[1], name: r[2])
        }
    }

    /// Every query of the affiliate view, by name: the privacy tests run each of them.
    public static let affiliateViewSQL: [String: String] = [
        // The inner query takes the affiliate id; the outer one is what pages and sorts.
        "customers": """
            SELECT * FROM (SELECT c.number, c.status, c.created_at, c.last_activity_at, c.conversions, c.commission_minor,
              c.commission_currency, c.first_commission_at,
              (SELECT COUNT(*) FROM conversion v WHERE v.affiliate_id = c.affiliate_id AND v.customer_number = c.number) AS mine,
              (SELECT COALESCE(SUM(v.commission_minor), 0) FROM conversion v
                 WHERE v.affiliate_id = c.affiliate_id AND v.customer_number = c.number) AS mine_minor,
              (SELECT MIN(v.commission_currency) FROM conversion v
                 WHERE v.affiliate_id = c.affiliate_id AND v.customer_number = c.number) AS mine_currency
            FROM customer c WHERE c.affiliate_id = ?) c
            """,
        "conversions": """
            SELECT v.id, v.at, v.customer_number, v.amount_minor, v.currency, v.commission_minor, v.commission_currency
            FROM conversion v
            """,
        "earnings": "SELECT at, commission_minor, commission_currency FROM conversion WHERE affiliate_id = ? ORDER BY at",
    ]

    func affiliateCustomerKeyset(_ affiliateID: Int64, sort: CustomerSort, descending: Bool, filter: String) -> Keyset {
        let expr: String
        switch sort {
        case .key, .affiliate: expr = "c.number"
        case .conversions: expr = "c.mine"
        case .commission: expr = "c.mine_minor"
        default: expr = sort.expr
        }
        var k = Keyset(select: Store.affiliateViewSQL["customers"]!, sortExpr: expr, idExpr: "c.number", descending: descending)
        k.arguments = [affiliateID]
        k.matchNumberPrefix("c.number", filter)
        return k
    }

    /// The affiliate's own customers, a page at a time (filter: a customer number prefix).
    public func affiliateCustomers(_ affiliateID: Int64, sort: CustomerSort = .activity, descending: Bool = true,
                                   filter: String = "", page: PageRequest = .first()) throws -> [AffiliateCustomerRow] {
        try read { db in try affiliateCustomerKeyset(affiliateID, sort: sort, descending: descending, filter: filter).fetch(db, page) }
    }

    public func affiliateCustomerCount(_ affiliateID: Int64, filter: String = "") throws -> Int {
        try read { db in try affiliateCustomerKeyset(affiliateID, sort: .activity, descending: true, filter: filter).count(db) }
    }

    public func affiliateCustomer(_ affiliateID: Int64, number: Int64) throws -> AffiliateCustomerRow? {
        try read { db in
            try AffiliateCustomerRow.fetchOne(db, sql: Store.affiliateViewSQL["customers"]! + " WHERE c.number = ?",
                                              arguments: [affiliateID, number])
        }
    }

    func affiliateConversionKeyset(_ affiliateID: Int64, sort: ConversionSort, descending: Bool, customerNumber: Int64?,
                                   filter: String = "") -> Keyset {
        let expr: String
        switch sort {
        case .amount: expr = "v.amount_minor"
        case .commission: expr = "v.commission_minor"
        default: expr = "v.at"
        }
        var k = Keyset(select: Store.affiliateViewSQL["conversions"]!, sortExpr: expr, idExpr: "v.id", descending: descending)
        k.conditions = ["v.affiliate_id = ?"]
        k.arguments = [affiliateID]
        if let n = customerNumber { k.conditions.append("v.customer_number = ?"); k.arguments.append(n) }
        k.matchNumberPrefix("v.customer_number", filter)
        return k
    }

    /// The conversions this affiliate earned (including those of customers since reassigned).
    public func affiliateConversions(_ affiliateID: Int64, sort: ConversionSort = .date, descending: Bool = true,
                                     customerNumber: Int64? = nil, filter: String = "",
                                     page: PageRequest = .first()) throws -> [AffiliateConversionRow] {
        try read { db in
            try affiliateConversionKeyset(affiliateID, sort: sort, descending: descending, customerNumber: customerNumber,
                                          filter: filter).fetch(db, page)
        }
    }

    public func affiliateConversionCount(_ affiliateID: Int64, customerNumber: Int64? = nil, filter: String = "") throws -> Int {
        try read { db in
            try affiliateConversionKeyset(affiliateID, sort: .date, descending: true, customerNumber: customerNumber, filter: filter).count(db)
        }
    }

    /// Earnings per month in the program's currency, oldest first.
    public func affiliateEarnings(_ affiliateID: Int64) throws -> [EarningsMonth] {
        try read { db in
            let currency = try self.loadSettings(db).currency.code
            var out: [EarningsMonth] = []
            let rows = try Row.fetchCursor(db, sql: Store.affiliateViewSQL["earnings"]!, arguments: [affiliateID])
            while let r = try rows.next() {
                let m = Instant(seconds: r[0]).monthKey
                let amount: Int64 = (r[2] as String) == currency ? r[1] : 0
                if out.last?.month == m {
                    out[out.count - 1].conversions += 1
                    out[out.count - 1].commission += amount
                } else {
                    out.append(EarningsMonth(month: m, conversions: 1, commission: amount))
                }
            }
            return out
        }
    }

    // MARK: SSH keys (admin side)

    static let allowedKeyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// Registers a public key ("ssh-ed25519 AAAA… comment") for an affiliate.
    public func addSSHKey(affiliateCode: String, publicKey line: String, who: String) throws -> SSHKeyRow {
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
        let comment = parts.count > 2 ? parts[2...].joined(separator: " ") : nil
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

extension Keyset {
    /// The affiliate view's filter: "#12" or "12" keeps the customers whose number starts with 12.
    mutating func matchNumberPrefix(_ column: String, _ filter: String) {
        let digits = filter.trimmingCharacters(in: CharacterSet(charactersIn: "# "))
        guard !digits.isEmpty else { return }
        conditions.append("CAST(\(column) AS TEXT) LIKE ?")
        arguments.append(digits + "%")
    }
}
