import Dispatch

/// A bulk ingest's second thread: it runs the multi-row INSERTs of rows already decided (each a
/// full chunk of a `RowWriter`) while the ingest's thread decides the next events. The jobs run
/// one at a time, in the order they were handed over, on the transaction's own connection, so the
/// database is written exactly as if they ran in place.
///
/// The connection is in SQLite's multi-thread mode (one thread at a time), so while jobs are in
/// flight the deciding thread runs no SQLite call on it: every read (`FactCache.fresh`), every
/// statement prepared and every other write drains first (`drain`), and the transaction ends only
/// after a drain. The first failure stops the jobs after it and is thrown by every later drain, so
/// a batch whose rows failed is never committed. (`@unchecked Sendable`: `failure` is written only
/// on `queue` and read only after `group.wait()`; `inFlight` only by the deciding thread.)
final class WriteBehind: @unchecked Sendable {
    private struct Job: @unchecked Sendable { let run: () throws -> Void }

    private let queue = DispatchQueue(label: "affdesk.ingest.write-behind")
    private let group = DispatchGroup()
    private var failure: (any Error)?
    /// Jobs were handed over since the last drain (the deciding thread's view).
    private(set) var inFlight = false
    /// The full chunks' INSERTs by their text, prepared once per ingest (the connection's cached
    /// statements, which outlive a transaction), so that a batch's first chunk of each table does
    /// not wait for the jobs in flight to prepare one. Only the deciding thread reads or adds.
    var prepared: [String: RawStatement] = [:]
    /// The texts of the chunk being written (only the jobs use it, one at a time).
    private var scratch: [UInt8] = []
    /// Nanoseconds the deciding thread waited in `drain` (its own view), and the jobs' busy time
    /// and count (written on `queue`, read after a drain), for `IngestPhases`.
    private(set) var waited: UInt64 = 0
    private(set) var busy: UInt64 = 0
    private(set) var jobs = 0

    /// Runs `job` on the second thread after the jobs handed over before it.
    func run(_ job: @escaping () throws -> Void) {
        inFlight = true
        let j = Job(run: job)
        queue.async(group: group) { [self] in
            guard failure == nil else { return }
            let start = PhaseClock.now()
            do { try j.run() } catch { failure = error }
            busy &+= PhaseClock.now() &- start
            jobs += 1
        }
    }

    /// Runs `statement` with `values` on the second thread (`RawStatement.run(packing:into:)`).
    func write(_ statement: RawStatement, _ values: [RawValue]) {
        run { [self] in try statement.run(packing: values, into: &scratch) }
    }

    /// Waits until every job handed over has run; throws the first failure (again on every call).
    func drain() throws {
        if inFlight {
            let start = PhaseClock.now()
            group.wait()
            waited &+= PhaseClock.now() &- start
            inFlight = false
        }
        if let failure { throw failure }
    }

    /// Waits for the jobs without throwing: before a transaction is rolled back after an error
    /// elsewhere, so that nothing else uses the connection meanwhile.
    func settle() {
        guard inFlight else { return }
        group.wait()
        inFlight = false
    }
}
