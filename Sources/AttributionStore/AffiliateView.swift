import AttributionCore
import Foundation
import GRDB

/// The affiliate view's store: opened read-only under `AffiliatePrivacy`, who the session is,
/// and the queries its screens run (each customer only "Customer #X").
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
        // The inner query takes the affiliate id; the outer one is what pages and sorts. The
        // sums per customer number are maintained (schema v11), so every sort walks an index.
        "customers": """
            SELECT * FROM (SELECT c.number, c.status, c.created_at, c.last_activity_at, c.conversions, c.commission_minor,
              c.commission_currency, c.first_commission_at, s.conversions AS mine, s.commission_minor AS mine_minor,
              s.commission_currency AS mine_currency, s.number AS sum_number
            FROM customer c JOIN affiliate_customer_sum s ON s.affiliate_id = c.affiliate_id AND s.number = c.number
            WHERE c.affiliate_id = ?) c
            """,
        "conversions": """
            SELECT v.id, v.at, v.customer_number, v.amount_minor, v.currency, v.commission_minor, v.commission_currency
            FROM conversion v
            """,
        // The maintained per-month sums (schema v7): conversions in every currency, commission in
        // the program's.
        "earnings": """
            SELECT month, SUM(conversions) AS conversions,
              SUM(CASE WHEN currency = (SELECT currency FROM program WHERE id = 1) THEN commission_minor ELSE 0 END) AS commission_minor
            FROM affiliate_month WHERE affiliate_id = ? GROUP BY month ORDER BY month
            """,
    ].merging(Store.affiliateLedgerSQL) { a, _ in a }

    func affiliateCustomerKeyset(_ affiliateID: Int64, sort: CustomerSort, descending: Bool, filter: String) -> Keyset {
        let expr: String
        switch sort {
        case .key, .affiliate: expr = "c.number"
        case .conversions: expr = "c.mine"
        case .commission: expr = "c.mine_minor"
        default: expr = sort.expr
        }
        // The sums' sorts walk the sums' index, whose last column is the sums' copy of the number.
        let id = sort == .conversions || sort == .commission ? "c.sum_number" : "c.number"
        var k = Keyset(select: Store.affiliateViewSQL["customers"]!, sortExpr: expr, idExpr: id, descending: descending)
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
        try read { db in
            guard let digits = Store.numberPrefix(filter) else { return try Store.totalOf(db, "customers", affiliateID: affiliateID) }
            let q = Store.numberPrefixCount(affiliateID, digits)
            return try Int.fetchOne(db, sql: q.sql, arguments: StatementArguments(q.arguments)) ?? 0
        }
    }

    public func affiliateCustomer(_ affiliateID: Int64, number: Int64) throws -> AffiliateCustomerRow? {
        try read { db in
            // The number inside, so that only that customer's sums are computed.
            try AffiliateCustomerRow.fetchOne(db, sql: Store.affiliateViewSQL["customers"]!
                .replacingOccurrences(of: "WHERE c.affiliate_id = ?)", with: "WHERE c.affiliate_id = ? AND c.number = ?)"),
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
        // One customer's: through (affiliate, customer number), its few rows sorted (else SQLite
        // walks the whole affiliate by time looking for them).
        let sort = customerNumber == nil ? expr : "+(\(expr))"
        var k = Keyset(select: Store.affiliateViewSQL["conversions"]!, sortExpr: sort, idExpr: "v.id", descending: descending)
        // Each sort reads the affiliate's own rows, a range of an index in that order (schema v21:
        // (affiliate, at | commission | amount, id, customer number)). Walking the program's
        // commission index testing each row's affiliate, a big affiliate's first page read 13,000
        // pages cold past other affiliates' rows. The customer number in each lets a filter's walk
        // test an entry without reading its row.
        if customerNumber == nil, let digits = Store.numberPrefix(filter) {
            // A customer number prefix: its conversions found by number ranges in the
            // (affiliate, customer number) index, or the sort's index walked testing each row.
            let ids = Store.numberPrefixIDs(affiliateID, digits)
            k.match = IndexedMatch(idColumn: "v.id", ids: ids.sql, idArguments: ids.arguments,
                                   row: "v.affiliate_id = ? AND CAST(v.customer_number AS TEXT) LIKE ?",
                                   rowArguments: [affiliateID, digits + "%"])
            // The walk reads this affiliate's own index: matches are weighed against its
            // conversions, not the program's (else a big affiliate's "9" read and sorted 14,000
            // rows, 40 ms, where walking finds a page in a few ms).
            k.match?.tableRows = "SELECT conversions FROM affiliate_total WHERE affiliate_id = ?"
            k.match?.tableRowsArguments = [affiliateID]
            return k
        }
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
            if customerNumber == nil {
                guard let digits = Store.numberPrefix(filter) else { return try Store.totalOf(db, "conversions", affiliateID: affiliateID) }
                // Counted in the (affiliate, customer number) index, a range per length.
                let ids = Store.numberPrefixIDs(affiliateID, digits)
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(ids.sql))", arguments: StatementArguments(ids.arguments)) ?? 0
            }
            return try affiliateConversionKeyset(affiliateID, sort: .date, descending: true, customerNumber: customerNumber,
                                                 filter: filter).count(db)
        }
    }

    /// Earnings per month in the program's currency, oldest first.
    public func affiliateEarnings(_ affiliateID: Int64) throws -> [EarningsMonth] {
        try read { db in
            try Row.fetchAll(db, sql: Store.affiliateViewSQL["earnings"]!, arguments: [affiliateID]).map {
                EarningsMonth(month: $0[0], conversions: $0[1], commission: $0[2])
            }
        }
    }
}

extension Store {
    /// The affiliate view's filter text as the digits it matches; nil when it matches all.
    static func numberPrefix(_ filter: String) -> String? {
        let digits = filter.trimmingCharacters(in: CharacterSet(charactersIn: "# "))
        return digits.isEmpty ? nil : digits
    }
}

extension Store {
    /// The numbers whose decimal digits start with `digits`, as closed ranges: "12" is 12,
    /// 120...129, 1200...1299, … up to Int64's largest. Empty when no number can match (not
    /// digits, a leading zero other than "0" itself, too long).
    static func numberRanges(_ digits: String) -> [ClosedRange<Int64>] {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return [] }
        if digits.first == "0" { return digits == "0" ? [0...0] : [] }
        guard var lo = Int64(digits) else { return [] }
        var span: Int64 = 1
        var out: [ClosedRange<Int64>] = []
        while true {
            let (end, o) = lo.addingReportingOverflow(span - 1)
            out.append(lo...(o ? .max : end))
            let (nextLo, o1) = lo.multipliedReportingOverflow(by: 10)
            let (nextSpan, o2) = span.multipliedReportingOverflow(by: 10)
            if o || o1 || o2 { return out }
            lo = nextLo; span = nextSpan
        }
    }

    /// How many of the affiliate's customers have a number starting with `digits`: a range of the
    /// (affiliate, number) index per length (`numberRanges`). Testing the text of every number of
    /// the affiliate, each joined to its sums, read a big affiliate's whole range (367 pages cold
    /// for 98,000 customers); the ranges read the matching entries only. Every number has its sums
    /// row (v11), as the count without a filter (the maintained total) assumes too.
    static func numberPrefixCount(_ affiliateID: Int64, _ digits: String) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        let ranges = numberRanges(digits)
        if ranges.isEmpty { return ("SELECT 0", []) }
        let one = "SELECT COUNT(*) AS n FROM customer WHERE affiliate_id = ? AND number BETWEEN ? AND ?"
        return ("SELECT SUM(n) FROM (" + Array(repeating: one, count: ranges.count).joined(separator: " UNION ALL ") + ")",
                ranges.flatMap { [affiliateID, $0.lowerBound, $0.upperBound] as [DatabaseValueConvertible?] })
    }

    /// The ids of the affiliate's conversions whose customer number starts with `digits`: one
    /// range of the (affiliate, customer number) index per length (`numberRanges`).
    static func numberPrefixIDs(_ affiliateID: Int64, _ digits: String) -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        let ranges = numberRanges(digits)
        if ranges.isEmpty { return ("SELECT id FROM conversion WHERE 0", []) }
        let one = "SELECT id FROM conversion WHERE affiliate_id = ? AND customer_number BETWEEN ? AND ?"
        return (Array(repeating: one, count: ranges.count).joined(separator: " UNION ALL "),
                ranges.flatMap { [affiliateID, $0.lowerBound, $0.upperBound] as [DatabaseValueConvertible?] })
    }
}

extension Keyset {
    /// The affiliate view's filter: "#12" or "12" keeps the customers whose number starts with 12.
    mutating func matchNumberPrefix(_ column: String, _ filter: String) {
        guard let digits = Store.numberPrefix(filter) else { return }
        conditions.append("CAST(\(column) AS TEXT) LIKE ?")
        arguments.append(digits + "%")
    }
}
