import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// The near-by-months customers kept up to a cutoff ("v24-cap-months-kept"): the cutoff follows the
/// months threshold on a settings save and on opening a writable store, the triggers keep the rows
/// whoever writes a customer, and every Caps page and count is the customer table's, whether the
/// query's threshold is the cutoff, after it (merged with the gap) or before it (a clock behind).
extension CapCandidateTests {
    func keptIDs(_ s: Store) throws -> Set<Int64> {
        Set(try s.read { db in try Int64.fetchAll(db, sql: "SELECT customer_id FROM cap_candidate") })
    }

    /// The active customers near the months threshold at `now` alone (not by count or amount).
    func nearByMonthsAlone(_ s: Store, at now: Instant) throws -> Set<Int64> {
        let t = try s.settings().caps.nearThresholds(now: now)
        let n = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
        let ids = Store.monthsOnlyIDs(n, try XCTUnwrap(t.firstCommissionBefore))
        return Set(try s.read { db in try Int64.fetchAll(db, sql: ids.sql, arguments: StatementArguments(ids.arguments)) })
    }

    func cutoff(_ s: Store) throws -> Int64? { try s.read { db in try Store.capCandidateRule(db)?.firstCommissionBefore } }

    func testAMonthsCapKeepsTheNearByMonthsUpToACutoffThatFollowsTheClock() throws {
        let s = try program()
        var settings = try s.settings()
        settings.caps = Caps(count: 12, months: 3, amount: usd(50_000))
        try s.updateSettings(settings, who: "t")
        let now = DemoProgram.now, threshold = { (at: Instant) in settings.caps.nearThresholds(now: at).firstCommissionBefore?.seconds }
        XCTAssertEqual(try cutoff(s), threshold(now), "the save moved the cutoff to the threshold")
        let alone = try nearByMonthsAlone(s, at: now)
        XCTAssertGreaterThan(alone.count, 20, "many near by months alone")
        XCTAssertTrue(alone.isSubset(of: try keptIDs(s)), "all kept")
        for days in [-40, 0, 200] { try assertCaps(s, at: now.adding(days: days), "saved, \(days) days") }
        // Writes: a kept customer ended leaves, made active again joins.
        let one = try XCTUnwrap(try allCustomers(s).first { alone.contains($0.id) })
        _ = try s.setStatus(customerKey: one.key, to: .ended, who: "t")
        XCTAssertFalse(try keptIDs(s).contains(one.id))
        try assertCaps(s, at: now, "ended")
        _ = try s.setStatus(customerKey: one.key, to: .active, who: "t")
        XCTAssertTrue(try keptIDs(s).contains(one.id))
        try assertCaps(s, at: now.adding(days: 200), "active again")
        // Opening later moves the cutoff forward (a few minutes later: left, the gap is merged);
        // opening earlier (a clock behind) moves it back by refilling.
        let path = s.path
        for (days, seconds, moves) in [(200, 0, true), (200, 600, false), (-30, 0, true)] {
            let at = now.adding(days: days).adding(seconds: Int64(seconds))
            let before = try cutoff(try Store(path: path, readOnly: true, clock: FixedClock(at)))
            let r = try Store(path: path, clock: FixedClock(at))
            XCTAssertEqual(try cutoff(r), moves ? threshold(at) : before, "opened at \(days) days \(seconds) s")
            XCTAssertTrue(try nearByMonthsAlone(r, at: now.adding(days: days)).isSubset(of: try keptIDs(r)))
            for d in [-40, 200] { try assertCaps(r, at: now.adding(days: d), "opened at \(days) days, asked at \(d)") }
        }
        // A longer months cap refills; none keeps no cutoff.
        let r = try Store(path: path, clock: FixedClock(now))
        for months in [12, nil] as [Int?] {
            settings.caps = Caps(count: 12, months: months, amount: usd(50_000))
            try r.updateSettings(settings, who: "t")
            XCTAssertEqual(try cutoff(r), threshold(now), "months \(months.map(String.init) ?? "none")")
            for d in [0, 200] { try assertCaps(r, at: now.adding(days: d), "months \(months.map(String.init) ?? "none"), \(d) days") }
        }
    }

    /// "v24-cap-months-kept" on the populated demo taken back to version 19 (v19's triggers, no
    /// cutoff): opening writes the cutoff and keeps the near by months, and the triggers keep them.
    func testTheMonthsKeptMigrationKeepsAPopulatedProgramsNearByMonths() throws {
        let path = try tempDir() + "/demo.sqlite"
        try DemoTemplate.shared.copy(to: path)
        do {
            let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
            var settings = try s.settings()
            settings.caps = Caps(count: 24, months: 1, amount: nil)
            try s.updateSettings(settings, who: "t")
        }
        let v19 = CapCandidateSchema.v19
        let triggers = v19[v19.range(of: "CREATE TRIGGER cap_candidate_insert")!.lowerBound..<v19.range(of: "CREATE TRIGGER cap_candidate_delete")!.lowerBound]
        try takeBack(path, migrations: ["v24-cap-months-kept"], toVersion: 19, undo: """
            DROP TRIGGER cap_candidate_insert; DROP TRIGGER cap_candidate_join; DROP TRIGGER cap_candidate_leave;
            ALTER TABLE cap_candidate_rule DROP COLUMN first_commission_before;
            DELETE FROM cap_candidate WHERE NOT \(CapCandidateSchema.near(""));
            \(triggers)
            """)
        let kept = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cap_candidate") ?? 0 }
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        let alone = try nearByMonthsAlone(s, at: DemoProgram.now)
        XCTAssertGreaterThan(alone.count, 20)
        XCTAssertEqual(try keptIDs(s).count, kept + alone.count, "the near by months added")
        XCTAssertEqual(try cutoff(s), try s.settings().caps.nearThresholds(now: DemoProgram.now).firstCommissionBefore?.seconds)
        try assertCaps(s, at: DemoProgram.now.adding(days: 40), "migrated, +40 days")
        let one = try XCTUnwrap(try allCustomers(s).first { alone.contains($0.id) })
        // Past its months cap, its next conversion caps it: it stays kept, as capped.
        let sum = try ingest(s, [Line.conversion("kept-more-1", "10.00", customer: one.key, DemoProgram.now)])
        XCTAssertEqual(sum.byReason, ["customer_capped": 1])
        XCTAssertEqual(try customer(s, one.key).status, .capped)
        XCTAssertEqual(try s.read { db in try String.fetchOne(db, sql: "SELECT status FROM cap_candidate WHERE customer_id = ?", arguments: [one.id]) }, "capped")
        try assertCaps(s, at: DemoProgram.now.adding(days: 90), "after an ingest, +90 days")
    }
}

/// A clock a test moves.
final class MovingClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var at: Instant
    init(_ at: Instant) { self.at = at }
    func now() -> Instant { lock.lock(); defer { lock.unlock() }; return at }
    func move(days: Int = 0, seconds: Int64 = 0) { lock.lock(); at = at.adding(days: days).adding(seconds: seconds); lock.unlock() }
}

extension CapCandidateTests {
    /// A store left open (the dashboard for days, `serve`) moves the months cutoff itself: a Caps
    /// read with a months cap follows the caps again (at most once a minute of its clock). Before, the cutoff
    /// stayed where the open left it and the customers after it piled up, read row by row.
    func testAStoreLeftOpenMovesTheMonthsCutoffWhenCapsAreRead() throws {
        let s = try program()
        var settings = try s.settings()
        settings.caps = Caps(count: 12, months: 3, amount: usd(50_000))
        try s.updateSettings(settings, who: "t")
        let clock = MovingClock(DemoProgram.now)
        let open = try Store(path: s.path, clock: clock)
        let threshold = { (at: Instant) in settings.caps.nearThresholds(now: at).firstCommissionBefore }
        let query = { () -> CustomerQuery in
            let t = settings.caps.nearThresholds(now: clock.now())
            return CustomerQuery(sort: .key, nearCaps: NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor,
                                                                firstCommissionBefore: t.firstCommissionBefore))
        }
        XCTAssertEqual(try cutoff(open), threshold(clock.now())?.seconds)
        clock.move(days: 40)
        let readOnly = try Store(path: s.path, readOnly: true, clock: clock)
        _ = try readOnly.customers(query(), page: .first(5))
        XCTAssertEqual(try cutoff(open), threshold(DemoProgram.now)?.seconds, "a read-only store writes nothing")
        _ = try open.customers(query(), page: .first(5))
        XCTAssertEqual(try cutoff(open), threshold(clock.now())?.seconds, "the page's read moved it 40 days on")
        clock.move(seconds: 3_000)
        _ = try open.capsCount(query(), upTo: 1_000)
        XCTAssertEqual(try cutoff(open), threshold(clock.now().adding(seconds: -3_000))?.seconds, "less than an hour behind: left")
        clock.move(days: 1)
        _ = try open.capsCount(query(), upTo: 1_000)
        XCTAssertEqual(try cutoff(open), threshold(clock.now())?.seconds, "a day later the count's read moved it")
        try assertCaps(open, at: clock.now(), "after the moves")
    }
}
