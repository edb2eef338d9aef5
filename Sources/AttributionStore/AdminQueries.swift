import AttributionCore
import GRDB

/// The columns the admin's customer list sorts by.
public enum CustomerSort: String, CaseIterable, Sendable {
    case key, affiliate, status, conversions, commission, activity

    var expr: String {
        switch self {
        case .key: return "c.key"
        case .affiliate: return "a.code"
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
        case .affiliate: return Cursor(text: affiliateCode, id: number)
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
        case .affiliate: return "a.code"
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
        case .affiliate: return Cursor(text: affiliateCode, id: id)
        case .amount: return Cursor(int: amount.minor, id: id)
        case .commission: return Cursor(int: commission.minor, id: id)
        }
    }
}

/// The order of an inbox list, newest first either way.
public enum EventOrder: Hashable, Sendable {
    /// As received (the inbox id).
    case received
    /// By the event's own time (when it was received for one that could not be read), then id:
    /// the Triage screen's order, and the triage report's.
    case time
}

public struct EventQuery: Hashable, Sendable {
    public var rejectedOnly = false
    public var reason: String?
    /// Matches an identifier the event names by prefix (see `Store.eventMatch`).
    public var filter: String = ""
    public var customerID: Int64?
    /// With `rejectedOnly`: keep the resolved rejections too (Resolution.swift); hidden by default.
    public var includeResolved = false
    public var order: EventOrder = .received
    public init(rejectedOnly: Bool = false, reason: String? = nil, filter: String = "", customerID: Int64? = nil,
                includeResolved: Bool = false, order: EventOrder = .received) {
        self.rejectedOnly = rejectedOnly; self.reason = reason; self.filter = filter; self.customerID = customerID
        self.includeResolved = includeResolved; self.order = order
    }
}

/// One line of the Affiliates screen.
public struct AffiliateSummary: Hashable, Sendable, FetchableRecord {
    public var affiliate: AffiliateRow
    public var customers: Int
    public var conversions: Int
    /// Earnings in the program's currency (other currencies are counted apart).
    public var earnings: Int64
    /// Commission per month, oldest first (filled by `affiliateSummaries`).
    public var monthly: [MonthAmount] = []
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

    /// The keyset of a customer list read inside `db`: the Caps list from the kept near-cap
    /// customers when they answer it (`keptCandidatesServe`), else from the customer table.
    func customerKeyset(_ db: Database, _ q: CustomerQuery) throws -> Keyset {
        if let n = q.nearCaps, try Store.keptCandidatesServe(db, n), let k = keptCapsKeyset(q) { return k }
        return customerKeyset(q)
    }

    /// Caps from `cap_candidate` (schema v19): every sort walks that table's own index, which holds
    /// only near-cap customers, and joins the page back to the customer. Same rows in the same
    /// order as `customerKeyset(q)` (the kept values are the customer's own, the id the same tiebreak).
    /// The Caps tab has no activity sort: that one stays the customer table's (nil). `merged`: each
    /// row also says its sort value and id as `page_t` and `page_id` (`CapsWithMonths` merges two lists).
    func keptCapsKeyset(_ q: CustomerQuery, merged: Bool = false) -> Keyset? {
        let byAffiliate = q.sort == .affiliate
        var columns = "c.*, a.code AS affiliate_code, a.name AS affiliate_name"
        func select(_ columns: String) -> String {
            byAffiliate
                ? "SELECT \(columns) FROM affiliate a CROSS JOIN cap_candidate kc ON kc.affiliate_id = a.id CROSS JOIN customer c ON c.id = kc.customer_id"
                : "SELECT \(columns) FROM cap_candidate kc CROSS JOIN customer c ON c.id = kc.customer_id CROSS JOIN affiliate a ON a.id = c.affiliate_id"
        }
        let sortExpr: String
        switch q.sort {
        case .key: sortExpr = "kc.key"
        case .affiliate: sortExpr = "a.code"
        case .status: sortExpr = "kc.status"
        case .conversions: sortExpr = "kc.conversions"
        case .commission: sortExpr = "kc.commission_minor"
        case .activity: return nil
        }
        let idExpr = byAffiliate ? "kc.number" : "kc.customer_id"
        if merged { columns += ", \(sortExpr) AS page_t, \(idExpr) AS page_id" }
        var k = Keyset(select: select(columns), sortExpr: sortExpr, idExpr: idExpr, descending: q.descending)
        // The select itself narrows the customers to the candidates: said as a condition, so that a
        // count never takes a filter's own count (of every customer) for the list's.
        k.conditions.append("c.id = kc.customer_id")
        if !q.filter.isEmpty {
            var m = Store.customerMatch(q.filter)
            m.idColumn = "kc.customer_id"; m.count = nil
            k.match = m
        }
        if let s = q.status { k.conditions.append("+kc.status = ?"); k.arguments.append(s.rawValue) }
        if let a = q.affiliateID {
            if k.match == nil {
                var m = IndexedMatch(idColumn: "kc.customer_id", ids: "SELECT customer_id FROM cap_candidate WHERE affiliate_id = ?",
                                     idArguments: [a], row: "+kc.affiliate_id = ?", rowArguments: [a])
                m.tableRows = "SELECT SUM(customers) FROM affiliate_total"
                k.match = m
            } else {
                k.conditions.append("+kc.affiliate_id = ?"); k.arguments.append(a)
            }
        }
        return k
    }

    /// Customers by the sort's index. By affiliate: the affiliates by code, each one's customers
    /// by number (its unique index), so the pair is the key.
    func customerKeyset(_ q: CustomerQuery) -> Keyset {
        let byAffiliate = q.sort == .affiliate
        let select = byAffiliate
            ? "SELECT c.*, a.code AS affiliate_code, a.name AS affiliate_name FROM affiliate a CROSS JOIN customer c ON c.affiliate_id = a.id"
            : Store.customerSelect
        var k = Keyset(select: select, sortExpr: q.sort.expr, idExpr: byAffiliate ? "c.number" : "c.id", descending: q.descending)
        if !q.filter.isEmpty { k.match = Store.customerMatch(q.filter) }
        if let s = q.status { k.conditions.append("c.status = ?"); k.arguments.append(s.rawValue) }
        if let a = q.affiliateID {
            if k.match == nil {
                // One affiliate's customers: a small affiliate's are read and sorted, a big one's
                // found walking the sort's index (`IndexedMatch`).
                k.match = IndexedMatch(idColumn: "c.id", ids: "SELECT id FROM customer WHERE affiliate_id = ?", idArguments: [a],
                                       row: "+c.affiliate_id = ?", rowArguments: [a])
            } else {
                k.conditions.append("c.affiliate_id = ?"); k.arguments.append(a)
            }
        }
        if let n = q.nearCaps {
            let near = Store.nearCapsMatch(n)
            if k.match == nil { k.match = near } else { k.conditions.append("(\(near.row))"); k.arguments += near.rowArguments }
            // By status, only the active and capped part of the index can hold one: the walk starts
            // there (descending, it no longer reads every initial and ended customer first).
            if q.sort == .status { k.pageConditions.append("c.status >= 'active' AND c.status <= 'capped'") }
        }
        return k
    }

    /// Customers capped, or active and near a cap, each dimension through its index (schema v7).
    /// Counted from the customer table alone (the thresholds move with the settings and the
    /// clock, so there is no total to maintain). Only an active customer can be near: an initial
    /// one has no conversion, so no commission and no first commission (the consistency check
    /// holds the store to that), and an ended one is past caring. The id ranges are disjoint (each
    /// excludes the ones before it), so they name a customer once and can be counted as they come.
    static func nearCapsMatch(_ n: NearCaps) -> IndexedMatch {
        var ids = ["SELECT id FROM customer WHERE status = 'capped'"], any: [String] = []
        var idArgs: [DatabaseValueConvertible?] = [], args: [DatabaseValueConvertible?] = []
        // Each dimension's range, less the customers an earlier dimension already named.
        var before: [(sql: String, argument: DatabaseValueConvertible)] = []
        func dimension(_ column: String, _ op: String, _ value: DatabaseValueConvertible) {
            let earlier = before.map { " AND NOT (+\($0.sql))" }.joined()
            ids.append("SELECT id FROM customer WHERE \(column) \(op) ? AND +status = 'active'" + earlier)
            idArgs += [value] + before.map(\.argument)
            any.append("c.\(column) \(op) ?"); args.append(value)
            before.append(("\(column) \(op) ?", value))
        }
        if let c = n.commissions { dimension("conversions", ">=", c) }
        if let m = n.commissionMinor { dimension("commission_minor", ">=", m) }
        if let f = n.firstCommissionBefore {
            any.append("c.first_commission_at <= ?"); args.append(f.seconds)
            let months = monthsOnlyIDs(n, f)
            ids.append(months.sql); idArgs += months.arguments
        }
        let near = any.isEmpty ? "" : " OR (c.status = 'active' AND (" + any.joined(separator: " OR ") + "))"
        let rule = "(c.status = 'capped'" + near + ")"
        return IndexedMatch(idColumn: "c.id", ids: ids.joined(separator: " UNION ALL "), idArguments: idArgs,
                            row: rule.replacingOccurrences(of: "c.", with: "+c."), rowArguments: args,
                            count: ("SELECT COUNT(*) FROM customer c WHERE " + rule, args))
    }

    /// The active customers near the months threshold and not near the count or amount one: a range
    /// of `customer_active_first_commission` (schema v23) read from its entries alone. With the kept
    /// rule at `n`'s count and amount thresholds, exactly the near-cap customers `cap_candidate` lacks
    /// when its months cutoff is `after` (nil: none kept for the months cap; then the whole range).
    static func monthsOnlyIDs(_ n: NearCaps, _ before: Instant, after: Int64? = nil) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        var sql = "SELECT id FROM customer WHERE status = 'active' AND first_commission_at <= ?"
        var args: [DatabaseValueConvertible?] = [before.seconds]
        if let a = after { sql += " AND first_commission_at > ?"; args.append(a) }
        if let c = n.commissions { sql += " AND NOT (+conversions >= ?)"; args.append(c) }
        if let m = n.commissionMinor { sql += " AND NOT (+commission_minor >= ?)"; args.append(m) }
        return (sql, args)
    }

    /// The customers filter: the key or email by prefix (their indexes), or the affiliate's code
    /// or name containing the text (affiliates are few; their customers by the affiliate index).
    static func customerMatch(_ f: String) -> IndexedMatch {
        let key = prefixRange("key", f), email = prefixRange("email", f)
        let like = likePattern(f)
        let rowKey = prefixRange("c.key", f, unindexed: true), rowEmail = prefixRange("c.email", f, unindexed: true)
        return IndexedMatch(
            idColumn: "c.id",
            ids: """
                SELECT id FROM customer WHERE \(key.sql) UNION ALL SELECT id FROM customer WHERE \(email.sql)
                UNION ALL SELECT m.id FROM affiliate x CROSS JOIN customer m ON m.affiliate_id = x.id
                  WHERE x.code LIKE ? ESCAPE '\\' OR x.name LIKE ? ESCAPE '\\'
                """,
            idArguments: key.arguments + email.arguments + [like, like],
            row: "\(rowKey.sql) OR \(rowEmail.sql) OR a.code LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\'",
            rowArguments: rowKey.arguments + rowEmail.arguments + [like, like],
            // The matched affiliates' customers from their totals, plus the keys and emails
            // matched of the other affiliates' customers.
            count: ("""
                SELECT (SELECT COALESCE(SUM(t.customers), 0) FROM affiliate x CROSS JOIN affiliate_total t ON t.affiliate_id = x.id
                        WHERE x.code LIKE ?1 ESCAPE '\\' OR x.name LIKE ?1 ESCAPE '\\')
                     + (SELECT COUNT(*) FROM (SELECT id FROM customer WHERE key >= ?2 AND key < ?3
                                              UNION SELECT id FROM customer WHERE email >= ?2 AND email < ?3) q
                        CROSS JOIN customer c ON c.id = q.id CROSS JOIN affiliate a ON a.id = c.affiliate_id
                        WHERE NOT (a.code LIKE ?1 ESCAPE '\\' OR a.name LIKE ?1 ESCAPE '\\'))
                """, [like] + key.arguments))
    }

    public func customers(_ q: CustomerQuery = CustomerQuery(), page: PageRequest = .first()) throws -> [CustomerRow] {
        followMonthsCutoff(for: q)
        return try read { db in
            if let m = try capsWithMonths(db, q) { return try m.fetch(db, page) }
            return try customerKeyset(db, q).fetch(db, page)
        }
    }

    public func customerCount(_ q: CustomerQuery = CustomerQuery()) throws -> Int {
        try read { db in
            // Unfiltered, or one affiliate's: the maintained totals.
            if q.filter.isEmpty && q.status == nil && q.nearCaps == nil {
                return try Store.totalOf(db, "customers", affiliateID: q.affiliateID)
            }
            return try customerKeyset(db, q).count(db)
        }
    }

    /// A maintained total (`affiliate_total`): one affiliate's, or the program's.
    static func totalOf(_ db: Database, _ column: String, affiliateID: Int64?) throws -> Int {
        if let a = affiliateID {
            return try Int.fetchOne(db, sql: "SELECT \(column) FROM affiliate_total WHERE affiliate_id = ?", arguments: [a]) ?? 0
        }
        return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(\(column)), 0) FROM affiliate_total") ?? 0
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

    /// Conversions by the sort's index. By affiliate: the affiliates by code, each one's by id.
    func conversionKeyset(_ q: ConversionQuery) -> Keyset {
        let select = q.sort == .affiliate ? """
            SELECT v.*, c.key AS customer_key, a.code AS affiliate_code FROM affiliate a
            CROSS JOIN conversion v ON v.affiliate_id = a.id LEFT JOIN customer c ON c.id = v.customer_id
            """ : Store.conversionSelect
        var k = Keyset(select: select, sortExpr: q.sort.expr, idExpr: "v.id", descending: q.descending)
        if !q.filter.isEmpty { k.match = Store.conversionMatch(q.filter) }
        if let c = q.customerID { k.conditions.append("v.customer_id = ?"); k.arguments.append(c) }
        if let a = q.affiliateID { k.conditions.append("v.affiliate_id = ?"); k.arguments.append(a) }
        return k
    }

    /// The conversions filter: the external id or the customer's key by prefix, or the
    /// affiliate's code containing the text.
    static func conversionMatch(_ f: String) -> IndexedMatch {
        let ext = prefixRange("external_id", f), key = prefixRange("m.key", f)
        let like = likePattern(f)
        let rowExt = prefixRange("v.external_id", f, unindexed: true), rowKey = prefixRange("c.key", f, unindexed: true)
        return IndexedMatch(
            idColumn: "v.id",
            ids: """
                SELECT id FROM conversion WHERE \(ext.sql)
                UNION ALL SELECT n.id FROM customer m CROSS JOIN conversion n ON n.customer_id = m.id WHERE \(key.sql)
                UNION ALL SELECT n.id FROM affiliate x CROSS JOIN conversion n ON n.affiliate_id = x.id WHERE x.code LIKE ? ESCAPE '\\'
                """,
            idArguments: ext.arguments + key.arguments + [like],
            row: "\(rowExt.sql) OR \(rowKey.sql) OR a.code LIKE ? ESCAPE '\\'",
            rowArguments: rowExt.arguments + rowKey.arguments + [like],
            count: ("""
                SELECT (SELECT COALESCE(SUM(t.conversions), 0) FROM affiliate x CROSS JOIN affiliate_total t ON t.affiliate_id = x.id
                        WHERE x.code LIKE ?1 ESCAPE '\\')
                     + (SELECT COUNT(*) FROM (SELECT id FROM conversion WHERE external_id >= ?2 AND external_id < ?3
                                              UNION SELECT n.id FROM customer m CROSS JOIN conversion n ON n.customer_id = m.id
                                                WHERE m.key >= ?2 AND m.key < ?3) q
                        CROSS JOIN conversion v ON v.id = q.id CROSS JOIN affiliate a ON a.id = v.affiliate_id
                        WHERE NOT a.code LIKE ?1 ESCAPE '\\')
                """, [like] + ext.arguments))
    }

    public func conversions(_ q: ConversionQuery = ConversionQuery(), page: PageRequest = .first()) throws -> [ConversionRow] {
        try read { db in try conversionKeyset(q).fetch(db, page) }
    }

    public func conversionCount(_ q: ConversionQuery = ConversionQuery()) throws -> Int {
        try read { db in
            if q.filter.isEmpty && q.customerID == nil { return try Store.totalOf(db, "conversions", affiliateID: q.affiliateID) }
            return try conversionKeyset(q).count(db)
        }
    }

    public func conversion(externalID: String) throws -> ConversionRow? {
        try read { db in try ConversionRow.fetchOne(db, sql: Store.conversionSelect + " WHERE v.external_id = ?", arguments: [externalID]) }
    }

    /// The inbox newest first, in the query's order.
    func eventKeyset(_ q: EventQuery) -> Keyset {
        var k = Keyset(select: "SELECT * FROM event e", sortExpr: q.order == .time ? Store.eventTime : "e.id", idExpr: "e.id",
                       descending: true)
        if q.rejectedOnly { k.conditions.append("e.outcome = 'rejected'") }
        if q.rejectedOnly && !q.includeResolved { k.conditions.append(Store.unresolvedCondition("e")) }
        if let r = q.reason { k.conditions.append("(e.reason = ? OR ',' || e.note || ',' LIKE ?)"); k.arguments += [r, "%,\(r),%"] }
        if let c = q.customerID { k.conditions.append("e.customer_id = ?"); k.arguments.append(c) }
        if !q.filter.isEmpty {
            k.match = Store.eventMatch(q.filter)
            // The matches' times are in their indexes: the Triage order only.
            if q.order != .time { k.match?.sorted = nil }
        }
        return k
    }

    /// An event's time as its indexes (schema v7) hold it.
    static let eventTime = "COALESCE(e.at, e.received_at)"

    /// The inbox, newest first.
    public func events(_ q: EventQuery = EventQuery(), page: PageRequest = .first()) throws -> [EventRow] {
        try read { db in try eventKeyset(q).fetch(db, page) }
    }

    public func eventCount(_ q: EventQuery = EventQuery()) throws -> Int {
        try read { db in
            // The whole inbox, or its refused events: the maintained totals.
            if q.reason == nil && q.filter.isEmpty && q.customerID == nil {
                let all = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(events), 0) FROM event_total"
                                           + (q.rejectedOnly ? " WHERE outcome = 'rejected'" : "")) ?? 0
                guard q.rejectedOnly && !q.includeResolved else { return all }
                return all - (try Int.fetchOne(db, sql: Store.resolvedRejectionsSQL) ?? 0)
            }
            return try eventKeyset(q).count(db)
        }
    }

    /// The count when at most `limit` events match, else `limit + 1`: bounded work whatever the
    /// inbox holds (an exact count of a one-letter prefix reads every event it names).
    public func eventCount(_ q: EventQuery, upTo limit: Int) throws -> Int {
        // The whole inbox, or its refused events: the maintained totals cost less than counting.
        if q.reason == nil && q.filter.isEmpty && q.customerID == nil { return try eventCount(q) }
        return try read { db in try eventKeyset(q).count(db, upTo: limit) }
    }

    /// The same for customers and conversions.
    public func customerCount(_ q: CustomerQuery, upTo limit: Int) throws -> Int {
        try read { db in try customerKeyset(db, q).count(db, upTo: limit) }
    }

    public func conversionCount(_ q: ConversionQuery, upTo limit: Int) throws -> Int {
        try read { db in try conversionKeyset(q).count(db, upTo: limit) }
    }

    public func event(id: Int64) throws -> EventRow? {
        try read { db in try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id]) }
    }

    /// Refused events counted per reason, most frequent first; resolved ones only when asked.
    public func rejectionCounts(includeResolved: Bool = false) throws -> [(reason: String, count: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                \(includeResolved
                    ? "SELECT reason, events FROM event_total WHERE outcome = 'rejected' AND events > 0 ORDER BY events DESC, reason"
                    : Store.unresolvedCountsSQL)
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
        try read { db in try Store.monthlyCommission(db, affiliateIDs: [affiliateID])[affiliateID] ?? [] }
    }

    /// Commission per month (every currency added, as the sparkline shows it) of some
    /// affiliates, from the maintained `affiliate_month`: one query for a page of affiliates.
    static func monthlyCommission(_ db: Database, affiliateIDs: [Int64]) throws -> [Int64: [MonthAmount]] {
        var out: [Int64: [MonthAmount]] = [:]
        for start in stride(from: 0, to: affiliateIDs.count, by: 500) {
            let chunk = Array(affiliateIDs[start..<min(start + 500, affiliateIDs.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT affiliate_id, month, SUM(commission_minor) FROM affiliate_month WHERE affiliate_id IN (\(marks))
                GROUP BY affiliate_id, month ORDER BY affiliate_id, month
                """, arguments: StatementArguments(chunk))
            while let r = try rows.next() { out[r[0], default: []].append(MonthAmount(month: r[1], minor: r[2])) }
        }
        return out
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
                SELECT COALESCE(SUM(CASE WHEN outcome = 'accepted' THEN events END), 0),
                       COALESCE(SUM(CASE WHEN outcome = 'rejected' THEN events END), 0) FROM event_total
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
    /// The cursor of a list in inbox (id) order.
    public var cursor: Cursor { Cursor(int: id, id: id) }
    public func cursor(_ order: EventOrder) -> Cursor {
        order == .time ? Cursor(int: (at ?? receivedAt).seconds, id: id) : cursor
    }
}

extension AuditRow {
    public var cursor: Cursor { Cursor(int: id, id: id) }
}

public enum AffiliateSort: String, CaseIterable, Sendable {
    case code, name, customers, conversions, earnings
    var expr: String {
        switch self {
        case .code, .name: return "a.\(rawValue)"
        case .customers, .conversions: return "t.\(rawValue)"
        case .earnings: return "t.earnings_minor"
        }
    }
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
    /// Affiliates with their maintained totals (`affiliate_total`), by the sort's index: the
    /// table that holds the sort column leads the join. The filter is a substring of the code or
    /// name: affiliates are few (thousands), so testing each is cheap.
    func affiliateKeyset(_ q: AffiliateQuery) -> Keyset {
        let totals = [.customers, .conversions, .earnings].contains(q.sort)
        let columns = "a.*, t.customers, t.conversions, t.earnings_minor AS earnings"
        let select = totals
            ? "SELECT \(columns) FROM affiliate_total t CROSS JOIN affiliate a ON a.id = t.affiliate_id"
            : "SELECT \(columns) FROM affiliate a CROSS JOIN affiliate_total t ON t.affiliate_id = a.id"
        var k = Keyset(select: select, sortExpr: q.sort.expr, idExpr: totals ? "t.affiliate_id" : "a.id", descending: q.descending)
        if !q.filter.isEmpty {
            k.conditions.append("(a.code LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\')")
            k.arguments += [likePattern(q.filter), likePattern(q.filter)]
        }
        return k
    }

    /// Affiliates with their totals, a page at a time.
    /// Each with its commission per month (`monthly`), read for the whole page at once.
    public func affiliateSummaries(_ q: AffiliateQuery, page: PageRequest) throws -> [AffiliateSummary] {
        try read { db in
            var rows: [AffiliateSummary] = try affiliateKeyset(q).fetch(db, page)
            let monthly = try Store.monthlyCommission(db, affiliateIDs: rows.map(\.affiliate.id))
            for i in rows.indices { rows[i].monthly = monthly[rows[i].affiliate.id] ?? [] }
            return rows
        }
    }

    public func affiliateCount(_ q: AffiliateQuery) throws -> Int {
        try read { db in try affiliateKeyset(q).count(db) }
    }
}
