import Dispatch
import Foundation

/// The UI loop's own time in milliseconds since any fixed origin: what a typed filter waits
/// on and how long a load has run (`State.uptimeMs`). Injected, so tests move it by hand.
public protocol LoopClock: Sendable {
    var milliseconds: Int64 { get }
}

/// The machine's monotonic clock (not the wall clock: a clock change never fires a filter).
public struct MonotonicLoopClock: LoopClock {
    public init() {}
    public var milliseconds: Int64 { Int64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
}

/// A loop clock moved by hand (tests, scripted sessions).
public final class ManualLoopClock: LoopClock, @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64
    public init(_ ms: Int64 = 0) { self.ms = ms }
    public var milliseconds: Int64 { lock.lock(); defer { lock.unlock() }; return ms }
    public func advance(ms by: Int64) { lock.lock(); ms += by; lock.unlock() }
}
