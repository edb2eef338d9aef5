#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// CPU seconds used so far by the calling thread and by the whole process (user + system), for
/// the benchmarks: on a shared machine the wall time moves with everyone else's load, the CPU
/// time much less.
struct CPUTime {
    var thread: Double
    var process: Double

    static func now() -> CPUTime {
        CPUTime(thread: seconds(clock: CLOCK_THREAD_CPUTIME_ID), process: seconds(clock: CLOCK_PROCESS_CPUTIME_ID))
    }

    static func - (a: CPUTime, b: CPUTime) -> CPUTime { CPUTime(thread: a.thread - b.thread, process: a.process - b.process) }

    private static func seconds(clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// The whole process's user and system CPU seconds (`getrusage`) and its I/O through system
/// calls (`/proc/self/io`: bytes and calls of read/pread and write/pwrite, whether or not they
/// reached the disk), for the growth benchmark: where an ingest's time goes as the store grows.
struct ProcessUsage {
    var user = 0.0
    var system = 0.0
    var readBytes: Int64 = 0
    var writtenBytes: Int64 = 0
    var readCalls: Int64 = 0
    var writeCalls: Int64 = 0

    static func now() -> ProcessUsage {
        var u = ProcessUsage()
        var r = rusage()
        if getrusage(0, &r) == 0 {   // 0: RUSAGE_SELF (an enum on Glibc, an Int32 elsewhere)
            u.user = Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) / 1e6
            u.system = Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) / 1e6
        }
        // Lines "rchar: N", "wchar: N", "syscr: N", "syscw: N", ...; absent off Linux.
        if let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":")
                guard parts.count == 2, let n = Int64(parts[1].trimmingCharacters(in: .whitespaces)) else { continue }
                switch parts[0] {
                case "rchar": u.readBytes = n
                case "wchar": u.writtenBytes = n
                case "syscr": u.readCalls = n
                case "syscw": u.writeCalls = n
                default: break
                }
            }
        }
        return u
    }

    static func - (a: ProcessUsage, b: ProcessUsage) -> ProcessUsage {
        ProcessUsage(user: a.user - b.user, system: a.system - b.system, readBytes: a.readBytes - b.readBytes,
                     writtenBytes: a.writtenBytes - b.writtenBytes, readCalls: a.readCalls - b.readCalls,
                     writeCalls: a.writeCalls - b.writeCalls)
    }
}
