import AttributionCore
import XCTest

/// The tables of events: click, trial/lead/signup, conversion (recurring on and off), cancel.
enum EventTables {
    static func clicks() -> [Row] {
        [
            Row("click for a known affiliate is recorded", clickEvent("c-new", "alice"),
                Expect.accepted().recordingClick("c-new", for: A.alice).about(A.alice)),
            Row("click for an affiliate with an override is recorded", clickEvent("c-new", "dave"),
                Expect.accepted().recordingClick("c-new", for: A.dave).about(A.dave)),
            Row("click with an unknown affiliate code", clickEvent("c-new", "mallory"),
                Expect.rejected(.unknownAffiliate).about(nil)),
            Row("affiliate codes are exact (case matters)", clickEvent("c-new", "ALICE"),
                Expect.rejected(.unknownAffiliate)),
            Row("click for a disabled affiliate", clickEvent("c-new", "carol"),
                Expect.rejected(.affiliateDisabled).about(A.carol)),
            Row("click id recorded before", clickEvent("c-alice", "alice"),
                Expect.rejected(.duplicateClick)),
            Row("repeated click id is a duplicate even with an unknown code", clickEvent("c-alice", "mallory"),
                Expect.rejected(.duplicateClick)),
            Row("click recorded earlier in the same run is a duplicate", before: [clickEvent("c-new", "bob")],
                clickEvent("c-new", "bob"), Expect.rejected(.duplicateClick)),
            Row("empty click id", clickEvent("", "alice"), Expect.rejected(.invalidEvent)),
            Row("blank affiliate code", clickEvent("c-new", "  "), Expect.rejected(.invalidEvent)),
        ]
    }

    static func tracks() -> [Row] {
        var rows: [Row] = []
        for kind in [Event.Kind.trial, .lead, .signup] {
            let k = kind.rawValue
            rows += [
                Row("\(k): customer created in the initial status for the click's affiliate", track(kind, "k-new", click: "c-bob"),
                    Expect.accepted().creating(.initial, for: A.bob, click: "c-bob").about(A.bob)),
                Row("\(k): no click", track(kind, "k-new", click: nil), Expect.rejected(.noAttribution)),
                Row("\(k): click older than the window", track(kind, "k-new", click: "c-alice-old"),
                    Expect.rejected(.clickExpired).about(A.alice)),
                Row("\(k): key already tracked", track(kind, "k-paying", click: "c-bob"),
                    Expect.rejected(.alreadyTracked).about(A.alice)),
            ]
        }
        rows += [
            Row("window: a click exactly 60 days old is inside", track(.trial, "k-new", click: "c-alice-edge"),
                Expect.accepted().creating(.initial, for: A.alice, click: "c-alice-edge")),
            Row("window: a click 60 days and 1 s old is outside", track(.trial, "k-new", click: "c-alice-old"),
                Expect.rejected(.clickExpired)),
            Row("window of 30 days: exactly 30 days is inside", settings: { $0.windowDays = 30 },
                world: { $0.click("c-30", A.bob, t0.adding(days: -30)) },
                track(.lead, "k-new", click: "c-30"), Expect.accepted().creating(.initial, for: A.bob, click: "c-30")),
            Row("window of 30 days: 30 days and 1 s is outside", settings: { $0.windowDays = 30 },
                world: { $0.click("c-30", A.bob, t0.adding(days: -30).adding(seconds: -1)) },
                track(.lead, "k-new", click: "c-30"), Expect.rejected(.clickExpired).about(A.bob)),
            Row("window of 90 days: a 61-day-old click is inside", settings: { $0.windowDays = 90 },
                track(.signup, "k-new", click: "c-alice-old"), Expect.accepted().creating(.initial, for: A.alice, click: "c-alice-old")),
            Row("a click at the same instant as the event is inside", world: { $0.click("c-now", A.bob, t0) },
                track(.trial, "k-new", click: "c-now"), Expect.accepted().creating(.initial, for: A.bob, click: "c-now")),
            // Last click wins: each event names its (last) click, and that click's affiliate is credited.
            Row("last click wins: the newer click names bob",
                world: { $0.click("v1-first", A.alice, t0.adding(days: -10)); $0.click("v1-last", A.bob, t0.adding(days: -1)) },
                track(.trial, "k-new", click: "v1-last"), Expect.accepted().creating(.initial, for: A.bob, click: "v1-last")),
            Row("last click wins: the named click is the authority, whoever clicked since",
                world: { $0.click("v1-last", A.alice, t0.adding(days: -1)); $0.click("v1-first", A.bob, t0.adding(days: -10)) },
                track(.trial, "k-new", click: "v1-last"), Expect.accepted().creating(.initial, for: A.alice, click: "v1-last")),
            Row("click recorded earlier in the same run attributes the signup",
                before: [clickEvent("c-run", "dave", at: t0.adding(days: -3))],
                track(.signup, "k-new", click: "c-run"), Expect.accepted().creating(.initial, for: A.dave, click: "c-run")),
            Row("unknown click id", track(.trial, "k-new", click: "c-never"), Expect.rejected(.unknownClick)),
            Row("click of a disabled affiliate", track(.trial, "k-new", click: "c-carol"),
                Expect.rejected(.affiliateDisabled).about(A.carol)),
            Row("click of an affiliate that no longer exists", track(.trial, "k-new", click: "c-ghost"),
                Expect.rejected(.unknownAffiliate)),
            Row("single track: an initial customer cannot be tracked again", track(.trial, "k-trial", click: "c-alice"),
                Expect.rejected(.alreadyTracked).about(A.alice)),
            Row("single track: an ended customer cannot start over", track(.signup, "k-ended", click: "c-bob"),
                Expect.rejected(.alreadyTracked).about(A.alice)),
            Row("single track: a capped customer cannot start over", track(.lead, "k-capped", click: "c-bob"),
                Expect.rejected(.alreadyTracked)),
            Row("single track is checked before the click", track(.trial, "k-bob", click: "c-alice-old"),
                Expect.rejected(.alreadyTracked).about(A.bob)),
            Row("single track: tracked earlier in the same run", before: [track(.trial, "k-new", click: "c-alice")],
                track(.signup, "k-new", click: "c-bob"), Expect.rejected(.alreadyTracked).about(A.alice)),
            Row("empty customer key", track(.trial, "", click: "c-alice"), Expect.rejected(.invalidEvent)),
            Row("blank customer key", track(.lead, " \t", click: "c-alice"), Expect.rejected(.invalidEvent)),
            Row("empty click id (absent must be nil)", track(.trial, "k-new", click: ""), Expect.rejected(.invalidEvent)),
        ]
        return rows
    }

    /// Recurring / Lifetime commissions ON (the standard program): 20 % of the amount.
    static func conversionsRecurringOn() -> [Row] {
        [
            // Credited to the customer's affiliate.
            Row("renewal of a paying customer", conv("o1", usd(2900), key: "k-paying"),
                Expect.accepted().paying(usd(580), to: A.alice).forCustomer(.existing(11)).viaClick(nil).about(A.alice)),
            Row("first payment of a trial: initial -> active", conv("o1", usd(2900), key: "k-trial", first: true),
                Expect.accepted().paying(usd(580), to: A.alice).forCustomer(.existing(10)).changing(.initial, .active)),
            Row("a lead is won by a conversion", settings: { $0.model = .leads }, conv("o1", usd(100_000), key: "k-trial"),
                Expect.accepted().paying(usd(20_000), to: A.alice).changing(.initial, .active)),
            Row("the customer's affiliate is credited, not the click's", conv("o1", usd(2900), key: "k-trial", click: "c-bob"),
                Expect.accepted().paying(usd(580), to: A.alice).viaClick(nil).changing(.initial, .active).about(A.alice)),
            Row("the customer's affiliate is credited even when its click has expired", conv("o1", usd(2900), key: "k-bob", click: "c-alice-old"),
                Expect.accepted().paying(usd(580), to: A.bob)),
            Row("per-affiliate override applies to the customer's affiliate", conv("o1", usd(2900), key: "k-dave"),
                Expect.accepted().paying(usd(435), to: A.dave).changing(.initial, .active)),
            // Immediate paid sign-up.
            Row("immediate paid sign-up creates the customer active",
                conv("o1", usd(2900), key: "k-new", click: "c-bob", first: true),
                Expect.accepted().paying(usd(580), to: A.bob).forCustomer(.created).viaClick("c-bob")
                    .creating(.active, for: A.bob, click: "c-bob").about(A.bob)),
            Row("immediate paid sign-up without the first-payment flag", conv("o1", usd(2900), key: "k-new", click: "c-alice"),
                Expect.accepted().paying(usd(580), to: A.alice).forCustomer(.created).creating(.active, for: A.alice, click: "c-alice")),
            Row("immediate paid sign-up with a fixed-commission affiliate", conv("o1", usd(100), key: "k-new", click: "c-erin"),
                Expect.accepted().paying(usd(500), to: A.erin).creating(.active, for: A.erin, click: "c-erin")),
            Row("immediate sign-up at $0 is a trial: created initial, nothing paid",
                conv("o1", usd(0), key: "k-new", click: "c-bob", first: true),
                Expect.accepted([.trialNoCommission]).creating(.initial, for: A.bob, click: "c-bob").about(A.bob)),
            Row("new customer key without a click", conv("o1", usd(2900), key: "k-new"), Expect.rejected(.noAttribution)),
            Row("new customer key with an expired click", conv("o1", usd(2900), key: "k-new", click: "c-alice-old"),
                Expect.rejected(.clickExpired).about(A.alice)),
            Row("new customer key with a click 60 days old exactly", conv("o1", usd(2900), key: "k-new", click: "c-alice-edge"),
                Expect.accepted().paying(usd(580), to: A.alice).creating(.active, for: A.alice, click: "c-alice-edge")),
            Row("new customer key with an unknown click", conv("o1", usd(2900), key: "k-new", click: "c-never"),
                Expect.rejected(.unknownClick)),
            Row("new customer key with a disabled affiliate's click", conv("o1", usd(2900), key: "k-new", click: "c-carol"),
                Expect.rejected(.affiliateDisabled).about(A.carol)),
            // Lifecycle.
            Row("customer ended", conv("o1", usd(2900), key: "k-ended"), Expect.rejected(.customerEnded).about(A.alice)),
            Row("customer ended, even with a valid click", conv("o1", usd(2900), key: "k-ended", click: "c-alice"),
                Expect.rejected(.customerEnded)),
            Row("customer capped", conv("o1", usd(2900), key: "k-capped"), Expect.rejected(.customerCapped).about(A.alice)),
            Row("customer capped, even with no caps configured now", conv("o1", usd(2900), key: "k-capped", click: "c-bob"),
                Expect.rejected(.customerCapped)),
            Row("customer's affiliate disabled", conv("o1", usd(2900), key: "k-carol"),
                Expect.rejected(.affiliateDisabled).about(A.carol)),
            Row("customer's affiliate no longer exists", conv("o1", usd(2900), key: "k-ghost"), Expect.rejected(.unknownAffiliate)),
        ] + conversionsRecurringOnDuplicatesAndAmounts()
    }

    /// Recurring on: duplicates, amounts, currencies, and one-offs with no customer key.
    static func conversionsRecurringOnDuplicatesAndAmounts() -> [Row] {
        [
            // Duplicates and amounts.
            Row("external id seen before", conv("ord-old", usd(2900), key: "k-paying"), Expect.rejected(.duplicateExternalID)),
            Row("external id seen before, for another customer with a valid click", conv("ord-old", usd(2900), key: "k-new", click: "c-bob"),
                Expect.rejected(.duplicateExternalID)),
            Row("external id known from elsewhere", conv("ord-imported", usd(2900), click: "c-bob"), Expect.rejected(.duplicateExternalID)),
            Row("retried webhook pays once", before: [conv("o1", usd(2900), key: "k-paying")], conv("o1", usd(2900), key: "k-paying"),
                Expect.rejected(.duplicateExternalID)),
            Row("duplicate is checked before the amount", conv("ord-old", usd(-1), key: "k-paying"), Expect.rejected(.duplicateExternalID)),
            Row("negative amount", conv("o1", usd(-2900), key: "k-paying"), Expect.rejected(.invalidAmount)),
            Row("amount over Money.maxMinor", conv("o1", usd(Money.maxMinor + 1), key: "k-paying"), Expect.rejected(.invalidAmount)),
            Row("amount exactly Money.maxMinor", conv("o1", usd(Money.maxMinor), key: "k-paying"),
                Expect.accepted().paying(usd(Money.maxMinor / 5), to: A.alice)),
            Row("$0 renewal of a paying customer", conv("o1", usd(0), key: "k-paying"), Expect.rejected(.invalidAmount).about(A.alice)),
            Row("$0 first payment of a paying customer is logged", conv("o1", usd(0), key: "k-paying", first: true),
                Expect.accepted([.trialNoCommission]).about(A.alice)),
            Row("$0 conversion of a trial customer is logged, status kept", conv("o1", usd(0), key: "k-trial"),
                Expect.accepted([.trialNoCommission])),
            Row("$0 of an ended customer: the lifecycle answers first", conv("o1", usd(0), key: "k-ended"), Expect.rejected(.customerEnded)),
            Row("commission base (tax excluded) is what the rate applies to",
                conv("o1", usd(12_100), key: "k-paying", base: usd(10_000)), Expect.accepted().paying(usd(2000), to: A.alice)),
            Row("commission base in another currency", conv("o1", usd(12_100), key: "k-paying", base: eur(10_000)),
                Expect.rejected(.invalidEvent)),
            Row("negative commission base", conv("o1", usd(12_100), key: "k-paying", base: usd(-1)), Expect.rejected(.invalidAmount)),
            // k-bob has no commission yet, so any currency may be its first.
            Row("amounts in JPY have no minor digits", conv("o1", jpy(1500), key: "k-bob"), Expect.accepted().paying(jpy(300), to: A.bob)),
            Row("JPY rounds half up to the yen", settings: { $0.commission = .percent(basisPoints: 1000) },
                conv("o1", jpy(155), key: "k-bob"), Expect.accepted().paying(jpy(16), to: A.bob)),
            Row("KWD has three minor digits", conv("o1", Money(minor: 1234, currency: kwd), key: "k-bob"),
                Expect.accepted().paying(Money(minor: 247, currency: kwd), to: A.bob)),
            Row("a customer paid in USD before, now in JPY", conv("o1", jpy(1500), key: "k-paying"),
                Expect.rejected(.currencyMismatch).about(A.alice)),
            Row("program-wide fixed commission", settings: { $0.commission = .fixed(usd(700)) },
                conv("o1", usd(100_000), key: "k-paying"), Expect.accepted().paying(usd(700), to: A.alice)),
            Row("affiliate's fixed JPY override wins over the program's percent", conv("o1", usd(2900), click: "c-frank"),
                Expect.accepted().paying(jpy(500), to: A.frank)),
            // One-offs with recurring on (no customer key).
            Row("one-off by click", conv("o1", usd(2900), click: "c-bob"),
                Expect.accepted().paying(usd(580), to: A.bob).forCustomer(nil).viaClick("c-bob").about(A.bob)),
            Row("one-off by click with an override", conv("o1", usd(2900), click: "c-dave"), Expect.accepted().paying(usd(435), to: A.dave)),
            Row("one-off with a fixed override", conv("o1", usd(99_900), click: "c-erin"), Expect.accepted().paying(usd(500), to: A.erin)),
            Row("one-off without a click", conv("o1", usd(2900)), Expect.rejected(.noAttribution)),
            Row("one-off with an expired click", conv("o1", usd(2900), click: "c-alice-old"), Expect.rejected(.clickExpired)),
            Row("one-off with a disabled affiliate's click", conv("o1", usd(2900), click: "c-carol"), Expect.rejected(.affiliateDisabled)),
            Row("one-off $0 first payment is logged", conv("o1", usd(0), click: "c-bob", first: true),
                Expect.accepted([.trialNoCommission]).about(A.bob)),
            Row("one-off $0 that is not a first payment", conv("o1", usd(0), click: "c-bob"),
                Expect.rejected(.invalidAmount).about(A.bob)),
            Row("one-off negative amount", conv("o1", usd(-1), click: "c-bob"), Expect.rejected(.invalidAmount)),
            Row("empty external id", conv("", usd(2900), click: "c-bob"), Expect.rejected(.invalidEvent)),
            Row("empty customer key (absent must be nil)", conv("o1", usd(2900), key: "", click: "c-bob"), Expect.rejected(.invalidEvent)),
            Row("empty click id (absent must be nil)", conv("o1", usd(2900), key: "k-paying", click: ""), Expect.rejected(.invalidEvent)),
        ]
    }

    /// Recurring / Lifetime commissions OFF: customer keys are ignored, conversions are one-offs by click.
    static func conversionsRecurringOff() -> [Row] {
        let off: (inout ProgramSettings) -> Void = { $0.recurring = false }
        return [
            Row("off: customer key ignored, credited by click", settings: off, conv("o1", usd(2900), key: "k-paying", click: "c-bob"),
                Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.bob).forCustomer(nil).viaClick("c-bob").about(A.bob)),
            Row("off: a trial customer stays initial", settings: off, conv("o1", usd(2900), key: "k-trial", click: "c-alice"),
                Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.alice).forCustomer(nil)),
            Row("off: no customer is created for a new key", settings: off, conv("o1", usd(2900), key: "k-new", click: "c-alice"),
                Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.alice).forCustomer(nil)),
            Row("off: an ended customer's key is ignored too", settings: off, conv("o1", usd(2900), key: "k-ended", click: "c-bob"),
                Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.bob)),
            Row("off: a capped customer's key is ignored too", settings: off, conv("o1", usd(2900), key: "k-capped", click: "c-alice"),
                Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.alice)),
            Row("off: caps do not apply to one-offs", settings: { $0.recurring = false; $0.caps = Caps(count: 1) },
                conv("o1", usd(2900), key: "k-paying", click: "c-alice"),
                Expect.accepted([.customerKeyIgnored]).paying(usd(580), to: A.alice)),
            Row("off: customer key and no click", settings: off, conv("o1", usd(2900), key: "k-paying"),
                Expect.rejected(.recurringOff, [.customerKeyIgnored]).about(A.alice)),
            Row("off: unknown customer key and no click", settings: off, conv("o1", usd(2900), key: "k-new"),
                Expect.rejected(.recurringOff, [.customerKeyIgnored]).about(nil)),
            Row("off: customer key and an expired click", settings: off, conv("o1", usd(2900), key: "k-paying", click: "c-alice-old"),
                Expect.rejected(.clickExpired, [.customerKeyIgnored])),
            Row("off: customer key and an unknown click", settings: off, conv("o1", usd(2900), key: "k-paying", click: "c-never"),
                Expect.rejected(.unknownClick, [.customerKeyIgnored])),
            Row("off: $0 first payment with a key", settings: off, conv("o1", usd(0), key: "k-new", click: "c-bob", first: true),
                Expect.accepted([.customerKeyIgnored, .trialNoCommission])),
            Row("off: $0 renewal with a key", settings: off, conv("o1", usd(0), key: "k-paying", click: "c-bob"),
                Expect.rejected(.invalidAmount, [.customerKeyIgnored])),
            Row("off: no key, credited by click without a note", settings: off, conv("o1", usd(2900), click: "c-dave"),
                Expect.accepted().paying(usd(435), to: A.dave)),
            Row("off: no key and no click", settings: off, conv("o1", usd(2900)), Expect.rejected(.noAttribution)),
            Row("off: duplicate external id", settings: off, conv("ord-old", usd(2900), key: "k-paying", click: "c-bob"),
                Expect.rejected(.duplicateExternalID)),
        ]
    }

    static func cancels() -> [Row] {
        var rows: [Row] = [
            Row("cancel a paying customer", cancel("k-paying"), Expect.accepted().changing(.active, .ended).about(A.alice)),
            Row("cancel a trial", cancel("k-trial"), Expect.accepted().changing(.initial, .ended)),
            Row("cancel a capped customer", cancel("k-capped"), Expect.accepted().changing(.capped, .ended)),
            Row("cancel a customer of a disabled affiliate", cancel("k-carol"), Expect.accepted().changing(.active, .ended).about(A.carol)),
            Row("cancel an ended customer", cancel("k-ended"), Expect.rejected(.customerEnded).about(A.alice)),
            Row("cancel twice", before: [cancel("k-bob")], cancel("k-bob"), Expect.rejected(.customerEnded)),
            Row("cancel an unknown customer", cancel("k-new"), Expect.rejected(.unknownCustomer)),
            Row("cancel with a blank key", cancel(" "), Expect.rejected(.invalidEvent)),
        ]
        for model in BusinessModel.allCases {
            rows.append(Row("cancel under \(model.rawValue)", settings: { $0.model = model }, cancel("k-paying"),
                            Expect.accepted().changing(.active, .ended)))
        }
        return rows
    }
}

final class EventTableTests: XCTestCase {
    func testClicks() { runTable(EventTables.clicks()) }
    func testTracks() { runTable(EventTables.tracks()) }
    func testConversionsRecurringOn() { runTable(EventTables.conversionsRecurringOn()) }
    func testConversionsRecurringOff() { runTable(EventTables.conversionsRecurringOff()) }
    func testCancels() { runTable(EventTables.cancels()) }

    /// The decision's detail names the specifics a support person needs.
    func testDetailsNameTheSpecifics() {
        let engine = Engine(settings: standardSettings)
        let w = World.standard
        let expired = engine.decide(.track(.init(kind: .trial, customerKey: "k-new", clickID: "c-alice-old", at: t0)), facts: w)
        XCTAssertEqual(expired.detail, "click c-alice-old is more than 60 days old; the window is 60 days")
        let old = engine.decide(.track(.init(kind: .trial, customerKey: "k-new", clickID: "c-alice-edge", at: t0.adding(days: 13))),
                                facts: w)
        XCTAssertEqual(old.detail, "click c-alice-edge is 73 days old; the window is 60 days")
        var off = standardSettings
        off.recurring = false
        let refused = Engine(settings: off).decide(.conversion(.init(externalID: "o1", amount: usd(1), customerKey: "k-paying", at: t0)),
                                                   facts: w)
        XCTAssertEqual(refused.detail, "customer_key k-paying ignored and no click_id sent")
        let blank = engine.decide(.track(.init(kind: .lead, customerKey: "", clickID: "c-alice", at: t0)), facts: w)
        XCTAssertEqual(blank.detail, "customer_key is empty")
    }

    func testEventKindAndInstant() {
        let at = t0.adding(seconds: 5)
        let cases: [(Event, Event.Kind)] = [
            (.click(.init(clickID: "c", affiliateCode: "a", at: at)), .click),
            (.track(.init(kind: .trial, customerKey: "k", clickID: nil, at: at)), .trial),
            (.track(.init(kind: .lead, customerKey: "k", clickID: nil, at: at)), .lead),
            (.track(.init(kind: .signup, customerKey: "k", clickID: nil, at: at)), .signup),
            (.conversion(.init(externalID: "o", amount: usd(1), at: at)), .conversion),
            (.cancel(.init(customerKey: "k", at: at)), .cancel),
            (.subscription(.init(subscriptionID: "s", parentExternalID: "p", at: at)), .subscription),
        ]
        XCTAssertEqual(Set(cases.map(\.1)), Set(Event.Kind.allCases))
        for (e, k) in cases {
            XCTAssertEqual(e.kind, k)
            XCTAssertEqual(e.at, at)
        }
    }

    func testMalformedField() {
        XCTAssertNil(Engine.malformedField(.conversion(.init(externalID: "o", amount: usd(1), at: t0))))
        XCTAssertEqual(Engine.malformedField(.conversion(.init(externalID: " ", amount: usd(1), customerKey: "", at: t0))), "external_id")
        XCTAssertEqual(Engine.malformedField(.click(.init(clickID: "c", affiliateCode: "", at: t0))), "affiliate code")
        XCTAssertEqual(Engine.malformedField(.cancel(.init(customerKey: "\t", at: t0))), "customer_key")
    }
}
