import AttributionCore
import Foundation

/// Where time comes from. Injected everywhere a moment is stamped.
public protocol Clock: Sendable {
    func now() -> Instant
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }
}

public struct FixedClock: Clock {
    public var instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}
