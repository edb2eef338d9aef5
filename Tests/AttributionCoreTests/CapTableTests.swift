import AttributionCore
import XCTest

/// Adds customer 20, "k-cap", of alice, with `n` commissions already paid.
func capCustomer(_ status: CustomerStatus = .active, paid n: Int = 0, each: Money = usd(100),
                 first: Instant = t0.adding(days: -10), everyDays: Int = 1) -> (inout World) -> Void {
    { w in
        w.customer(20, "k-cap", A.alice, status)
        w.paid("k-cap", n, each: each, first: first, everyDays: everyDays)
    }
}

func caps(_ c: Caps) -> (inout ProgramSettings) -> Void { { $0.caps = c } }

/// 20 % of 29.00 USD = 5.80 USD for customer k-cap.
func renewal(_ id: String = "o1", at: Instant = t0, amount: Money = usd(2900)) -> Action {
    conv(id, amount, key: "k-cap", at: at)
}

enum CapTables {
    static func count() -> [Row] {
        [
            Row("count 3: the first commission of a trial", settings: caps(Caps(count: 3)), world: capCustomer(.initial),
                renewal(), Expect.accepted().paying(usd(580), to: A.alice).changing(.initial, .active)),
            Row("count 3: the second commission", settings: caps(Caps(count: 3)), world: capCustomer(paid: 1),
                renewal(), Expect.accepted().paying(usd(580), to: A.alice)),
            Row("count 3: the third commission reaches the cap", settings: caps(Caps(count: 3)), world: capCustomer(paid: 2),
                renewal(), Expect.accepted([.capReached]).paying(usd(580), to: A.alice).changing(.active, .capped)),
            Row("count 3: a fourth after an admin set the customer active again", settings: caps(Caps(count: 3)),
                world: capCustomer(paid: 3), renewal(), Expect.rejected(.customerCapped).changing(.active, .capped).about(A.alice)),
            Row("count 3: a capped customer", settings: caps(Caps(count: 3)), world: capCustomer(.capped, paid: 3),
                renewal(), Expect.rejected(.customerCapped)),
            Row("first_order_only: the trial's first payment caps", settings: caps(.strategy(.firstOrderOnly)),
                world: capCustomer(.initial), renewal(),
                Expect.accepted([.capReached]).paying(usd(580), to: A.alice).changing(.initial, .capped)),
            Row("first_order_only: an immediate paid sign-up creates the customer capped", settings: caps(.strategy(.firstOrderOnly)),
                conv("o1", usd(2900), key: "k-new", click: "c-bob", first: true),
                Expect.accepted([.capReached]).paying(usd(580), to: A.bob).forCustomer(.created)
                    .creating(.capped, for: A.bob, click: "c-bob")),
            Row("first_order_only: a $0 trial sign-up earns nothing and does not cap", settings: caps(.strategy(.firstOrderOnly)),
                conv("o1", usd(0), key: "k-new", click: "c-bob", first: true),
                Expect.accepted([.trialNoCommission]).creating(.initial, for: A.bob, click: "c-bob")),
            Row("first_order_only: the renewal after the sign-up", settings: caps(.strategy(.firstOrderOnly)),
                before: [conv("o1", usd(2900), key: "k-new", click: "c-bob", first: true)],
                conv("o2", usd(2900), key: "k-new", at: t0.adding(days: 30)), Expect.rejected(.customerCapped).about(A.bob)),
            Row("first_n_renewals(2): the second renewal caps", settings: caps(.strategy(.firstNRenewals(2))),
                world: capCustomer(paid: 2), renewal(), Expect.accepted([.capReached]).paying(usd(580), to: A.alice).changing(.active, .capped)),
            Row("first_n_renewals(2): the first renewal", settings: caps(.strategy(.firstNRenewals(2))),
                world: capCustomer(paid: 1), renewal(), Expect.accepted().paying(usd(580), to: A.alice)),
            Row("all_renewals: the 100th commission", settings: caps(.strategy(.allRenewals)), world: capCustomer(paid: 99),
                renewal(), Expect.accepted().paying(usd(580), to: A.alice)),
            Row("count cap does not count $0 trial payments", settings: caps(Caps(count: 1)), world: capCustomer(.initial),
                conv("o1", usd(0), key: "k-cap", first: true), Expect.accepted([.trialNoCommission])),
        ]
    }

    static func months() -> [Row] {
        let jan31 = instant("2026-01-31T10:00:00Z")
        let leapJan31 = instant("2024-01-31T10:00:00Z")
        return [
            Row("months 1 from Jan 31: Feb 28 09:59:59 is inside", settings: caps(Caps(months: 1)),
                world: capCustomer(paid: 1, first: jan31), renewal(at: instant("2026-02-28T09:59:59Z")),
                Expect.accepted().paying(usd(580), to: A.alice)),
            Row("months 1 from Jan 31: exactly Feb 28 10:00:00 is outside and caps", settings: caps(Caps(months: 1)),
                world: capCustomer(paid: 1, first: jan31), renewal(at: instant("2026-02-28T10:00:00Z")),
                Expect.rejected(.customerCapped).changing(.active, .capped).about(A.alice)),
            Row("months 1 from Jan 31 2024: Feb 28 10:00 is inside (leap year)", settings: caps(Caps(months: 1)),
                world: capCustomer(paid: 1, first: leapJan31), renewal(at: instant("2024-02-28T10:00:00Z")),
                Expect.accepted().paying(usd(580), to: A.alice)),
            Row("months 1 from Jan 31 2024: Feb 29 09:59:59 is inside", settings: caps(Caps(months: 1)),
                world: capCustomer(paid: 1, first: leapJan31), renewal(at: instant("2024-02-29T09:59:59Z")),
                Expect.accepted().paying(usd(580), to: A.alice)),
            Row("months 1 from Jan 31 2024: exactly Feb 29 10:00 is outside", settings: caps(Caps(months: 1)),
                world: capCustomer(paid: 1, first: leapJan31), renewal(at: instant("2024-02-29T10:00:00Z")),
                Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("months 12: one second before the anniversary", settings: caps(Caps(months: 12)),
                world: capCustomer(paid: 1, first: t0), renewal(at: instant("2027-01-05T09:59:59Z")),
                Expect.accepted().paying(usd(580), to: A.alice)),
            Row("months 12: exactly the anniversary", settings: caps(Caps(months: 12)),
                world: capCustomer(paid: 1, first: t0), renewal(at: instant("2027-01-05T10:00:00Z")),
                Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("months are counted from the first commission, not the latest", settings: caps(Caps(months: 2)),
                world: capCustomer(paid: 3, first: instant("2025-10-01T00:00:00Z"), everyDays: 30),
                renewal(at: instant("2025-12-01T00:00:00Z")), Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("months: the last paid conversion does not cap in advance", settings: caps(Caps(months: 1)),
                world: capCustomer(paid: 1, first: jan31), renewal(at: instant("2026-02-27T00:00:00Z")),
                Expect.accepted().paying(usd(580), to: A.alice)),
            Row("months: the first commission starts the clock, whenever it comes", settings: caps(Caps(months: 1)),
                world: capCustomer(.initial), renewal(at: instant("2030-01-01T00:00:00Z")),
                Expect.accepted().paying(usd(580), to: A.alice).changing(.initial, .active)),
            Row("months: an immediate paid sign-up is the first commission", settings: caps(Caps(months: 1)),
                conv("o1", usd(2900), key: "k-new", click: "c-alice"),
                Expect.accepted().paying(usd(580), to: A.alice).creating(.active, for: A.alice, click: "c-alice")),
            Row("months: a capped customer is refused without a new status change", settings: caps(Caps(months: 1)),
                world: capCustomer(.capped, paid: 1, first: jan31), renewal(at: instant("2026-06-01T00:00:00Z")),
                Expect.rejected(.customerCapped)),
        ]
    }

    static func amount() -> [Row] {
        let ten = caps(Caps(amount: usd(1000)))
        return [
            Row("amount 10.00: the first commission", settings: ten, world: capCustomer(.initial),
                renewal(), Expect.accepted().paying(usd(580), to: A.alice).changing(.initial, .active)),
            Row("amount 10.00: a commission landing exactly on the cap is not clamped", settings: ten,
                world: capCustomer(paid: 1, each: usd(420)), renewal(),
                Expect.accepted([.capReached]).paying(usd(580), to: A.alice).changing(.active, .capped)),
            Row("amount 10.00: a commission passing the cap is clamped to the remainder", settings: ten,
                world: capCustomer(paid: 1, each: usd(500)), renewal(),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(500), to: A.alice).changing(.active, .capped)),
            Row("amount 10.00: one cent remaining", settings: ten, world: capCustomer(paid: 3, each: usd(333)), renewal(),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(1), to: A.alice).changing(.active, .capped)),
            Row("amount 10.00: one cent under the remainder does not cap", settings: ten,
                world: capCustomer(paid: 1, each: usd(419)), renewal(), Expect.accepted().paying(usd(580), to: A.alice)),
            Row("amount 10.00: nothing remains (customer set active again)", settings: ten,
                world: capCustomer(paid: 2, each: usd(500)), renewal(),
                Expect.rejected(.customerCapped).changing(.active, .capped).about(A.alice)),
            Row("amount 10.00: more than the cap was paid before it was set", settings: ten,
                world: capCustomer(paid: 3, each: usd(400)), renewal(), Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("amount 10.00: the next conversion after a clamp", settings: ten,
                world: capCustomer(paid: 1, each: usd(500)), before: [renewal("o1")], renewal("o2", at: t0.adding(days: 30)),
                Expect.rejected(.customerCapped).about(A.alice)),
            Row("amount 3.00: a trial's first payment is clamped and caps", settings: caps(Caps(amount: usd(300))),
                world: capCustomer(.initial), renewal(),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(300), to: A.alice).changing(.initial, .capped)),
            Row("amount 3.00: an immediate paid sign-up is created capped", settings: caps(Caps(amount: usd(300))),
                conv("o1", usd(2900), key: "k-new", click: "c-bob"),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(300), to: A.bob).creating(.capped, for: A.bob, click: "c-bob")),
            Row("amount 5.80: an immediate paid sign-up reaching the cap exactly", settings: caps(Caps(amount: usd(580))),
                conv("o1", usd(2900), key: "k-new", click: "c-bob"),
                Expect.accepted([.capReached]).paying(usd(580), to: A.bob).creating(.capped, for: A.bob, click: "c-bob")),
            Row("amount 100.00: an immediate paid sign-up under the cap", settings: caps(Caps(amount: usd(10_000))),
                conv("o1", usd(2900), key: "k-new", click: "c-bob"),
                Expect.accepted().paying(usd(580), to: A.bob).creating(.active, for: A.bob, click: "c-bob")),
            Row("amount cap in JPY", settings: { $0.currency = .jpy; $0.caps = Caps(amount: jpy(1000)) },
                world: capCustomer(paid: 1, each: jpy(500)), renewal(amount: jpy(2900)),
                Expect.accepted([.commissionClamped, .capReached]).paying(jpy(500), to: A.alice).changing(.active, .capped)),
            Row("amount cap in KWD", settings: { $0.caps = Caps(amount: Money(minor: 1000, currency: kwd)) },
                world: capCustomer(paid: 1, each: Money(minor: 999, currency: kwd)), renewal(amount: Money(minor: 2900, currency: kwd)),
                Expect.accepted([.commissionClamped, .capReached]).paying(Money(minor: 1, currency: kwd), to: A.alice)
                    .changing(.active, .capped)),
            // Currencies that cannot be compared.
            Row("amount cap in EUR, commission in USD", settings: caps(Caps(amount: eur(1000))), world: capCustomer(paid: 1),
                renewal(), Expect.rejected(.currencyMismatch).about(A.alice)),
            Row("amount cap in USD, a fixed JPY override", settings: caps(Caps(amount: usd(1000))),
                world: { $0.customer(21, "k-frank", A.frank, .active) }, conv("o1", usd(2900), key: "k-frank"),
                Expect.rejected(.currencyMismatch).about(A.frank)),
            Row("amount cap in USD, a payment in JPY", settings: caps(Caps(amount: usd(1000))), world: capCustomer(paid: 1),
                renewal(amount: jpy(2900)), Expect.rejected(.currencyMismatch)),
            Row("amount cap in USD, commissions so far in EUR", settings: caps(Caps(amount: usd(1000))),
                world: capCustomer(paid: 1, each: eur(100)), renewal(), Expect.rejected(.currencyMismatch)),
            Row("amount cap in USD, an immediate sign-up in EUR is not created", settings: caps(Caps(amount: usd(1000))),
                conv("o1", eur(2900), key: "k-new", click: "c-bob"), Expect.rejected(.currencyMismatch).about(A.bob)),
            Row("no amount cap: a customer's commissions still add up in one currency", world: capCustomer(paid: 1, each: eur(100)),
                renewal(amount: jpy(2900)), Expect.rejected(.currencyMismatch).about(A.alice)),
            Row("no amount cap: a customer paid in EUR again", world: capCustomer(paid: 1, each: eur(100)),
                renewal(amount: eur(2900)), Expect.accepted().paying(eur(580), to: A.alice)),
        ]
    }

    static func combined() -> [Row] {
        [
            Row("count 3 + amount 10.00: the count is reached first", settings: caps(Caps(count: 3, amount: usd(1000))),
                world: capCustomer(paid: 2, each: usd(150)), renewal(),
                Expect.accepted([.capReached]).paying(usd(580), to: A.alice).changing(.active, .capped)),
            Row("count 5 + amount 10.00: the amount is reached first", settings: caps(Caps(count: 5, amount: usd(1000))),
                world: capCustomer(paid: 1, each: usd(500)), renewal(),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(500), to: A.alice).changing(.active, .capped)),
            Row("count 2 + amount 10.00: both reached at once, one cap_reached note", settings: caps(Caps(count: 2, amount: usd(1000))),
                world: capCustomer(paid: 1, each: usd(500)), renewal(),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(500), to: A.alice).changing(.active, .capped)),
            Row("count 5 + months 1: the months run out first", settings: caps(Caps(count: 5, months: 1)),
                world: capCustomer(paid: 1, first: t0.adding(days: -40)), renewal(),
                Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("count 3 + months 12 + amount: the count refuses first", settings: caps(Caps(count: 3, months: 12, amount: usd(100_000))),
                world: capCustomer(paid: 3), renewal(), Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("months 12 + amount 10.00: inside the months, the amount clamps", settings: caps(Caps(months: 12, amount: usd(1000))),
                world: capCustomer(paid: 1, each: usd(700)), renewal(),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(300), to: A.alice).changing(.active, .capped)),
            Row("months 1 + amount 10.00: the months ran out with amount left", settings: caps(Caps(months: 1, amount: usd(1000))),
                world: capCustomer(paid: 1, first: t0.adding(days: -31)), renewal(),
                Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("all three, immediate paid sign-up with count 1", settings: caps(Caps(count: 1, months: 6, amount: usd(10_000))),
                conv("o1", usd(2900), key: "k-new", click: "c-dave"),
                Expect.accepted([.capReached]).paying(usd(435), to: A.dave).creating(.capped, for: A.dave, click: "c-dave")),
            Row("all three, nothing reached", settings: caps(Caps(count: 10, months: 6, amount: usd(10_000))),
                world: capCustomer(paid: 2), renewal(), Expect.accepted().paying(usd(580), to: A.alice)),
        ]
    }
}

final class CapTableTests: XCTestCase {
    func testCountCaps() { runTable(CapTables.count()) }
    func testMonthsCaps() { runTable(CapTables.months()) }
    func testAmountCaps() { runTable(CapTables.amount()) }
    func testCombinedCaps() { runTable(CapTables.combined()) }

    func ul(_ d: CapProgress.Dimension?) -> [Int64]? { d.map { [$0.used, $0.limit] } }

    /// The numbers behind the dashboard's cap bars agree with the engine on when a cap is reached.
    func testCapProgress() {
        let jan31 = instant("2026-01-31T10:00:00Z")
        let history = CapHistory(commissions: 2, firstCommissionAt: jan31, commissionTotal: 500, currency: .usd)
        let all = Caps(count: 3, months: 1, amount: usd(1000))

        let mid = all.progress(history, now: instant("2026-02-14T10:00:00Z"))
        XCTAssertEqual(ul(mid.count), [2, 3])
        XCTAssertEqual(ul(mid.months), [14, 28])            // Jan 31 + 1 month = Feb 28
        XCTAssertEqual(ul(mid.amount), [500, 1000])
        XCTAssertEqual(ul(mid.tightest), [2, 3])
        XCTAssertFalse(mid.count!.reached)

        let end = all.progress(history, now: instant("2026-02-28T10:00:00Z"))
        XCTAssertEqual(ul(end.months), [28, 28])
        XCTAssertTrue(end.months!.reached, "the engine refuses a conversion at exactly first + M months")
        XCTAssertEqual(all.progress(history, now: instant("2027-01-01")).months?.used, 28)
        XCTAssertEqual(all.progress(history, now: instant("2026-01-01")).months?.used, 0)

        let fresh = all.progress(.empty, now: t0)
        XCTAssertEqual(ul(fresh.count), [0, 3])
        XCTAssertEqual(ul(fresh.months), [0, 30])
        XCTAssertEqual(ul(fresh.amount), [0, 1000])

        let otherCurrency = CapHistory(commissions: 1, firstCommissionAt: jan31, commissionTotal: 900, currency: .eur)
        XCTAssertEqual(Caps(amount: usd(1000)).progress(otherCurrency, now: t0).amount?.used, 0)
        XCTAssertNil(Caps.none.progress(history, now: t0).tightest)
        XCTAssertEqual(mid.count?.fraction ?? 0, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(end.months?.fraction, 1)
        XCTAssertEqual(Caps(count: 3).progress(CapHistory(commissions: 5), now: t0).count?.fraction, 1)
        XCTAssertEqual(Caps(count: 3).progress(CapHistory(commissions: 5), now: t0).count?.reached, true)

        let near = Caps(count: 10, months: 12, amount: usd(1000)).nearThresholds(now: t0)
        XCTAssertEqual(near.commissions, 8)
        XCTAssertEqual(near.commissionMinor, 800)
        XCTAssertEqual(near.firstCommissionBefore, instant("2025-03-05T10:00:00Z"))   // 10 months before
        XCTAssertEqual(Caps(count: 1).nearThresholds(now: t0).commissions, 1)
        XCTAssertNil(Caps.none.nearThresholds(now: t0).commissions)
    }

    func testStrategies() {
        let cases: [(RecurringStrategy, Caps)] = [
            (.firstOrderOnly, Caps(count: 1)),
            (.allRenewals, Caps()),
            (.firstNRenewals(0), Caps(count: 1)),
            (.firstNRenewals(11), Caps(count: 12)),
        ]
        for (s, c) in cases { XCTAssertEqual(Caps.strategy(s), c, "\(s)") }
        XCTAssertTrue(Caps.none.isEmpty)
        XCTAssertTrue(Caps.strategy(.allRenewals).isEmpty)
        XCTAssertFalse(Caps(months: 1).isEmpty)
        XCTAssertFalse(Caps(amount: usd(1)).isEmpty)
    }
}
