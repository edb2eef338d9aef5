import ArgumentParser
import AttributionCore
import AttributionStore
import Feeds
import Foundation
import Server

/// `affdesk bench serve`: a real `affdesk serve` process (this binary) on loopback, N
/// concurrent clients posting a mix of signed events (tracking clicks and sign-ups, Stripe
/// `invoice.paid`, WooCommerce orders, tracking sales) for a fixed time; requests/s and p50/p99
/// latency, beside the bulk ingest of the same events into a copy of the program, in this run.
struct ServeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Requests/s and p50/p99 of `affdesk serve` under N clients, beside the bulk ingest of the same events.")
    @Option(help: "Concurrent clients.") var clients: Int = 50
    @Option(help: "Seconds of load.") var seconds: Double = 10
    @Option(help: "Affiliates in the program (the events are spread over all of them; the 1M program has 10,000).")
    var affiliates: Int = 5
    @Flag(name: .customLong("no-sync"), help: "Run the server with --no-sync (no fsync per commit).") var noSync = false
    @Option(name: .customLong("server-option"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("An option for the server, e.g. --server-option=--sync=full (repeatable).", valueName: "OPTION"))
    var serverOptions: [String] = []
    @Flag(name: .customLong("async-http-client"),
          help: "Clients on AsyncHTTPClient (sessions 4-5's bench) instead of one thread and one raw keep-alive connection each.")
    var asyncHTTPClient = false
    @Flag(name: .customLong("poll-clients"),
          help: ArgumentHelp("All the lean clients on one poll thread instead of one thread each: about half the clients' CPU per request, but on a machine busy with other work one thread gets a smaller share of the cores than fifty."))
    var pollClients = false
    @Flag(name: .customLong("client-ceiling"),
          help: "Also measure the clients alone: the same load against a path the server answers 404 at once.") var clientCeiling = false

    func run() throws {
        guard (1...1000).contains(clients), seconds > 0, seconds <= 3600, (1...100_000).contains(affiliates) else {
            throw Failure("--clients 1...1000, --seconds up to 3600, --affiliates 1...100000")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-bench-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let served = dir + "/served.sqlite", bulk = dir + "/bulk.sqlite"
        let mix = try CrashDrill.prepare(path: served, affiliates: affiliates)
        _ = try CrashDrill.prepare(path: bulk, affiliates: affiliates)
        let options = (noSync ? ["--no-sync"] : []) + serverOptions
        let server = try ServerProcess(binary: selfBinary(), database: served, arguments: options)
        print("server    pid \(server.process.processIdentifier) on 127.0.0.1:\(server.port) (\(options.isEmpty ? "--sync=flush" : options.joined(separator: " "))); \(clients) clients for \(seconds) s, \(affiliates) affiliates")
        let pid = server.process.processIdentifier
        // The clients' CPU is this process's (their threads may have ended: not by thread).
        let before = (server: ThreadCPU.of(pid: pid), clients: CPUTime.now().process, machine: ThreadCPU.machine())
        let report = load(port: server.port, mix: mix, duration: seconds)
        let after = (server: ThreadCPU.of(pid: pid), clients: CPUTime.now().process, machine: ThreadCPU.machine())
        let ceiling = clientCeiling ? load(port: server.port, mix: mix, duration: min(seconds, 5), firstCustomer: 10_000_000, path: "/bench/none") : nil
        let port = server.port
        let metricsText = BlockingValue { await LoadRunner.metrics(port: port) }.wait()
        let groups = metricsText.flatMap(LoadRunner.groupCommits)
        let status = server.stop()
        let answered = report.sent.filter { $0.status != nil }.count
        print(String(format: "serve     %d requests in %.2f s: %8.0f requests/s   p50 %.2f ms   p99 %.2f ms   p99.9 %.2f ms",
                     answered, report.seconds, report.requestsPerSecond, report.percentile(0.5), report.percentile(0.99), report.percentile(0.999)))
        print("statuses  " + report.byStatus.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "no answer" : String($0.key))=\($0.value)" }.joined(separator: " ")
              + "; server exit \(status) after SIGTERM")
        if let groups, groups.commits > 0 {
            print(String(format: "groups    %d group commits, %.1f events per group on average (the server's /metrics)",
                         groups.commits, Double(groups.events) / Double(groups.commits)))
        }
        if let groups, groups.commits > 0, let text = metricsText { printPhases(LoadRunner.writerPhases(text), groups: groups) }
        let perRequest = printBudget(server: after.server.seconds(since: before.server, group: ThreadCPU.serverGroup),
                    clients: after.clients - before.clients,
                    machine: (after.machine.busy - before.machine.busy, after.machine.total - before.machine.total), requests: answered)
        if let ceiling {
            print(String(format: "clients   alone (POST /bench/none, 404 from the router): %8.0f requests/s   p50 %.2f ms   p99 %.2f ms",
                         ceiling.requestsPerSecond, ceiling.percentile(0.5), ceiling.percentile(0.99)))
        }
        print("clients   " + (asyncHTTPClient ? "AsyncHTTPClient"
            : pollClients ? "one keep-alive connection each, all on one poll thread (LoadRunner.runEvented)"
            : "one thread and one keep-alive connection each (LoadRunner.runLean)"))
        print("cores     \(ProcessInfo.processInfo.activeProcessorCount), shared by the clients and the server (and whatever else runs)")
        // The same events, in the order sent per customer, through the bulk ingest.
        let events = report.sent.sorted { ($0.customer, $0.index) < ($1.customer, $1.index) }
            .compactMap { EventMix.inbound(mix.customer($0.customer, signedAt: mix.time)[$0.index]) }
        let store = try Store(path: bulk)
        let start = DispatchTime.now().uptimeNanoseconds, cpu = CPUTime.now().process
        let summary = try store.ingest(events, batchSize: 4096)
        let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let bulkCPU = (CPUTime.now().process - cpu) / Double(max(events.count, 1))
        let bulkRate = Double(events.count) / max(secs, 1e-9)
        print(String(format: "bulk      the same %d events by Store.ingest (4096/tx, synchronous=NORMAL): %8.0f events/s (%.2f s)",
                     events.count, bulkRate, secs))
        print(String(format: "ratio     serve / bulk: %.2f   (goal >= 0.5; p99 goal < 50 ms at 50 clients)", report.requestsPerSecond / bulkRate))
        if let perRequest, perRequest > 0 {
            // Less moved by other work on the machine than the rates: what each side costs the cores.
            print(String(format: "cpu       bulk %.3f ms of CPU per event; serve %.3f per request (server and clients): %.1f times the bulk's",
                         bulkCPU * 1000, perRequest * 1000, perRequest / max(bulkCPU, 1e-12)))
        }
        print("outcomes  bulk: \(summary.accepted) accepted, \(summary.rejected) rejected")
    }
}

extension ServeBench {
    /// The writer's and the flush thread's time by phase (the server's /metrics): per group, per
    /// event, and as a share of the writer's busy time.
    func printPhases(_ phases: [(phase: String, nanoseconds: Double)], groups: (commits: Int, events: Int)) {
        guard !phases.isEmpty else { return }
        let flushThread: Set<String> = ["fsync", "answer", "checkpoint", "writer_cpu"], waiting: Set<String> = ["idle", "window"]
        let busy = phases.filter { !flushThread.contains($0.phase) && !waiting.contains($0.phase) }.reduce(0) { $0 + $1.nanoseconds }
        print("phases    writer thread, then flush and checkpoint threads: ms per group / ms per event / share of the writer's busy time")
        for (name, ns) in phases {
            let share = name == "writer_cpu" ? String(format: "(%.0f%% of the writer's busy time)", 100 * ns / max(busy, 1))
                : flushThread.contains(name) || waiting.contains(name) ? "" : String(format: "%5.1f%%", 100 * ns / max(busy, 1))
            print(String(format: "  %-9@ %8.3f  %8.4f  %@", name, ns / 1e6 / Double(groups.commits), ns / 1e6 / Double(max(groups.events, 1)), share))
        }
        print(String(format: "  %-9@ %8.3f  %8.4f  (writer busy: %.2f s)", "busy", busy / 1e6 / Double(groups.commits),
                     busy / 1e6 / Double(max(groups.events, 1)), busy / 1e9))
    }

    /// The CPU budget per request of the load: the server's threads by what they do, the clients
    /// (this process), and the machine's busy share (the rest is everything else running).
    /// Returns the CPU seconds per request of the server and the clients together.
    @discardableResult
    func printBudget(server: [String: Double], clients: Double, machine: (busy: Double, total: Double), requests: Int) -> Double? {
        guard requests > 0 else { return nil }
        func ms(_ s: Double) -> String { String(format: "%.3f", s * 1000 / Double(requests)) }
        let total = server.values.reduce(0, +)
        let parts = ["nio", "tasks", "writer", "flush", "checkpoint"].map { "\($0) \(ms(server[$0] ?? 0))" }.joined(separator: ", ")
        print("cpu       ms of CPU per request during the load: server \(ms(total)) (\(parts)), clients \(ms(clients)); "
              + String(format: "machine %.0f%% busy, this run %.0f%% of it", 100 * machine.busy / max(machine.total, 1e-9),
                       100 * (total + clients) / max(machine.busy, 1e-9)))
        return (total + clients) / Double(requests)
    }

    /// The clients' load, on the transport chosen.
    func load(port: Int, mix: EventMix, duration: Double, firstCustomer: Int = 0, path: String? = nil) -> LoadRunner.Report {
        guard asyncHTTPClient else {
            return pollClients
                ? LoadRunner.runEvented(port: port, mix: mix, clients: clients, duration: duration, firstCustomer: firstCustomer, path: path)
                : LoadRunner.runLean(port: port, mix: mix, clients: clients, duration: duration, firstCustomer: firstCustomer, path: path)
        }
        let clients = clients
        return BlockingValue {
            await LoadRunner.run(port: port, mix: mix, clients: clients, duration: duration, firstCustomer: firstCustomer, path: path)
        }.wait()
    }
}

/// `affdesk bench serve-crash`: the crash drill at length (see `CrashDrill`), figures printed.
struct ServeCrashBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-crash",
        abstract: "Kill -9 `affdesk serve` under load at random moments; check every acknowledged event is kept once.")
    @Option(help: "How many kills.") var rounds: Int = 50
    @Option(help: "Concurrent clients.") var clients: Int = 16
    @Option(name: .customLong("max-round-seconds"), help: "Each kill comes 50 ms to this long after the load starts.") var maxRoundSeconds: Double = 2
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func run() throws {
        guard (1...10_000).contains(rounds), (1...1000).contains(clients), maxRoundSeconds >= 0.05, maxRoundSeconds <= 600 else {
            throw Failure("--rounds 1...10000, --clients 1...1000, --max-round-seconds 0.05...600")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let binary = selfBinary(), rounds = rounds, clients = clients, maxRoundSeconds = maxRoundSeconds, seed = seed
        let result = BlockingValue { () -> Result<CrashDrill.Report, any Error> in
            do {
                return .success(try await CrashDrill.run(binary: binary, directory: dir, rounds: rounds, clients: clients,
                                                         maxRoundSeconds: maxRoundSeconds, seed: seed))
            } catch { return .failure(error) }
        }.wait()
        let r = try result.get()
        print(r.summary)
        for m in r.missing.prefix(10) { print("missing   \(m)") }
        for p in r.consistencyProblems.prefix(10) { print("problem   \(p)") }
        if !r.passed { throw Failure("the crash drill FAILED") }
        print("passed")
    }
}

/// This executable's path, to start it again as the server.
func selfBinary() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// Runs async work from the synchronous command line and returns its value.
final class BlockingValue<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: T?
    init(_ body: @escaping @Sendable () async -> T) {
        Task.detached { self.value = await body(); self.done.signal() }
    }
    func wait() -> T { done.wait(); return value! }
}
