import AttributionCore
import Feeds
import Foundation

/// How `affdesk serve` runs: where it listens, its limits, its extra secrets and its clock.
public struct ServeConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The largest body accepted (larger: 413): the feeds' own record limit, 1 MiB.
    public var maxBodyBytes = FeedLimits.recordBytes
    /// How far a Stripe signature's timestamp may be from now, in seconds.
    public var stripeTolerance = StripeSignature.defaultTolerance
    public var commit = GroupCommitter.Limits()
    /// A request's body must have arrived this many seconds after its head (else 408).
    public var bodyTimeout: TimeInterval = 10
    /// A connection idle this long (no request, or a body that stopped coming) is closed.
    public var idleTimeout: TimeInterval = 30
    /// Connections beyond this wait to be accepted.
    public var maxConnections = 1024
    /// A key revoked or a secret removed by another process (`affdesk api-keys revoke`) is
    /// refused within this many seconds (the server keeps the credentials in memory; a change
    /// made through this process's store applies at once).
    public var credentialsMaxAge: TimeInterval = 1
    /// Webhook secrets from the environment or files, added to the database's.
    public var extraSecrets: [ServeCredentials.Source: [String]] = [:]
    /// Unix time now, for signature timestamps.
    public var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    /// How an acknowledged event is made to survive a power loss, not only a crash of the process.
    public var diskSync = DiskSync.flush
    /// Whether an acknowledged event survives a power loss (`diskSync` is not `.off`).
    public var syncEveryCommit: Bool {
        get { diskSync != .off }
        set { diskSync = newValue ? .flush : .off }
    }

    public init() {}

    /// "127.0.0.1:8080", "[::1]:8080", ":8080" (all interfaces: 0.0.0.0) or "8080" (loopback).
    public static func parseListen(_ s: String) throws -> (host: String, port: Int) {
        var host = "127.0.0.1", portText = s
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]"), s[s.index(after: close)...].hasPrefix(":") else {
                throw ServeSetupError("--listen: \"\(s)\" is not like [::1]:8080")
            }
            host = String(s[s.index(after: s.startIndex)..<close])
            portText = String(s[s.index(close, offsetBy: 2)...])
        } else if let colon = s.lastIndex(of: ":") {
            host = colon == s.startIndex ? "0.0.0.0" : String(s[..<colon])
            portText = String(s[s.index(after: colon)...])
        }
        guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ (48...57).contains($0) }), let port = Int(portText), port <= 65535 else {
            throw ServeSetupError("--listen: the port of \"\(s)\" must be a number from 0 to 65535")
        }
        guard !host.isEmpty, host.utf8.count <= 253,
              host.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 46 || $0 == 45 || $0 == 58 })
        else { throw ServeSetupError("--listen: \"\(s)\" does not name a host like 127.0.0.1") }
        return (host, port)
    }
}

/// How `affdesk serve` waits for the disk before it answers.
public enum DiskSync: String, Sendable, CaseIterable {
    /// Commit, then flush the WAL file on a thread of its own while the writer goes on with the
    /// next group; answer after the flush (`DiskFlush`).
    case flush
    /// SQLite's `synchronous = FULL`: the flush inside every commit (the next group waits for it).
    case full
    /// No flush: an acknowledged event survives a crash of the process, not a power loss.
    case off
}
