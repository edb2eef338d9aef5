import AttributionCore
import AttributionStore
import Dispatch
import Foundation
import TerminalText

/// Where a session runs admin changes.
public enum WriteMode: Sendable {
    /// In `send`, before it returns: for snapshots, scripts and tests that read the outcome at once.
    case inline
    /// On a background queue, one change at a time; the outcome comes back as a message that
    /// `pump` (and every `send`) hands to `update`. The terminal dashboard: a write waiting up to
    /// `Store.busyTimeoutSeconds` for another process's lock never stops the screen or the keys.
    case background
}

/// A running dashboard: the state, the driver, and the loop that feeds messages through
/// `update` and effects through the driver until nothing is left to do. The terminal front
/// end and the tests both drive it.
public final class Session {
    public private(set) var state: State
    public let driver: Driver
    public let writes: WriteMode
    private let writeQueue = DispatchQueue(label: "affdesk.dashboard.writes")
    private let finished = Inbox()

    public init(store: Store, mode: Mode = .admin, who: String, clock: any Clock, width: Int = 80, height: Int = 24,
                writes: WriteMode = .inline) throws {
        driver = Driver(store: store, who: who, clock: clock, viewer: mode)
        self.writes = writes
        state = State(mode: mode, settings: try store.settings(), now: clock.now())
        state.width = width
        state.height = height
        run(State.start(state))
    }

    /// Handles one message and everything it leads to (after the outcomes of changes that
    /// finished meanwhile).
    public func send(_ msg: Msg) {
        pump()
        deliver(msg)
    }

    public func send(_ keys: Key...) { for k in keys { send(.key(k)) } }

    /// Types text as key presses.
    public func type(_ text: String) { for c in text { send(.key(.char(c))) } }

    /// Hands the outcomes of background changes that have finished to `update`. Returns
    /// whether there were any (the screen then needs drawing).
    @discardableResult
    public func pump() -> Bool {
        let done = finished.take()
        for m in done { deliver(m) }
        return !done.isEmpty
    }

    /// Waits until no background change is running (tests; a write waits at most
    /// `Store.busyTimeoutSeconds`), then pumps.
    public func settle() {
        writeQueue.sync {}
        pump()
    }

    public var frame: Frame { view(state) }

    private func deliver(_ msg: Msg) {
        state.now = driver.clock.now()
        run(update(&state, msg))
    }

    private func run(_ effects: [Effect]) {
        var queue = effects
        while !queue.isEmpty {
            let e = queue.removeFirst()
            if case .perform(let action) = e, driver.allows(e) {
                // The change named as the screen names it ("usr_1 → Paying"), for a failure's sentence.
                let writer = driver.writer, summary = action.summary(state.settings), inbox = finished
                switch writes {
                case .inline: queue += update(&state, .writeFinished(writer.run(action, summary: summary)))
                case .background: writeQueue.async { inbox.post(.writeFinished(writer.run(action, summary: summary))) }
                }
                continue
            }
            for m in driver.run(e) { queue += update(&state, m) }
        }
    }
}

/// Messages posted from the write queue, taken by the UI loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Msg] = []

    func post(_ m: Msg) { lock.lock(); messages.append(m); lock.unlock() }

    func take() -> [Msg] {
        lock.lock(); defer { lock.unlock() }
        let out = messages
        messages = []
        return out
    }
}
