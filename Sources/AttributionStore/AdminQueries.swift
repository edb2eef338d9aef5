import AttributionCore
import GRDB

/// The columns the admin's customer list sorts by.
public enum CustomerSort: String, CaseIterable, Sendable {
    case key, affiliate, status, conversions, commission, activity

    var expr: String {
        switch self {
        case .key: return "c.key"
        case .affiliate: return "c.affiliate_id"
        case .status: return "c.status"
        case .conversions: return "c.conversions"
        case .commission: return "c.commission_minor"
        case .activity: return "c.last_activity_at"
        }
    }
}

public struct CustomerQuery: Hashable, Sendable {
    public var sort: CustomerSort = .activity
    public var descending = true
    /// Matches the customer key, email or the affiliate's code or name.
    public var filter: String = ""
    public var status: CustomerStatus?
    public var affiliateID: Int64?
    /// Only customers capped or near a cap.
    public var nearCaps: NearCaps?
    public init(sort: CustomerSort = .activity, descending: Bool = true, filter: String = "",
                status: CustomerStatus? = nil, affiliateID: Int64? = nil, nearCaps: NearCaps? = nil) {
        self.sort = sort; self.descending = descending; self.filter = filter; self.status = status; self.affiliateID = affiliateID
        self.nearCaps = nearCaps
    }
}

extension CustomerRow {
    public func cursor(_ sort: CustomerSort) -> Cursor {
        switch sort {
        case .key: return Cursor(text: key, id: id)
        case .affiliate: return Cursor(int: affiliateID, id: id)
        case .status: return Cursor(text: status.rawValue, id: id)
        case .conversions: return Cursor(int: Int64(conversions), id: id)
        case .commission: return Cursor(int: commission?.minor ?? 0, id: id)
        case .activity: return Cursor(int: lastActivityAt.seconds, id: id)
        }
    }
}

public enum ConversionSort: String, CaseIterable, Sendable {
    case date, externalID = "external_id", affiliate, amount, commission
    var expr: String {
        switch self {
        case .date: return "v.at"
        case .externalID: return "v.external_id"
        case .affiliate: return "v.affiliate_id"
        case .amount: return "v.amount_minor"
        case .commission: return "v.commission_minor"
        }
    }
}

public struct ConversionQuery: Hashable, Sendable {
    public var sort: ConversionSort = .date
    public var descending = true
    public var filter: String = ""
    public var customerID: Int64?
    public var affiliateID: Int64?
    public init(sort: ConversionSort = .date, descending: Bool = true, filter: String = "", customerID: Int64? = nil,
                affiliateID: Int64? = nil) {
        self.sort = sort; self.descending = descending; self.filter = filter; self.customerID = customerID
        self.affiliateID = affiliateID
    }
}

extension ConversionRow {
    public func cursor(_ sort: ConversionSort) -> Cursor {
        switch sort {
        case .date: return Cursor(int: at.seconds, id: id)
        case .externalID: return Cursor(text: externalID, id: id)
        case .affiliate: return Cursor(int: affiliateID, id: id)
        case .amount: return Cursor(int: amount.minor, id: id)
        case .commission: return Cursor(int: commission.minor, id: id)
        }
    }
}

public struct EventQuery: Hashable, Sendable {
    public var rejectedOnly = false
    public var reason: String?
    /// Matches any identifier the event carries, or its raw text.
    public var filter: String = ""
    public var customerID: Int64?
    /// With `rejectedOnly`: keep the resolved rejections too (Resolution.swift); hidden by default.
    public var includeResolved = false
    public init(rejectedOnly: Bool = false, reason: String? = nil, filter: String = "", customerID: Int64? = nil,
                includeResolved: Bool = false) {
        self.rejectedOnly = rejectedOnly; self.reason = reason; self.filter = filter; self.customerID = customerID
        self.includeResolved = includeResolved
    }
}

/// One line of the Affiliates screen.
public struct AffiliateSummary: Hashable, Sendable, FetchableRecord {
    public var affiliate: AffiliateRow
    public var customers: Int
    public var conversions: Int
    /// Earnings in the program's currency (other currencies are counted apart).
    public var earnings: Int64
    public init(row: Row) {
        affiliate = AffiliateRow(row: row)
        customers = row["customers"] ?? 0
        conversions = row["conversions"] ?? 0
        earnings = row["earnings"] ?? 0
    }
}

/// A (month, amount) series point for charts.
public struct MonthAmount: Hashable, Sendable {
    public var month: String
    public var minor: Int64
}

extension Store {
    static let customerSelect = """
        SELECT c.*, a.code AS affiliate_code, a.name AS affiliate_name FROM customer c JOIN affiliate a ON a.id = c.affiliate_id
        """

    func customerKeyset(_ q: CustomerQuery) -> Keyset {
        var k = Keyset(select: Store.customerSelect, sortExpr: q.sort.expr, idExpr: "c.id", descending: q.descending)
        if !q.filter.isEmpty {
            let p = likePattern(q.filter)
            k.conditions.append("(c.key LIKE ? ESCAPE '\\' OR c.email LIKE ? ESCAPE '\\' OR a.code LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\')")
            k.arguments += [p, p, p, p]
        }
        if let s = q.status { k.conditions.append("c.status = ?"); k.arguments.append(s.rawValue) }
        if let a = q.affiliateID { k.conditions.append("c.affiliate_id = ?"); k.arguments.append(a) }
        if let n = q.nearCaps {
            var any = ["c.status = 'capped'"]
            if let c = n.commissions { any.append("c.conversions >= ?"); k.arguments.append(c) }
            if let m = n.commissionMinor { any.append("c.commission_minor >= ?"); k.arguments.append(m) }
            if let f = n.firstCommissionBefore { any.append("c.first_commission_at <= ?"); k.arguments.append(f.seconds) }
            k.conditions.append("(" + any.joined(separator: " OR ") + ") AND c.status <> 'ended'")
        }
        return k
    }

    public func customers(_ q: CustomerQuery = CustomerQuery(), page: PageRequest = .first()) throws -> [CustomerRow] {
        try read { db in try customerKeyset(q).fetch(db, page) }
    }

    public func customerCount(_ q: CustomerQuery = CustomerQuery()) throws -> Int {
        try read { db in try customerKeyset(q).count(db) }
    }

    public func customer(key: String) throws -> CustomerRow? {
        try read { db in try CustomerRow.fetchOne(db, sql: Store.customerSelect + " WHERE c.key = ?", arguments: [key]) }
    }

    public func customer(id: Int64) throws -> CustomerRow? {
        try read { db in try CustomerRow.fetchOne(db, sql: Store.customerSelect + " WHERE c.id = ?", arguments: [id]) }
    }

    static let conversionSelect = """
        SELECT v.*, c.key AS customer_key, a.code AS affiliate_code FROM conversion v
        JOIN affiliate a ON a.id = v.affiliate_id LEFT JOIN customer c ON c.id = v.customer_id
        """

    func conversionKeyset(_ q: ConversionQuery) -> Keyset {
        var k = Keyset(select: Store.conversionSelect, sortExpr: q.sort.expr, idExpr: "v.id", descending: q.descending)
        if !q.filter.isEmpty {
            let p = likePattern(q.filter)
            k.conditions.append("(v.external_id LIKE ? ESCAPE '\\' OR c.key LIKE ? ESCAPE '\\' OR a.code LIKE ? ESCAPE '\\')")
            k.arguments += [p, p, p]
        }
        if let c = q.customerID { k.conditions.append("v.customer_id = ?"); k.arguments.append(c) }
        if let a = q.affiliateID { k.conditions.append("v.affiliate_id = ?"); k.arguments.append(a) }
        return k
    }

    public func conversions(_ q: ConversionQuery = ConversionQuery(), page: PageRequest = .first()) throws -> [ConversionRow] {
        try read { db in try conversionKeyset(q).fetch(db, page) }
    }

    public func conversionCount(_ q: ConversionQuery = ConversionQuery()) throws -> Int {
        try read { db in try conversionKeyset(q).count(db) }
    }

    public func conversion(externalID: String) throws -> ConversionRow? {
        try read { db in try ConversionRow.fetchOne(db, sql: Store.conversionSelect + " WHERE v.external_id = ?", arguments: [externalID]) }
    }

    func eventKeyset(_ q: EventQuery) -> Keyset {
        var k = Keyset(select: "SELECT * FROM event e", sortExpr: "e.id", idExpr: "e.id", descending: true)
        if q.rejectedOnly { k.conditions.append("e.outcome = 'rejected'") }
        if q.rejectedOnly && !q.includeResolved { k.conditions.append(Store.unresolvedCondition("e")) }
        if let r = q.reason { k.conditions.append("(e.reason = ? OR ',' || e.note || ',' LIKE ?)"); k.arguments += [r, "%,\(r),%"] }
        if let c = q.customerID { k.conditions.append("e.customer_id = ?"); k.arguments.append(c) }
        if !q.filter.isEmpty {
            // Identifiers exactly or by prefix (Triage.swift), or anything in the raw payload.
            let ids = Store.identifierCondition(q.filter)
            k.conditions.append("(\(ids.sql) OR e.raw LIKE ? ESCAPE '\\')")
            k.arguments += ids.arguments + [likePattern(q.filter)]
        }
        return k
    }

    /// The inbox, newest first.
    public func events(_ q: EventQuery = EventQuery(), page: PageRequest = .first()) throws -> [EventRow] {
        try read { db in try eventKeyset(q).fetch(db, page) }
    }

    public func eventCount(_ q: EventQuery = EventQuery()) throws -> Int {
        try read { db in try eventKeyset(q).count(db) }
    }

    public func event(id: Int64) throws -> EventRow? {
        try read { db in try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id]) }
    }

    /// Refused events counted per reason, most frequent first; resolved ones only when asked.
    public func rejectionCounts(includeResolved: Bool = false) throws -> [(reason: String, count: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT reason, COUNT(*) FROM event e WHERE outcome = 'rejected'
                \(includeResolved ? "" : "AND " + Store.unresolvedCondition("e"))
                GROUP BY reason ORDER BY COUNT(*) DESC, reason
                """).map { ($0[0] ?? "", $0[1]) }
        }
    }

    /// The audit log, newest first.
    public func audit(filter: String = "", page: PageRequest = .first()) throws -> [AuditRow] {
        try read { db in try auditKeyset(filter).fetch(db, page) }
    }

    public func auditCount(filter: String = "") throws -> Int {
        try read { db in try auditKeyset(filter).count(db) }
    }

    func auditKeyset(_ filter: String) -> Keyset {
        var k = Keyset(select: "SELECT * FROM audit u", sortExpr: "u.id", idExpr: "u.id", descending: true)
        if !filter.isEmpty {
            let p = likePattern(filter)
            k.conditions.append("(u.who LIKE ? ESCAPE '\\' OR u.action LIKE ? ESCAPE '\\' OR u.target LIKE ? ESCAPE '\\')")
            k.arguments += [p, p, p]
        }
        return k
    }

    /// Per-affiliate totals (customers, conversions, earnings in the program currency).
    public func affiliateSummaries(filter: String = "") throws -> [AffiliateSummary] {
        // Programs have dozens to thousands of affiliates: the whole list, by code.
        try affiliateSummaries(AffiliateQuery(filter: filter), page: PageRequest(limit: Int(Int32.max)))
    }

    /// Commission per month for one affiliate, or revenue per month for one customer.
    public func monthlyCommission(affiliateID: Int64) throws -> [MonthAmount] {
        try monthly(sql: "SELECT at, commission_minor FROM conversion WHERE affiliate_id = ? ORDER BY at", affiliateID)
    }

    public func monthlyRevenue(customerID: Int64) throws -> [MonthAmount] {
        try monthly(sql: "SELECT at, amount_minor FROM conversion WHERE customer_id = ? ORDER BY at", customerID)
    }

    func monthly(sql: String, _ id: Int64) throws -> [MonthAmount] {
        try read { db in
            var out: [MonthAmount] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: [id])
            while let r = try rows.next() {
                let m = Instant(seconds: r[0]).monthKey
                let v: Int64 = r[1]
                if out.last?.month == m { out[out.count - 1].minor += v } else { out.append(MonthAmount(month: m, minor: v)) }
            }
            return out
        }
    }

    /// Outcome and reason counts over the whole inbox.
    public func eventTotals() throws -> (accepted: Int, rejected: Int) {
        try read { db in
            let r = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(outcome = 'accepted'), 0), COALESCE(SUM(outcome = 'rejected'), 0) FROM event
                """)!
            return (r[0], r[1])
        }
    }

    public func customerStatusCounts() throws -> [CustomerStatus: Int] {
        try read { db in
            var out: [CustomerStatus: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM customer GROUP BY status") {
                if let s = CustomerStatus(rawValue: r[0]) { out[s] = r[1] }
            }
            return out
        }
    }
}

extension EventRow {
    public var cursor: Cursor { Cursor(int: id, id: id) }
}

extension AuditRow {
    public var cursor: Cursor { Cursor(int: id, id: id) }
}

public enum AffiliateSort: String, CaseIterable, Sendable {
    case code, name, customers, conversions, earnings
    var expr: String { "s.\(rawValue)" }
}

public struct AffiliateQuery: Hashable, Sendable {
    public var sort: AffiliateSort = .code
    public var descending = false
    public var filter: String = ""
    public init(sort: AffiliateSort = .code, descending: Bool = false, filter: String = "") {
        self.sort = sort; self.descending = descending; self.filter = filter
    }
}

extension AffiliateSummary {
    public func cursor(_ sort: AffiliateSort) -> Cursor {
        switch sort {
        case .code: return Cursor(text: affiliate.code, id: affiliate.id)
        case .name: return Cursor(text: affiliate.name, id: affiliate.id)
        case .customers: return Cursor(int: Int64(customers), id: affiliate.id)
        case .conversions: return Cursor(int: Int64(conversions), id: affiliate.id)
        case .earnings: return Cursor(int: earnings, id: affiliate.id)
        }
    }
}

/// Customers close to or at a cap.
public struct NearCaps: Hashable, Sendable {
    public var commissions: Int?
    public var commissionMinor: Int64?
    public var firstCommissionBefore: Instant?
    public init(commissions: Int?, commissionMinor: Int64?, firstCommissionBefore: Instant?) {
        self.commissions = commissions; self.commissionMinor = commissionMinor; self.firstCommissionBefore = firstCommissionBefore
    }
}

extension Store {
    func affiliateKeyset(_ q: AffiliateQuery, currency: String) -> Keyset {
        var k = Keyset(select: """
            SELECT * FROM (SELECT a.*,
              (SELECT COUNT(*) FROM customer c WHERE c.affiliate_id = a.id) AS customers,
              (SELECT COUNT(*) FROM conversion v WHERE v.affiliate_id = a.id) AS conversions,
              (SELECT COALESCE(SUM(commission_minor), 0) FROM conversion v WHERE v.affiliate_id = a.id
                 AND v.commission_currency = ?) AS earnings
            FROM affiliate a) s
            """, sortExpr: q.sort.expr, idExpr: "s.id", descending: q.descending)
        k.arguments = [currency]
        if !q.filter.isEmpty {
            k.conditions.append("(s.code LIKE ? ESCAPE '\\' OR s.name LIKE ? ESCAPE '\\')")
            k.arguments += [likePattern(q.filter), likePattern(q.filter)]
        }
        return k
    }

    /// Affiliates with their totals, a page at a time.
    public func affiliateSummaries(_ q: AffiliateQuery, page: PageRequest) throws -> [AffiliateSummary] {
        try read { db in try affiliateKeyset(q, currency: try self.loadSettings(db).currency.code).fetch(db, page) }
    }

    public func affiliateCount(_ q: AffiliateQuery) throws -> Int {
        try read { db in try affiliateKeyset(q, currency: try self.loadSettings(db).currency.code).count(db) }
    }
}
