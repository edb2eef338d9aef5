import AsyncHTTPClient
import Foundation
import NIOCore

/// N concurrent clients posting an `EventMix` to a running server for a fixed time (or until
/// the server goes away): each client sends its customers' requests in order. Counts answers
/// by status, keeps every latency, and lists the requests answered 2xx.
public enum LoadRunner {
    public struct Sent: Sendable {
        public var customer: Int
        public var index: Int
        public var status: Int?
        public var seconds: Double
    }

    public struct Report: Sendable {
        public var sent: [Sent] = []
        public var seconds: Double = 0
        public var acknowledged: [Sent] { sent.filter { ($0.status ?? 0) / 100 == 2 } }
        public var byStatus: [Int: Int] {
            var out: [Int: Int] = [:]
            for s in sent { out[s.status ?? 0, default: 0] += 1 }
            return out
        }
        /// The latency at quantile `q` (0...1) of the answered requests, in milliseconds.
        public func percentile(_ q: Double) -> Double {
            let l = sent.filter { $0.status != nil }.map(\.seconds).sorted()
            guard !l.isEmpty else { return 0 }
            return l[min(l.count - 1, Int(Double(l.count) * q))] * 1000
        }
        public var requestsPerSecond: Double { seconds > 0 ? Double(sent.filter { $0.status != nil }.count) / seconds : 0 }
    }

    /// Clients `0..<clients`; client c takes customers first + c, first + c + clients, ...
    /// (or, with `customers`, that list's entries c, c + clients, ...) until `duration` has
    /// passed, the list is done, or a request fails to reach the server (`stopOnTransportError`).
    /// `path`, when given, replaces every request's path (the bench's client ceiling: a path the
    /// server answers 404 at once).
    public static func run(port: Int, mix: EventMix, clients: Int, duration: Double, firstCustomer: Int = 0,
                           customers: [Int]? = nil, stopOnTransportError: Bool = true, path: String? = nil) async -> Report {
        var config = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(30)))
        config.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, clients))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        let started = Date()
        let deadline = started.addingTimeInterval(duration)
        let sent = await withTaskGroup(of: [Sent].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var out: [Sent] = []
                    var k = 0
                    while Date() < deadline {
                        let slot = c + k * clients
                        let n: Int
                        if let customers { guard slot < customers.count else { break }; n = customers[slot] } else { n = firstCustomer + slot }
                        for (i, var r) in mix.customer(n).enumerated() {
                            if let path { r.path = path }
                            let s = await send(client, port: port, r)
                            out.append(Sent(customer: n, index: i, status: s.status, seconds: s.seconds))
                            if s.status == nil && stopOnTransportError { return out }
                        }
                        k += 1
                    }
                    return out
                }
            }
            var all: [Sent] = []
            for await part in group { all += part }
            return all
        }
        try? await client.shutdown()
        return Report(sent: sent, seconds: Date().timeIntervalSince(started))
    }

    /// One request to a server on loopback (for tests and drills): its status and body, or nil
    /// when it got no answer.
    public static func post(port: Int, _ r: EventMix.Request) async -> (status: Int, body: String)? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(r.path)")
        request.method = .POST
        for (k, v) in r.headers { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(string: r.body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            return nil
        }
    }

    /// The server's `GET /metrics` text, or nil when it did not answer.
    public static func metrics(port: Int) async -> String? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            return String(buffer: try await response.body.collect(upTo: 1 << 22))
        } catch {
            return nil
        }
    }

    /// From a `/metrics` text: how many group commits there were and their events in all.
    public static func groupCommits(_ metrics: String) -> (commits: Int, events: Int)? {
        func value(_ name: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        guard let n = value("affdesk_commit_group_size_events_count"), let sum = value("affdesk_commit_group_size_events_sum") else { return nil }
        return (Int(n), Int(sum))
    }

    /// From a `/metrics` text: nanoseconds in each phase of the group commits, in the order the
    /// server names them (`WriterPhase`); empty when it names none.
    public static func writerPhases(_ metrics: String) -> [(phase: String, nanoseconds: Double)] {
        let prefix = "affdesk_writer_phase_nanoseconds_total{phase=\""
        var found: [String: Double] = [:]
        for line in metrics.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let q = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " "), let v = Double(rest[rest.index(after: space)...])
            else { continue }
            found[String(rest[..<q])] = v
        }
        return WriterPhase.allCases.compactMap { p in found[p.rawValue].map { (p.rawValue, $0) } }
    }

    static func send(_ client: HTTPClient, port: Int, _ r: EventMix.Request) async -> (status: Int?, seconds: Double) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(r.path)")
        request.method = .POST
        for (k, v) in r.headers { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(string: r.body))
        let t = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            let d = ContinuousClock.now - t
            return (Int(response.status.code), Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        } catch {
            return (nil, 0)
        }
    }
}
