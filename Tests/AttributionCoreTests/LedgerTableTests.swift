import AttributionCore
import XCTest

/// A commission entry of alice in USD, as stored.
func entry(_ state: CommissionState, _ minor: Int64 = 1_000, reason: LedgerReason? = nil, approvesAt: Instant = t0,
           needsApproval: Bool = false, payout: Int64? = nil, kind: EntryKind = .commission, currency: Currency = .usd) -> LedgerEntry {
    LedgerEntry(id: 7, kind: kind, affiliateID: A.alice, amount: Money(minor: minor, currency: currency), state: state, reason: reason,
                approvesAt: approvesAt, needsApproval: needsApproval, payoutID: payout)
}

/// The states a commission starts in and the holding and approval rules, with the injected clock.
final class LedgerTableTests: XCTestCase {
    struct CreditRow {
        var name: String
        var settings: LedgerSettings
        var commission: Money
        var now: Instant
        var selfReferral = false
        var state: CommissionState
        var reason: LedgerReason?
        var approvesAt: Instant
    }

    func testCreditTable() {
        let rows: [CreditRow] = [
            .init(name: "30 days: inside the hold", settings: .standard, commission: usd(580), now: t0, state: .pending,
                  approvesAt: t0.adding(days: 30)),
            .init(name: "30 days: one second before its end", settings: .standard, commission: usd(580),
                  now: t0.adding(days: 30).adding(seconds: -1), state: .pending, approvesAt: t0.adding(days: 30)),
            .init(name: "30 days: exactly its end (an old sale ingested late, a backfill)", settings: .standard, commission: usd(580),
                  now: t0.adding(days: 30), state: .approved, approvesAt: t0.adding(days: 30)),
            .init(name: "0 days: approved at once", settings: LedgerSettings(holdingDays: 0), commission: usd(580), now: t0,
                  state: .approved, approvesAt: t0),
            .init(name: "above approval_above, inside the hold: pending", settings: LedgerSettings(holdingDays: 7, approvalAbove: usd(10_000)),
                  commission: usd(10_001), now: t0, state: .pending, approvesAt: t0.adding(days: 7)),
            .init(name: "above approval_above, hold passed: on hold for approval",
                  settings: LedgerSettings(holdingDays: 7, approvalAbove: usd(10_000)), commission: usd(10_001), now: t0.adding(days: 7),
                  state: .onHold, reason: .approvalRequired, approvesAt: t0.adding(days: 7)),
            .init(name: "exactly approval_above is not above it", settings: LedgerSettings(holdingDays: 0, approvalAbove: usd(10_000)),
                  commission: usd(10_000), now: t0, state: .approved, approvesAt: t0),
            .init(name: "approval_above in another currency: cannot compare, an admin approves",
                  settings: LedgerSettings(holdingDays: 0, approvalAbove: usd(10_000)), commission: jpy(5), now: t0,
                  state: .onHold, reason: .approvalRequired, approvesAt: t0),
            .init(name: "self-referral: held for an admin, whatever the dates", settings: LedgerSettings(holdingDays: 0), commission: usd(580),
                  now: t0.adding(days: 400), selfReferral: true, state: .onHold, reason: .selfReferral, approvesAt: t0),
        ]
        for r in rows {
            let c = Ledger.credit(r.commission, earnedAt: t0, settings: r.settings, selfReferral: r.selfReferral, now: r.now)
            XCTAssertEqual(c.state, r.state, r.name)
            XCTAssertEqual(c.reason, r.reason, r.name)
            XCTAssertEqual(c.approvesAt, r.approvesAt, r.name)
        }
    }

    /// The stored `pending` is read by the date: it never shows pending past its approves_at.
    func testPendingIsReadByItsDate() {
        let stored = entry(.pending, approvesAt: t0)
        XCTAssertEqual(stored.current(at: t0.adding(seconds: -1)).state, .pending)
        XCTAssertEqual(stored.current(at: t0).state, .approved)
        XCTAssertEqual(entry(.pending, approvesAt: t0, needsApproval: true).current(at: t0).reason, .approvalRequired)
        for s: CommissionState in [.approved, .paid, .voided, .onHold] {
            XCTAssertEqual(entry(s, approvesAt: t0).current(at: t0.adding(days: 9)).state, s, "\(s) moves only by an action")
        }
    }

    func testSelfReferralTable() {
        let rows: [(String?, String?, Bool, String)] = [
            ("ana@example.com", "ana@example.com", true, "same address"),
            (" Ana@Example.COM ", "ana@example.com", true, "case and spaces"),
            ("ana+shop@example.com", "ana@example.com", true, "a +tag"),
            ("ana@example.com", "ana@example.org", false, "another domain"),
            ("bob@example.com", "ana@example.com", false, "another person"),
            (nil, "ana@example.com", false, "no customer email"),
            ("ana@example.com", nil, false, "no affiliate email"),
            ("", "", false, "two empty emails"),
            ("@example.com", "@example.com", false, "no local part"),
            ("+x@example.com", "+y@example.com", false, "only a tag"),
        ]
        for (c, a, expected, name) in rows {
            XCTAssertEqual(Ledger.isSelfReferral(customerEmail: c, affiliateEmail: a), expected, name)
        }
    }

    func testAdminActionTable() {
        let later = t0.adding(days: 40)
        // (name, entry, action, expected state and reason | refusal)
        let rows: [ActionRow] = [
            ("approve pending early", entry(.pending, approvesAt: later), .approve, .to(.approved, nil)),
            ("approve after approval_required", entry(.pending, needsApproval: true), .approve, .to(.approved, nil)),
            ("approve a self-referral", entry(.onHold, reason: .selfReferral), .approve, .to(.approved, nil)),
            ("approve an approved one", entry(.approved), .approve, .refused(.alreadyApproved)),
            ("approve a pending one past its date: already approved", entry(.pending), .approve, .refused(.alreadyApproved)),
            ("approve paid", entry(.paid, payout: 3), .approve, .refused(.alreadyPaid)),
            ("approve voided", entry(.voided, reason: .refunded), .approve, .refused(.alreadyVoided)),
            ("approve in an open payout", entry(.approved, payout: 3), .approve, .refused(.inPayout)),
            ("approve while disputed", entry(.onHold, reason: .disputeOpen), .approve, .refused(.disputeOpen)),
            ("hold pending", entry(.pending, approvesAt: later), .hold, .to(.onHold, .adminHold)),
            ("hold approved", entry(.approved), .hold, .to(.onHold, .adminHold)),
            ("hold held", entry(.onHold, reason: .adminHold), .hold, .refused(.alreadyOnHold)),
            ("hold paid", entry(.paid, payout: 3), .hold, .refused(.alreadyPaid)),
            ("hold a clawback", entry(.approved, -300, kind: .clawback), .hold, .refused(.clawbackEntry)),
            ("release before the date: pending", entry(.onHold, reason: .adminHold, approvesAt: later), .release, .to(.pending, nil)),
            ("release after the date: approved", entry(.onHold, reason: .adminHold), .release, .to(.approved, nil)),
            ("release waives approval_required", entry(.onHold, reason: .approvalRequired, needsApproval: true), .release,
             .to(.approved, nil)),
            ("release a self-referral", entry(.onHold, reason: .selfReferral), .release, .to(.approved, nil)),
            ("release what is not held", entry(.approved), .release, .refused(.notOnHold)),
            ("release a dispute hold", entry(.onHold, reason: .disputeOpen), .release, .refused(.disputeOpen)),
            ("void pending", entry(.pending, approvesAt: later), .void(.canceledByAdmin), .to(.voided, .canceledByAdmin)),
            ("void held as duplicate", entry(.onHold, reason: .adminHold), .void(.duplicate), .to(.voided, .duplicate)),
            ("void a self-referral", entry(.onHold, reason: .selfReferral), .void(.selfReferral), .to(.voided, .selfReferral)),
            ("void with a reason only a refund gives", entry(.approved), .void(.refunded), .refused(.invalidVoidReason)),
            ("void paid", entry(.paid, payout: 3), .void(.canceledByAdmin), .refused(.alreadyPaid)),
            ("void voided", entry(.voided, reason: .refunded), .void(.canceledByAdmin), .refused(.alreadyVoided)),
            ("void in an open payout", entry(.approved, payout: 3), .void(.canceledByAdmin), .refused(.inPayout)),
            ("void an open clawback", entry(.approved, -300, kind: .clawback), .void(.canceledByAdmin),
             .to(.voided, .canceledByAdmin)),
            ("approve a clawback", entry(.approved, -300, kind: .clawback), .approve, .refused(.clawbackEntry)),
        ]
        for (name, e, action, expected) in rows {
            let got = Ledger.apply(action, to: e, now: t0)
            switch (got, expected) {
            case (.success(let n), .to(let state, let reason)):
                XCTAssertEqual(n.state, state, name); XCTAssertEqual(n.reason, reason, name)
                XCTAssertEqual(n.amount, e.amount, "\(name): an action never changes the amount")
            case (.failure(let f), .refused(let r)): XCTAssertEqual(f.reason, r, name)
            default: XCTFail("\(name): got \(got)")
            }
        }
    }

    enum Want { case to(CommissionState, LedgerReason?), refused(LedgerReason) }
    typealias ActionRow = (String, LedgerEntry, LedgerAction, Want)

    func testVoidReasonParsing() throws {
        XCTAssertEqual(try Ledger.parseVoidReason("Duplicate"), .duplicate)
        XCTAssertEqual(try Ledger.parseVoidReason("canceled_by_admin"), .canceledByAdmin)
        XCTAssertThrowsError(try Ledger.parseVoidReason("refunded"))
        XCTAssertThrowsError(try Ledger.parseVoidReason("fraud"))
    }

    func testSettingsParsers() throws {
        XCTAssertEqual(try SettingRules.parseHoldingDays("0"), 0)
        XCTAssertEqual(try SettingRules.parseHoldingDays(" 30 "), 30)
        XCTAssertThrowsError(try SettingRules.parseHoldingDays("-1")) { XCTAssertEqual(($0 as? SettingError)?.field, "holding-days") }
        XCTAssertThrowsError(try SettingRules.parseHoldingDays("3651"))
        XCTAssertThrowsError(try SettingRules.parseHoldingDays("ten"))
        XCTAssertEqual(try SettingRules.parseApprovalAbove("100.00", currency: .usd), usd(10_000))
        XCTAssertNil(try SettingRules.parseApprovalAbove("none", currency: .usd))
        XCTAssertNil(try SettingRules.parseApprovalAbove("", currency: .usd))
        XCTAssertThrowsError(try SettingRules.parseApprovalAbove("1.001", currency: .usd)) {
            XCTAssertEqual(($0 as? SettingError)?.field, "approval-above")
        }
        XCTAssertThrowsError(try SettingRules.parseApprovalAbove("-5", currency: .usd))
        XCTAssertThrowsError(try SettingRules.parseApprovalAbove("99999999999999999999", currency: .usd))
        XCTAssertEqual(try Payouts.parseMinimum("50.00", currency: .usd), usd(5_000))
        XCTAssertThrowsError(try Payouts.parseMinimum("-1", currency: .usd))
        XCTAssertThrowsError(try LedgerSettings(holdingDays: 4000).validate())
    }

    /// Every ledger reason has its own sentence and a fix hint.
    func testEveryLedgerReasonHasASentenceAndAHint() {
        var sentences = Set<String>()
        for r in LedgerReason.allCases {
            XCTAssertTrue(r.sentence.hasSuffix("."), r.rawValue)
            XCTAssertTrue(r.hint.hasSuffix("."), r.rawValue)
            XCTAssertTrue(sentences.insert(r.sentence).inserted, "\(r.rawValue) repeats a sentence")
            XCTAssertEqual(r.rawValue, r.rawValue.lowercased())
        }
        let refusal = LedgerReason.inPayout.refusal("payout #3")
        XCTAssertEqual(refusal.description, "in_payout: The commission is in an open payout, so it cannot be changed. (payout #3) "
                       + "Fix: Cancel the open payout first (affdesk payouts cancel ID), then change the commission.")
        XCTAssertEqual(Set(LedgerReason.adminVoidReasons.map(\.rawValue)), ["canceled_by_admin", "self_referral", "duplicate"])
    }
}
