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
    public let reads: ReadMode
    /// The UI loop's time (debounce, how long a load has run). By default it stands still, so a
    /// scripted session is the same every run; the terminal dashboard gives the monotonic clock.
    public let loopClock: any LoopClock
    private let writeQueue = DispatchQueue(label: "affdesk.dashboard.writes")
    private let finished = Inbox()
    private let reader: Reader

    /// `filterDelayMs`: how long a typed filter waits for the next keystroke before it queries
    /// (0: every keystroke queries at once, as snapshots and scripts want).
    public init(store: Store, mode: Mode = .admin, who: String, clock: any Clock, width: Int = 80, height: Int = 24,
                writes: WriteMode = .inline, reads: ReadMode = .inline, filterDelayMs: Int = 0,
                loopClock: any LoopClock = ManualLoopClock()) throws {
        driver = Driver(store: store, who: who, clock: clock, viewer: mode)
        reader = Reader(driver: driver, inbox: finished)
        self.writes = writes
        self.reads = reads
        self.loopClock = loopClock
        state = State(mode: mode, settings: try store.settings(), now: clock.now())
        state.width = width
        state.height = height
        state.filterDelayMs = max(0, filterDelayMs)
        state.uptimeMs = loopClock.milliseconds
        run(LoadTickets.stamp(&state, State.start(state)))
    }

    /// Called before each read runs, on whatever thread runs it (tests hold a read here to
    /// show that keys work meanwhile, or count the queries).
    public var beforeRead: (@Sendable (Effect) -> Void)? {
        get { reader.beforeRead }
        set { reader.beforeRead = newValue }
    }

    /// Reads queued or running on the background reader.
    public var reading: Bool { reader.busy }

    /// How long the UI loop may wait for input before it should call `wake`: soon while a
    /// read runs (its answer, the loading mark), at a typed filter's due time, else `idleMs`.
    public func waitMs(idleMs: Int) -> Int {
        var ms = idleMs
        if reader.busy { ms = min(ms, 25) }
        if let due = Debounce.nextWake(state) { ms = min(ms, Int(clamping: max(1, due - loopClock.milliseconds))) }
        return max(1, ms)
    }

    /// Time passed on the UI loop: hands over finished work and lets `update` run what is due
    /// (a typed filter after its pause, the loading mark).
    public func wake() { send(.elapsed) }

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

    /// Waits until no background change or read is running and their answers are handed to
    /// `update` (tests; a write waits at most `Store.busyTimeoutSeconds`).
    public func settle() {
        repeat {
            reader.wait()
            writeQueue.sync {}
        } while pump() || reader.busy
    }

    public var frame: Frame { view(state) }

    private func deliver(_ msg: Msg) {
        state.now = driver.clock.now()
        state.uptimeMs = loopClock.milliseconds
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
            if isRead(e), driver.allows(e) {
                if reads == .background { reader.submit(e); continue }
                reader.beforeRead?(e)
            }
            for m in driver.run(e) { queue += update(&state, m) }
        }
    }
}

extension Session {
    /// Whether an effect only reads (what the background reader may run).
    func isRead(_ e: Effect) -> Bool {
        switch e {
        case .perform, .quit: return false
        default: return true
        }
    }
}

/// Messages posted from the write and read queues, taken by the UI loop.
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
