import AttributionCore
import XCTest

/// Arithmetic on numbers that came from outside (event times and amounts, stored settings and
/// totals) never traps: every function of an Instant is total over all of Int64, and the engine
/// refuses what it cannot compute instead of overflowing.
final class OverflowTests: XCTestCase {
    static let extremes: [Int64] = [.min, .min + 1, -86_401, -1, 0, 1, 7_258_118_400, .max - 1, .max]

    func testInstantFormattingIsTotal() {
        for s in Self.extremes {
            let i = Instant(seconds: s)
            _ = (i.iso8601, i.shortDisplay, i.dateDisplay, i.monthKey, i.civil, i.description)
        }
        XCTAssertEqual(Instant(seconds: .min).iso8601, "-292277022657-01-27T08:29:52Z")
        XCTAssertEqual(Instant(seconds: .max).iso8601, "292277026596-12-04T15:30:07Z")
        XCTAssertEqual(Instant(seconds: -1).iso8601, "1969-12-31T23:59:59Z")
    }

    func testInstantArithmeticSaturates() {
        let lowest = Instant(seconds: .min), highest = Instant(seconds: .max)
        for s in Self.extremes {
            let i = Instant(seconds: s)
            for m in [Int.min, -1, 1, Int.max] { _ = i.adding(months: m) }
            for d in [Int.min, -1, 1, Int.max] { _ = i.adding(days: d) }
            for x in [Int64.min, -1, 1, Int64.max] { _ = i.adding(seconds: x) }
        }
        XCTAssertEqual(t0.adding(days: .max), highest)
        XCTAssertEqual(t0.adding(days: .min), lowest)
        XCTAssertEqual(t0.adding(months: .max), highest)
        XCTAssertEqual(t0.adding(months: .min), lowest)
        XCTAssertEqual(highest.adding(seconds: 1), highest)
        XCTAssertEqual(lowest.adding(seconds: -1), lowest)
        XCTAssertEqual(lowest.adding(months: -1), lowest, "no month before the lowest instant can be written")
        XCTAssertEqual(highest.adding(months: 1), highest, "no month after the highest instant can be written")
        XCTAssertEqual(lowest.adding(months: 1).iso8601, "-292277022657-02-27T08:29:52Z")
        // Ordinary arithmetic is unchanged.
        XCTAssertEqual(t0.adding(months: 1).iso8601, "2026-02-05T10:00:00Z")
        XCTAssertEqual(t0.adding(days: -1).iso8601, "2026-01-04T10:00:00Z")
    }

    func testClickAgeIsTotal() {
        for c in Self.extremes {
            for a in Self.extremes {
                for w in [1, 60, 3650, 106_751_991_167_301, Int.max, Int.min] {
                    let age = ClickAge(click: Instant(seconds: c), at: Instant(seconds: a), windowDays: w)
                    _ = (age.days, age.withinWindow, age.engineText, age.description)
                }
            }
        }
        // The crash: a click at the minimum epoch, used by an event today.
        let old = ClickAge(click: Instant(seconds: .min), at: t0, windowDays: 60)
        XCTAssertFalse(old.withinWindow)
        XCTAssertEqual(old.seconds, .max, "the age saturates")
        XCTAssertTrue(ClickAge(click: t0, at: t0.adding(days: 10), windowDays: 106_751_991_167_301).withinWindow)
    }

    func testCapProgressIsTotal() {
        let histories = Self.extremes.map { CapHistory(commissions: 1, firstCommissionAt: Instant(seconds: $0), commissionTotal: $0, currency: .usd) }
        for caps in [Caps(count: Int.max, months: Int.max, amount: Money(minor: .max, currency: .usd)),
                     Caps(count: 1, months: 1, amount: usd(1)), Caps(months: 1200)] {
            for h in histories + [.empty] {
                for n in Self.extremes {
                    let p = caps.progress(h, now: Instant(seconds: n))
                    _ = (p.tightest?.fraction, p.count?.reached, p.months?.reached, p.amount?.reached)
                    if let m = p.months { XCTAssertTrue(m.used >= 0 && m.used <= m.limit, "\(m)") }
                }
            }
            _ = caps.nearThresholds(now: Instant(seconds: .min))
            _ = caps.nearThresholds(now: Instant(seconds: .max))
        }
    }

    func testStrategyAndCommissionAtTheirLimits() {
        XCTAssertEqual(Caps.strategy(.firstNRenewals(.max)).count, .max)
        let all = Commission.percent(basisPoints: .max).commission(on: usd(Money.maxMinor))
        XCTAssertEqual(all, usd(Money.maxMinor), "a percentage past 100 % (stored by an old build) is read as 100 %")
        XCTAssertEqual(Commission.percent(basisPoints: -5).commission(on: usd(1000)), usd(0))
        XCTAssertEqual(Commission.percent(basisPoints: 1000).commission(on: usd(Int64.max)).minor, Int64.max / 10 + 1)
    }

    // MARK: The engine

    func testEventsOutsideTheTimeRangeAreRefusedByTheCore() {
        let engine = Engine(settings: ProgramSettings())
        let w = World.standard
        for s in [Int64.min, -1, 7_258_118_401, Int64.max] {
            let at = Instant(seconds: s)
            for e in [Event.click(.init(clickID: "c-new", affiliateCode: "alice", at: at)),
                      .track(.init(kind: .trial, customerKey: "u-new", clickID: "c-alice", at: at)),
                      .conversion(.init(externalID: "o-new", amount: usd(100), clickID: "c-alice", at: at)),
                      .cancel(.init(customerKey: "k-paying", at: at))] {
                let d = engine.decide(e, facts: w)
                XCTAssertEqual(d.reason, .invalidEvent, "\(e)")
                XCTAssertTrue(d.detail?.contains("1970-01-01T00:00:00Z") == true, d.detail ?? "")
            }
        }
    }

    func testAClickStoredAtAnExtremeTimeIsExpiredNotATrap() {
        var w = World.standard
        w.click("c-min", A.alice, Instant(seconds: .min))
        w.click("c-max", A.alice, Instant(seconds: .max))
        for window in [1, 60, 106_751_991_167_301] {
            let engine = Engine(settings: ProgramSettings(windowDays: window))
            let d = engine.decide(.track(.init(kind: .trial, customerKey: "u-new", clickID: "c-min", at: t0)), facts: w)
            XCTAssertFalse(d.isAccepted && window < 3650, "\(window): \(d)")
            _ = engine.decide(.track(.init(kind: .trial, customerKey: "u-new", clickID: "c-max", at: t0)), facts: w)
            _ = engine.decide(.conversion(.init(externalID: "o-new", amount: usd(100), clickID: "c-min", at: t0)), facts: w)
        }
    }

    func testCapArithmeticWithExtremeStoredTotals() {
        var w = World.standard
        w.customer(500, "u-rich", A.alice, .active)
        w.customer(501, "u-debt", A.alice, .active)
        w.payments.append(.init(externalID: "h1", customerID: 500, affiliateID: A.alice, commission: usd(.max - 10), at: t0))
        w.payments.append(.init(externalID: "h2", customerID: 501, affiliateID: A.alice, commission: usd(.min + 10), at: t0))
        for caps in [Caps(amount: usd(Money.maxMinor)), Caps(count: Int.max, months: Int.max), Caps()] {
            let engine = Engine(settings: ProgramSettings(commission: .percent(basisPoints: 10_000), caps: caps))
            for key in ["u-rich", "u-debt"] {
                let d = engine.decide(.conversion(.init(externalID: "o-\(key)", amount: usd(Money.maxMinor), customerKey: key,
                                                        at: t0.adding(days: 1))), facts: w)
                if key == "u-rich" { XCTAssertEqual(d.isAccepted, false, "\(caps): a total past Int64 is refused: \(d)") }
            }
        }
    }
}

extension OverflowTests {
    func testManualConversionsOutsideTheTimeRangeAreRefused() {
        let engine = Engine(settings: ProgramSettings())
        let aff = AffiliateFact(id: A.alice, code: "alice")
        for s in [Int64.min, -1, 7_258_118_401, Int64.max] {
            let d = engine.manualConversion(externalID: "m1", amount: usd(100), customerKey: nil, affiliate: aff,
                                            at: Instant(seconds: s), facts: World.standard)
            XCTAssertEqual(d.reason, .invalidEvent, "\(s)")
        }
        XCTAssertTrue(engine.manualConversion(externalID: "m1", amount: usd(100), customerKey: nil, affiliate: aff, at: t0,
                                              facts: World.standard).isAccepted)
    }
}
