import AttributionCore

/// The core's rule "a stored pending entry past its `approves_at` stands approved, or on hold
/// `approval_required` when it needs an admin's approval" (`LedgerEntry.current(at:)`), said once
/// in SQL for every query of the ledger that applies it: the settling of due entries, the
/// command line's list, the Commissions tab's pages and totals, the affiliate view's split.
/// The comparison at the boundary and the states are read from the core's rule itself, so the
/// SQL cannot say something else than the core.
enum CommissionStanding {
    static func sample(needsApproval: Bool, approvesAt: Int64 = 0) -> LedgerEntry {
        LedgerEntry(id: 0, affiliateID: 0, amount: Money(minor: 0, currency: Currency(validated: "USD")), state: .pending,
                    approvesAt: Instant(seconds: approvesAt), needsApproval: needsApproval)
    }

    /// Whether an entry is due at the very second of its `approves_at` (`now >= approves_at`).
    static let dueAtItsDate = sample(needsApproval: false).current(at: Instant(seconds: 0)).state != .pending

    /// What a stored pending entry past its date stands as.
    static func standing(needsApproval: Bool) -> CommissionState {
        sample(needsApproval: needsApproval).current(at: Instant(seconds: 1)).state
    }

    /// Stored pending and still inside its hold at `now` (a placeholder: `?`, `?2`). `column`
    /// is how the query names `approves_at` (`+c.approves_at` keeps SQLite off its index).
    static func inHold(_ alias: String = "", now: String = "?", column: String? = nil) -> String {
        "\(alias)state = 'pending' AND \(column ?? alias + "approves_at") \(dueAtItsDate ? ">" : ">=") \(now)"
    }

    /// Stored pending and past its date at `now`: it stands approved or on hold (`standing`).
    static func due(_ alias: String = "", now: String = "?", column: String? = nil) -> String {
        "\(alias)state = 'pending' AND \(column ?? alias + "approves_at") \(dueAtItsDate ? "<=" : "<") \(now)"
    }

    /// The same test in Swift, for a stored pending entry's `approves_at` read by a query.
    static func isInHold(approvesAt: Int64, now: Instant) -> Bool {
        sample(needsApproval: false, approvesAt: approvesAt).current(at: now).state == .pending
    }
}
