import AttributionCore
import XCTest

enum AdminTables {
    /// The manual transition table, written out independently of `Engine.manualTransitions`.
    /// Nothing goes back to initial; active is reached from initial only by a conversion.
    static let allowed: [CustomerStatus: Set<CustomerStatus>] = [
        .initial: [.ended],
        .active: [.capped, .ended],
        .capped: [.active, .ended],
        .ended: [.active],
    ]
    static let keyFor: [CustomerStatus: String] = [.initial: "k-trial", .active: "k-paying", .capped: "k-capped", .ended: "k-ended"]

    /// Every (from, to) pair: allowed, or refused with transition_not_allowed.
    static func transitions() -> [Row] {
        var rows: [Row] = []
        for from in CustomerStatus.allCases {
            for to in CustomerStatus.allCases {
                let ok = allowed[from]!.contains(to)
                rows.append(Row("set status \(from) -> \(to)", .setStatus(key: keyFor[from]!, to: to),
                                ok ? Expect.accepted().changing(from, to).about(A.alice)
                                   : Expect.rejected(.transitionNotAllowed).about(A.alice)))
            }
        }
        return rows
    }

    static func reassignments() -> [Row] {
        [
            Row("reassign a paying customer", .reassign(key: "k-paying", to: A.bob), Expect.accepted().moving(A.alice, A.bob).about(A.bob)),
            Row("reassign a trial", .reassign(key: "k-trial", to: A.dave), Expect.accepted().moving(A.alice, A.dave)),
            Row("reassign an ended customer", .reassign(key: "k-ended", to: A.bob), Expect.accepted().moving(A.alice, A.bob)),
            Row("reassign a capped customer", .reassign(key: "k-capped", to: A.bob), Expect.accepted().moving(A.alice, A.bob)),
            Row("reassign away from a disabled affiliate", .reassign(key: "k-carol", to: A.alice),
                Expect.accepted().moving(A.carol, A.alice)),
            Row("reassign away from a deleted affiliate", .reassign(key: "k-ghost", to: A.bob), Expect.accepted().moving(A.ghost, A.bob)),
            Row("reassign to the same affiliate", .reassign(key: "k-paying", to: A.alice), Expect.rejected(.sameAffiliate).about(A.alice)),
            Row("reassign to a disabled affiliate", .reassign(key: "k-paying", to: A.carol),
                Expect.rejected(.affiliateDisabled).about(A.carol)),
            Row("reassign a disabled affiliate's customer to itself", .reassign(key: "k-carol", to: A.carol),
                Expect.rejected(.sameAffiliate)),
            Row("after a reassignment the next conversion goes to the new affiliate",
                before: [.reassign(key: "k-paying", to: A.bob)], conv("o1", usd(2900), key: "k-paying"),
                Expect.accepted().paying(usd(580), to: A.bob).about(A.bob)),
            Row("after a reassignment the new affiliate's override applies",
                before: [.reassign(key: "k-paying", to: A.dave)], conv("o1", usd(2900), key: "k-paying"),
                Expect.accepted().paying(usd(435), to: A.dave)),
            Row("reassigning back and forth", before: [.reassign(key: "k-paying", to: A.bob)], .reassign(key: "k-paying", to: A.alice),
                Expect.accepted().moving(A.bob, A.alice)),
        ]
    }

    static func manualConversions() -> [Row] {
        func manual(_ id: String = "m1", _ amount: Money = usd(2900), key: String?, aff: Int64? = nil, at: Instant = t0) -> Action {
            .manual(externalID: id, amount: amount, customerKey: key, affiliate: aff, at: at)
        }
        return [
            Row("manual: for a paying customer", manual(key: "k-paying"),
                Expect.accepted().paying(usd(580), to: A.alice).byHand().forCustomer(.existing(11)).viaClick(nil).about(A.alice)),
            Row("manual: a trial becomes active", manual(key: "k-trial"),
                Expect.accepted().paying(usd(580), to: A.alice).byHand().changing(.initial, .active)),
            Row("manual: a lead is won by hand", settings: { $0.model = .leads }, manual(key: "k-trial"),
                Expect.accepted().paying(usd(580), to: A.alice).byHand().changing(.initial, .active)),
            Row("manual: credited to another affiliate than the customer's", manual(key: "k-paying", aff: A.bob),
                Expect.accepted().paying(usd(580), to: A.bob).byHand().forCustomer(.existing(11)).about(A.bob)),
            Row("manual: the named affiliate's override applies", manual(key: "k-paying", aff: A.dave),
                Expect.accepted().paying(usd(435), to: A.dave).byHand()),
            Row("manual: the customer's affiliate is disabled", manual(key: "k-carol"),
                Expect.accepted().paying(usd(580), to: A.carol).byHand()),
            Row("manual: the customer's affiliate was deleted", manual(key: "k-ghost"), Expect.rejected(.unknownAffiliate)),
            Row("manual: the customer's affiliate was deleted, another named", manual(key: "k-ghost", aff: A.bob),
                Expect.accepted().paying(usd(580), to: A.bob).byHand()),
            Row("manual: a one-off for a named affiliate", manual(key: nil, aff: A.bob),
                Expect.accepted().paying(usd(580), to: A.bob).byHand().forCustomer(nil).viaClick(nil).about(A.bob)),
            Row("manual: a one-off with a fixed override", manual(key: nil, aff: A.erin), Expect.accepted().paying(usd(500), to: A.erin).byHand()),
            Row("manual: neither customer nor affiliate", manual(key: nil), Expect.rejected(.noAttribution)),
            Row("manual: unknown customer key", manual(key: "k-new", aff: A.bob), Expect.rejected(.unknownCustomer)),
            Row("manual: external id seen before", manual("ord-old", key: "k-paying"), Expect.rejected(.duplicateExternalID)),
            Row("manual: after the same conversion arrived by webhook", before: [conv("o1", usd(2900), key: "k-paying")],
                manual("o1", key: "k-paying"), Expect.rejected(.duplicateExternalID)),
            Row("manual: zero amount", manual("m1", usd(0), key: "k-trial"), Expect.rejected(.invalidAmount)),
            Row("manual: negative amount", manual("m1", usd(-100), key: "k-paying"), Expect.rejected(.invalidAmount)),
            Row("manual: amount out of range", manual("m1", usd(Money.maxMinor + 1), key: "k-paying"), Expect.rejected(.invalidAmount)),
            Row("manual: empty external id", manual("", key: "k-paying"), Expect.rejected(.invalidEvent)),
            Row("manual: empty customer key", manual(key: " ", aff: A.bob), Expect.rejected(.invalidEvent)),
            Row("manual: bypasses Recurring/Lifetime off", settings: { $0.recurring = false }, manual(key: "k-paying"),
                Expect.accepted().paying(usd(580), to: A.alice).byHand().forCustomer(.existing(11))),
            Row("manual: not the lifecycle (ended)", manual(key: "k-ended"), Expect.rejected(.customerEnded).about(A.alice)),
            Row("manual: not the lifecycle (capped)", manual(key: "k-capped", aff: A.bob), Expect.rejected(.customerCapped)),
            Row("manual: not the count cap", settings: caps(Caps(count: 1)), manual(key: "k-trial"),
                Expect.accepted([.capReached]).paying(usd(580), to: A.alice).byHand().changing(.initial, .capped)),
            Row("manual: not the count cap, already reached", settings: caps(Caps(count: 1)), manual(key: "k-paying"),
                Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("manual: not the amount cap", settings: caps(Caps(amount: usd(500))), manual(key: "k-paying"),
                Expect.accepted([.commissionClamped, .capReached]).paying(usd(100), to: A.alice).byHand().changing(.active, .capped)),
            Row("manual: not the months cap", settings: caps(Caps(months: 1)), manual(key: "k-paying", at: t0.adding(days: 2)),
                Expect.rejected(.customerCapped).changing(.active, .capped)),
            Row("manual: a one-off has no customer, so no caps", settings: caps(Caps(count: 1, amount: usd(1))),
                manual(key: nil, aff: A.alice), Expect.accepted().paying(usd(580), to: A.alice).byHand()),
        ]
    }
}

final class AdminTableTests: XCTestCase {
    func testEveryTransitionPair() {
        let rows = AdminTables.transitions()
        XCTAssertEqual(rows.count, 16)
        runTable(rows)
    }

    func testTransitionTable() {
        XCTAssertEqual(Set(Engine.manualTransitions.keys), Set(CustomerStatus.allCases), "every status has an entry")
        for s in CustomerStatus.allCases {
            let allowed = Engine.allowedTransitions(from: s)
            XCTAssertEqual(Set(allowed), AdminTables.allowed[s]!, "from \(s)")
            XCTAssertEqual(allowed.count, Set(allowed).count, "no repeats from \(s)")
            XCTAssertFalse(allowed.contains(.initial), "nothing returns to initial (from \(s))")
            XCTAssertFalse(allowed.contains(s), "no change to the same status (\(s))")
        }
    }

    func testRefusedTransitionNamesTheAllowedOnes() {
        var settings = standardSettings
        settings.model = .leads
        let engine = Engine(settings: settings)
        let w = World.standard
        XCTAssertEqual(engine.setStatus(w.customers["k-trial"]!, to: .active).detail, "Lead -> Won is not allowed; allowed: Lost")
        XCTAssertEqual(engine.setStatus(w.customers["k-ended"]!, to: .initial).detail, "Lost -> Lead is not allowed; allowed: Won")
        XCTAssertEqual(engine.setStatus(w.customers["k-paying"]!, to: .ended).detail, "Won -> Lost")
    }

    func testReassignments() { runTable(AdminTables.reassignments()) }
    func testManualConversions() { runTable(AdminTables.manualConversions()) }
}
