/// The commission ledger's states. A credited conversion's commission is one entry; a refund or
/// a lost dispute of a commission already in a payout adds a negative entry (a clawback).
public enum CommissionState: String, CaseIterable, Sendable, Codable {
    /// Inside the holding period (the refund window).
    case pending
    /// Due: payable in the next payout. A clawback waiting to be netted is `approved` too.
    case approved
    /// In a payout marked paid (for a clawback: netted in one).
    case paid
    /// Never paid: refunded, disputed, canceled, a self-referral or a duplicate (the reason says).
    case voided
    /// Stopped by an admin or a rule; it never moves on by itself.
    case onHold = "on_hold"
}

/// A commission, or a clawback: a negative entry netted against the next payout.
public enum EntryKind: String, CaseIterable, Sendable, Codable {
    case commission, clawback
}

/// The ledger's program settings.
public struct LedgerSettings: Hashable, Sendable {
    /// Days a commission stays pending after its sale; 0 approves it at once.
    public var holdingDays: Int
    /// A commission above this amount waits for an admin's approval once its hold has passed;
    /// nil: none does.
    public var approvalAbove: Money?
    public init(holdingDays: Int = 30, approvalAbove: Money? = nil) {
        self.holdingDays = holdingDays; self.approvalAbove = approvalAbove
    }
    public static let standard = LedgerSettings()
}

/// One ledger entry as stored. `state` is the stored state: a `pending` entry whose
/// `approvesAt` has passed is read as approved (or on hold for approval) — see `current(at:)`.
public struct LedgerEntry: Hashable, Sendable {
    public var id: Int64
    public var kind: EntryKind
    public var affiliateID: Int64
    /// Signed: what the entry is worth now (a commission after partial refunds; a clawback is negative).
    public var amount: Money
    public var state: CommissionState
    public var reason: LedgerReason?
    /// When the holding period ends.
    public var approvesAt: Instant
    /// Above `approval_above`: waits for an admin once the hold has passed.
    public var needsApproval: Bool
    /// The payout it is in (open or paid); nil when in none.
    public var payoutID: Int64?
    /// Where an open dispute found it, to return there if the dispute is won.
    public var beforeDispute: CommissionState?
    public var reasonBeforeDispute: LedgerReason?

    public init(id: Int64, kind: EntryKind = .commission, affiliateID: Int64, amount: Money, state: CommissionState,
                reason: LedgerReason? = nil, approvesAt: Instant, needsApproval: Bool = false, payoutID: Int64? = nil,
                beforeDispute: CommissionState? = nil, reasonBeforeDispute: LedgerReason? = nil) {
        self.id = id; self.kind = kind; self.affiliateID = affiliateID; self.amount = amount; self.state = state
        self.reason = reason; self.approvesAt = approvesAt; self.needsApproval = needsApproval; self.payoutID = payoutID
        self.beforeDispute = beforeDispute; self.reasonBeforeDispute = reasonBeforeDispute
    }

    /// The entry as it stands at `now`: its hold passed, a pending entry is approved, or on hold
    /// `approval_required` when it needs an admin. The store writes this back for the entries a
    /// write changes and for every entry before a payout run, and its queries read the same rule,
    /// so `pending` never shows past its date.
    public func current(at now: Instant) -> LedgerEntry {
        guard state == .pending, now >= approvesAt else { return self }
        var e = self
        if needsApproval { e.state = .onHold; e.reason = .approvalRequired } else { e.state = .approved; e.reason = nil }
        return e
    }

    /// A dispute is open on it.
    public var isDisputed: Bool { state == .onHold && reason == .disputeOpen }
}

/// What a newly credited commission starts as.
public struct NewCommission: Hashable, Sendable {
    public var state: CommissionState
    public var reason: LedgerReason?
    public var approvesAt: Instant
    public var needsApproval: Bool
}

/// The rules of the ledger: a commission's first state, and the admin's actions on it.
public enum Ledger {
    /// The commission of a conversion credited at `earnedAt`, as it stands at `now` (a backfill or
    /// an old event may be past its hold already). A self-referral is held for an admin.
    public static func credit(_ commission: Money, earnedAt: Instant, settings: LedgerSettings, selfReferral: Bool,
                              now: Instant) -> NewCommission {
        let approvesAt = earnedAt.adding(days: max(0, settings.holdingDays))
        let needsApproval = settings.approvalAbove.map { $0.currency != commission.currency || commission.minor > $0.minor } ?? false
        if selfReferral { return NewCommission(state: .onHold, reason: .selfReferral, approvesAt: approvesAt, needsApproval: needsApproval) }
        let entry = LedgerEntry(id: 0, affiliateID: 0, amount: commission, state: .pending, approvesAt: approvesAt,
                                needsApproval: needsApproval).current(at: now)
        return NewCommission(state: entry.state, reason: entry.reason, approvesAt: approvesAt, needsApproval: needsApproval)
    }

    /// A self-referral: the customer's email is the affiliate's own. Compared trimmed, without
    /// case, and without a `+tag` in the local part (`Ana+shop@x.com` is `ana@x.com`). Nil or empty
    /// emails are never a match.
    public static func isSelfReferral(customerEmail: String?, affiliateEmail: String?) -> Bool {
        guard let c = canonicalEmail(customerEmail), let a = canonicalEmail(affiliateEmail) else { return false }
        return c == a
    }

    static func canonicalEmail(_ email: String?) -> String? {
        guard let t = email?.trimmingSpaces.lowercased(), let at = t.lastIndex(of: "@"), at != t.startIndex else { return nil }
        let local = t[..<at], domain = t[t.index(after: at)...]
        guard !domain.isEmpty else { return nil }
        let base = local.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).first ?? local
        return base.isEmpty ? nil : "\(base)@\(domain)"
    }
}

/// An admin's action on a commission.
public enum LedgerAction: Hashable, Sendable {
    case approve, hold, release
    case void(LedgerReason)

    public var name: String {
        switch self {
        case .approve: return "approve"
        case .hold: return "hold"
        case .release: return "release"
        case .void: return "void"
        }
    }
}

extension Ledger {
    /// The entry after an admin's action at `now`, or the refusal. Paid and voided entries never
    /// change; an entry in an open payout waits for the payout to be canceled; a disputed one for
    /// the dispute to close. Approve: pending or on hold -> approved (early, before the hold's end,
    /// too). Hold: pending or approved -> on hold `admin_hold`. Release: on hold -> the dates decide
    /// again (pending, or approved once the hold has passed), the approval threshold waived. Void:
    /// pending, approved or on hold -> voided with the admin's reason.
    public static func apply(_ action: LedgerAction, to stored: LedgerEntry, now: Instant) -> Result<LedgerEntry, LedgerRefusal> {
        let e = stored.current(at: now)
        if e.state == .paid { return .failure(LedgerReason.alreadyPaid.refusal()) }
        if e.state == .voided { return .failure(LedgerReason.alreadyVoided.refusal()) }
        if e.payoutID != nil { return .failure(LedgerReason.inPayout.refusal("payout #\(e.payoutID!)")) }
        if e.isDisputed { return .failure(LedgerReason.disputeOpen.refusal()) }
        if e.kind == .clawback {
            guard case .void(let r) = action else { return .failure(LedgerReason.clawbackEntry.refusal()) }
            return voided(e, r)
        }
        var next = e
        switch action {
        case .approve:
            if e.state == .approved { return .failure(LedgerReason.alreadyApproved.refusal()) }
            next.state = .approved; next.reason = nil; next.needsApproval = false
        case .hold:
            if e.state == .onHold { return .failure(LedgerReason.alreadyOnHold.refusal(e.reason.map { "held: \($0.rawValue)" })) }
            next.state = .onHold; next.reason = .adminHold
        case .release:
            if e.state != .onHold { return .failure(LedgerReason.notOnHold.refusal("it is \(e.state.rawValue)")) }
            next.state = .pending; next.reason = nil; next.needsApproval = false
            next = next.current(at: now)
        case .void(let r):
            return voided(e, r)
        }
        return .success(next)
    }

    static func voided(_ e: LedgerEntry, _ r: LedgerReason) -> Result<LedgerEntry, LedgerRefusal> {
        guard LedgerReason.adminVoidReasons.contains(r) else { return .failure(LedgerReason.invalidVoidReason.refusal(r.rawValue)) }
        var next = e
        next.state = .voided; next.reason = r; next.needsApproval = false
        return .success(next)
    }

    /// `--reason` text: one of the admin void reasons.
    public static func parseVoidReason(_ text: String) throws(LedgerRefusal) -> LedgerReason {
        guard let r = LedgerReason(rawValue: text.trimmingSpaces.lowercased()), LedgerReason.adminVoidReasons.contains(r) else {
            throw LedgerReason.invalidVoidReason.refusal("\"\(text)\"")
        }
        return r
    }
}
