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
        // The ledger: refund and dispute ids, what a commission was voided for, payout emails.
        "refund": ["*"],
        "dispute": ["*"],
        "commission": ["reason", "reason_before_dispute", "before_dispute", "original_minor"],
        // The Caps tab's kept near-cap customers (schema v19) copy their keys.
        "cap_candidate": ["*"],
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
        // Per affiliate and month, sums only (schema v7): the view reads its own.
        "affiliate_month": ["", "affiliate_id", "month", "currency", "conversions", "commission_minor"],
        "affiliate_total": ["", "affiliate_id", "customers", "conversions", "earnings_minor"],
        // The ledger (v8, v14): the affiliate's entries' states and sums, their payouts and lines.
        "affiliate_ledger_month": ["", "affiliate_id", "month", "currency", "bucket", "entries", "amount_minor"],
        "commission": ["", "id", "kind", "conversion_id", "affiliate_id", "amount_minor", "currency", "state", "approves_at",
                       "needs_approval", "earned_at", "payout_id"],
        "payout": ["", "id", "affiliate_id", "amount_minor", "currency", "state", "created_at", "paid_at", "reference"],
        "payout_line": ["", "payout_id", "commission_id", "amount_minor"],
        // Per affiliate and customer number, sums only (schema v11): My customers reads its own.
        "affiliate_customer_sum": ["", "affiliate_id", "number", "conversions", "commission_minor", "commission_currency"],
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
