import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
import XCTest

/// A database written before times, amounts, settings and codes were checked at the door holds
/// what an older affdesk accepted: a click at the minimum epoch, customers and conversions at
/// both ends of Int64, settings far past their bounds, affiliate codes with spaces and controls.
/// Every read path the commands and the dashboard use must still answer (clamping or refusing
/// in words, never trapping), and new events must still be decided.
final class ExtremeStoredValuesTests: StoreTestCase {
    static let extremes: [Int64] = [Int64.min, Int64.min + 1, -1, Int64.max - 1, Int64.max]

    /// Rows as an older affdesk could leave them, written with raw SQL.
    func poisonedStore(settings sql: String = "") throws -> Store {
        let s = try store(ProgramSettings(name: "Old", caps: Caps(count: 3, months: 12, amount: usd(100_000))))
        let queue = try DatabaseQueue(path: s.path)
        try queue.write { db in
            let long = String(repeating: "x", count: 300)
            try db.execute(sql: """
                INSERT INTO affiliate (id, code, name, created_at) VALUES (10, 'bad code\u{1}', 'Bad', -9223372036854775808),
                  (11, '\(long)', 'Long', 9223372036854775807), (12, 'ZOE', 'Zoe upper', 0), (13, 'zoe', 'Zoe lower', 0);
                """)
            for (i, t) in Self.extremes.enumerated() {
                // Amounts were always bounded at the door (Money.maxMinor); times were not.
                let amount = t < 0 ? -Money.maxMinor : Money.maxMinor
                try db.execute(sql: "INSERT INTO click (click_id, affiliate_id, at) VALUES (?, 1, ?)", arguments: ["cx\(i)", t])
                try db.execute(sql: """
                    INSERT INTO customer (id, key, affiliate_id, number, status, click_id, created_at, last_activity_at,
                      conversions, commission_minor, commission_currency, first_commission_at)
                    VALUES (?, ?, 1, ?, 'active', ?, ?, ?, 1, ?, 'USD', ?)
                    """, arguments: [100 + i, "ux\(i)", 100 + i, "cx\(i)", t, t, i % 2 == 0 ? Int64.max : Int64.min, t])
                try db.execute(sql: """
                    INSERT INTO conversion (external_id, customer_id, customer_number, affiliate_id, amount_minor, currency,
                      commission_minor, commission_currency, at, click_id) VALUES (?, ?, ?, 1, ?, 'USD', ?, 'USD', ?, ?)
                    """, arguments: ["ox\(i)", 100 + i, 100 + i, amount, amount, t, "cx\(i)"])
                try db.execute(sql: """
                    INSERT INTO event (dedupe, source, type, received_at, at, outcome, raw, click_ref, customer_key, external_id,
                      affiliate_id, customer_id) VALUES (?, 'jsonl', 'click', ?, ?, 'accepted', ?, ?, ?, ?, 1, ?)
                    """, arguments: ["old:\(i)", t, t, #"{"type":"click","click_id":"cx\#(i)","affiliate":"alice","at":\#(t)}"#,
                                     "cx\(i)", "ux\(i)", "ox\(i)", 100 + i])
                try db.execute(sql: "INSERT INTO audit (at, who, action, target) VALUES (?, 'old', 'settings', 'program')", arguments: [t])
            }
            if !sql.isEmpty { try db.execute(sql: sql) }
        }
        return s
    }

    /// Every way an instant is shown or moved, as the screens and the CLI do it.
    func show(_ i: Instant) -> String {
        let moved = [i.adding(months: 1), i.adding(months: -1), i.adding(months: Int.max), i.adding(months: Int.min),
                     i.adding(days: Int.max), i.adding(days: Int.min), i.adding(seconds: Int64.max), i.adding(seconds: Int64.min)]
        return ([i] + moved).map { "\($0.iso8601) \($0.shortDisplay) \($0.dateDisplay) \($0.monthKey) \($0.civil)" }
            .joined(separator: "|")
    }

    func testEveryReadPathSurvivesExtremeStoredTimesAndAmounts() throws {
        let s = try poisonedStore()
        let settings = try s.settings()
        let customers = try allCustomers(s)
        XCTAssertEqual(customers.count, Self.extremes.count)
        for c in customers {
            _ = show(c.createdAt) + show(c.lastActivityAt) + (c.firstCommissionAt.map(show) ?? "")
            let p = settings.caps.progress(c.capHistory, now: now)
            _ = (p.tightest?.fraction, p.months?.reached, p.amount?.fraction, p.count?.reached)
            _ = try s.monthlyRevenue(customerID: c.id)
        }
        for sort in [CustomerSort.activity, .key, .commission, .conversions] {
            _ = try s.customers(CustomerQuery(sort: sort, descending: true), page: .first(100))
        }
        let t = settings.caps.nearThresholds(now: now)
        let near = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
        _ = try s.customers(CustomerQuery(nearCaps: near), page: .first(100))
        for c in try allConversions(s) { _ = show(c.at) + c.amount.description + c.commission.description }
        for e in try allEvents(s) { _ = show(e.receivedAt) + (e.at.map(show) ?? "") }
        for a in try s.audit() { _ = show(a.at) }
        _ = try s.monthlyCommission(affiliateID: 1)
        _ = try s.affiliateEarnings(1)
        for c in try s.affiliateCustomers(1) { _ = show(c.createdAt) + show(c.lastActivityAt) }
        for c in try s.affiliateConversions(1) { _ = show(c.at) }
        for i in Self.extremes.indices {
            let report = try s.triage("cx\(i)", reparse: { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: .usd) })
            XCTAssertTrue(report.found)
            for c in report.clicks { _ = (c.age?.description, c.age?.withinWindow, c.age?.engineText) }
            for e in report.events { _ = (e.clickAge?.description, e.clickAge?.days) }
            for c in report.customers { _ = c.progress.tightest?.fraction }
            _ = try s.triage("ux\(i)", reparse: { _, _ in nil })
        }
        // A new event that uses a click stored at an extreme time is decided, not trapped.
        let summary = try ingest(s, [Line.track("trial", "new-after-min", click: "cx0"), Line.track("trial", "new-after-max", click: "cx4"),
                                     Line.conversion("o-new", "10.00", customer: "ux2")])
        XCTAssertEqual(summary.received, 3)
        XCTAssertEqual(try allEvents(s).suffix(3).first?.reason, .clickExpired, "a click at the minimum epoch is too old")
    }

    func testSettingsStoredOutOfBoundsAreReadClampedAndDoNotCrashReaders() throws {
        let s = try poisonedStore(settings: """
            UPDATE program SET window_days = 106751991167301, cap_months = 9223372036854775807, cap_count = 9223372036854775807,
              cap_amount_minor = 9223372036854775807, commission = 'percent:9223372036854775807'
            """)
        let settings = try s.settings()
        // The nearest bound of each (window 1...3650 days, months 1...1200, count 1...1,000,000,
        // amounts up to Money.maxMinor, a percentage 0...100 %).
        XCTAssertEqual(settings.windowDays, 3650)
        XCTAssertEqual(settings.caps.months, 1200)
        XCTAssertEqual(settings.caps.count, 1_000_000)
        XCTAssertEqual(settings.caps.amount?.minor, Money.maxMinor)
        XCTAssertEqual(settings.commission, .percent(basisPoints: 10_000))
        for c in try allCustomers(s) { _ = settings.caps.progress(c.capHistory, now: now).tightest }
        _ = settings.caps.nearThresholds(now: now)
        _ = try s.triage("cx0", reparse: { _, _ in nil })
        let summary = try ingest(s, [Line.click("c-new", "alice"), Line.track("trial", "u-new", click: "c-new"),
                                     Line.conversion("o-new", "10.00", customer: "u-new")])
        XCTAssertEqual(summary.accepted, 3)
        // The clamped settings are valid: saving writes them, and the next read needs no clamping.
        var changed = settings
        changed.name = "Saved"
        try s.updateSettings(changed, who: "t")
        XCTAssertEqual(try s.settings(), changed)
    }

    func testAffiliatesWithCodesThatBreakTodaysRulesStillList() throws {
        let s = try poisonedStore()
        let codes = try s.affiliates().map(\.code)
        XCTAssertTrue(codes.contains("bad code\u{1}"))
        XCTAssertTrue(codes.contains(String(repeating: "x", count: 300)))
        XCTAssertEqual(try s.affiliateSummaries().count, codes.count)
        // Both of a pair that today's rule calls one code are still found, each by its own spelling.
        XCTAssertEqual(try s.affiliate(code: "ZOE")?.name, "Zoe upper")
        XCTAssertEqual(try s.affiliate(code: "zoe")?.name, "Zoe lower")
    }
}
