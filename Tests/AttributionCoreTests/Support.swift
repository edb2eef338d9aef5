import AttributionCore
import XCTest

// MARK: - Time and money shorthands

/// The moment every table event happens at unless a row says otherwise: 2026-01-05T10:00:00Z.
let t0 = instant("2026-01-05T10:00:00Z")
let day: Int64 = 86_400

func instant(_ s: String) -> Instant {
    guard let i = Instant.parse(s) else { fatalError("bad instant literal \(s)") }
    return i
}
func usd(_ minor: Int64) -> Money { Money(minor: minor, currency: .usd) }
func eur(_ minor: Int64) -> Money { Money(minor: minor, currency: .eur) }
func jpy(_ minor: Int64) -> Money { Money(minor: minor, currency: .jpy) }
let kwd = Currency(validated: "KWD")

// MARK: - Affiliates, clicks and customers of the standard world

enum A {
    static let alice: Int64 = 1
    static let bob: Int64 = 2
    /// Disabled.
    static let carol: Int64 = 3
    /// Overrides the program's commission with 15 %.
    static let dave: Int64 = 4
    /// Overrides the program's commission with a fixed 5.00 USD.
    static let erin: Int64 = 5
    /// Overrides the program's commission with a fixed 500 JPY.
    static let frank: Int64 = 6
    /// Referenced by a click and a customer but not stored (deleted).
    static let ghost: Int64 = 99
}

/// An in-memory `Facts`: affiliates, clicks, customers, the conversions paid so far (from which
/// the cap histories are computed, as the store does) and the external ids seen. `apply` writes a
/// decision's effects, so that sequences of events can be replayed.
struct World: Facts {
    var affiliates: [Int64: AffiliateFact] = [:]
    var clicks: [String: ClickFact] = [:]
    var customers: [String: CustomerFact] = [:]
    var payments: [Payment] = []
    /// External ids seen that are not in `payments` (e.g. from another program's import).
    var otherExternalIDs: Set<String> = []
    var nextCustomerID: Int64 = 100

    struct Payment: Hashable {
        var externalID: String
        var customerID: Int64?
        var affiliateID: Int64
        var commission: Money
        var at: Instant
        var manual = false
        var subscriptionID: String? = nil
        var renewalIndex: Int? = nil
    }

    // Facts
    func affiliate(code: String) -> AffiliateFact? { affiliates.values.first { $0.code == code } }
    func affiliate(id: Int64) -> AffiliateFact? { affiliates[id] }
    func click(id: String) -> ClickFact? { clicks[id] }
    func customer(key: String) -> CustomerFact? { customers[key] }
    func capHistory(customerID: Int64) -> CapHistory {
        let mine = payments.filter { $0.customerID == customerID }
        guard let firstPaid = mine.first else { return .empty }
        return CapHistory(commissions: mine.count, firstCommissionAt: mine.map(\.at).min(),
                          commissionTotal: mine.reduce(0) { $0 + $1.commission.minor },
                          currency: firstPaid.commission.currency)
    }
    func conversionExists(externalID: String) -> Bool {
        otherExternalIDs.contains(externalID) || payments.contains { $0.externalID == externalID }
    }
    func subscription(id: String) -> SubscriptionFact? {
        let mine = payments.enumerated().filter { $0.element.subscriptionID == id }
        guard let last = mine.max(by: { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) })?.element else { return nil }
        return SubscriptionFact(id: id, customer: last.customerID.flatMap { customer(id: $0) }, affiliateID: last.affiliateID)
    }
    func conversion(externalID: String) -> ConversionFact? {
        guard let p = payments.first(where: { $0.externalID == externalID }) else { return nil }
        return ConversionFact(externalID: externalID, customer: p.customerID.flatMap { customer(id: $0) }, affiliateID: p.affiliateID,
                              subscriptionID: p.subscriptionID)
    }
    func creditedConversions(subscriptionID: String, affiliateID: Int64) -> Int {
        payments.filter { $0.subscriptionID == subscriptionID && $0.affiliateID == affiliateID }.count
    }

    // Setup
    mutating func add(_ a: AffiliateFact) { affiliates[a.id] = a }
    mutating func click(_ id: String, _ affiliateID: Int64, _ at: Instant) {
        clicks[id] = ClickFact(clickID: id, affiliateID: affiliateID, at: at)
    }
    mutating func customer(_ id: Int64, _ key: String, _ affiliateID: Int64, _ status: CustomerStatus) {
        customers[key] = CustomerFact(id: id, key: key, affiliateID: affiliateID, status: status)
    }
    /// Records `count` commissions already paid for a customer, `everyDays` apart from `first`.
    mutating func paid(_ key: String, _ count: Int, each: Money, first: Instant, everyDays: Int = 1) {
        let c = customers[key]!
        for i in 0..<count {
            payments.append(Payment(externalID: "hist-\(key)-\(payments.count)", customerID: c.id, affiliateID: c.affiliateID,
                                    commission: each, at: first.adding(days: i * everyDays)))
        }
    }
    mutating func setStatus(_ key: String, _ s: CustomerStatus) { customers[key]!.status = s }

    func customer(id: Int64) -> CustomerFact? { customers.values.first { $0.id == id } }

    /// Writes a decision's effects, as the store would. A rejection may carry a status change.
    mutating func apply(_ d: Decision) {
        var createdID: Int64?
        if let c = d.newClick { clicks[c.clickID] = c }
        if let n = d.newCustomer {
            precondition(customers[n.key] == nil, "the engine created an already tracked customer")
            createdID = nextCustomerID
            customers[n.key] = CustomerFact(id: nextCustomerID, key: n.key, affiliateID: n.affiliateID, status: n.status)
            nextCustomerID += 1
        }
        func resolve(_ ref: CustomerRef) -> Int64 {
            switch ref {
            case .existing(let id): return id
            case .created: return createdID!
            }
        }
        if let s = d.statusChange, let c = customer(id: resolve(s.customer)) {
            precondition(c.status == s.from, "status change from \(s.from) but the customer is \(c.status)")
            customers[c.key]!.status = s.to
        }
        if let v = d.conversion {
            payments.append(Payment(externalID: v.externalID, customerID: v.customer.map(resolve), affiliateID: v.affiliateID,
                                    commission: v.commission, at: v.at, manual: v.manual, subscriptionID: v.subscriptionID,
                                    renewalIndex: v.renewalIndex))
        }
        if let l = d.subscriptionLink, let i = payments.firstIndex(where: { $0.externalID == l.externalID }) {
            precondition(payments[i].subscriptionID == nil, "the engine linked a conversion that already starts a subscription")
            payments[i].subscriptionID = l.subscriptionID
            payments[i].renewalIndex = 0
        }
        if let r = d.reassignment, let c = customer(id: r.customerID) {
            customers[c.key]!.affiliateID = r.toAffiliateID
        }
    }

    /// The world every table row starts from.
    static var standard: World {
        var w = World()
        w.add(AffiliateFact(id: A.alice, code: "alice"))
        w.add(AffiliateFact(id: A.bob, code: "bob"))
        w.add(AffiliateFact(id: A.carol, code: "carol", disabled: true))
        w.add(AffiliateFact(id: A.dave, code: "dave", commission: .percent(basisPoints: 1500)))
        w.add(AffiliateFact(id: A.erin, code: "erin", commission: .fixed(usd(500))))
        w.add(AffiliateFact(id: A.frank, code: "frank", commission: .fixed(jpy(500))))

        w.click("c-alice", A.alice, t0.adding(days: -1))
        w.click("c-bob", A.bob, t0.adding(days: -2))
        w.click("c-alice-edge", A.alice, t0.adding(days: -60))                          // exactly 60 days old
        w.click("c-alice-old", A.alice, t0.adding(days: -60).adding(seconds: -1))       // 60 days and 1 s old
        w.click("c-carol", A.carol, t0.adding(days: -1))
        w.click("c-ghost", A.ghost, t0.adding(days: -1))
        w.click("c-dave", A.dave, t0.adding(days: -1))
        w.click("c-erin", A.erin, t0.adding(days: -1))
        w.click("c-frank", A.frank, t0.adding(days: -1))

        w.customer(10, "k-trial", A.alice, .initial)
        w.customer(11, "k-paying", A.alice, .active)
        w.customer(12, "k-capped", A.alice, .capped)
        w.customer(13, "k-ended", A.alice, .ended)
        w.customer(14, "k-bob", A.bob, .active)
        w.customer(15, "k-carol", A.carol, .active)
        w.customer(16, "k-ghost", A.ghost, .active)
        w.customer(17, "k-dave", A.dave, .initial)

        w.payments.append(Payment(externalID: "ord-old", customerID: 11, affiliateID: A.alice, commission: usd(400),
                                  at: t0.adding(days: -30)))
        w.otherExternalIDs = ["ord-imported"]
        return w
    }
}

/// The program every table row starts from: SaaS, recurring on, 20 %, no caps, 60 days, USD.
let standardSettings = ProgramSettings(name: "Test program", model: .saas, recurring: true,
                                       commission: .percent(basisPoints: 2000), caps: .none, windowDays: 60, currency: .usd)

// MARK: - Actions: events and admin changes alike

enum Action {
    case event(Event)
    case setStatus(key: String, to: CustomerStatus)
    case reassign(key: String, to: Int64)
    case manual(externalID: String, amount: Money, customerKey: String?, affiliate: Int64?, at: Instant)

    func perform(_ engine: Engine, _ world: World) -> Decision {
        switch self {
        case .event(let e): return engine.decide(e, facts: world)
        case .setStatus(let key, let to): return engine.setStatus(world.customers[key]!, to: to)
        case .reassign(let key, let to): return engine.reassign(world.customers[key]!, to: world.affiliates[to]!)
        case .manual(let id, let amount, let key, let aff, let at):
            return engine.manualConversion(externalID: id, amount: amount, customerKey: key,
                                           affiliate: aff.map { world.affiliates[$0]! }, at: at, facts: world)
        }
    }
}

// Event shorthands.
func clickEvent(_ id: String, _ code: String, at: Instant = t0) -> Action {
    .event(.click(.init(clickID: id, affiliateCode: code, at: at)))
}
func track(_ kind: Event.Kind = .trial, _ key: String, click: String?, at: Instant = t0) -> Action {
    .event(.track(.init(kind: kind, customerKey: key, clickID: click, at: at)))
}
func conv(_ id: String, _ amount: Money, key: String? = nil, click: String? = nil, base: Money? = nil,
          first: Bool = false, at: Instant = t0) -> Action {
    .event(.conversion(.init(externalID: id, amount: amount, commissionBase: base, customerKey: key, clickID: click,
                             isFirstPayment: first, at: at)))
}
func cancel(_ key: String, at: Instant = t0) -> Action { .event(.cancel(.init(customerKey: key, at: at))) }
/// A payment of a subscription (Stripe invoice, WooCommerce order).
func payment(_ id: String, _ amount: Money, subscription: String?, renewal: Bool = false, first: Bool = false, key: String? = nil,
             click: String? = nil, parent: String? = nil, base: Money? = nil, at: Instant = t0) -> Action {
    .event(.conversion(.init(externalID: id, amount: amount, commissionBase: base, customerKey: key, clickID: click,
                             isFirstPayment: first, at: at, subscriptionID: subscription, isRenewal: renewal, parentExternalID: parent)))
}
func link(_ subscription: String, parent: String?, key: String? = nil, at: Instant = t0) -> Action {
    .event(.subscription(.init(subscriptionID: subscription, parentExternalID: parent, customerKey: key, at: at)))
}
func cancelSubscription(_ subscription: String, key: String? = nil, at: Instant = t0) -> Action {
    .event(.cancel(.init(customerKey: key, subscriptionID: subscription, at: at)))
}

// MARK: - Expectations

/// What a decision must be. Every effect is checked: an effect the row does not expect must be absent.
struct Expect {
    var outcome: Decision.Outcome
    var reason: Reason?
    var notes: [Reason] = []
    /// The commission of the new conversion and the affiliate credited; nil = no conversion.
    var commission: Money?
    var creditedTo: Int64?
    /// Which customer the conversion is for (nil = a one-off). Checked only when `checkConversionCustomer`.
    var conversionCustomer: CustomerRef?
    var checkConversionCustomer = false
    var conversionClick: String??
    var manual = false
    /// The customer created: status, affiliate and click; nil = none.
    var newCustomer: (status: CustomerStatus, affiliate: Int64, click: String?)?
    var statusChange: (from: CustomerStatus, to: CustomerStatus)?
    var newClick: (id: String, affiliate: Int64)?
    var reassignment: (from: Int64, to: Int64)?
    /// The decision's affiliate, for triage; checked only when set.
    var affiliateID: Int64??
    /// The conversion's subscription and renewal index; nil = a conversion without subscription.
    var renewal: (subscription: String, index: Int)?
    /// The conversion marked as a subscription's start; nil = none.
    var link: SubscriptionLink?

    static func accepted(_ notes: [Reason] = []) -> Expect { Expect(outcome: .accepted, notes: notes) }
    static func rejected(_ r: Reason, _ notes: [Reason] = []) -> Expect { Expect(outcome: .rejected, reason: r, notes: notes) }

    func paying(_ m: Money, to aff: Int64) -> Expect { var e = self; e.commission = m; e.creditedTo = aff; return e }
    func forCustomer(_ ref: CustomerRef?) -> Expect { var e = self; e.conversionCustomer = ref; e.checkConversionCustomer = true; return e }
    func viaClick(_ c: String?) -> Expect { var e = self; e.conversionClick = .some(c); return e }
    func byHand() -> Expect { var e = self; e.manual = true; return e }
    func creating(_ s: CustomerStatus, for aff: Int64, click: String?) -> Expect {
        var e = self; e.newCustomer = (s, aff, click); return e
    }
    func changing(_ from: CustomerStatus, _ to: CustomerStatus) -> Expect { var e = self; e.statusChange = (from, to); return e }
    func recordingClick(_ id: String, for aff: Int64) -> Expect { var e = self; e.newClick = (id, aff); return e }
    func moving(_ from: Int64, _ to: Int64) -> Expect { var e = self; e.reassignment = (from, to); return e }
    func about(_ aff: Int64?) -> Expect { var e = self; e.affiliateID = .some(aff); return e }
    func renewing(_ subscription: String, index: Int) -> Expect { var e = self; e.renewal = (subscription, index); return e }
    func linking(_ externalID: String, to subscription: String) -> Expect {
        var e = self; e.link = SubscriptionLink(externalID: externalID, subscriptionID: subscription); return e
    }
}

/// One row of a table: a settings tweak, a world tweak, actions replayed first (each decided and
/// applied), then the action under test and what it must decide.
struct Row {
    var name: String
    var settings: (inout ProgramSettings) -> Void = { _ in }
    var world: (inout World) -> Void = { _ in }
    var before: [Action] = []
    var action: Action
    var expect: Expect

    init(_ name: String, settings: @escaping (inout ProgramSettings) -> Void = { _ in },
         world: @escaping (inout World) -> Void = { _ in }, before: [Action] = [], _ action: Action, _ expect: Expect) {
        self.name = name; self.settings = settings; self.world = world; self.before = before
        self.action = action; self.expect = expect
    }
}

/// Runs a table; returns every reason code (refusal or note) the rows produced.
@discardableResult
func runTable(_ rows: [Row], file: StaticString = #filePath, line: UInt = #line) -> Set<Reason> {
    var produced = Set<Reason>()
    var names = Set<String>()
    for row in rows {
        XCTAssertTrue(names.insert(row.name).inserted, "duplicate row name \(row.name)", file: file, line: line)
        let (d, _) = decide(row)
        check(d, row.expect, row.name, file: file, line: line)
        if let r = d.reason { produced.insert(r) }
        produced.formUnion(d.notes)
    }
    return produced
}

/// Decides a row; returns the decision and the world it was decided in.
func decide(_ row: Row) -> (Decision, World) {
    var settings = standardSettings
    row.settings(&settings)
    var world = World.standard
    row.world(&world)
    let engine = Engine(settings: settings)
    for a in row.before { world.apply(a.perform(engine, world)) }
    return (row.action.perform(engine, world), world)
}

func check(_ d: Decision, _ x: Expect, _ name: String, file: StaticString, line: UInt) {
    func fail(_ what: String) { XCTFail("[\(name)] \(what)\n  decision: \(d)", file: file, line: line) }

    if d.outcome != x.outcome { fail("outcome \(d.outcome), expected \(x.outcome)") }
    if d.reason != x.reason { fail("reason \(d.reason?.rawValue ?? "nil"), expected \(x.reason?.rawValue ?? "nil")") }
    if d.notes != x.notes { fail("notes \(d.notes.map(\.rawValue)), expected \(x.notes.map(\.rawValue))") }
    if d.code != (x.reason ?? x.notes.first) { fail("code \(String(describing: d.code))") }

    switch (d.conversion, x.commission) {
    case (nil, nil): break
    case (let c?, nil): fail("unexpected conversion \(c)")
    case (nil, let m?): fail("expected a conversion paying \(m)")
    case (let c?, let m?):
        if c.commission != m { fail("commission \(c.commission), expected \(m)") }
        if c.affiliateID != x.creditedTo { fail("credited to \(c.affiliateID), expected \(x.creditedTo!)") }
        if c.manual != x.manual { fail("manual \(c.manual), expected \(x.manual)") }
        if x.checkConversionCustomer, c.customer != x.conversionCustomer {
            fail("conversion customer \(String(describing: c.customer)), expected \(String(describing: x.conversionCustomer))")
        }
        if let click = x.conversionClick, c.clickID != click { fail("conversion click \(c.clickID ?? "nil"), expected \(click ?? "nil")") }
    }
    switch (d.newCustomer, x.newCustomer) {
    case (nil, nil): break
    case (let n?, nil): fail("unexpected new customer \(n)")
    case (nil, let n?): fail("expected a new customer \(n)")
    case (let n?, let e?):
        if n.status != e.status || n.affiliateID != e.affiliate || n.clickID != e.click {
            fail("new customer \(n.status)/\(n.affiliateID)/\(n.clickID ?? "nil"), expected \(e.status)/\(e.affiliate)/\(e.click ?? "nil")")
        }
    }
    switch (d.statusChange, x.statusChange) {
    case (nil, nil): break
    case (let s?, nil): fail("unexpected status change \(s.from) -> \(s.to)")
    case (nil, let s?): fail("expected a status change \(s.from) -> \(s.to)")
    case (let s?, let e?):
        if s.from != e.from || s.to != e.to { fail("status change \(s.from) -> \(s.to), expected \(e.from) -> \(e.to)") }
    }
    switch (d.newClick, x.newClick) {
    case (nil, nil): break
    case (let c?, nil): fail("unexpected new click \(c)")
    case (nil, let c?): fail("expected a new click \(c)")
    case (let c?, let e?): if c.clickID != e.id || c.affiliateID != e.affiliate { fail("new click \(c), expected \(e)") }
    }
    switch (d.reassignment, x.reassignment) {
    case (nil, nil): break
    case (let r?, nil): fail("unexpected reassignment \(r)")
    case (nil, let r?): fail("expected a reassignment \(r)")
    case (let r?, let e?): if r.fromAffiliateID != e.from || r.toAffiliateID != e.to { fail("reassignment \(r), expected \(e)") }
    }
    if let a = x.affiliateID, d.affiliateID != a { fail("affiliateID \(String(describing: d.affiliateID)), expected \(String(describing: a))") }
    if let c = d.conversion {
        switch (c.subscriptionID, x.renewal) {
        case (nil, nil): if c.renewalIndex != nil { fail("renewal index \(c.renewalIndex!) without a subscription") }
        case (let s?, nil): fail("unexpected subscription \(s) (renewal index \(String(describing: c.renewalIndex)))")
        case (nil, let r?): fail("expected subscription \(r.subscription), renewal index \(r.index)")
        case (let s?, let r?):
            if s != r.subscription || c.renewalIndex != r.index {
                fail("subscription \(s) renewal index \(String(describing: c.renewalIndex)), expected \(r.subscription) \(r.index)")
            }
        }
    } else if let r = x.renewal {
        fail("expected a conversion of \(r.subscription)")
    }
    if d.subscriptionLink != x.link { fail("link \(String(describing: d.subscriptionLink)), expected \(String(describing: x.link))") }

    checkInvariants(d, fail)
}

/// The invariants every decision holds, whatever the row expected.
func checkInvariants(_ d: Decision, _ fail: (String) -> Void) {
    if d.isAccepted != (d.outcome == .accepted) { fail("isAccepted disagrees with outcome") }
    if let r = d.reason, !r.isRefusal { fail("refused with a note code \(r)") }
    if d.outcome == .rejected, d.reason == nil { fail("rejected without a reason") }
    if d.outcome == .accepted, d.reason != nil { fail("accepted with a reason") }
    if let n = d.notes.first(where: \.isRefusal) { fail("note \(n) is a refusal code") }
    if d.outcome == .rejected, d.conversion != nil || d.newCustomer != nil || d.newClick != nil || d.reassignment != nil
        || d.subscriptionLink != nil {
        fail("a rejection carries effects other than a status change")
    }
    if let s = d.statusChange {
        if s.to == .initial { fail("a status change back to initial") }
        if s.to == s.from { fail("a status change to the same status") }
    }
    if let c = d.conversion, c.commission.minor < 0 { fail("negative commission") }
}
