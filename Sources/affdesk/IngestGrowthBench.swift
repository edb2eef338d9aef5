import ArgumentParser
import AttributionStore
import Bench
import Demo
import Foundation

/// `affdesk bench ingest-growth`: events/s as one store grows, at 10k, 100k and 1M stored events
/// (and 6M with --large), on the huge program's own stream (`HugeGrowth`), with where the time
/// went at each mark: CPU (user, system), SQLite's page cache and the process's I/O per event,
/// the window's mix, and SQLite's own floor at that size (`WindowFloor`).
struct IngestGrowthBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-growth",
        abstract: "Events/s as the store grows: 10k, 100k, 1M stored events (--large: 6M too), the huge program's stream.",
        discussion: """
            At each mark the next --window events of the stream are timed (ingest, then the checkpoint of \
            what it left in the WAL). Then, untimed for the ingest, SQLite's own FLOOR AT THAT SIZE: the rows \
            the window stored (inbox rows with their references and invalid payloads' words, clicks, customers, \
            conversions, commission entries) inserted again by SQLite alone into the store as it is, \
            `INSERT ... SELECT` table after table, --batch source ids per statement, ids shifted past MAX(id), \
            every UNIQUE key made distinct (text keys + '~floor', a customer's number + 10^9, a commission \
            entry pointing at its conversion's copy); then the customers the window renewed have last activity, \
            conversions and commission moved by one, in id order. All in one transaction that is ROLLED BACK \
            (the store is unchanged), on a new connection with the writer's pragmas and the bulk ingest's \
            (BulkTuning), triggers firing as for the ingest; twice: first with the connection's page cache cold, \
            then warm (the first pass's reads still cached): the warm pass is the floor, the cold one is printed beside. The floor has no commit, no \
            checkpoint, no deciding, no lookups, no maintained sums: ingest/floor compares it with the ingest \
            without its checkpoint. Each window's mix is printed by event type (and how many were refused). \
            --steady: each window is cut into groups of types (clicks, sign-ups, payments, cancels, the rest), \
            ingested one after the other in that order, each timed (and floored) on its own; the window's \
            steady rate is what it would do at the whole stream's mix (HugeGrowth.streamMix), from each \
            group's seconds (and CPU) per event at that size; a group of fewer than 500 events in a window is left \
            out of it (an ingest's fixed cost over a handful of events), the others weighed up. The store then differs a little from the default run's.
            """)
    @Flag(help: "Measure at 6,000,000 stored events too (about 8 minutes more).") var large = false
    @Option(help: "Events timed at each mark.") var window: Int = 20_000
    @Option(help: "Keep the database at this path (default: a temporary file, removed).") var db: String?
    @Flag(help: "Go on from the events already in --db (the same stream), instead of a new program.") var resume = false
    @Option(help: "Stored events at which to time a window, comma-separated (a mark below what is stored is timed at once).")
    var marks: String?
    @Option(help: "Events per transaction (as `affdesk ingest --batch`).") var batch: Int = BulkTuning.standard.batch
    @Option(name: .customLong("cache-mib"), help: "The writer's page cache during the ingest, MiB (64: the connection's own).")
    var cacheMiB: Int = BulkTuning.standard.cacheMiB ?? 64
    @Option(name: .customLong("checkpoint-pages"), help: "WAL pages between the writer's checkpoints during the ingest.")
    var checkpointPages: Int32 = BulkTuning.standard.checkpointPages
    @Option(name: .customLong("cache-spill"), help: "on or off: PRAGMA cache_spill during the ingest.") var cacheSpill: String?
    @Option(name: .customLong("mmap-mib"), help: "PRAGMA mmap_size during the ingest, MiB.") var mmapMiB: Int?
    @Flag(name: .customLong("without-list-indexes"), help: "Drop the lists' indexes (schema v7) first, to see what they cost.")
    var withoutListIndexes = false
    @Flag(help: "Time each window's groups of event types apart and weigh them by the whole stream's mix (see below).")
    var steady = false
    @Flag(name: .customLong("without-floor"), help: "Skip SQLite's floor at each mark.") var withoutFloor = false
    @Option(name: .customLong("alternate-cache-mib"),
            help: "Time every other window with this writer cache (MiB) instead, for paired figures in one run.")
    var alternateCacheMiB: Int?

    func validate() throws {
        if window < 1_000 || window > 4_000_000 { throw ValidationError("--window: 1000...4000000") }
        if batch < 1 || batch > 1_000_000 { throw ValidationError("--batch: 1...1000000") }
        if cacheMiB < 1 || cacheMiB > 16_384 { throw ValidationError("--cache-mib: 1...16384") }
        if let a = alternateCacheMiB, a < 1 || a > 16_384 { throw ValidationError("--alternate-cache-mib: 1...16384") }
        if checkpointPages < 1 { throw ValidationError("--checkpoint-pages must be at least 1") }
        if let cacheSpill, !["on", "off"].contains(cacheSpill) { throw ValidationError("--cache-spill: on or off") }
        if resume && db == nil { throw ValidationError("--resume needs --db") }
        if try markList() == nil { throw ValidationError("--marks: whole numbers separated by commas") }
    }

    func markList() throws -> [Int]? {
        guard let marks else { return [10_000, 100_000, 1_000_000] + (large ? [6_000_000] : []) }
        let list = marks.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return list.isEmpty || list.contains(where: { ($0 ?? -1) < 0 }) ? nil : list.compactMap { $0 }
    }

    var tuning: BulkTuning {
        BulkTuning(batch: batch, cacheMiB: cacheMiB, checkpointPages: checkpointPages,
                   cacheSpill: cacheSpill.map { $0 == "on" }, mmapMiB: mmapMiB)
    }

    /// One window's figures for the closing table.
    struct Row {
        var stored: Int, ingest: Double, ingestOnly: Double, floor: Double?, steady: Double?, steadyFloor: Double?
        /// CPU µs per event: the ingest's process, the floor's thread.
        var cpu: Double, floorCPU: Double
        /// --steady: the ingest's CPU µs per event at the stream's mix.
        var steadyCPU: Double? = nil, steadyFloorCPU: Double? = nil
    }

    func run() throws {
        let store: Store
        if let db { store = try Store(path: db, clock: FixedClock(DemoProgram.now)) } else {
            store = try Store.temporary(clock: FixedClock(DemoProgram.now))
        }
        defer { if db == nil { try? FileManager.default.removeItem(atPath: (store.path as NSString).deletingLastPathComponent) } }
        if withoutListIndexes { try ScaleIndexes.drop(path: store.path) }
        let t = tuning
        print("ingesting the huge program's events into one store; \(window) events timed at each mark, \(t.batch) per transaction, "
              + "cache \(t.cacheMiB.map { "\($0) MiB" } ?? "64 MiB"), checkpoint every \(t.checkpointPages) WAL pages"
              + (t.cacheSpill.map { ", cache_spill \($0 ? "on" : "off")" } ?? "") + (t.mmapMiB.map { ", mmap \($0) MiB" } ?? "")
              + (steady ? "; --steady: each window's groups of types timed apart" : ""))
        print("each window: the WAL emptied, then timed: the ingest, then the checkpoint of what it left in the WAL; "
              + (withoutFloor ? "no floor" : "then SQLite's floor at that size (rolled back; see --help)"))
        var rows: [Row] = [], floors: [PartCost] = [], mark = WindowFloor.Mark()
        var before = ProcessUsage.now()
        try HugeGrowth.measure(into: store, marks: try markList() ?? [], window: window, tuning: t, resume: resume,
                               steady: steady, alternate: alternateCacheMiB.map { var a = t; a.cacheMiB = $0; return a },
                               point: { p in
            rows.append(windowDone(p, floors: floors, rows: rows))
            floors.removeAll()
            fflush(nil)
        }, begins: {
            _ = store.writerCounters(reset: true)
            mark = (try? WindowFloor.mark(path: store.path)) ?? WindowFloor.Mark()
            before = ProcessUsage.now()
        }, ended: { part in
            let used = ProcessUsage.now() - before
            let c = store.writerCounters(reset: true)
            floors.append(partDone(part, used: used, counters: c, store: store, since: mark))
            fflush(nil)
        }, progress: { stderrPrint("  " + $0) })
        if rows.isEmpty {
            print("no window timed: the stream ended at \((try? store.eventCount()) ?? 0) stored events (a store built by "
                  + "`affdesk demo --size huge` holds its whole stream: --resume has nothing left to time there)")
        }
        printTable(rows)
    }

    /// A timed part's CPU seconds (the process's) and its floor's seconds and CPU seconds (0: none).
    struct PartCost { var cpu = 0.0, floor = 0.0, floorCPU = 0.0 }

    /// Prints one timed part (its rate, CPU, cache, I/O, mix and floor).
    func partDone(_ part: HugeGrowth.Part, used: ProcessUsage, counters c: WriterCounters, store: Store,
                  since mark: WindowFloor.Mark) -> PartCost {
        let n = Double(part.events)
        let cpu = used.user + used.system
        let label = part.label.padding(toLength: 10, withPad: " ", startingAt: 0)
        print("  \(label) " + String(format: "%7d events  %8.0f events/s (ingest %.2f s + checkpoint %.2f s); process cpu %.1f µs/event",
                     part.events, n / max(part.seconds + part.checkpointSeconds, 1e-9),
                     part.seconds, part.checkpointSeconds, cpu / n * 1e6))
        print(Self.detail(used, c, events: n))
        if let mix = try? WindowFloor.mix(path: store.path, since: mark) {
            print("             mix: " + Self.describe(mix, events: part.events))
        }
        guard !withoutFloor else { return PartCost(cpu: cpu) }
        do {
            let f = try WindowFloor.run(path: store.path, since: mark, batch: tuning.batch, pragmas: tuning.ingestPragmas)
            print(String(format: "             floor at this size: %8.0f events/s (%d rows in %.2f s, of which %d renewed customers %.2f s); "
                         + "ingest / floor %.2f; floor cpu %.1f µs/event, by CPU ingest / floor %.2f",
                         n / max(f.seconds, 1e-9), f.rows, f.seconds, f.renewed, f.renewSeconds,
                         f.seconds / max(part.seconds, 1e-9), f.cpuSeconds / n * 1e6, f.cpuSeconds / max(cpu, 1e-9))
                  + String(format: " (warm cache; cold: %.2f s, cpu %.1f µs/event)", f.coldSeconds, f.coldCPUSeconds / n * 1e6))
            return PartCost(cpu: cpu, floor: f.seconds, floorCPU: f.cpuSeconds)
        } catch {
            print("             floor: failed: \(error)")
            return PartCost(cpu: cpu)
        }
    }

    /// Prints the window's line; returns its row of the closing table.
    func windowDone(_ p: HugeGrowth.Point, floors costs: [PartCost], rows: [Row]) -> Row {
        let floors = costs.map(\.floor), n = Double(p.events)
        let floorSecs = floors.reduce(0, +)
        let floor = floorSecs > 0 && floors.count == p.parts.count ? Double(p.events) / floorSecs : nil
        if let alt = alternateCacheMiB {
            print("          (window \(rows.count + 1): cache \(rows.count % 2 == 1 ? alt : tuning.cacheMiB ?? 64) MiB)")
        }
        var row = Row(stored: p.stored, ingest: p.rateWithCheckpoint, ingestOnly: p.rate, floor: floor, steady: nil, steadyFloor: nil,
                      cpu: costs.map(\.cpu).reduce(0, +) / n * 1e6, floorCPU: costs.map(\.floorCPU).reduce(0, +) / n * 1e6)
        print(String(format: "stored %9d  %8.0f events/s  (ingest %.2f s + checkpoint %.2f s; without the checkpoint %.0f events/s)",
                     p.stored, p.rateWithCheckpoint, p.seconds, p.checkpointSeconds, p.rate)
              + (floor.map { String(format: "; floor %.0f events/s, ingest / floor %.2f", $0, p.rate / $0) } ?? ""))
        if p.parts.count > 1 {
            row.steady = HugeGrowth.steadyRate(p.parts) { $0.seconds + $0.checkpointSeconds }
            if floor != nil {
                var fp = p.parts
                for i in fp.indices { fp[i].seconds = floors[i]; fp[i].checkpointSeconds = 0 }
                row.steadyFloor = HugeGrowth.steadyRate(fp) { $0.seconds }
            }
            var cp = p.parts
            for i in cp.indices where i < costs.count { cp[i].seconds = costs[i].cpu; cp[i].checkpointSeconds = 0 }
            let rate = HugeGrowth.steadyRate(cp) { $0.seconds }
            row.steadyCPU = rate > 0 ? 1e6 / rate : nil
            if floor != nil {
                for i in cp.indices where i < costs.count { cp[i].seconds = costs[i].floorCPU }
                let f = HugeGrowth.steadyRate(cp) { $0.seconds }
                row.steadyFloorCPU = f > 0 ? 1e6 / f : nil
            }
            for (part, cost) in zip(p.parts, costs) {
                print("          " + part.label.padding(toLength: 10, withPad: " ", startingAt: 0)
                      + String(format: " cpu %.1f µs/event", cost.cpu / Double(max(part.events, 1)) * 1e6)
                      + (cost.floorCPU > 0 ? String(format: ", floor cpu %.1f µs/event", cost.floorCPU / Double(max(part.events, 1)) * 1e6) : ""))
            }
            let missing = HugeGrowth.groupOrder.filter { g in !p.parts.contains { $0.label == g && $0.events >= HugeGrowth.steadyMinimum } }
            print(String(format: "          steady (the stream's overall mix): %.0f events/s, cpu %.1f µs/event", row.steady ?? 0, row.steadyCPU ?? 0)
                  + (row.steadyFloor.map { String(format: ", floor %.0f", $0) } ?? "")
                  + (row.steadyFloorCPU.map { String(format: " (cpu %.1f µs/event)", $0) } ?? "")
                  + (missing.isEmpty ? "" : " (fewer than \(HugeGrowth.steadyMinimum) \(missing.joined(separator: ", ")) in this window: weighed without)"))
        }
        return row
    }

    func printTable(_ rows: [Row]) {
        guard let first = rows.first else { return }
        print("\nsummary (events/s, the ingest counting its checkpoint; cpu: the ingest's process, the floor's thread; "
              + "in brackets: speed against the first mark's)")
        for r in rows {
            var line = String(format: "stored %9d  ingest %8.0f (%.2f)", r.stored, r.ingest, r.ingest / first.ingest)
            line += String(format: "  cpu %.1f µs/event (%.2f)", r.cpu, first.cpu / r.cpu)
            if let f = r.floor, let f0 = first.floor {
                line += String(format: "  floor %8.0f (%.2f), cpu %.1f µs/event (%.2f)  ingest (without its checkpoint) / floor %.2f, by CPU %.2f",
                               f, f / f0, r.floorCPU, first.floorCPU / r.floorCPU, r.ingestOnly / f, r.floorCPU / r.cpu)
            }
            if let s = r.steady, let s0 = first.steady {
                line += String(format: "  steady %8.0f (%.2f)", s, s / s0)
                if let c = r.steadyCPU, let c0 = first.steadyCPU { line += String(format: " cpu %.1f µs/event (%.2f)", c, c0 / c) }
                if let sf = r.steadyFloor, let sf0 = first.steadyFloor { line += String(format: " floor %8.0f (%.2f)", sf, sf / sf0) }
                if let c = r.steadyFloorCPU, let c0 = first.steadyFloorCPU { line += String(format: " cpu %.1f µs/event (%.2f)", c, c0 / c) }
            }
            print(line)
        }
    }

    static func describe(_ mix: [WindowFloor.MixLine], events: Int) -> String {
        mix.map { m in
            "\(m.type) \(m.events) (" + String(format: "%.0f%%", 100 * Double(m.events) / Double(max(events, 1)))
                + (m.rejected > 0 ? ", \(m.rejected) refused)" : ")")
        }.joined(separator: ", ")
    }

    static func detail(_ u: ProcessUsage, _ c: WriterCounters, events n: Double) -> String {
        String(format: "             cpu user %.2f s, sys %.2f s; per event: cache hits %.1f, misses %.2f, pages written %.2f (spills %lld in all); "
               + "read %.1f KiB in %.2f calls, written %.1f KiB in %.2f calls",
               u.user, u.system, Double(c.hits) / n, Double(c.misses) / n, Double(c.writes) / n, c.spills,
               Double(u.readBytes) / 1024 / n, Double(u.readCalls) / n, Double(u.writtenBytes) / 1024 / n, Double(u.writeCalls) / n)
    }
}
