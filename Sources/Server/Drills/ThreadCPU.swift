import Foundation

/// CPU time by thread of a running process, read from `/proc/PID/task/*/stat` (Linux), for
/// `bench serve`'s CPU budget per request: which of the server's threads (the event loops, the
/// handlers' tasks, the writer, the flush, the checkpoints) and the clients spent the machine's
/// cores. On a shared machine the wall time moves with everyone's load; the CPU per request much
/// less.
public struct ThreadCPU: Sendable {
    /// Ticks (`sysconf(_SC_CLK_TCK)`, 1/100 s here) of user plus system time, by thread id.
    public var ticks: [Int: (name: String, ticks: Int)] = [:]

    public init() {}

    /// The threads of process `pid` now (empty when it cannot be read).
    public static func of(pid: Int32) -> ThreadCPU {
        var out = ThreadCPU()
        let dir = "/proc/\(pid)/task"
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            guard let id = Int(tid), let text = try? String(contentsOfFile: "\(dir)/\(tid)/stat", encoding: .utf8),
                  let stat = parse(text) else { continue }
            out.ticks[id] = stat
        }
        return out
    }

    /// The thread's name and user + system ticks from a `stat` line ("tid (name) state ..."):
    /// the name may hold spaces and parentheses, so the fields are counted after the last ")".
    static func parse(_ line: String) -> (name: String, ticks: Int)? {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return nil }
        let name = String(line[line.index(after: open)..<close])
        let fields = line[line.index(after: close)...].split(separator: " ")
        // After the name: state (field 3) ... utime (14), stime (15).
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return (name, user + system)
    }

    /// Seconds of CPU each group of threads used between `earlier` and `self` (a thread that
    /// ended in between is not counted), grouped by `group(name)`.
    public func seconds(since earlier: ThreadCPU, group: (String) -> String) -> [String: Double] {
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        var out: [String: Double] = [:]
        for (id, now) in ticks {
            out[group(now.name), default: 0] += Double(now.ticks - (earlier.ticks[id]?.ticks ?? 0)) / hz
        }
        return out
    }

    /// The server's threads by what they do: the writer, flush and checkpoint threads are named
    /// by `WorkerThread`; NIO names its event loops; the rest runs the handlers' tasks (Swift's
    /// cooperative pool) and the main thread.
    public static func serverGroup(_ name: String) -> String {
        if name.hasPrefix("affdesk-writer") { return "writer" }
        if name.hasPrefix("affdesk-flush") { return "flush" }
        if name.hasPrefix("affdesk-checkp") { return "checkpoint" }
        if name.hasPrefix("NIO-") { return "nio" }
        return "tasks"
    }

    /// The whole machine's busy and total CPU seconds so far (`/proc/stat`: every core), to tell
    /// the load's share from everything else running.
    public static func machine() -> (busy: Double, total: Double) {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return (0, 0) }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 5 else { return (0, 0) }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let total = v.reduce(0, +), idle = v[3] + v[4]
        return ((total - idle) / hz, total / hz)
    }
}
