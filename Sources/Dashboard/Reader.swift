import AttributionCore
import AttributionStore
import Dispatch
import Foundation

/// Where a session runs its reads (lists, panes, pickers, the look for others' changes).
public enum ReadMode: Sendable {
    /// In `send`, before it returns: snapshots, scripts, benchmarks and most tests.
    case inline
    /// On one background reader, one read at a time; the answer comes back as a message that
    /// `pump` (and every `send`) hands to `update`. The UI loop never waits for the database:
    /// keys keep working while a slow query runs.
    case background
}

/// The background reader: a serial queue running read effects through the driver and posting
/// their answers to the session's inbox. Newest wins: a read that a newer one of the same kind
/// (the same list, the detail pane, the picker…) superseded is skipped if it has not started,
/// and its answer (or failure) is dropped if it has.
final class Reader: @unchecked Sendable {
    private let queue = DispatchQueue(label: "affdesk.dashboard.reads")
    private let driver: Driver
    private let inbox: Inbox
    private let lock = NSLock()
    private var newest: [ReadKind: Int] = [:]
    private var sequence = 0
    private var running = 0
    private var hook: (@Sendable (Effect) -> Void)?
    /// Called on the reader before each read runs (tests hold a read here, or count them).
    var beforeRead: (@Sendable (Effect) -> Void)? {
        get { lock.lock(); defer { lock.unlock() }; return hook }
        set { lock.lock(); hook = newValue; lock.unlock() }
    }

    init(driver: Driver, inbox: Inbox) { self.driver = driver; self.inbox = inbox }

    /// Queues a read; its answer comes back through the inbox.
    func submit(_ effect: Effect) {
        let kind = ReadKind(effect)
        lock.lock()
        sequence += 1
        let seq = sequence
        newest[kind] = seq
        running += 1
        lock.unlock()
        queue.async { [self] in
            defer { lock.lock(); running -= 1; lock.unlock() }
            guard isNewest(kind, seq) else { return }
            beforeRead?(effect)
            let answers = driver.run(effect)
            guard isNewest(kind, seq) else { return }
            for m in answers { inbox.post(m) }
        }
    }

    /// Reads queued or running.
    var busy: Bool { lock.lock(); defer { lock.unlock() }; return running > 0 }

    /// Waits until every read queued so far has run.
    func wait() { queue.sync {} }

    private func isNewest(_ kind: ReadKind, _ seq: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return newest[kind] == seq
    }
}

/// What a read supersedes: the older read of the same list or pane.
enum ReadKind: Hashable {
    case list(Tab)
    case detail, picker, reasons, settings, adapters, changes, prepare, preview, other
    /// The ledger's and the payouts' totals.
    case ledgerTotals, payoutTotals

    init(_ e: Effect) {
        switch e {
        case .load(let q, _, _): self = .list(q.tab)
        case .loadCustomer, .loadEvent, .loadMyCustomer, .loadMyPayout: self = .detail
        case .loadPicker: self = .picker
        case .loadReasons: self = .reasons
        case .loadLedgerTotals: self = .ledgerTotals
        case .loadPayoutTotals: self = .payoutTotals
        case .loadPayoutLines: self = .detail
        case .loadSettings: self = .settings
        case .loadAdapters: self = .adapters
        case .checkForChanges: self = .changes
        case .prepareReplay, .prepareManual, .prepareBulkReplay: self = .prepare
        case .preview: self = .preview
        case .perform, .quit: self = .other
        }
    }
}
