#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

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
