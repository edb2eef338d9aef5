import AttributionCore
import XCTest

/// A sequence of actions against one world, each decided, checked and applied in turn.
struct Scenario {
    var name: String
    var settings: (inout ProgramSettings) -> Void = { _ in }
    var world: (inout World) -> Void = { _ in }
    var steps: [(Action, Expect)]
}

/// Runs scenarios; returns the final worlds (by name) and the reasons produced.
@discardableResult
func runScenarios(_ scenarios: [Scenario], file: StaticString = #filePath, line: UInt = #line) -> (worlds: [String: World], produced: Set<Reason>) {
    var worlds: [String: World] = [:]
    var produced = Set<Reason>()
    for s in scenarios {
        var settings = standardSettings
        s.settings(&settings)
        var world = World.standard
        s.world(&world)
        let engine = Engine(settings: settings)
        for (i, (action, expect)) in s.steps.enumerated() {
            let d = action.perform(engine, world)
            check(d, expect, "\(s.name) step \(i + 1)", file: file, line: line)
            if let r = d.reason { produced.insert(r) }
            produced.formUnion(d.notes)
            world.apply(d)
        }
        worlds[s.name] = world
    }
    return (worlds, produced)
}

enum Scenarios {
    static func all() -> [Scenario] {
        let jan20 = instant("2026-01-20T10:00:00Z"), jan31 = instant("2026-01-31T10:00:00Z")
        return [
            Scenario(name: "count cap 3 over a customer's life", settings: caps(Caps(count: 3)), steps: [
                (clickEvent("v", "bob", at: t0), Expect.accepted().recordingClick("v", for: A.bob)),
                (track(.trial, "k-new", click: "v", at: t0.adding(days: 1)), Expect.accepted().creating(.initial, for: A.bob, click: "v")),
                (conv("p0", usd(0), key: "k-new", first: true, at: t0.adding(days: 1)), Expect.accepted([.trialNoCommission])),
                (conv("p1", usd(2900), key: "k-new", at: t0.adding(days: 15)),
                 Expect.accepted().paying(usd(580), to: A.bob).changing(.initial, .active)),
                (conv("p2", usd(2900), key: "k-new", at: t0.adding(days: 45)), Expect.accepted().paying(usd(580), to: A.bob)),
                (conv("p3", usd(2900), key: "k-new", at: t0.adding(days: 75)),
                 Expect.accepted([.capReached]).paying(usd(580), to: A.bob).changing(.active, .capped)),
                (conv("p4", usd(2900), key: "k-new", at: t0.adding(days: 105)), Expect.rejected(.customerCapped).about(A.bob)),
                (conv("p3", usd(2900), key: "k-new", at: t0.adding(days: 106)), Expect.rejected(.duplicateExternalID)),
                (.setStatus(key: "k-new", to: .active), Expect.accepted().changing(.capped, .active)),
                (conv("p5", usd(2900), key: "k-new", at: t0.adding(days: 135)),
                 Expect.rejected(.customerCapped).changing(.active, .capped)),
                (.setStatus(key: "k-new", to: .initial), Expect.rejected(.transitionNotAllowed)),
            ]),
            Scenario(name: "amount cap 10.00 clamps then refuses", settings: caps(Caps(amount: usd(1000))), steps: [
                (track(.signup, "k-new", click: "c-alice"), Expect.accepted().creating(.initial, for: A.alice, click: "c-alice")),
                (conv("p1", usd(2900), key: "k-new"), Expect.accepted().paying(usd(580), to: A.alice).changing(.initial, .active)),
                (conv("p2", usd(2900), key: "k-new"),
                 Expect.accepted([.commissionClamped, .capReached]).paying(usd(420), to: A.alice).changing(.active, .capped)),
                (conv("p3", usd(2900), key: "k-new"), Expect.rejected(.customerCapped)),
            ]),
            Scenario(name: "months cap 2 from Jan 31", settings: caps(Caps(months: 2)), steps: [
                (track(.trial, "k-new", click: "c-alice", at: jan20), Expect.accepted().creating(.initial, for: A.alice, click: "c-alice")),
                (conv("p1", usd(2900), key: "k-new", at: jan31), Expect.accepted().paying(usd(580), to: A.alice).changing(.initial, .active)),
                (conv("p2", usd(2900), key: "k-new", at: instant("2026-02-28T10:00:00Z")), Expect.accepted().paying(usd(580), to: A.alice)),
                (conv("p3", usd(2900), key: "k-new", at: instant("2026-03-31T09:59:59Z")), Expect.accepted().paying(usd(580), to: A.alice)),
                (conv("p4", usd(2900), key: "k-new", at: instant("2026-03-31T10:00:00Z")),
                 Expect.rejected(.customerCapped).changing(.active, .capped)),
                (conv("p5", usd(2900), key: "k-new", at: instant("2026-04-30T10:00:00Z")), Expect.rejected(.customerCapped)),
            ]),
            Scenario(name: "SaaS life: trial, paying, canceled, reactivated by hand", steps: [
                (track(.trial, "k-new", click: "c-dave"), Expect.accepted().creating(.initial, for: A.dave, click: "c-dave")),
                (conv("p1", usd(2900), key: "k-new", first: true, at: t0.adding(days: 14)),
                 Expect.accepted().paying(usd(435), to: A.dave).changing(.initial, .active)),
                (cancel("k-new", at: t0.adding(days: 20)), Expect.accepted().changing(.active, .ended)),
                (conv("p2", usd(2900), key: "k-new", at: t0.adding(days: 44)), Expect.rejected(.customerEnded).about(A.dave)),
                (track(.signup, "k-new", click: "c-bob", at: t0.adding(days: 50)), Expect.rejected(.alreadyTracked).about(A.dave)),
                (.setStatus(key: "k-new", to: .initial), Expect.rejected(.transitionNotAllowed)),
                (.setStatus(key: "k-new", to: .active), Expect.accepted().changing(.ended, .active)),
                (conv("p2", usd(2900), key: "k-new", at: t0.adding(days: 74)), Expect.accepted().paying(usd(435), to: A.dave)),
            ]),
            Scenario(name: "lead generation: lead, won, lost", settings: { $0.model = .leads }, steps: [
                (track(.lead, "k-new", click: "c-bob"), Expect.accepted().creating(.initial, for: A.bob, click: "c-bob")),
                (.setStatus(key: "k-new", to: .active), Expect.rejected(.transitionNotAllowed)),
                (conv("deal-1", usd(500_000), key: "k-new", at: t0.adding(days: 90)),
                 Expect.accepted().paying(usd(100_000), to: A.bob).changing(.initial, .active)),
                (cancel("k-new", at: t0.adding(days: 200)), Expect.accepted().changing(.active, .ended)),
            ]),
            Scenario(name: "reassignment: credited conversions stay, future ones move", steps: [
                (conv("p1", usd(2900), key: "k-paying"), Expect.accepted().paying(usd(580), to: A.alice)),
                (.reassign(key: "k-paying", to: A.bob), Expect.accepted().moving(A.alice, A.bob)),
                (conv("p2", usd(2900), key: "k-paying", at: t0.adding(days: 30)), Expect.accepted().paying(usd(580), to: A.bob)),
                (.reassign(key: "k-paying", to: A.bob), Expect.rejected(.sameAffiliate)),
            ]),
            Scenario(name: "renewal nine months later needs no click", steps: [
                (conv("p1", usd(2900), key: "k-new", click: "c-erin", first: true),
                 Expect.accepted().paying(usd(500), to: A.erin).creating(.active, for: A.erin, click: "c-erin")),
                (conv("p2", usd(2900), key: "k-new", at: t0.adding(months: 9)), Expect.accepted().paying(usd(500), to: A.erin)),
                (conv("p3", usd(2900), key: "k-new", click: "c-bob", at: t0.adding(months: 10)),
                 Expect.accepted().paying(usd(500), to: A.erin)),
            ]),
            Scenario(name: "Recurring off: the same customer key earns per click only", settings: { $0.recurring = false }, steps: [
                (conv("p1", usd(2900), key: "k-x", click: "c-alice"), Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.alice)),
                (conv("p2", usd(2900), key: "k-x"), Expect.rejected(.recurringOff, [.customerKeyIgnored])),
                (conv("p3", usd(2900), key: "k-x", click: "c-bob"), Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.bob)),
            ]),
        ]
    }
}

final class ScenarioTests: XCTestCase {
    func testScenarios() {
        let (worlds, _) = runScenarios(Scenarios.all())
        // Reassignment: what alice earned stays alice's.
        let w = worlds["reassignment: credited conversions stay, future ones move"]!
        let byID = Dictionary(uniqueKeysWithValues: w.payments.map { ($0.externalID, $0.affiliateID) })
        XCTAssertEqual(byID["ord-old"], A.alice)
        XCTAssertEqual(byID["p1"], A.alice)
        XCTAssertEqual(byID["p2"], A.bob)
        XCTAssertEqual(w.customers["k-paying"]?.affiliateID, A.bob)
        // The amount cap is paid to the cent.
        let a = worlds["amount cap 10.00 clamps then refuses"]!
        let total = a.payments.filter { $0.customerID == a.customers["k-new"]!.id }.reduce(0) { $0 + $1.commission.minor }
        XCTAssertEqual(total, 1000)
        XCTAssertEqual(a.customers["k-new"]?.status, .capped)
        // Recurring off never creates a customer.
        XCTAssertNil(worlds["Recurring off: the same customer key earns per click only"]!.customers["k-x"])
        // A retried webhook pays once.
        let c = worlds["count cap 3 over a customer's life"]!
        XCTAssertEqual(c.payments.filter { $0.externalID == "p3" }.count, 1)
        XCTAssertEqual(c.customers["k-new"]?.status, .capped)
    }
}

final class ReasonTests: XCTestCase {
    /// Every code reads as a sentence and a fix.
    func testEveryReasonHasASentenceAndAHint() {
        for r in Reason.allCases {
            XCTAssertFalse(r.sentence.allSatisfy(\.isWhitespace), "\(r) has no sentence")
            XCTAssertFalse(r.hint.allSatisfy(\.isWhitespace), "\(r) has no hint")
            XCTAssertTrue(r.sentence.hasSuffix("."), "\(r)'s sentence ends with a full stop")
            XCTAssertTrue(r.hint.hasSuffix("."), "\(r)'s hint ends with a full stop")
            XCTAssertNotEqual(r.sentence, r.hint, "\(r)")
            XCTAssertTrue(r.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(r.rawValue) is a snake_case code")
            XCTAssertEqual(Reason(rawValue: r.rawValue), r)
        }
        XCTAssertEqual(Set(Reason.allCases.map(\.sentence)).count, Reason.allCases.count, "sentences are distinct")
        XCTAssertEqual(Set(Reason.allCases.map(\.hint)).count, Reason.allCases.count, "hints are distinct")
    }

    func testNotesAreNotRefusals() {
        let notes = Set(Reason.allCases.filter { !$0.isRefusal })
        XCTAssertEqual(notes, [.customerKeyIgnored, .trialNoCommission, .commissionClamped, .capReached, .renewalFirstSeen,
                               .refundAlreadyApplied, .disputeAlreadyRecorded, .disputeOnPaid, .refundReversed, .refundAlreadyReversed])
        XCTAssertEqual(Reason.allCases.count, 37)
    }

    /// Every reason (refusals and notes alike) is produced by at least one table row or scenario.
    /// The payment adapters alone give the reasons in `adapterOnly`: payloads they read and
    /// deliberately do not turn into events (Tests/FeedsTests produce each of them).
    func testEveryReasonIsProducedByTheTables() {
        let adapterOnly: Set<Reason> = [.unpaidInvoice, .orderNotPaid, .ignoredEventType]
        // Refunds and disputes are decided by the ledger's rules (Refunds, Disputes), not the Engine: RefundTableTests
        // produces each of these, and the store's triage test finds each one in the inbox.
        let ledgerOnly: Set<Reason> = [.unknownSale, .refundExceedsSale, .refundCurrencyMismatch, .invalidRefundAmount,
                                       .refundAlreadyApplied, .disputeAlreadyRecorded, .disputeOnPaid,
                                       .reversalAfterPayout, .refundReversed, .refundAlreadyReversed]
        var produced = Set<Reason>()
        let tables: [[Row]] = [
            EventTables.clicks(), EventTables.tracks(), EventTables.conversionsRecurringOn(), EventTables.conversionsRecurringOff(),
            EventTables.cancels(), CapTables.count(), CapTables.months(), CapTables.amount(), CapTables.combined(),
            AdminTables.transitions(), AdminTables.reassignments(), AdminTables.manualConversions(),
            SubscriptionTables.renewals(), SubscriptionTables.unknownSubscriptions(), SubscriptionTables.links(),
            SubscriptionTables.cancels(),
        ]
        for t in tables { produced.formUnion(runTable(t)) }
        produced.formUnion(runScenarios(Scenarios.all()).produced)
        let expected = Set(Reason.allCases).subtracting(adapterOnly).subtracting(ledgerOnly)
        XCTAssertEqual(produced.subtracting(expected), [], "reasons the core produces but were declared adapter-only")
        XCTAssertEqual(expected.subtracting(produced).map(\.rawValue).sorted(), [], "reasons no row produces")
        XCTAssertGreaterThan(tables.map(\.count).reduce(0, +), 200)
    }

    func testDecisionCode() {
        var d = Decision.accepted()
        XCTAssertNil(d.code)
        d.notes = [.customerKeyIgnored, .trialNoCommission]
        XCTAssertEqual(d.code, .customerKeyIgnored)
        let r = Decision.rejected(.recurringOff, "x", notes: [.customerKeyIgnored])
        XCTAssertEqual(r.code, .recurringOff)
        XCTAssertFalse(r.isAccepted)
        XCTAssertEqual(r.detail, "x")
    }
}
