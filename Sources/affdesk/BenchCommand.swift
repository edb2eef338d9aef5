import ArgumentParser
import AttributionCore
import AttributionStore
import Bench
import Demo
import Dashboard
import Feeds
import Foundation
import TerminalText

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (build with -c release).",
        subcommands: [IngestBench.self, IngestGrowthBench.self, SessionsBench.self, DashboardBench.self, ServeBench.self, ServeCrashBench.self,
                      PaymentEventsBench.self])

    struct IngestBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Events/s for N mixed events, beside raw SQLite inserts of N rows measured in the same run.")
        @Option(help: "How many events (and baseline rows).") var events: Int = 1_000_000
        @Option(help: "Events per transaction.") var batch: Int = 4096
        @Option(help: ArgumentHelp("Only write the N events as JSON Lines to this file (for timing `affdesk ingest` on them).",
                                   valueName: "file")) var linesOut: String?
        @Flag(help: ArgumentHelp("Also print the time SQLite spent stepping each kind of the ingest's statements, and the "
                                 + "ratio to the floor an ingest issuing the same statements could reach at best "
                                 + "(four clock reads per statement step), and the stored rows copied again batch by batch, every "
                                 + "table in each transaction, as an ingest writes them.")) var profile = false
        @Option(help: ArgumentHelp("For experiments: drop these indexes or triggers (comma-separated names) from the ingest's "
                                   + "store and the floor's copy before timing, to measure what each costs.", valueName: "names"))
        var drop: String?

        func run() throws {
            print("generating \(events) mixed events…")
            let lines = BenchEvents.lines(count: events)
            if let linesOut {
                guard FileManager.default.createFile(atPath: linesOut, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
                    throw Failure("\(linesOut): cannot write the file")
                }
                return print("wrote \(lines.count) lines to \(linesOut); affiliates: \(BenchEvents.affiliateCodes.joined(separator: " "))")
            }
            let baseline = try RawInsertBaseline.run(rows: events, batch: batch)
            print(String(format: "baseline  raw SQLite insert (C API, WAL, synchronous=NORMAL, %d rows/tx): %10.0f rows/s", batch, baseline))

            let parseStart = DispatchTime.now().uptimeNanoseconds
            let feed = TrackingFeed(defaultCurrency: .usd, file: "bench.jsonl")
            let inbound = lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
            let parseSecs = Double(DispatchTime.now().uptimeNanoseconds - parseStart) / 1e9

            let store = try Store.temporary(clock: FixedClock(Instant.parse("2026-06-01T00:00:00Z")!))
            defer { try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent) }
            try store.initialize(ProgramSettings(name: "bench", caps: Caps(count: 24)), who: "bench")
            for code in BenchEvents.affiliateCodes { _ = try store.addAffiliate(code: code, name: code, who: "bench") }
            let dropped = drop.map { $0.split(separator: ",").map(String.init) } ?? []
            if !dropped.isEmpty {
                try store.dropForExperiment(dropped)
                print("dropped   \(dropped.joined(separator: ", ")) (from the ingest's store and the floor's copy)")
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = CPUTime.now()
            var tuning = BulkTuning.standard
            tuning.batch = batch
            let phases = IngestPhases()
            _ = store.writerCounters(reset: true)
            let profiling = profile ? StatementProfile.start() : nil
            let summary = try store.ingest(inbound, tuning: tuning, phases: phases)
            let statements = profiling?.stop()
            let counters = store.writerCounters(reset: false)
            let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = CPUTime.now() - cpuStart
            let rate = Double(inbound.count) / secs
            print(String(format: "parse     JSON lines -> events:                                 %10.0f lines/s", Double(lines.count) / parseSecs))
            print(String(format: "ingest    decide + record + apply (%d events/tx):             %10.0f events/s  (%.2f s)", batch, rate, secs))
            print(String(format: "cpu       the ingest's thread %.2f s, the whole process %.2f s (under load, compare these)", cpu.thread, cpu.process))
            print(Self.describe(phases))
            print(String(format: "writer    %.2f pages written to the WAL per event (%.0f per batch), %.2f cache misses per event, %d spills",
                         Double(counters.writes) / Double(max(1, inbound.count)), Double(counters.writes) / Double(max(1, phases.batches)),
                         Double(counters.misses) / Double(max(1, inbound.count)), counters.spills))
            print(String(format: "ratio     ingest / baseline: %.2f", rate / baseline))
            print("outcomes  \(summary.accepted) accepted, \(summary.rejected) rejected; "
                  + summary.byReason.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            let floor = try StoredRowsFloor.run(copying: store, batch: batch, drop: dropped)
            print(String(format: "floor     the same %d stored rows copied by SQLite alone:      %10.0f events/s  (%.2f s; ingest / floor: %.2f)",
                         floor.rows, Double(inbound.count) / floor.seconds, floor.seconds, secs > 0 ? floor.seconds / secs : 0))
            let older = floor.seconds - floor.ledgerSeconds
            print(String(format: "          of which %d commission entries (schema v8), %.2f s; without them, as the floor was before: ingest / floor %.2f",
                         floor.ledgerRows, floor.ledgerSeconds, secs > 0 ? older / secs : 0))
            if let statements {
                print(Self.describe(statements, phases: phases, ingest: secs, floor: floor))
                let mixed = try InterleavedFloor.run(copying: store, slices: phases.batches, drop: dropped)
                print(String(format: "batched   the same rows copied batch by batch, every table in each of %d transactions: %.2f s (CPU %.2f); "
                             + "ingest / that floor %.2f; that floor / the floor %.2f", phases.batches, mixed.seconds, mixed.cpuSeconds,
                             mixed.seconds / secs, floor.seconds / mixed.seconds))
            }
            let again = try store.ingest(inbound.prefix(10_000), batchSize: batch)
            print("replay    10000 events again: \(again.alreadyIngested) already ingested, \(again.received) recorded")
        }

        /// `--profile`: SQLite's share of the ingest's wall time (its statements' steps, on either
        /// thread, and the commits and checkpoint catch-ups), the best ratio to the floor an ingest
        /// issuing the same statements could reach (the floor's time over SQLite's alone), and the
        /// costliest kinds of statement.
        static func describe(_ lines: [StatementProfile.Line], phases p: IngestPhases, ingest: Double, floor: StoredRowsFloor.Result) -> String {
            let steps = lines.map(\.seconds).reduce(0, +), stepsCPU = lines.map(\.cpuSeconds).reduce(0, +)
            let sqlite = steps + p.commit + p.checkpoint
            var out = [String(format: "profile   SQLite %.2f s of the ingest's %.2f s (%.0f%%): statements %.2f (CPU %.2f), commit %.2f, "
                              + "checkpoint catch-up %.2f; our code and waiting %.2f s", sqlite, ingest, 100 * sqlite / ingest, steps, stepsCPU,
                              p.commit, p.checkpoint, ingest - sqlite),
                       String(format: "ceiling   an ingest issuing the same statements with no time of its own: ingest / floor %.2f "
                              + "(floor %.2f s, CPU %.2f / SQLite %.2f s)", floor.seconds / sqlite, floor.seconds, floor.cpuSeconds, sqlite)]
            for l in lines.prefix(14) {
                out.append(String(format: "          %6.2f s (CPU %6.2f) %5.1f%% %9d steps  ", l.seconds, l.cpuSeconds, 100 * l.seconds / ingest, l.steps)
                           + l.kind)
            }
            out.append("          the floor per table: " + floor.tables.sorted { $0.value > $1.value }
                .map { $0.key + String(format: " %.2f s", $0.value) }.joined(separator: ", "))
            return out.joined(separator: "\n")
        }

        /// The ingest's two threads, phase by phase (wall seconds summed over the batches).
        static func describe(_ p: IngestPhases) -> String {
            String(format: "threads   ingest thread %.2f s: setup %.2f, prefetch %.2f, decide %.2f, waiting for the writer %.2f, "
                   + "flush %.2f, commit %.2f, checkpoint %.2f (%d batches)\n"
                   + "          writing thread busy %.2f s (%d chunks of rows, overlapping the deciding)",
                   p.total, p.setup, p.prefetch, p.decide, p.waiting, p.flush, p.commit, p.checkpoint, p.batches,
                   p.behindBusy, p.behindJobs)
        }
    }
}

// MARK: - bench sessions

/// `affdesk bench sessions`: N affiliate views open at once, each on its own read-only
/// connection and refreshing exactly as the terminal loop does (a `.tick`, then a new frame),
/// while a separate writer ingests new events for those affiliates in the same file. Counts,
/// per session, the refreshes it showed and every error (a "database is locked" would be one),
/// and times each tick and each frame; measures the ingest alone first, on a copy of the same
/// database, for the baseline.
struct SessionsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Affiliate views refreshing while an ingest runs: refreshes, errors, tick and frame latency, ingest rate beside a baseline.",
        discussion: """
            Each session is one affiliate's view (its own `Store.affiliateView` connection and dashboard \
            `Session`) on My customers, My conversions or Earnings, sending a tick every --tick-ms and \
            drawing a frame, as `affdesk view` does. The ingest writes --events new events (a click, a \
            sign-up and a payment for each session's affiliate in turn) in --batch-event transactions; \
            every transaction is a change each view must show. A refresh is a tick after which the frame \
            differs. The sessions run for --seconds and until they have looked again after the last commit.
            """)
    @Option(help: "Concurrent affiliate sessions (one affiliate each).") var sessions: Int = 20
    @Option(help: "Events ingested while the sessions run (and once alone, for the baseline).") var events: Int = 200_000
    @Option(help: "Events per ingest transaction.") var batch: Int = 1_000
    @Option(help: "The sessions run at least this long (and until the ingest has ended).") var seconds: Double = 10
    @Option(name: .customLong("seed-events"), help: "Mixed events in the database before the run.") var seedEvents: Int = 50_000
    @Option(name: .customLong("tick-ms"), help: "Milliseconds between a session's ticks.") var tickMs: Int = 200
    @Flag(help: "Print the figures as JSON.") var json = false

    func validate() throws {
        if sessions < 1 { throw ValidationError("--sessions must be at least 1") }
        if events < 3 { throw ValidationError("--events must be at least 3") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if seconds < 0 || !seconds.isFinite { throw ValidationError("--seconds must not be negative") }
        if seedEvents < 0 { throw ValidationError("--seed-events must not be negative") }
        if tickMs < 1 { throw ValidationError("--tick-ms must be at least 1") }
    }

    func run() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("affdesk-bench-sessions-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let say: (String) -> Void = { line in if !json { print(line) } }

        let (seed, codes) = try seedDatabase(dir, say: say)
        let mine = Array(codes.prefix(sessions))
        let feed = TrackingFeed(defaultCurrency: .usd, file: "run.jsonl")
        let inbound = SessionsBench.runEvents(count: events, affiliates: mine).enumerated().compactMap {
            feed.read(line: $0.element, number: $0.offset + 1)
        }
        let baseline = try ingestAlone(inbound, seed: seed, dir: dir)
        say(String(format: "baseline  ingest alone: %.0f events/s (%d events, %d per transaction)", baseline, inbound.count, batch))
        let figures = try ingestBesideSessions(inbound, seed: seed, dir: dir, affiliates: mine, say: say)
        if json {
            printJSON(figures, events: inbound.count, baseline: baseline, affiliates: mine)
        } else {
            printText(figures, events: inbound.count, baseline: baseline, affiliates: mine)
        }
    }

    /// The database: the ingest benchmark's affiliates (at least one per session) and mixed history.
    func seedDatabase(_ dir: String, say: (String) -> Void) throws -> (path: String, codes: [String]) {
        let seed = dir + "/seed.sqlite"
        var codes = BenchEvents.affiliateCodes
        while codes.count < sessions { codes.append("aff\(codes.count)") }
        say("building a database: \(codes.count) affiliates, \(seedEvents) mixed events…")
        let store = try Store(path: seed)
        try store.initialize(ProgramSettings(name: "bench", caps: Caps(count: 24)), who: "bench")
        for code in codes { _ = try store.addAffiliate(code: code, name: "Affiliate \(code)", who: "bench") }
        let feed = TrackingFeed(defaultCurrency: .usd, file: "seed.jsonl")
        _ = try store.ingest(BenchEvents.lines(count: seedEvents).enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) })
        return (seed, codes)   // the store is closed on return: the file alone is the database
    }

    /// Baseline: the same ingest into a copy, nobody reading. Events per second.
    func ingestAlone(_ inbound: [InboundEvent], seed: String, dir: String) throws -> Double {
        let basePath = dir + "/baseline.sqlite"
        try copyDatabase(seed, to: basePath)
        let store = try Store(path: basePath)
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try store.ingest(inbound, batchSize: batch)
        return Double(inbound.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// The run: sessions first, then the ingest once every session has drawn its first frame.
    func ingestBesideSessions(_ inbound: [InboundEvent], seed: String, dir: String, affiliates mine: [String],
                              say: (String) -> Void) throws -> BenchRun.Figures {
        let path = dir + "/run.sqlite"
        try copyDatabase(seed, to: path)
        let writer = try Store(path: path)
        let run = BenchRun(sessions: sessions)
        let tabs: [Character] = ["1", "2", "3"]
        let tick = Double(tickMs) / 1000
        let seconds = self.seconds, batch = self.batch
        for i in 0..<sessions {
            let code = mine[i], tab = tabs[i % tabs.count]
            let t = Thread {
                run.session(i, path: path, code: code, tabKey: tab, tick: tick, seconds: seconds)
            }
            t.stackSize = 4 << 20
            t.start()
        }
        run.waitUntilReady()
        say("sessions  \(sessions) affiliate views open; ingesting \(inbound.count) events beside them…")
        let ingest = Thread {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                _ = try writer.ingest(inbound, batchSize: batch)
            } catch {
                run.ingestFailed("\(error)")
            }
            run.ingestEnded(seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        ingest.start()
        run.waitUntilDone()
        return run.figures()
    }

    func printJSON(_ figures: BenchRun.Figures, events: Int, baseline: Double, affiliates mine: [String]) {
        let rate = Double(events) / max(figures.ingestSeconds, 1e-9)
        print(Out.obj([
            ("sessions", .i(sessions)), ("events", .i(events)), ("batch", .i(batch)), ("tick_ms", .i(tickMs)),
            ("wall_seconds", .str(String(format: "%.2f", figures.wallSeconds))),
            ("ingest_alone_events_per_s", .int(Int64(baseline.rounded()))),
            ("ingest_with_sessions_events_per_s", .int(Int64(rate.rounded()))),
            ("ingest_error", .s(figures.ingestError)),
            ("per_session", .arr(figures.perSession.map { s in
                .obj([("affiliate", .str(mine[s.index])), ("tab", .str(s.tab)), ("ticks", .i(s.ticks)),
                      ("refreshes", .i(s.refreshes)), ("errors", .i(s.errors)), ("locked", .i(s.locked)),
                      ("first_error", .s(s.firstError)),
                      ("tick_p50_us", .int(s.tickMicros.percentile(0.5))), ("tick_p99_us", .int(s.tickMicros.percentile(0.99))),
                      ("frame_p50_us", .int(s.frameMicros.percentile(0.5))), ("frame_p99_us", .int(s.frameMicros.percentile(0.99)))])
            })),
        ]).text)
    }

    func printText(_ figures: BenchRun.Figures, events: Int, baseline: Double, affiliates mine: [String]) {
        let rate = Double(events) / max(figures.ingestSeconds, 1e-9)
        let per = figures.perSession
        let refreshes = per.map(\.refreshes).sorted()
        let ticks = per.flatMap(\.tickMicros), frames = per.flatMap(\.frameMicros), reloads = per.flatMap(\.reloadMicros)
        print(String(format: "ingest    beside %d sessions: %.0f events/s (%.2f s); alone: %.0f events/s; ratio %.2f",
                     sessions, rate, figures.ingestSeconds, baseline, rate / baseline))
        if let e = figures.ingestError { print("ingest    FAILED: \(e)") }
        print("refreshes per session: min \(refreshes.first ?? 0), median \(refreshes[refreshes.count / 2]), max \(refreshes.last ?? 0)"
              + " (\(refreshes.reduce(0, +)) in all, \(per.map(\.ticks).reduce(0, +)) ticks over \(String(format: "%.1f", figures.wallSeconds)) s)")
        print("errors    \(per.map(\.errors).reduce(0, +)) (database is locked / busy: \(per.map(\.locked).reduce(0, +)))"
              + (per.compactMap(\.firstError).first.map { "; first: \($0)" } ?? ""))
        print("latency   tick (look for changes, reload when changed)  p50 \(ms(ticks.percentile(0.5)))  p99 \(ms(ticks.percentile(0.99)))")
        print("          ticks that reloaded                          p50 \(ms(reloads.percentile(0.5)))  p99 \(ms(reloads.percentile(0.99)))")
        print("          frame (draw the screen)                      p50 \(ms(frames.percentile(0.5)))  p99 \(ms(frames.percentile(0.99)))")
        var t = Table(headers: ["#", "AFFILIATE", "SCREEN", "TICKS", "REFRESHES", "ERRORS", "TICK p50", "TICK p99", "FRAME p50", "FRAME p99"],
                      rightAligned: [0, 3, 4, 5, 6, 7, 8, 9])
        for s in per {
            t.add([String(s.index + 1), mine[s.index], s.tab, String(s.ticks), String(s.refreshes), String(s.errors),
                   ms(s.tickMicros.percentile(0.5)), ms(s.tickMicros.percentile(0.99)),
                   ms(s.frameMicros.percentile(0.5)), ms(s.frameMicros.percentile(0.99))])
        }
        print(t.render())
    }

    func ms(_ micros: Int64) -> String { String(format: "%.2f ms", Double(micros) / 1000) }

    /// Copies an idle database (its file and write-ahead log).
    func copyDatabase(_ from: String, to: String) throws {
        let fm = FileManager.default
        try fm.copyItem(atPath: from, toPath: to)
        if fm.fileExists(atPath: from + "-wal") { try fm.copyItem(atPath: from + "-wal", toPath: to + "-wal") }
    }

    /// `count` tracking events for `affiliates` in turn: a click, the sign-up it brings, a
    /// payment. Every affiliate gets a new customer and a conversion every 3 × affiliates events.
    static func runEvents(count: Int, affiliates: [String]) -> [String] {
        var out: [String] = []
        out.reserveCapacity(count)
        var t = Instant.parse("2026-01-01T00:00:00Z")!.seconds
        var n = 0
        while out.count < count {
            let aff = affiliates[n % affiliates.count]
            n += 1
            t += 1
            let at = Instant(seconds: t).iso8601
            let events = [
                #"{"type":"click","click_id":"run-c\#(n)","affiliate":"\#(aff)","at":"\#(at)"}"#,
                #"{"type":"signup","customer_key":"run-u\#(n)","click_id":"run-c\#(n)","at":"\#(at)"}"#,
                #"{"type":"conversion","external_id":"run-in\#(n)","amount":"49.00","currency":"USD","customer_key":"run-u\#(n)","at":"\#(at)"}"#,
            ]
            out += events.prefix(count - out.count)
        }
        return out
    }
}

/// One bench run's shared state: the sessions' figures and the ingest's progress.
final class BenchRun: @unchecked Sendable {
    struct SessionFigures {
        var index: Int
        var tab = ""
        var ticks = 0
        var refreshes = 0
        var errors = 0
        var locked = 0
        var firstError: String?
        var tickMicros: [Int64] = []
        var reloadMicros: [Int64] = []
        var frameMicros: [Int64] = []
    }

    struct Figures {
        var perSession: [SessionFigures]
        var ingestSeconds: Double
        var ingestError: String?
        var wallSeconds: Double
    }

    private let lock = NSCondition()
    private var ready = 0
    private var finished = 0
    private let count: Int
    private var ingestDone = false
    private var ingestSeconds = 0.0
    private var ingestError: String?
    private var results: [SessionFigures]
    private let started = DispatchTime.now().uptimeNanoseconds

    init(sessions: Int) {
        count = sessions
        results = (0..<sessions).map { SessionFigures(index: $0) }
    }

    func waitUntilReady() {
        lock.lock(); defer { lock.unlock() }
        while ready < count { lock.wait() }
    }

    func waitUntilDone() {
        lock.lock(); defer { lock.unlock() }
        while finished < count || !ingestDone { lock.wait() }
    }

    func ingestEnded(seconds: Double) {
        lock.lock(); ingestDone = true; ingestSeconds = seconds; lock.broadcast(); lock.unlock()
    }

    func ingestFailed(_ e: String) {
        lock.lock(); ingestError = e; lock.unlock()
    }

    var isIngestDone: Bool { lock.lock(); defer { lock.unlock() }; return ingestDone }

    private func markReady() { lock.lock(); ready += 1; lock.broadcast(); lock.unlock() }

    func figures() -> Figures {
        lock.lock(); defer { lock.unlock() }
        return Figures(perSession: results, ingestSeconds: ingestSeconds, ingestError: ingestError,
                       wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
    }

    /// One affiliate's view: opens it, draws it, then ticks and draws until the run is over.
    func session(_ i: Int, path: String, code: String, tabKey: Character, tick: Double, seconds: Double) {
        var f = SessionFigures(index: i)
        defer {
            lock.lock(); results[i] = f; finished += 1; lock.broadcast(); lock.unlock()
        }
        func failed(_ text: String) {
            f.errors += 1
            let l = text.lowercased()
            if l.contains("locked") || l.contains("busy") { f.locked += 1 }
            if f.firstError == nil { f.firstError = text }
        }
        let session: Session
        do {
            let store = try Store.affiliateView(path: path)
            let me = try store.identity(code: code)
            session = try Session(store: store, mode: .affiliate(id: me.id, code: me.code, name: me.name), who: "bench",
                                  clock: SystemClock(), width: 100, height: 30)
        } catch {
            failed("\(error)")
            markReady()
            return
        }
        session.send(.key(.char(tabKey)))
        f.tab = ["My customers", "My conversions", "Earnings"][session.state.tabs.firstIndex(of: session.state.tab) ?? 0]
        var text = session.frame.lines().joined(separator: "\n")
        var lastMessage = session.state.message
        if let m = lastMessage, m.isError { failed(m.text) }
        markReady()

        let start = Date()
        var next = start
        while true {
            next = next.addingTimeInterval(tick)
            let wait = next.timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: wait) } else { next = Date() }
            // Whether this tick looks after the ingest's last commit: then it is the last one needed.
            let afterIngest = isIngestDone
            let t0 = DispatchTime.now().uptimeNanoseconds
            session.send(.tick)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let frame = session.frame.lines().joined(separator: "\n")
            let t2 = DispatchTime.now().uptimeNanoseconds
            f.ticks += 1
            f.tickMicros.append(Int64((t1 - t0) / 1000))
            f.frameMicros.append(Int64((t2 - t1) / 1000))
            if frame != text {
                f.refreshes += 1
                f.reloadMicros.append(Int64((t1 - t0) / 1000))
                text = frame
            }
            let m = session.state.message
            if let m, m.isError, m != lastMessage { failed(m.text) }
            lastMessage = m
            if afterIngest && Date().timeIntervalSince(start) >= seconds { break }
        }
    }
}

extension Array where Element == Int64 {
    /// The value at fraction `p` of the sorted values (0 when empty).
    func percentile(_ p: Double) -> Int64 {
        guard !isEmpty else { return 0 }
        let s = sorted()
        return s[Swift.min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
    }
}
