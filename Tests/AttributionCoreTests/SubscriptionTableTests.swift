import AttributionCore
import XCTest

/// Recurring payments: renewals decided by the stored history of their subscription, links from a
/// subscription to the conversion that started it, and cancels by subscription.
enum SubscriptionTables {
    /// The first payment of sub_1: k-new, attributed to alice by click, pays 2.00 on 10.00.
    static let first = payment("in_1", usd(1000), subscription: "sub_1", first: true, key: "k-new", click: "c-alice")
    static func renewal(_ id: String, _ amount: Money = usd(1000), key: String? = nil, click: String? = nil,
                        days: Int = 30) -> Action {
        payment(id, amount, subscription: "sub_1", renewal: true, key: key, click: click, at: t0.adding(days: days))
    }

    /// A credited conversion already on record, as the store would hold it.
    static func recorded(_ externalID: String, customer: Int64?, affiliate: Int64, subscription: String? = nil,
                         days: Int = -10) -> (inout World) -> Void {
        { w in
            w.payments.append(World.Payment(externalID: externalID, customerID: customer, affiliateID: affiliate,
                                            commission: usd(100), at: t0.adding(days: days), subscriptionID: subscription,
                                            renewalIndex: subscription == nil ? nil : 0))
        }
    }

    static func renewals() -> [Row] {
        [
            Row("a first payment starts the subscription's history at index 0", first,
                Expect.accepted().paying(usd(200), to: A.alice).creating(.active, for: A.alice, click: "c-alice")
                    .forCustomer(.created).renewing("sub_1", index: 0)),
            Row("a renewal of a known subscription is credited to its customer's affiliate", before: [first], renewal("in_2"),
                Expect.accepted().paying(usd(200), to: A.alice).forCustomer(.existing(100)).viaClick(nil)
                    .renewing("sub_1", index: 1).about(A.alice)),
            Row("the renewal index counts every earlier payment of the subscription", before: [first, renewal("in_2")],
                renewal("in_3", days: 60), Expect.accepted().paying(usd(200), to: A.alice).renewing("sub_1", index: 2)),
            Row("after a reassignment the new affiliate earns, counting from 0",
                before: [first, renewal("in_2"), .reassign(key: "k-new", to: A.bob)], renewal("in_3", days: 60),
                Expect.accepted().paying(usd(200), to: A.bob).forCustomer(.existing(100)).renewing("sub_1", index: 0)),
            Row("a known subscription's renewal ignores the key and click it carries", before: [first],
                renewal("in_2", key: "k-bob", click: "c-bob"),
                Expect.accepted().paying(usd(200), to: A.alice).forCustomer(.existing(100)).viaClick(nil).renewing("sub_1", index: 1)),
            Row("the history decides: a 'first payment' of a known subscription is a renewal", before: [first],
                payment("in_2", usd(1000), subscription: "sub_1", first: true, click: "c-bob", at: t0.adding(days: 1)),
                Expect.accepted().paying(usd(200), to: A.alice).forCustomer(.existing(100)).renewing("sub_1", index: 1)),
            Row("a renewal pays on the commission base", before: [first], payment("in_2", usd(1000), subscription: "sub_1",
                                                                                 renewal: true, base: usd(800)),
                Expect.accepted().paying(usd(160), to: A.alice).renewing("sub_1", index: 1)),
            Row("a retried invoice pays once", before: [first], first, .rejected(.duplicateExternalID)),
            Row("a renewal of a capped customer is refused", settings: { $0.caps = Caps(count: 1) }, before: [first], renewal("in_2"),
                Expect.rejected(.customerCapped).about(A.alice)),
            Row("the first payment can cap the customer (first_order_only)", settings: { $0.caps = .strategy(.firstOrderOnly) },
                first, Expect.accepted([.capReached]).paying(usd(200), to: A.alice).creating(.capped, for: A.alice, click: "c-alice")
                    .renewing("sub_1", index: 0)),
            Row("a renewal of an ended customer is refused", before: [first, cancel("k-new", at: t0.adding(days: 2))], renewal("in_2"),
                .rejected(.customerEnded)),
            Row("a $0 renewal of a paying customer is refused", before: [first], renewal("in_2", usd(0)),
                Expect.rejected(.invalidAmount).about(A.alice)),
            Row("Recurring off: renewals earn nothing", settings: { $0.recurring = false },
                world: recorded("ord-s", customer: 11, affiliate: A.alice, subscription: "sub_w"),
                payment("in_9", usd(1000), subscription: "sub_w", renewal: true), Expect.rejected(.recurringOff).about(A.alice)),
            Row("Recurring off: a renewal's customer key is ignored", settings: { $0.recurring = false },
                world: recorded("ord-s", customer: 11, affiliate: A.alice, subscription: "sub_w"),
                payment("in_9", usd(1000), subscription: "sub_w", renewal: true, key: "k-paying"),
                .rejected(.recurringOff, [.customerKeyIgnored])),
            Row("Recurring off: a first payment is a one-off by click, still tagged with its subscription",
                settings: { $0.recurring = false }, first,
                Expect.accepted([.customerKeyIgnored]).paying(usd(200), to: A.alice).forCustomer(nil).viaClick("c-alice")
                    .renewing("sub_1", index: 0)),
            Row("a subscription paid as one-offs keeps crediting its affiliate",
                world: recorded("in_0", customer: nil, affiliate: A.bob, subscription: "sub_o"),
                payment("in_9", usd(1000), subscription: "sub_o", renewal: true),
                Expect.accepted().paying(usd(200), to: A.bob).forCustomer(nil).viaClick(nil).renewing("sub_o", index: 1)),
            Row("… unless its affiliate is disabled", world: recorded("in_0", customer: nil, affiliate: A.carol, subscription: "sub_o"),
                payment("in_9", usd(1000), subscription: "sub_o", renewal: true), Expect.rejected(.affiliateDisabled).about(A.carol)),
            Row("… or gone", world: recorded("in_0", customer: nil, affiliate: A.ghost, subscription: "sub_o"),
                payment("in_9", usd(1000), subscription: "sub_o", renewal: true), .rejected(.unknownAffiliate)),
            Row("… or the renewal is $0", world: recorded("in_0", customer: nil, affiliate: A.bob, subscription: "sub_o"),
                payment("in_9", usd(0), subscription: "sub_o", renewal: true), Expect.rejected(.invalidAmount).about(A.bob)),
        ]
    }

    static func unknownSubscriptions() -> [Row] {
        [
            Row("a renewal of an unknown subscription naming nothing is refused",
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true), .rejected(.unknownSubscription)),
            Row("a renewal naming no subscription and nothing else is refused",
                payment("wc-5", usd(1000), subscription: nil, renewal: true), .rejected(.unknownSubscription)),
            Row("the first paid renewal after a free trial is credited as the first payment",
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true, key: "k-trial"),
                Expect.accepted([.renewalFirstSeen]).paying(usd(200), to: A.alice).forCustomer(.existing(10))
                    .changing(.initial, .active).renewing("sub_x", index: 0)),
            Row("a renewal with an untracked key and a click creates the customer",
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true, key: "k-late", click: "c-bob"),
                Expect.accepted([.renewalFirstSeen]).paying(usd(200), to: A.bob).creating(.active, for: A.bob, click: "c-bob")
                    .renewing("sub_x", index: 0)),
            Row("a renewal with a click only is a one-off by click",
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true, click: "c-alice"),
                Expect.accepted([.renewalFirstSeen]).paying(usd(200), to: A.alice).forCustomer(nil).viaClick("c-alice")
                    .renewing("sub_x", index: 0)),
            Row("a renewal with an untracked key and no click is refused",
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true, key: "k-nobody"), .rejected(.unknownSubscription)),
            Row("a renewal with an expired click says so",
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true, click: "c-alice-old"),
                Expect.rejected(.clickExpired).about(A.alice)),
            Row("a $0 renewal with a trial customer's key is a trial",
                payment("in_5", usd(0), subscription: "sub_x", renewal: true, key: "k-trial"),
                Expect.accepted([.renewalFirstSeen, .trialNoCommission]).about(A.alice)),
            Row("a renewal of an unknown subscription is credited like its credited parent, which is linked",
                world: recorded("wc-100", customer: 11, affiliate: A.alice),
                payment("wc-101", usd(1000), subscription: "wc-sub-5", renewal: true, parent: "wc-100"),
                Expect.accepted().paying(usd(200), to: A.alice).forCustomer(.existing(11)).renewing("wc-sub-5", index: 1)
                    .linking("wc-100", to: "wc-sub-5")),
            Row("a parent of one-offs: its affiliate is credited",
                world: recorded("wc-100", customer: nil, affiliate: A.bob),
                payment("wc-101", usd(1000), subscription: "wc-sub-5", renewal: true, parent: "wc-100"),
                Expect.accepted().paying(usd(200), to: A.bob).forCustomer(nil).renewing("wc-sub-5", index: 1)
                    .linking("wc-100", to: "wc-sub-5")),
            Row("a parent that starts another subscription is credited from but not linked",
                world: recorded("wc-100", customer: 11, affiliate: A.alice, subscription: "wc-sub-4"),
                payment("wc-101", usd(1000), subscription: "wc-sub-5", renewal: true, parent: "wc-100"),
                Expect.accepted().paying(usd(200), to: A.alice).renewing("wc-sub-5", index: 0)),
            Row("a refused renewal links nothing", world: recorded("wc-100", customer: 13, affiliate: A.alice), payment("wc-101", usd(1000), subscription: "wc-sub-5", renewal: true, parent: "wc-100"), .rejected(.customerEnded)),
            Row("a renewal whose parent was never credited, naming nothing else, is refused",
                payment("wc-101", usd(1000), subscription: "wc-sub-5", renewal: true, parent: "wc-100"), .rejected(.unknownSubscription)),
            Row("a renewal whose parent was never credited is credited by its customer key",
                payment("wc-101", usd(1000), subscription: "wc-sub-5", renewal: true, key: "k-paying", parent: "wc-100"),
                Expect.accepted([.renewalFirstSeen]).paying(usd(200), to: A.alice).renewing("wc-sub-5", index: 0)),
            Row("Recurring off: an unknown subscription's renewal by key only is refused", settings: { $0.recurring = false },
                payment("in_5", usd(1000), subscription: "sub_x", renewal: true, key: "k-paying"),
                .rejected(.recurringOff, [.customerKeyIgnored])),
        ]
    }

    static func links() -> [Row] {
        [
            Row("a subscription is linked to its credited parent", world: recorded("wc-200", customer: 11, affiliate: A.alice),
                link("wc-sub-9", parent: "wc-200"), Expect.accepted().linking("wc-200", to: "wc-sub-9").about(A.alice)),
            Row("a subscription already on record links nothing",
                world: recorded("wc-200", customer: 11, affiliate: A.alice, subscription: "wc-sub-9"),
                link("wc-sub-9", parent: "wc-200"), Expect.accepted().about(A.alice)),
            Row("a subscription whose parent was never credited is refused", link("wc-sub-9", parent: "wc-200", key: "k-trial"),
                Expect.rejected(.unknownParentOrder).about(A.alice)),
            Row("a subscription without a parent is refused", link("wc-sub-9", parent: nil), .rejected(.unknownParentOrder)),
            Row("a parent that already starts another subscription is not linked again",
                world: recorded("wc-200", customer: 11, affiliate: A.alice, subscription: "wc-sub-8"),
                link("wc-sub-9", parent: "wc-200"), Expect.accepted().about(A.alice)),
            Row("once linked, a renewal naming only the subscription is credited",
                world: recorded("wc-200", customer: 11, affiliate: A.alice), before: [link("wc-sub-9", parent: "wc-200")],
                payment("wc-201", usd(1000), subscription: "wc-sub-9", renewal: true),
                Expect.accepted().paying(usd(200), to: A.alice).forCustomer(.existing(11)).renewing("wc-sub-9", index: 1)),
        ]
    }

    static func cancels() -> [Row] {
        [
            Row("a canceled subscription cancels its customer", before: [first], cancelSubscription("sub_1"),
                Expect.accepted().changing(.active, .ended).about(A.alice)),
            Row("the subscription's history comes before the key it carries", before: [first],
                cancelSubscription("sub_1", key: "k-trial"), Expect.accepted().changing(.active, .ended)),
            Row("an unknown subscription falls back to its key (a trial that never paid)", cancelSubscription("sub_x", key: "k-trial"),
                Expect.accepted().changing(.initial, .ended).about(A.alice)),
            Row("an unknown subscription without a key is refused", cancelSubscription("sub_x"), .rejected(.unknownSubscription)),
            Row("an unknown subscription with an unknown key is refused", cancelSubscription("sub_x", key: "k-nobody"),
                .rejected(.unknownCustomer)),
            Row("a subscription of one-offs has no customer to cancel",
                world: recorded("in_0", customer: nil, affiliate: A.bob, subscription: "sub_o"), cancelSubscription("sub_o"),
                Expect.rejected(.unknownCustomer).about(A.bob)),
            Row("a cancel naming nothing is refused", .event(.cancel(.init(customerKey: nil, subscriptionID: nil, at: t0))),
                .rejected(.invalidEvent)),
            Row("a canceled subscription of an ended customer", before: [first, cancel("k-new")], cancelSubscription("sub_1"),
                .rejected(.customerEnded)),
        ]
    }
}

final class SubscriptionTableTests: XCTestCase {
    func testRenewals() { runTable(SubscriptionTables.renewals()) }
    func testUnknownSubscriptions() { runTable(SubscriptionTables.unknownSubscriptions()) }
    func testLinks() { runTable(SubscriptionTables.links()) }
    func testCancels() { runTable(SubscriptionTables.cancels()) }

    /// A subscription's life, replayed: trial, first paid renewal, renewals, reassignment, cancel.
    func testASubscriptionsLife() {
        var w = World.standard
        let engine = Engine(settings: standardSettings)
        func run(_ a: Action) -> Decision {
            let d = a.perform(engine, w)
            w.apply(d)
            return d
        }
        XCTAssertEqual(run(payment("in_t", usd(0), subscription: "sub_l", first: true, key: "k-life", click: "c-bob")).notes,
                       [.trialNoCommission])
        XCTAssertEqual(w.customers["k-life"]?.status, .initial)
        let firstPaid = run(payment("in_1", usd(1000), subscription: "sub_l", renewal: true, key: "k-life", at: t0.adding(days: 14)))
        XCTAssertEqual(firstPaid.notes, [.renewalFirstSeen])
        XCTAssertEqual(firstPaid.conversion?.renewalIndex, 0)
        for (i, id) in ["in_2", "in_3"].enumerated() {
            let d = run(payment(id, usd(1000), subscription: "sub_l", renewal: true, at: t0.adding(days: 44 + 30 * i)))
            XCTAssertEqual(d.conversion?.renewalIndex, i + 1)
            XCTAssertEqual(d.conversion?.affiliateID, A.bob)
            XCTAssertEqual(d.detail, "renewal of subscription sub_l: credited to bob for customer k-life; renewal index \(i + 1)")
        }
        XCTAssertTrue(run(.reassign(key: "k-life", to: A.alice)).isAccepted)
        let moved = run(payment("in_4", usd(1000), subscription: "sub_l", renewal: true, at: t0.adding(days: 104)))
        XCTAssertEqual(moved.conversion?.affiliateID, A.alice)
        XCTAssertEqual(moved.conversion?.renewalIndex, 0)
        XCTAssertEqual(w.payments.filter { $0.subscriptionID == "sub_l" }.map(\.renewalIndex), [0, 1, 2, 0])
        XCTAssertEqual(run(cancelSubscription("sub_l", at: t0.adding(days: 120))).statusChange?.to, .ended)
        XCTAssertEqual(run(payment("in_5", usd(1000), subscription: "sub_l", renewal: true, at: t0.adding(days: 134))).reason,
                       .customerEnded)
    }

    func testDetailsNameTheSubscription() {
        let w = World.standard
        let engine = Engine(settings: standardSettings)
        let unknown = engine.decide(.conversion(.init(externalID: "in_5", amount: usd(100), at: t0, subscriptionID: "sub_x",
                                                      isRenewal: true, parentExternalID: "wc-9")), facts: w)
        XCTAssertEqual(unknown.detail,
                       "subscription sub_x has no credited payment on record (its parent wc-9 was never credited), and the event names no customer key or click")
        let noKey = engine.decide(.conversion(.init(externalID: "in_5", amount: usd(100), customerKey: "k-nobody", at: t0,
                                                    subscriptionID: "sub_x", isRenewal: true)), facts: w)
        XCTAssertEqual(noKey.detail, "subscription sub_x has no credited payment on record, customer k-nobody is not tracked and no click_id was sent")
        let link = engine.decide(.subscription(.init(subscriptionID: "wc-sub-1", parentExternalID: "ord-old", at: t0)), facts: w)
        XCTAssertEqual(link.detail, "subscription wc-sub-1 starts with ord-old, credited to alice")
    }

    func testMalformedSubscriptionFields() {
        XCTAssertEqual(Engine.malformedField(.conversion(.init(externalID: "o", amount: usd(1), at: t0, subscriptionID: " "))),
                       "subscription_id")
        XCTAssertEqual(Engine.malformedField(.conversion(.init(externalID: "o", amount: usd(1), at: t0, parentExternalID: ""))),
                       "parent_id")
        XCTAssertEqual(Engine.malformedField(.cancel(.init(customerKey: nil, subscriptionID: "", at: t0))), "subscription_id")
        XCTAssertEqual(Engine.malformedField(.subscription(.init(subscriptionID: "", parentExternalID: "p", at: t0))), "subscription_id")
        XCTAssertEqual(Engine.malformedField(.subscription(.init(subscriptionID: "s", parentExternalID: " ", at: t0))), "parent_id")
        XCTAssertEqual(Engine.malformedField(.subscription(.init(subscriptionID: "s", parentExternalID: "p", customerKey: "", at: t0))),
                       "customer_key")
        XCTAssertNil(Engine.malformedField(.subscription(.init(subscriptionID: "s", parentExternalID: nil, at: t0))))
        let d = Engine(settings: standardSettings).decide(.conversion(.init(externalID: "o", amount: usd(1), at: t0, subscriptionID: "")),
                                                          facts: World.standard)
        XCTAssertEqual(d.reason, .invalidEvent)
        XCTAssertEqual(d.detail, "subscription_id is empty")
    }
}
