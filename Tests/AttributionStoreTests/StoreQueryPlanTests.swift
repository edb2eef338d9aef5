import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// Every list query of the dashboard and of the affiliate view (first page, next page, last page,
/// each sort both ways, filters, the details), run under EXPLAIN QUERY PLAN on a populated
/// database: each reads its rows from an index in the list's order, with no SCAN of a big table
/// and no temporary B-tree for ORDER BY. The one sort allowed is of a filter's matching rows when
/// they are few (at most `IndexedMatch.limit`, so bounded whatever the size of the table).
/// SQLite has no statistics here (affdesk never runs ANALYZE), so a plan does not depend on how
/// many rows a table holds: these are the plans of a million-customer program too.
final class StoreQueryPlanTests: StoreTestCase {
    nonisolated(unsafe) static var built: Store?

    /// The huge demo's program, tiny (300 customers), built once for the class.
    func program() throws -> Store {
        if let s = StoreQueryPlanTests.built { return s }
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        _ = try HugeProgram.build(into: s, seed: 1, customers: 300)
        StoreQueryPlanTests.built = s
        return s
    }

    nonisolated(unsafe) static var builtWithPayments: Store?

    /// The same program with Stripe and WooCommerce events for its customers (`PaymentEvents`):
    /// `event_ref` holds their ids.
    func paymentProgram() throws -> Store {
        if let s = StoreQueryPlanTests.builtWithPayments { return s }
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        _ = try HugeProgram.build(into: s, seed: 1, customers: 300)
        _ = try s.ingest(PaymentEvents(customers: 300, every: 3, months: 4).inbound())
        StoreQueryPlanTests.builtWithPayments = s
        return s
    }

    override class func tearDown() {
        for s in [built, builtWithPayments].compactMap({ $0 }) {
            try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent)
        }
        built = nil
        builtWithPayments = nil
        IndexedMatch.sparse = nil
        super.tearDown()
    }

    override func setUp() { super.setUp(); IndexedMatch.sparse = nil }

    /// Tables that grow with the program (affiliates and their totals are thousands at most).
    static let big = ["customer", "conversion", "event", "event_ref", "click", "audit", "affiliate_month", "affiliate_customer_sum",
                      "cap_candidate"]

    /// The plan of one query, as its detail lines.
    func plan(_ db: Database, _ q: (sql: String, arguments: [DatabaseValueConvertible?])) throws -> [String] {
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + q.sql, arguments: StatementArguments(q.arguments)).map { $0["detail"] }
    }

    /// Fails, naming the query, when its plan scans a big table without an index or sorts. A
    /// bare `SCAN t` is the table itself in rowid order: allowed when that is the list's order.
    func assertIndexed(_ lines: [String], _ sql: String, sortAllowed: Bool = false, rowidOrder: Bool = false, _ label: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        let text = "\(label):\n  " + lines.joined(separator: "\n  ") + "\n  " + sql
        for l in lines {
            let words = l.split(separator: " ").map(String.init)
            if words.first == "SCAN", words.count >= 2 {
                let name = words[1]
                let table = Self.aliases[name] ?? name
                XCTAssertFalse(Self.big.contains(table) && !l.contains("USING INDEX") && !l.contains("USING COVERING INDEX")
                               && !l.contains("USING INTEGER PRIMARY KEY") && !rowidOrder,
                               "a scan of \(table) without an index: \(text)", file: file, line: line)
            }
            if !sortAllowed {
                XCTAssertFalse(l.contains("TEMP B-TREE FOR") && l.contains("ORDER BY"), "a sort: \(text)", file: file, line: line)
            }
            XCTAssertFalse(l.contains("AUTOMATIC"), "an automatic index: \(text)", file: file, line: line)
        }
    }

    /// The aliases the store's queries give the big tables.
    static let aliases = ["c": "customer", "v": "conversion", "e": "event", "m": "customer", "n": "conversion", "r": "event_ref",
                          "u": "audit", "x": "affiliate", "a": "affiliate", "t": "affiliate_total",
                          "s": "affiliate_customer_sum", "kc": "cap_candidate"]

    /// A walk in disguise: a big table read along an index (`SCAN t USING INDEX i`, or a `SEARCH`
    /// of a range of it) while the query keeps only the rows with `t.column = ?` for a column the
    /// index does not hold. Each entry walked then costs a read of its row to test it, and where the
    /// kept rows lie along the index is the data's choice (walking the program's commission index
    /// for one affiliate's rows read 13,000 pages cold past other affiliates' top commissions). An
    /// equality on an id (the affiliate, the customer) belongs in the index: then the rows are a range.
    /// Only equalities are looked at: a prefix or a LIKE filter walked this way is an
    /// `IndexedMatch`, bounded by how many rows match.
    func assertNoFilteredWalk(_ db: Database, _ lines: [String], _ sql: String, _ label: String, allowing: Set<String> = [],
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let pattern = try NSRegularExpression(pattern: #"(?<![\w.])\+?([a-z]+)\.([a-z_]+) = \?"#)
        let equalities = pattern.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).compactMap { m -> (String, String)? in
            guard let a = Range(m.range(at: 1), in: sql), let c = Range(m.range(at: 2), in: sql) else { return nil }
            return (String(sql[a]), String(sql[c]))
        }
        for l in lines {
            let words = l.split(separator: " ").map(String.init)
            guard words.count >= 5, words[0] == "SCAN" || words[0] == "SEARCH", words[2] == "USING",
                  let i = words.firstIndex(of: "INDEX"), i + 1 < words.count else { continue }
            let alias = words[1], index = words[i + 1]
            guard Self.big.contains(Self.aliases[alias] ?? alias) else { continue }
            let columns = Set(try String?.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?)", arguments: [index]).compactMap { $0 })
            for (a, column) in equalities where a == alias && !columns.contains(column) && !allowing.contains("\(a).\(column)") {
                XCTFail("\(label): walks \(index) testing \(a).\(column) = ? on each row (a scan in disguise):\n  "
                        + lines.joined(separator: "\n  ") + "\n  " + sql, file: file, line: line)
            }
        }
    }

    /// Pages of a keyset: first, next (after a row's cursor, both directions), last.
    func pages(_ cursor: AttributionStore.Cursor?) -> [(String, PageRequest)] {
        var out: [(String, PageRequest)] = [("first page", .first(50)), ("last page", .last(50))]
        if let c = cursor {
            out += [("next page", PageRequest(after: c, limit: 50)), ("page up", PageRequest(after: c, direction: .backward, limit: 50)),
                    ("a window from its first row", PageRequest(after: c, limit: 50, inclusive: true))]
        }
        return out
    }

    /// Each page of `k`. A sort is allowed only where a filter matched few rows (`IndexedMatch`
    /// then reads them by id and sorts them: `ORDER BY +(…)`).
    func check(_ s: Store, _ k: Keyset, cursor: AttributionStore.Cursor?, rowidOrder: Bool = false, _ label: String,
               allowing: Set<String> = [], file: StaticString = #filePath, line: UInt = #line) throws {
        try s.read { db in
            for (what, page) in pages(cursor) {
                let q = try k.sql(db, page)
                let lines = try plan(db, q)
                assertIndexed(lines, q.sql, sortAllowed: q.sql.contains("ORDER BY +("), rowidOrder: rowidOrder,
                              "\(label), \(what)", file: file, line: line)
                try assertNoFilteredWalk(db, lines, q.sql, "\(label), \(what)", allowing: allowing, file: file, line: line)
                // And the query runs.
                _ = try Row.fetchAll(db, sql: q.sql, arguments: StatementArguments(q.arguments))
            }
        }
    }

    func testEveryCustomerListUsesAnIndexForEverySortBothWays() throws {
        let s = try program()
        let someone = try XCTUnwrap(try s.customers(page: .first(1)).first)
        let caps = NearCaps(commissions: 10, commissionMinor: 5_000, firstCommissionBefore: DemoProgram.now.adding(days: -300))
        for sort in CustomerSort.allCases {
            for descending in [false, true] {
                let label = "customers by \(sort) \(descending ? "desc" : "asc")"
                try check(s, s.customerKeyset(CustomerQuery(sort: sort, descending: descending)), cursor: someone.cursor(sort), label)
                try check(s, s.customerKeyset(CustomerQuery(sort: sort, descending: descending, nearCaps: caps)),
                          cursor: someone.cursor(sort), "caps: " + label)
            }
        }
        // Caps: counted from the customer table, the same rows as listed, both ways.
        for sparse in [nil, 0] as [Int?] {
            IndexedMatch.sparse = sparse
            let q = CustomerQuery(nearCaps: caps)
            let listed = try s.customers(q, page: .first(1_000_000))
            XCTAssertEqual(try s.customerCount(q), listed.count)
            XCTAssertTrue(listed.allSatisfy { $0.status != .ended })
            XCTAssertFalse(listed.isEmpty)
        }
        IndexedMatch.sparse = nil
        // An affiliate's customers (Enter on Affiliates), newest activity first.
        try check(s, s.customerKeyset(CustomerQuery(affiliateID: someone.affiliateID)), cursor: someone.cursor(.activity),
                  "one affiliate's customers")
    }

    /// The bounded count (what a screen shows as "1,000+"): exact up to the bound, `bound + 1`
    /// past it, a customer near two caps counted once, and a filter on top of the caps respected.
    func testTheCapsCountIsExactUpToItsBound() throws {
        let s = try program()
        let caps = NearCaps(commissions: 10, commissionMinor: 5_000, firstCommissionBefore: DemoProgram.now.adding(days: -300))
        for filter in ["", "cus_00", "a", "zzz"] {
            let q = CustomerQuery(filter: filter, nearCaps: caps)
            let n = try s.customers(q, page: .first(1_000_000)).count
            if filter.isEmpty { XCTAssertGreaterThan(n, 3) }
            for limit in [0, 3, max(0, n - 1), n, n + 1, 1_000_000] {
                XCTAssertEqual(try s.customerCount(q, upTo: limit), min(n, limit + 1), "caps '\(filter)' up to \(limit)")
            }
        }
    }

    /// The Caps screen's count (`Store.capsCount`) with bounded work: exact while it can see every
    /// candidate, else a floor that never says more than truly match; its candidates come from the
    /// near-cap indexes (no scan), and a near-cap customer is named once however many caps he nears.
    func testTheCapsScreenCountIsExactOrAFloorAndReadsOnlyIndexes() throws {
        let s = try program()
        let caps = NearCaps(commissions: 10, commissionMinor: 5_000, firstCommissionBefore: DemoProgram.now.adding(days: -300))
        let all = try s.customers(CustomerQuery(nearCaps: caps), page: .first(1_000_000))
        try s.read { db in
            let ids = try Int64.fetchAll(db, sql: Store.nearCapsMatch(caps).ids, arguments: StatementArguments(Store.nearCapsMatch(caps).idArguments))
            XCTAssertEqual(ids.sorted(), all.map(\.id).sorted(), "each near-cap customer named once")
        }
        let someone = try XCTUnwrap(all.first)
        for q in [CustomerQuery(nearCaps: caps), CustomerQuery(filter: "cus_00", nearCaps: caps), CustomerQuery(filter: "a", nearCaps: caps),
                  CustomerQuery(filter: "zzz", nearCaps: caps), CustomerQuery(affiliateID: someone.affiliateID, nearCaps: caps),
                  CustomerQuery(filter: "p", status: .active, nearCaps: caps)] {
            let n = try s.customers(q, page: .first(1_000_000)).count
            for bound in [0, 3, max(0, n - 1), n, 1_000_000] {
                for candidates in [1, 5, 50, 1_000_000] {
                    let c = try s.capsCount(q, upTo: bound, candidates: candidates)
                    let label = "caps '\(q.filter)' \(q.affiliateID.map { "of \($0) " } ?? "")up to \(bound) of \(candidates)"
                    if c.exact { XCTAssertEqual(c.count, n, label) } else { XCTAssertLessThanOrEqual(c.count, min(n, bound + 1), label) }
                    if c.count > bound { XCTAssertEqual(c.count, bound + 1, label); XCTAssertFalse(c.exact, label) }
                    // Enough candidates: what the unbounded count says.
                    if candidates == 1_000_000 { XCTAssertEqual(c.count, min(n, bound + 1), label) }
                }
            }
            try s.read { db in
                let c = Store.capsCandidatesSQL(q, Store.nearCapsMatch(caps), candidates: 100, upTo: 10)
                assertIndexed(try plan(db, c), c.sql, "caps count candidates '\(q.filter)'")
                XCTAssertFalse(try plan(db, c).contains { $0.hasPrefix("SCAN c") || $0.hasPrefix("SCAN customer") })
            }
        }
    }

    /// Caps from the kept candidates (schema v19), as the screen asks at the program's own
    /// thresholds: every sort both ways walks an index of `cap_candidate` (no SCAN, no sort but a
    /// few filtered rows'), with filters, a status and an affiliate, each way a filter can go.
    func testCapsFromTheKeptCandidatesWalkTheirIndexForEverySort() throws {
        let s = try program()
        let t = try s.settings().caps.nearThresholds(now: DemoProgram.now)
        let caps = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
        XCTAssertTrue(try s.read { db in try Store.keptCandidatesServe(db, caps) })
        let someone = try XCTUnwrap(try s.customers(CustomerQuery(sort: .key, nearCaps: caps), page: .first(1)).first)
        for sparse in [nil, 0, 1_000_000] as [Int?] {
            IndexedMatch.sparse = sparse
            for sort in [CustomerSort.key, .affiliate, .status, .conversions, .commission] {
                for descending in [false, true] {
                    let label = "kept caps by \(sort) \(descending ? "desc" : "asc"), sparse \(sparse.map(String.init) ?? "-")"
                    for q in [CustomerQuery(sort: sort, descending: descending, nearCaps: caps),
                              CustomerQuery(sort: sort, descending: descending, filter: "cus_00", nearCaps: caps),
                              CustomerQuery(sort: sort, descending: descending, filter: "p", status: .active, nearCaps: caps),
                              CustomerQuery(sort: sort, descending: descending, affiliateID: someone.affiliateID, nearCaps: caps)] {
                        let k = try XCTUnwrap(try s.read { db in try s.customerKeyset(db, q) })
                        XCTAssertTrue(k.select.contains("cap_candidate kc"), label)
                        // Allowed walks of the kept table (it is the near-cap customers only, a
                        // fifth of the program at a million): a status filter tests one of its two
                        // statuses (active, capped) on each kept row; an affiliate's kept customers
                        // are walked only in IndexedMatch's dense form (forced here by `sparse = 0`;
                        // chosen when the affiliate has many), else read by id and sorted.
                        let allowed: Set<String> = sparse == 0 ? ["kc.status", "kc.affiliate_id"] : ["kc.status"]
                        try check(s, k, cursor: someone.cursor(sort), "\(label) '\(q.filter)'", allowing: allowed)
                        if q.filter.isEmpty && q.affiliateID == nil {
                            try s.read { db in
                                let lines = try plan(db, try k.sql(db, .first(50)))
                                XCTAssertTrue(lines.first?.contains("INDEX cap_candidate_") == true
                                              || lines.first?.hasPrefix("SCAN a") == true, "\(label): \(lines)")
                            }
                        }
                    }
                }
            }
        }
        IndexedMatch.sparse = nil
    }

    /// Caps with a months cap (schema v23), as the screen asks at the program's own thresholds: the
    /// kept table's page by its index merged with the page of the few active customers near the
    /// months threshold alone, a range of `customer_active_first_commission` read from the index
    /// alone. The sorts allowed: those few read by id (`ORDER BY +(…)`, at most `IndexedMatch`'s
    /// bound) and each of the two pages (at most 50 rows) as the merge reads it.
    func testCapsWithAMonthsCapMergeTheKeptIndexWithTheMonthsRange() throws {
        let s = try program()
        let t = try s.settings().caps.nearThresholds(now: DemoProgram.now)
        let caps = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: DemoProgram.now.adding(days: -150))
        let someone = try XCTUnwrap(try s.customers(CustomerQuery(sort: .key, nearCaps: caps), page: .first(1)).first)
        for sort in [CustomerSort.key, .affiliate, .status, .conversions, .commission] {
            for descending in [false, true] {
                let label = "caps with months by \(sort) \(descending ? "desc" : "asc")"
                for q in [CustomerQuery(sort: sort, descending: descending, nearCaps: caps),
                          CustomerQuery(sort: sort, descending: descending, filter: "cus_00", nearCaps: caps),
                          CustomerQuery(sort: sort, descending: descending, filter: "p", status: .active, nearCaps: caps),
                          CustomerQuery(sort: sort, descending: descending, affiliateID: someone.affiliateID, nearCaps: caps)] {
                    let m = try XCTUnwrap(try s.read { db in try s.capsWithMonths(db, q) }, label)
                    try check(s, m.kept, cursor: someone.cursor(sort), "\(label) '\(q.filter)', kept", allowing: ["kc.status"])
                    try check(s, m.months, cursor: someone.cursor(sort), "\(label) '\(q.filter)', months")
                    try s.read { db in
                        for (what, page) in pages(someone.cursor(sort)) {
                            let u = try m.sql(db, page), lines = try plan(db, u)
                            let arms = try plan(db, try m.kept.sql(db, page)) + plan(db, try m.months.sql(db, page))
                            let sorts = { (l: [String]) in l.filter { $0.contains("TEMP B-TREE FOR ORDER BY") }.count }
                            let pageSorts = zip(lines, lines.dropFirst()).filter { $0.0.hasPrefix("SCAN (subquery") && $0.1.contains("TEMP B-TREE FOR ORDER BY") }
                            let text = "\(label) '\(q.filter)', \(what):\n  " + lines.joined(separator: "\n  ") + "\n  " + u.sql
                            XCTAssertEqual(lines.first, "MERGE (UNION ALL)", text)
                            XCTAssertEqual(pageSorts.count, 2, text)
                            XCTAssertEqual(sorts(lines), sorts(arms) + 2, text)
                            XCTAssertTrue(lines.contains { $0.contains("COVERING INDEX customer_active_first_commission (status=? AND first_commission_at<?)") }, text)
                            assertIndexed(lines, u.sql, sortAllowed: true, text)
                            try assertNoFilteredWalk(db, lines, u.sql, text, allowing: ["kc.status", "kc.affiliate_id"])
                            _ = try Row.fetchAll(db, sql: u.sql, arguments: StatementArguments(u.arguments))
                        }
                    }
                }
            }
        }
    }

    /// Caps with a months cap kept up to a cutoff (schema v24), in its own program (the shared one
    /// has no months cap): a page merges the kept table's index with the range of the active
    /// customers after the cutoff; a filter's count reads the kept table's key and affiliate indexes,
    /// at most `candidates` email entries, and the rows of those few after the cutoff only (no SCAN
    /// of a big table but the affiliates', whose code and name a filter matches by substring).
    func testCapsWithAKeptMonthsCutoffReadTheGapAfterItAndCountFiltersFromTheKeptIndexes() throws {
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        defer { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
        _ = try HugeProgram.build(into: s, seed: 1, customers: 200)
        var settings = try s.settings()
        settings.caps = Caps(count: 12, months: 3, amount: settings.caps.amount)
        try s.updateSettings(settings, who: "t")
        let t = settings.caps.nearThresholds(now: DemoProgram.now.adding(days: 20))
        let caps = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
        for sort in [CustomerSort.key, .conversions] {
            let q = CustomerQuery(sort: sort, nearCaps: caps)
            let m = try XCTUnwrap(try s.read { db in try s.capsWithMonths(db, q) })
            try s.read { db in
                let lines = try plan(db, try m.sql(db, .first(50)))
                XCTAssertTrue(lines.contains { $0.contains("COVERING INDEX customer_active_first_commission (status=? AND first_commission_at>? AND first_commission_at<?)") }, "\(lines)")
            }
        }
        for filter in ["cus_00", "p", "9", "zz"] {
            let n = try s.customers(CustomerQuery(sort: .key, filter: filter, nearCaps: caps), page: .first(1_000_000)).count
            XCTAssertEqual(try s.capsCount(CustomerQuery(filter: filter, nearCaps: caps), upTo: 1_000), BoundedCount(count: n, exact: true), filter)
            // Past a small bound with one candidate: the kept indexes still see every match (the
            // customer table's way tested one candidate's row and said a floor of at most one).
            XCTAssertEqual(try s.capsCount(CustomerQuery(filter: filter, nearCaps: caps), upTo: 2, candidates: 1).count, min(n, 3), filter)
            try s.read { db in
                let c = try XCTUnwrap(try Store.keptFilterCountSQL(db, filter, caps, upTo: 1_000, candidates: 100))
                let lines = try plan(db, (c.count, c.arguments))
                assertIndexed(lines, c.count, sortAllowed: true, "caps filter count '\(filter)'")
                XCTAssertTrue(lines.contains { $0.contains("cap_candidate USING COVERING INDEX cap_candidate_key") }, "\(lines)")
                XCTAssertTrue(lines.contains { $0.contains("k USING COVERING INDEX cap_candidate_affiliate") }, "\(lines)")
                XCTAssertFalse(lines.contains { $0.hasPrefix("SCAN c") || $0.hasPrefix("SCAN customer") || $0.hasPrefix("SCAN k") }, "\(lines)")
            }
        }
    }

    /// Caps by status walks only the active and capped part of the status index: descending, it
    /// used to read every initial and ended customer first (680 ms at a million).
    func testCapsByStatusWalksOnlyTheStatusesThatCanBeNearACap() throws {
        let s = try program()
        let caps = NearCaps(commissions: 10, commissionMinor: 5_000, firstCommissionBefore: DemoProgram.now.adding(days: -300))
        IndexedMatch.sparse = 0
        defer { IndexedMatch.sparse = nil }
        for descending in [false, true] {
            let q = CustomerQuery(sort: .status, descending: descending, nearCaps: caps)
            try s.read { db in
                let k = try s.customerKeyset(q).sql(db, .first(50))
                let lines = try plan(db, k)
                XCTAssertTrue(lines.contains { $0.contains("customer_status (status>? AND status<?)") }, "\(lines)\n\(k.sql)")
            }
            let listed = try s.customers(q, page: .first(1_000_000))
            XCTAssertEqual(Set(listed.map(\.id)), Set(try s.customers(CustomerQuery(sort: .key, nearCaps: caps), page: .first(1_000_000)).map(\.id)))
        }
    }

    func testEveryConversionListUsesAnIndexForEverySortBothWays() throws {
        let s = try program()
        let one = try XCTUnwrap(try s.conversions(page: .first(1)).first)
        for sort in ConversionSort.allCases {
            for descending in [false, true] {
                try check(s, s.conversionKeyset(ConversionQuery(sort: sort, descending: descending)), cursor: one.cursor(sort),
                          "conversions by \(sort) \(descending ? "desc" : "asc")")
            }
        }
        // A customer's detail: its conversions oldest first.
        let c = try XCTUnwrap(one.customerID)
        try check(s, s.conversionKeyset(ConversionQuery(descending: false, customerID: c)), cursor: one.cursor(.date), "a customer's conversions")
        try check(s, s.conversionKeyset(ConversionQuery(affiliateID: one.affiliateID)), cursor: one.cursor(.date), "an affiliate's conversions")
    }

    func testTheInboxListsUseAnIndex() throws {
        let s = try program()
        let e = try XCTUnwrap(try s.events(page: .first(1)).first)
        // Triage: refused events by time; a customer's detail: its events as received.
        try check(s, s.eventKeyset(EventQuery(rejectedOnly: true, order: .time)), cursor: e.cursor(.time), "triage, refused by time")
        try check(s, s.eventKeyset(EventQuery(order: .time)), cursor: e.cursor(.time), "the whole inbox by time")
        try check(s, s.eventKeyset(EventQuery()), cursor: e.cursor, rowidOrder: true, "the inbox as received")
        let c = try XCTUnwrap(try s.customers(page: .first(1)).first)
        try check(s, s.eventKeyset(EventQuery(customerID: c.id)), cursor: e.cursor, "a customer's events")
        try check(s, s.auditKeyset(""), cursor: AttributionStore.Cursor?.none, rowidOrder: true, "the audit log")
    }

    func testEveryAffiliateListUsesAnIndexForEverySortBothWays() throws {
        let s = try program()
        let a = try XCTUnwrap(try s.affiliateSummaries(AffiliateQuery(), page: .first(1)).first)
        for sort in AffiliateSort.allCases {
            for descending in [false, true] {
                for filter in ["", "a"] {
                    try check(s, s.affiliateKeyset(AffiliateQuery(sort: sort, descending: descending, filter: filter)),
                              cursor: a.cursor(sort), "affiliates by \(sort) \(descending ? "desc" : "asc") filter '\(filter)'")
                }
            }
        }
    }

    /// The Commissions tab: every state (two walks merged for approved and on hold), both sorts,
    /// both ways, with and without a filter. Pending is the range of entries inside their hold
    /// (`commission_state`), sorted: bounded by the holding period's volume, not the ledger.
    func testEveryCommissionListUsesAnIndexForEverySortBothWays() throws {
        let s = try program()
        let one = try XCTUnwrap(try s.commissionPage(CommissionListQuery(), page: .first(1)).first)
        let selections: [CommissionSelection] = [.all, .state(.pending), .state(.approved), .state(.onHold), .state(.paid),
                                                 .state(.voided), .clawbacks]
        defer { IndexedMatch.sparse = nil }
        for sparse in [nil, 20_000, 0] as [Int?] {
            IndexedMatch.sparse = sparse
            for filter in sparse == nil ? [""] : ["inv_", "cus_0", "a"] {
                for sel in selections {
                    for sort in [CommissionSort.id, .amount] {
                        for descending in [false, true] {
                            let q = CommissionListQuery(selection: sel, sort: sort, descending: descending, filter: filter)
                            for k in s.commissionKeysets(q, now: DemoProgram.now) {
                                let label = "commissions \(sel) '\(filter)' by \(sort) \(descending ? "desc" : "asc")"
                                try s.read { db in
                                    for (what, page) in pages(one.cursor(sort)) {
                                        let sql = try s.commissionWalkSQL(db, k, page)
                                        let bounded = sql.sql.contains("ORDER BY +")
                                        let lines = try plan(db, sql)
                                        assertIndexed(lines, sql.sql, sortAllowed: bounded, rowidOrder: sort == .id && sel == .all,
                                                      "\(label), \(what)")
                                        if let w = s.pendingWindowKeyset(k) {
                                            // A pending page by id first looks at the stored pending entries in id order.
                                            let wsql = try w.sql(db, page)
                                            let wlines = try plan(db, wsql)
                                            assertIndexed(wlines, wsql.sql, "\(label), \(what), the window")
                                            XCTAssertTrue(wlines.contains { $0.contains("INDEX commission_state_order") }, wlines.joined(separator: "\n"))
                                        }
                                        if sel == .state(.pending) && filter.isEmpty {
                                            // The page's ids from the hold's covering index alone; only they are joined.
                                            XCTAssertTrue(lines.contains { $0.contains("COVERING INDEX commission_pending_hold") },
                                                          "\(label), \(what):\n" + lines.joined(separator: "\n"))
                                            XCTAssertTrue(lines.contains { $0.contains("SEARCH c USING INTEGER PRIMARY KEY") },
                                                          "\(label), \(what):\n" + lines.joined(separator: "\n"))
                                        }
                                        _ = try Row.fetchAll(db, sql: sql.sql, arguments: StatementArguments(sql.arguments))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The totals: the maintained rows, the kept pending days after today's (a range of its
        // primary key) and today's entries still ahead (a range of a covering index, both ends).
        try s.read { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'commission_pending_day'")
            XCTAssertNotNil(sql)
            let lines = try plan(db, (Store.pendingInHoldSQL, [0, 0, 0]))
            XCTAssertTrue(lines.contains { $0.contains("COVERING INDEX commission_pending_hold (approves_at>? AND approves_at<?)") },
                          lines.joined(separator: "\n"))
            XCTAssertTrue(lines.contains { $0.contains("SEARCH commission_pending_day USING PRIMARY KEY (day>?)") }, lines.joined(separator: "\n"))
            XCTAssertFalse(lines.contains { $0.hasPrefix("SCAN") && !$0.contains("(subquery-") }, lines.joined(separator: "\n"))
            // Where an oldest-first pending page starts: one pass over the hold's covering index.
            let first = try plan(db, ("SELECT MIN(id) FROM commission INDEXED BY commission_pending_hold WHERE \(CommissionStanding.inHold())", [0]))
            XCTAssertEqual(first, ["SEARCH commission USING COVERING INDEX commission_pending_hold (approves_at>?)"])
            // The settling of due entries: a range of `commission_state`.
            let settle = try plan(db, ("SELECT \(Store.entryColumns) FROM commission c WHERE \(CommissionStanding.due("c."))", [0]))
            XCTAssertTrue(settle.count == 1 && settle[0].hasPrefix("SEARCH c USING INDEX") && settle[0].contains("approves_at<?"),
                          settle.joined(separator: "\n"))
        }
    }

    /// A filter reads the matching ids through indexes; few are sorted (bounded), many are found
    /// walking the sort's index. Both ways, for each list with a filter.
    func testFiltersMatchThroughIndexesBothWays() throws {
        let s = try program()
        let someone = try XCTUnwrap(try s.customers(page: .first(1)).first)
        let conv = try XCTUnwrap(try s.conversions(page: .first(1)).first)
        let e = try XCTUnwrap(try s.events(page: .first(1)).first)
        for sparse in [20_000, 0] {
            IndexedMatch.sparse = sparse
            let way = sparse == 0 ? "many match" : "few match"
            for filter in ["cus_0", "a", "inv_", "x@"] {
                for sort in CustomerSort.allCases {
                    try check(s, s.customerKeyset(CustomerQuery(sort: sort, filter: filter)), cursor: someone.cursor(sort),
                              "\(way): customers '\(filter)' by \(sort)")
                }
                for sort in ConversionSort.allCases {
                    try check(s, s.conversionKeyset(ConversionQuery(sort: sort, filter: filter)), cursor: conv.cursor(sort),
                              "\(way): conversions '\(filter)' by \(sort)")
                }
                try check(s, s.eventKeyset(EventQuery(filter: filter, order: .time)), cursor: e.cursor(.time),
                          "\(way): triage '\(filter)'")
            }
            // The ids themselves: every part of the union reads an index.
            try s.read { db in
                for m in [Store.customerMatch("cus_0"), Store.conversionMatch("inv_"), Store.eventMatch("cus_0")] {
                    let q = ("SELECT 1 FROM (\(m.ids))", m.idArguments)
                    assertIndexed(try plan(db, q), q.0, "the ids of a filter")
                }
            }
        }
    }

    func testTheAffiliateViewsListsUseAnIndex() throws {
        let s = try program()
        let me = try XCTUnwrap(try s.affiliateSummaries(AffiliateQuery(sort: .customers, descending: true), page: .first(1)).first).affiliate.id
        let c = try XCTUnwrap(try s.affiliateCustomers(me, page: .first(1)).first)
        // Every sort of My customers, by status and by the sums maintained per customer number too (v11).
        for sort in [CustomerSort.activity, .key, .status, .conversions, .commission] {
            for descending in [false, true] {
                for filter in ["", "1"] {
                    try check(s, s.affiliateCustomerKeyset(me, sort: sort, descending: descending, filter: filter), cursor: c.cursor(sort),
                              "my customers by \(sort) \(descending) filter '\(filter)'")
                }
            }
        }
        let v = try XCTUnwrap(try s.affiliateConversions(me, page: .first(1)).first)
        for (sort, value) in [(ConversionSort.date, v.at.seconds), (.amount, v.amount.minor), (.commission, v.commission.minor)] {
            for descending in [false, true] {
                for sparse in [nil, 0] as [Int?] {
                    IndexedMatch.sparse = sparse
                    try check(s, s.affiliateConversionKeyset(me, sort: sort, descending: descending, customerNumber: nil),
                              cursor: AttributionStore.Cursor(int: value, id: v.id), "my conversions by \(sort) \(descending)")
                    // Filtered by a customer number prefix: number ranges of the (affiliate, number) index.
                    try check(s, s.affiliateConversionKeyset(me, sort: sort, descending: descending, customerNumber: nil, filter: "1"),
                              cursor: AttributionStore.Cursor(int: value, id: v.id), "my conversions '1' by \(sort) \(descending)")
                    if sparse == 0 {
                        // The walk tests each entry's customer number in the index itself (v21), not in its row.
                        try s.read { db in
                            let k = s.affiliateConversionKeyset(me, sort: sort, descending: descending, customerNumber: nil, filter: "1")
                            let lines = try plan(db, try k.sql(db, .first(50)))
                            let index = try XCTUnwrap(lines.first { $0.hasPrefix("SEARCH v USING INDEX") }?.split(separator: " ")[4], "\(lines)")
                            let columns = try String?.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?)", arguments: [String(index)])
                            XCTAssertEqual(columns.dropFirst(2), [Optional("id"), "customer_number"], "\(sort): \(lines)")
                        }
                    }
                }
            }
        }
        IndexedMatch.sparse = nil
        try checkTheAffiliateViewsDetailCountsAndEarnings(s, me, c, v)
    }

    /// The affiliate view's customer detail, its counts with a number prefix, the filter's ids,
    /// one customer's conversions and the Earnings sums: each from an index.
    func checkTheAffiliateViewsDetailCountsAndEarnings(_ s: Store, _ me: Int64, _ c: AffiliateCustomerRow,
                                                       _ v: AffiliateConversionRow) throws {
        // A customer's detail: that customer's sums only.
        try s.read { db in
            let q = (Store.affiliateViewSQL["customers"]!.replacingOccurrences(of: "WHERE c.affiliate_id = ?)",
                                                                               with: "WHERE c.affiliate_id = ? AND c.number = ?)"),
                     [me, c.number] as [DatabaseValueConvertible?])
            let lines = try plan(db, q)
            assertIndexed(lines, q.0, "my customer's detail")
            XCTAssertFalse(lines.contains { $0.contains("SCAN") }, "\(lines)")
        }
        XCTAssertEqual(try s.affiliateCustomer(me, number: c.number)?.number, c.number)
        // My customers' count with a number prefix: a range of the (affiliate, number) index per
        // length, the customers the list shows (not every customer of the affiliate tested).
        for filter in ["1", "9", "0", "#2", "x", "99999999999999999999"] {
            let listed = try s.affiliateCustomers(me, filter: filter, page: .first(1_000_000)).count
            XCTAssertEqual(try s.affiliateCustomerCount(me, filter: filter), listed, "my customers '\(filter)'")
        }
        try s.read { db in
            let lines = try plan(db, Store.numberPrefixCount(me, "1"))
            XCTAssertTrue(lines.allSatisfy { !$0.contains("customer") || $0.contains("(affiliate_id=? AND number>? AND number<?)") },
                          lines.joined(separator: "\n"))
        }
        // The filter's ids and its count: a range of the (affiliate, customer number) index per length.
        try s.read { db in
            let ids = Store.numberPrefixIDs(me, "1")
            for q in [("SELECT 1 FROM (\(ids.sql))", ids.arguments), ("SELECT COUNT(*) FROM (\(ids.sql))", ids.arguments)] {
                let lines = try plan(db, q)
                assertIndexed(lines, q.0, "my conversions' filter ids")
                XCTAssertTrue(lines.allSatisfy { !$0.contains("conversion") || $0.contains("COVERING INDEX") }, "\(lines)")
            }
        }
        try check(s, s.affiliateConversionKeyset(me, sort: .date, descending: false, customerNumber: c.number),
                  cursor: AttributionStore.Cursor(int: v.at.seconds, id: v.id), "one of my customers' conversions")
        // The filter walks my own index whatever the sort (by amount and commission too, schema
        // v21): whether few match is weighed against my conversions, not the program's.
        try s.read { db in
            let mine = try Int.fetchOne(db, sql: "SELECT conversions FROM affiliate_total WHERE affiliate_id = ?", arguments: [me])
            let all = try Int.fetchOne(db, sql: "SELECT SUM(conversions) FROM affiliate_total")
            XCTAssertNotEqual(mine, all)
            for (sort, rows) in [(ConversionSort.date, mine), (.amount, mine), (.commission, mine)] {
                let m = try XCTUnwrap(s.affiliateConversionKeyset(me, sort: sort, descending: true, customerNumber: nil, filter: "1").match)
                XCTAssertEqual(try Int.fetchOne(db, sql: m.tableRows, arguments: StatementArguments(m.tableRowsArguments)), rows, "\(sort)")
            }
        }
        try s.read { db in
            let q = (Store.affiliateViewSQL["earnings"]!, [me] as [DatabaseValueConvertible?])
            assertIndexed(try plan(db, q), q.0, "my earnings")
            // The entries still in their hold: summed from the index alone (v21), not row by row
            // (a big affiliate's last holding period is 19,000 rows, 2,800 pages read cold).
            let pending = (Store.affiliateLedgerSQL["ledger_pending"]!, [me, DemoProgram.now.seconds] as [DatabaseValueConvertible?])
            let lines = try plan(db, pending)
            assertIndexed(lines, pending.0, "my earnings, the part still in its hold")
            XCTAssertTrue(lines.contains { $0.contains("COVERING INDEX commission_affiliate_pending (affiliate_id=? AND approves_at>") },
                          lines.joined(separator: "\n"))
        }
    }

    /// Both ways of answering a filter find the same rows in the same order, the rows a plain
    /// reading of the rule finds (identifiers by prefix, affiliates' codes and names anywhere),
    /// and the count agrees.
    func testFiltersFindTheSameRowsBothWaysAndCountThem() throws {
        let s = try program()
        let customers = try s.customers(CustomerQuery(sort: .key, descending: false), page: .first(1_000_000))
        let conversions = try s.conversions(ConversionQuery(sort: .date, descending: false), page: .first(1_000_000))
        let affiliates = try s.affiliates()
        let names = Dictionary(uniqueKeysWithValues: affiliates.map { ($0.id, $0.name.lowercased()) })
        for filter in ["cus_0", "p0000", "media", "9", "inv_", "@", "zzz"] {
            let f = filter.lowercased()
            let expectedCustomers = customers.filter {
                $0.key.hasPrefix(filter) || ($0.email ?? "").hasPrefix(filter) || $0.affiliateCode.lowercased().contains(f)
                    || (names[$0.affiliateID] ?? "").contains(f)
            }.map(\.id)
            let expectedConversions = conversions.filter {
                $0.externalID.hasPrefix(filter) || ($0.customerKey ?? "").hasPrefix(filter) || $0.affiliateCode.lowercased().contains(f)
            }.map(\.id)
            for sparse in [20_000, 0] {
                IndexedMatch.sparse = sparse
                let cq = CustomerQuery(sort: .key, descending: false, filter: filter)
                XCTAssertEqual(try s.customers(cq, page: .first(1_000_000)).map(\.id), expectedCustomers, "customers '\(filter)' \(sparse)")
                XCTAssertEqual(try s.customerCount(cq), expectedCustomers.count, "customers '\(filter)'")
                let vq = ConversionQuery(sort: .date, descending: false, filter: filter)
                XCTAssertEqual(try s.conversions(vq, page: .first(1_000_000)).map(\.id), expectedConversions,
                               "conversions '\(filter)' \(sparse)")
                XCTAssertEqual(try s.conversionCount(vq), expectedConversions.count, "conversions '\(filter)'")
                // Bounded counts: exact up to the limit, else "more".
                for limit in [0, 3, 1_000_000] {
                    XCTAssertEqual(try s.customerCount(cq, upTo: limit), min(expectedCustomers.count, limit + 1))
                    XCTAssertEqual(try s.conversionCount(vq, upTo: limit), min(expectedConversions.count, limit + 1))
                    let eq = EventQuery(filter: filter, order: .time)
                    XCTAssertEqual(try s.eventCount(eq, upTo: limit), min(try s.eventCount(eq), limit + 1))
                }
            }
        }
    }
}

extension StoreQueryPlanTests {
    /// The ledger's reads on the screens (v14): the affiliate's Earnings split (maintained sums,
    /// the pending still in their hold), its payouts and a payout's lines, and a conversion's ledger
    /// for the admin's detail and triage: each searched through an index, none scanning or sorting.
    func testTheLedgerViewsReadsUseAnIndex() throws {
        let s = try program()
        let me = try XCTUnwrap(try s.affiliateSummaries(AffiliateQuery(sort: .customers, descending: true), page: .first(1)).first).affiliate.id
        try s.read { db in
            for (name, args) in [("ledger_months", [me]), ("ledger_pending", [me, DemoProgram.now.seconds]), ("ledger_conversions", [me]),
                                 ("payout_lines", [me, 1])] as [(String, [DatabaseValueConvertible?])] {
                let q = (Store.affiliateLedgerSQL[name]!, args)
                let lines = try plan(db, q)
                assertIndexed(lines, q.0, name)
                XCTAssertFalse(lines.contains { $0.hasPrefix("SCAN") }, "\(name): \(lines)")
                XCTAssertTrue(lines.contains { $0.hasPrefix("SEARCH") }, "\(name): \(lines)")
            }
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM conversion WHERE affiliate_id = ? LIMIT 20", arguments: [me])
            XCTAssertFalse(ids.isEmpty)
            for sql in ["SELECT * FROM commission c WHERE c.kind = 'commission' AND c.conversion_id IN (1,2,3) ORDER BY c.id",
                        "SELECT * FROM commission c WHERE c.kind = 'clawback' AND c.conversion_id IN (1,2,3) ORDER BY c.id",
                        "SELECT * FROM refund WHERE conversion_id IN (1,2,3) ORDER BY at, id",
                        "SELECT * FROM dispute WHERE conversion_id IN (1,2,3) ORDER BY at, id"] {
                let lines = try plan(db, (sql, []))
                XCTAssertFalse(lines.contains { $0.hasPrefix("SCAN") }, "\(sql): \(lines)")
            }
            XCTAssertEqual(try s.conversionLedgers(db, ids, now: DemoProgram.now).count, ids.count, "every credited conversion has its entry")
        }
        for descending in [false, true] {
            try check(s, s.affiliatePayoutKeyset(me, descending: descending), cursor: AttributionStore.Cursor(int: 1, id: 1),
                      "my payouts \(descending)")
        }
        XCTAssertFalse(try s.affiliateLedgerMonths(me).isEmpty)
    }
}

extension StoreQueryPlanTests {
    /// An event's detail in Triage reads the admin changes to its identifiers by the audit's
    /// target index (schema v23), not the whole audit table (234 pages cold at a million).
    func testTriageReadsTheAuditByTarget() throws {
        let s = try program()
        try s.read { db in
            let sql = TriageChain.auditSQL(3)
            let lines = try plan(db, (sql, ["cus_1", "event #1", "x"]))
            XCTAssertEqual(lines, ["SEARCH audit USING INDEX audit_target (target=?)"], sql)
        }
        let e = try XCTUnwrap(try s.events(page: .first(1)).first)
        XCTAssertNotNil(try s.triage(eventID: e.id, reparse: { _, _ in nil }))
    }

    /// Triage's counts take the kept inbox totals less the resolved rejections: those are read
    /// from `event_resolution` (a few rows), each event found by its id — never a walk of every
    /// rejected event (the planner's own choice without the CROSS JOIN: 213 ms at 1M).
    func testTriageCountsReadTheResolutionsNotTheInbox() throws {
        let s = try program()
        try s.read { db in
            for sql in [Store.resolvedRejectionsSQL, Store.unresolvedCountsSQL] {
                let lines = try plan(db, (sql, []))
                XCTAssertFalse(lines.contains { $0.hasPrefix("SCAN e") || $0.contains("USING INDEX event_") }, "\(sql): \(lines)")
                XCTAssertTrue(lines.contains { $0.hasPrefix("SEARCH e USING INTEGER PRIMARY KEY") }, "\(sql): \(lines)")
            }
        }
    }
}

extension StoreQueryPlanTests {
    /// Triage's filter and identifier search when few events match (issue 11, cold): the matches'
    /// times come from the identifier indexes' entries (v22), the page is cut from those entries,
    /// and only the page's events are read by id. Before, every matching event was read by id to
    /// sort them (3,500 rows, 5,200 pages cold, for "9" at a million customers).
    func testTriageMatchesAreSortedFromIndexEntriesAndOnlyThePageIsRead() throws {
        try assertMatchesSortedFromIndexEntries(try program(), ["cus_0", "9", "inv_", "clk_", "a", "x@", "p0000"])
    }

    /// The same for Stripe and WooCommerce ids (`event_ref`, schema v25): a match's time is in
    /// its entry. Before, each matching event was read for it (thousands for "in_1A" on a
    /// Stripe-fed program).
    func testTriageMatchesByStripeAndWooCommerceIdsAreSortedFromTheirEntries() throws {
        let s = try paymentProgram()
        let invoice = try XCTUnwrap(try s.references(startingWith: "in_", limit: 1).first)
        try assertMatchesSortedFromIndexEntries(s, [invoice, String(invoice.prefix(5)), "in_", "ch_3", "sub_1", "evt_1", "wc-", "cus_", "9"])
    }

    func assertMatchesSortedFromIndexEntries(_ s: Store, _ filters: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let e = try XCTUnwrap(try s.events(page: .first(1)).first)
        IndexedMatch.sparse = 20_000
        defer { IndexedMatch.sparse = nil }
        try s.read { db in
            for filter in filters {
                let k = s.eventKeyset(EventQuery(filter: filter, order: .time))
                for (what, page) in pages(e.cursor(.time)) {
                    let q = try k.sql(db, page)
                    let lines = try plan(db, q)
                    let text = "'\(filter)' \(what):\n  " + lines.joined(separator: "\n  ") + "\n  " + q.sql
                    // The events of the matches (`n`) are index entries; an `event_ref` match (`r`) is its own entry.
                    for l in lines where ["SEARCH n", "SCAN n"].contains(l.split(separator: " ").prefix(2).joined(separator: " ")) {
                        XCTAssertTrue(l.contains("USING COVERING INDEX"), "a match's event read for its time: \(text)", file: file, line: line)
                    }
                    for l in lines where l.hasPrefix("SEARCH r ") || l.hasPrefix("SCAN r ") {
                        XCTAssertTrue(l.hasPrefix("SEARCH r USING PRIMARY KEY (ref>? AND ref<?)"), "a reference match: \(text)", file: file, line: line)
                    }
                    // The page's rows: the table read by id once, after the page is cut (`q`).
                    let rows = lines.filter { ["SEARCH e", "SCAN e"].contains($0.split(separator: " ").prefix(2).joined(separator: " ")) }
                    XCTAssertEqual(rows, ["SEARCH e USING INTEGER PRIMARY KEY (rowid=?)"], text, file: file, line: line)
                    XCTAssertTrue(lines.contains { $0.hasPrefix("SCAN q") }, text, file: file, line: line)
                }
            }
        }
    }

    /// A Triage filter matching many events walks the time index. The events refused as invalid
    /// that name no identifier sort as received, the newest of the inbox (5,000 of them ahead of
    /// every other event at a million customers): each is tested by its id from their small index
    /// (v22), before and without reading its row (the walk for "c" read their 5,000 rows, 3,400
    /// pages cold, for each keystroke of an identifier search).
    func testTriageWalkTestsInvalidEventsNamingNothingByTheirIds() throws {
        let s = try program()
        let e = try XCTUnwrap(try s.events(page: .first(1)).first)
        IndexedMatch.sparse = 0
        defer { IndexedMatch.sparse = nil }
        try s.read { db in
            for filter in ["c", "cus_", "inv_"] {
                for (what, page) in pages(e.cursor(.time)) {
                    let q = try s.eventKeyset(EventQuery(filter: filter, order: .time)).sql(db, page)
                    let lines = try plan(db, q)
                    let text = "'\(filter)' \(what):\n  " + lines.joined(separator: "\n  ") + "\n  " + q.sql
                    XCTAssertTrue(["SCAN e USING INDEX event_time", "SEARCH e USING INDEX event_time"].contains { lines.first?.hasPrefix($0) == true }, text)
                    XCTAssertTrue(lines.contains("SCAN event USING COVERING INDEX event_invalid_time"), text)
                    // Tested first: the row's own columns only when it is not one of those.
                    XCTAssertTrue(q.sql.range(of: "CASE WHEN e.id IN (SELECT id FROM event INDEXED BY event_invalid_time") != nil, text)
                }
            }
        }
    }

    /// The same events in the same order whichever way a Triage filter is answered (sorted from
    /// the index entries, read by id and sorted, or walking the time index), page by page both
    /// ways, and the bounded count agrees.
    func testTriageFilterFindsTheSameEventsEveryWay() throws {
        try assertSameEventsEveryWay(try program(), ["9", "inv_1", "clk_1", "a", "x@", "cus_00001", "zzz"])
    }

    /// The same with Stripe and WooCommerce ids, whose times the sorted way reads from `event_ref`
    /// (schema v25) and the walk from the events' rows.
    func testTriageFilterByStripeAndWooCommerceIdsFindsTheSameEventsEveryWay() throws {
        let s = try paymentProgram()
        let invoice = try XCTUnwrap(try s.references(startingWith: "in_", limit: 1).first)
        let refund = try XCTUnwrap(try s.references(startingWith: "re_", limit: 1).first)
        try assertSameEventsEveryWay(s, [invoice, String(invoice.prefix(5)), "in_1", "ch_3", "ch_1", "sub_", "evt_1", "cus_", "wc-1",
                                         "wc-sub-", refund, "9"])
    }

    func assertSameEventsEveryWay(_ s: Store, _ filters: [String]) throws {
        defer { IndexedMatch.sparse = nil }
        for filter in filters {
            let q = EventQuery(filter: filter, order: .time)
            IndexedMatch.sparse = 0
            let walked = try s.events(q, page: .first(1_000_000)).map(\.id)
            IndexedMatch.sparse = 20_000
            let sorted = try s.events(q, page: .first(1_000_000)).map(\.id)
            XCTAssertEqual(sorted, walked, "'\(filter)'")
            // The earlier way: every match read by id, then sorted.
            let byRows: [Int64] = try s.read { db in
                var k = s.eventKeyset(q)
                k.match?.sorted = nil
                return try (k.fetch(db, .first(1_000_000)) as [EventRow]).map(\.id)
            }
            XCTAssertEqual(sorted, byRows, "'\(filter)'")
            // Page by page, forward from the first and backward from the last.
            var forward: [Int64] = [], after: AttributionStore.Cursor? = nil
            while true {
                let page = try s.events(q, page: PageRequest(after: after, limit: 20))
                forward += page.map(\.id)
                guard page.count == 20, let last = page.last else { break }
                after = last.cursor(.time)
            }
            XCTAssertEqual(forward, sorted, "'\(filter)' forward")
            var backward: [Int64] = [], before: AttributionStore.Cursor? = nil
            while true {
                let page = try s.events(q, page: PageRequest(after: before, direction: .backward, limit: 20))
                backward = page.map(\.id) + backward
                guard page.count == 20, let first = page.first else { break }
                before = first.cursor(.time)
            }
            XCTAssertEqual(backward, sorted, "'\(filter)' backward")
            for limit in [0, 3, 1_000_000] {
                XCTAssertEqual(try s.eventCount(q, upTo: limit), min(sorted.count, limit + 1), "'\(filter)' up to \(limit)")
            }
        }
    }
}
