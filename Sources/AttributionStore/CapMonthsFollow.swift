import AttributionCore
import Foundation

/// The months cutoff of `cap_candidate` (schema v24) follows the clock in a process that stays
/// open: the dashboard left open for days, `serve`. A store moves it on a writable open and on a
/// settings save; after that, the active customers whose first commission passes the months
/// threshold pile up after the cutoff (about 1,100 a day at a million customers), and a Caps page
/// reads and sorts every one of them, past a few days the customer table's slow way. So before a
/// Caps read with a months cap, at most once a minute, a writable store follows its caps again: a
/// read, and a write only when the cutoff is more than `Store.monthsCutoffSlack` behind (an hour's
/// customers). A failure (the database busy or gone read-only) is left to the next time: the page
/// merges the customers after the cutoff as before.
final class MonthsCutoffFollow: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64?

    /// Whether a follow is due at `now` (seconds), and if so takes it.
    func take(at now: Int64) -> Bool {
        lock.lock(); defer { lock.unlock() }
        if let l = last, now >= l, now - l < MonthsCutoffFollow.interval { return false }
        last = now
        return true
    }

    /// Seconds between two follows.
    static let interval: Int64 = 60
}

extension Store {
    /// `MonthsCutoffFollow` for the Caps query `q`.
    func followMonthsCutoff(for q: CustomerQuery) {
        guard !readOnly, q.nearCaps?.firstCommissionBefore != nil, monthsCutoffFollow.take(at: clock.now().seconds) else { return }
        try? followStoredCaps()
    }
}
