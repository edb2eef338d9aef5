import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// The kept near-cap customers (`cap_candidate`, "v19-cap-candidates"): every Caps page and count
/// read from them is what the straightforward query over the customer table says, through
/// settings changes, clock moves, admin changes, new conversions and the migration of a populated
/// database; and the consistency check holds the kept table to the customer table.
final class CapCandidateTests: StoreTestCase {
    private var built: [String] = []

    override func tearDownWithError() throws {
        for d in built { try? FileManager.default.removeItem(atPath: d) }
        built = []
        IndexedMatch.sparse = nil
        try super.tearDownWithError()
    }

    /// The huge demo's program, small (its caps: 12 commissions, 500.00 USD).
    func program(customers: Int = 300) throws -> Store {
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        built.append((s.path as NSString).deletingLastPathComponent)
        _ = try HugeProgram.build(into: s, seed: 7, customers: customers)
        return s
    }

    static let sorts: [CustomerSort] = [.key, .affiliate, .status, .conversions, .commission]

    /// The near-cap customers' ids in the sort's order, from the customer table without an index.
    func straightforward(_ s: Store, _ n: NearCaps, _ sort: CustomerSort, descending: Bool) throws -> [Int64] {
        let dir = descending ? "DESC" : "ASC"
        let order = sort == .affiliate ? "a.code \(dir), c.number \(dir)" : "\(sort.expr) \(dir), c.id \(dir)"
        return try s.read { db in
            try Int64.fetchAll(db, sql: """
                SELECT c.id FROM customer c NOT INDEXED JOIN affiliate a ON a.id = c.affiliate_id
                WHERE c.status = 'capped' OR (c.status = 'active'
                  AND (c.conversions >= ?1 OR c.commission_minor >= ?2 OR c.first_commission_at <= ?3))
                ORDER BY \(order)
                """, arguments: [n.commissions, n.commissionMinor, n.firstCommissionBefore?.seconds])
        }
    }

    /// Every row of `q`, a page of 7 at a time, forward from the first page and backward from the last.
    func paged(_ s: Store, _ q: CustomerQuery) throws -> (forward: [Int64], backward: [Int64]) {
        var forward: [Int64] = [], page = try s.customers(q, page: .first(7))
        while let last = page.last {
            forward += page.map(\.id)
            page = try s.customers(q, page: PageRequest(after: last.cursor(q.sort), limit: 7))
        }
        var backward: [Int64] = []
        page = try s.customers(q, page: .last(7))
        while let first = page.first {
            backward = page.map(\.id) + backward
            page = try s.customers(q, page: PageRequest(after: first.cursor(q.sort), direction: .backward, limit: 7))
        }
        return (forward, backward)
    }

    /// The Caps list as the screen asks for it at `now`, against the straightforward query: every
    /// sort both ways, its count, and filtered lists against the customer table's way.
    func assertCaps(_ s: Store, at now: Instant, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let caps = try s.settings().caps
        let t = caps.nearThresholds(now: now)
        let n = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
        let kept = try s.read { db in try Store.keptCandidatesServe(db, n) }
        // With a months cap the kept table holds the near by months up to its cutoff (schema v24):
        // alone the list when the cutoff is the threshold asked for.
        let cutoff = try s.read { db in try Store.capCandidateRule(db)?.firstCommissionBefore }
        XCTAssertEqual(cutoff != nil, caps.months != nil, "\(label): a months cutoff kept", file: file, line: line)
        XCTAssertEqual(kept, (caps.count != nil || caps.amount != nil || caps.months != nil) && cutoff == t.firstCommissionBefore?.seconds,
                       "\(label): kept way", file: file, line: line)
        // With a months cap: the kept table merged with the few near by months alone after the
        // cutoff (all of them are few here), for every sort but the activity one; a cutoff past the
        // threshold asked for (a clock behind the store's): the customer table's way.
        let merged = try s.read { db in try s.capsWithMonths(db, CustomerQuery(sort: .key, nearCaps: n)) != nil }
        XCTAssertEqual(merged, caps.months != nil && (cutoff ?? .max) <= (t.firstCommissionBefore?.seconds ?? .min),
                       "\(label): kept and months merged", file: file, line: line)
        for sort in Self.sorts {
            for descending in [false, true] {
                let q = CustomerQuery(sort: sort, descending: descending, nearCaps: n)
                let want = try straightforward(s, n, sort, descending: descending)
                let got = try paged(s, q)
                let what = "\(label): \(sort) \(descending ? "desc" : "asc")"
                XCTAssertEqual(got.forward, want, what, file: file, line: line)
                XCTAssertEqual(got.backward, want, what + " backward", file: file, line: line)
                if sort == .key && !descending {
                    for bound in Set([0, 7, max(0, want.count - 1), want.count, 10_000]) {
                        XCTAssertEqual(try s.capsCount(q, upTo: bound), BoundedCount(count: min(want.count, bound + 1), exact: want.count <= bound),
                                       "\(what): count up to \(bound)", file: file, line: line)
                    }
                }
            }
        }
        // Filters, a status and an affiliate: the same rows as the customer table's way, both ways a filter can go.
        let someone = try XCTUnwrap(try s.customers(CustomerQuery(sort: .key, nearCaps: n), page: .first(1)).first, label)
        let queries = ["cus_00", "cus_0001", "p", "zz"].map { CustomerQuery(sort: .conversions, filter: $0, nearCaps: n) }
            + [CustomerQuery(sort: .commission, descending: true, status: .active, nearCaps: n),
               CustomerQuery(sort: .key, affiliateID: someone.affiliateID, nearCaps: n),
               CustomerQuery(sort: .affiliate, filter: "cus_0", affiliateID: someone.affiliateID, nearCaps: n)]
        for sparse in [0, 1_000_000] {
            IndexedMatch.sparse = sparse
            for q in queries {
                let old: [CustomerRow] = try s.read { db in try s.customerKeyset(q).fetch(db, .first(1_000_000)) }
                let what = "\(label): '\(q.filter)' \(q.status?.rawValue ?? "") \(q.affiliateID.map(String.init) ?? "") sparse \(sparse)"
                XCTAssertEqual(try s.customers(q, page: .first(1_000_000)).map(\.id), old.map(\.id), what, file: file, line: line)
                XCTAssertEqual(try s.customerCount(q, upTo: 5), min(old.count, 6), what, file: file, line: line)
                XCTAssertEqual(try s.capsCount(q, upTo: 1_000).count, old.count, what, file: file, line: line)
                let few = try s.capsCount(q, upTo: 3)
                XCTAssertEqual(few.count, min(old.count, 4), what, file: file, line: line)
                if few.exact { XCTAssertLessThanOrEqual(old.count, 3, what, file: file, line: line) }
            }
        }
        IndexedMatch.sparse = nil
        XCTAssertEqual(try s.consistencyProblems(), [], label, file: file, line: line)
    }

    func testTheKeptCandidatesListAndCountTheCapsAsTheCustomerTableDoes() throws {
        let s = try program()
        let base = try s.settings()
        try assertCaps(s, at: DemoProgram.now, "the demo's caps")
        XCTAssertGreaterThan(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cap_candidate") ?? 0 }, 10)
        // Each settings change rebuilds the candidates in its transaction; a months cap goes the
        // customer table's way, at any time.
        for caps in [Caps(count: 3, months: nil, amount: nil), Caps(count: nil, months: nil, amount: usd(2_000)),
                     Caps(count: 5, months: nil, amount: usd(9_000)), Caps(count: nil, months: nil, amount: nil),
                     Caps(count: 4, months: 6, amount: nil), base.caps] {
            var settings = base
            settings.caps = caps
            try s.updateSettings(settings, who: "t")
            for days in [0, 200] { try assertCaps(s, at: DemoProgram.now.adding(days: days), "\(caps), +\(days) days") }
        }
        // Writes after a change: the triggers keep the candidates whoever writes a customer.
        var settings = base
        settings.caps = Caps(count: 4, months: nil, amount: usd(3_000))
        try s.updateSettings(settings, who: "t")
        let all = try allCustomers(s)
        let near = try XCTUnwrap(all.first { $0.status == .active && $0.conversions >= 4 })
        let capped = try XCTUnwrap(all.first { $0.status == .capped })
        let far = try XCTUnwrap(all.first { $0.status == .active && $0.conversions == 2 && ($0.commission?.minor ?? 0) < 2_000 })
        let other = try XCTUnwrap(try s.affiliates().first { $0.id != near.affiliateID })
        _ = try s.reassign(customerKey: near.key, toAffiliate: other.code, who: "t")
        _ = try s.setStatus(customerKey: capped.key, to: .ended, who: "t")
        try ingest(s, [Line.conversion("cap-more-1", "10.00", customer: far.key, DemoProgram.now),
                       Line.conversion("cap-more-2", "10.00", customer: far.key, DemoProgram.now.adding(seconds: 60))])
        XCTAssertEqual(try customer(s, far.key).conversions, 4)
        try assertCaps(s, at: DemoProgram.now, "after writes")
        let keptIDs = try s.read { db in try Int64.fetchAll(db, sql: "SELECT customer_id FROM cap_candidate") }
        XCTAssertTrue(keptIDs.contains(far.id), "a customer who reached the threshold joined")
        XCTAssertFalse(keptIDs.contains(capped.id), "an ended customer left")
        XCTAssertEqual(try s.read { db in try Int64.fetchOne(db, sql: "SELECT affiliate_id FROM cap_candidate WHERE customer_id = ?",
                                                              arguments: [near.id]) }, other.id)
    }

    /// A months cap with the count and amount caps, at clock times where some active customers are
    /// near the months threshold alone (not kept): every Caps page merges the kept table with them
    /// and lists what the customer table's way lists, every sort both ways, filtered, counted; and
    /// so does the customer table's way when they are too many to merge (`IndexedMatch.sparse`).
    func testAMonthsCapMergesTheKeptCandidatesWithTheFewNearByMonthsAlone() throws {
        let s = try program()
        var settings = try s.settings()
        var seen = 0
        for (count, months) in [(12, 6), (4, 3)] as [(Int?, Int)] + [(nil, 9)] {
            settings.caps = Caps(count: count, months: months, amount: count == nil ? nil : usd(50_000))
            try s.updateSettings(settings, who: "t")
            for days in [0, 200] {
                let now = DemoProgram.now.adding(days: days)
                let t = settings.caps.nearThresholds(now: now)
                let n = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
                let ids = Store.monthsOnlyIDs(n, try XCTUnwrap(t.firstCommissionBefore))
                let alone = try s.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(ids.sql))", arguments: StatementArguments(ids.arguments)) ?? 0
                }
                seen = max(seen, alone)
                // Merged (the sorts, both ways, the counts), then filtered both ways a filter goes.
                try assertCaps(s, at: now, "\(settings.caps) +\(days) days")
                // Too many near by months alone after the kept cutoff (schema v24): the customer table's way.
                let cut = try s.read { db in try Store.capCandidateRule(db)?.firstCommissionBefore }
                let after = Store.monthsOnlyIDs(n, try XCTUnwrap(t.firstCommissionBefore), after: cut)
                let gap = try s.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(after.sql))", arguments: StatementArguments(after.arguments)) ?? 0
                }
                IndexedMatch.sparse = 0
                let served = try s.read { db in try s.capsWithMonths(db, CustomerQuery(sort: .conversions, nearCaps: n)) != nil }
                XCTAssertEqual(served, gap == 0, "\(settings.caps) +\(days): not merged when too many")
                let q = CustomerQuery(sort: .conversions, descending: false, nearCaps: n)
                XCTAssertEqual(try paged(s, q).backward, try straightforward(s, n, .conversions, descending: false), "\(settings.caps) +\(days)")
                IndexedMatch.sparse = nil
            }
        }
        XCTAssertGreaterThan(seen, 5, "some active customers are near the months threshold alone")
    }

    /// A missing rule row is no rule: the next open writes it back and refills the candidates
    /// (it used to update no row and leave the kept table for no rule, a consistency problem).
    func testAMissingRuleRowIsWrittenBackOnOpen() throws {
        let path: String
        do {
            let s = try program(customers: 120)
            path = s.path
            try s.write { db in try db.execute(sql: "DELETE FROM cap_candidate_rule") }
            XCTAssertNil(try s.read { db in try Store.capCandidateRule(db) })
            XCTAssertFalse(try s.read { db in try Store.keptCandidatesServe(db, NearCaps(commissions: 10, commissionMinor: 40_000, firstCommissionBefore: nil)) })
        }
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Store.capCandidateRule(db) }, KeptCapRule(commissions: 10, commissionMinor: 40_000))
        XCTAssertEqual(try s.consistencyProblems(), [])
        try assertCaps(s, at: DemoProgram.now, "rule written back")
    }

    /// The consistency check names a kept row that differs, one that should not be kept, a missing
    /// one, and a rule that is not the caps'.
    func testTheConsistencyCheckHoldsTheCandidatesToTheCustomers() throws {
        let s = try program(customers: 120)
        XCTAssertEqual(try s.consistencyProblems(), [])
        let ids = try s.read { db in try Int64.fetchAll(db, sql: "SELECT customer_id FROM cap_candidate ORDER BY customer_id LIMIT 2") }
        let far = try XCTUnwrap(try allCustomers(s).first { $0.status == .initial })
        try s.write { db in
            try db.execute(sql: "UPDATE cap_candidate SET conversions = conversions + 1 WHERE customer_id = ?", arguments: [ids[0]])
            try db.execute(sql: "DELETE FROM cap_candidate WHERE customer_id = ?", arguments: [ids[1]])
            try db.execute(sql: "INSERT INTO cap_candidate SELECT id, key, affiliate_id, number, status, conversions, commission_minor FROM customer WHERE id = ?",
                           arguments: [far.id])
            try db.execute(sql: "UPDATE cap_candidate_rule SET conversions = conversions + 1")
        }
        let problems = try s.consistencyProblems()
        XCTAssertTrue(problems.contains { $0.hasPrefix("cap candidates are kept for 11 commissions and 40000 minor units, but the caps' thresholds are 10") }, "\(problems)")
        XCTAssertTrue(problems.contains("cap candidate #\(far.id) (\(far.key)) is not near a cap"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("cap candidate #\(ids[0]) (") && $0.hasSuffix("differs from its customer row") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasSuffix("is near a cap but not a kept cap candidate") }, "\(problems)")
    }

    /// "v19-cap-candidates" on a populated version 15 database: the rule from the program's caps
    /// (the core's rounding) and the near-cap customers from their indexes.
    func testTheMigrationKeepsAPopulatedProgramsCandidates() throws {
        let path: String
        do {
            let s = try program(customers: 120)
            path = s.path
            var settings = try s.settings()
            settings.caps = Caps(count: 7, months: nil, amount: usd(3_333))
            try s.updateSettings(settings, who: "t")
        }
        try takeBack(path, migrations: ["v19-cap-candidates", "v24-cap-months-kept"], toVersion: 15, undo: """
            DROP TRIGGER cap_candidate_insert; DROP TRIGGER cap_candidate_join; DROP TRIGGER cap_candidate_leave;
            DROP TRIGGER cap_candidate_delete; DROP TABLE cap_candidate; DROP TABLE cap_candidate_rule;
            """)
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        let rule = try s.read { db in try Store.capCandidateRule(db) }
        XCTAssertEqual(rule?.commissions, 6)
        XCTAssertEqual(rule?.commissionMinor, 2_667)
        XCTAssertGreaterThan(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cap_candidate") ?? 0 }, 0)
        try assertCaps(s, at: DemoProgram.now, "migrated")
    }

    /// "v23-cap-months" on the populated demo taken back to version 18: the index of the active
    /// customers by first commission (and the audit's by target) is built, and Caps with a months cap lists the same customers
    /// (now merged from the kept table and that index).
    func testTheMonthsMigrationIndexesAPopulatedProgramsActiveCustomers() throws {
        let path = try tempDir() + "/demo.sqlite"
        try DemoTemplate.shared.copy(to: path)
        do {
            let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
            var settings = try s.settings()
            settings.caps = Caps(count: 3, months: 2, amount: nil)
            try s.updateSettings(settings, who: "t")
        }
        func indexes(_ s: Store) throws -> [String] {
            try s.read { db in
                try String.fetchAll(db, sql: "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('customer', 'audit') AND sql IS NOT NULL ORDER BY name")
            }
        }
        try takeBack(path, migrations: ["v23-cap-months"], toVersion: 18, undo: "DROP INDEX customer_active_first_commission; DROP INDEX audit_target")
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        XCTAssertEqual(try indexes(s), try indexes(emptyStore()), "the indexes a new store has")
        XCTAssertEqual(try s.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer INDEXED BY customer_active_first_commission WHERE status = 'active' AND first_commission_at <= ?",
                             arguments: [Int64.max])
        }, try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer WHERE status = 'active'") })
        try assertCaps(s, at: DemoProgram.now.adding(days: 40), "migrated, +40 days")
    }
}
