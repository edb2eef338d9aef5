import ArgumentParser
import AttributionStore

/// `affdesk check`: the consistency check the README's guarantees name (every event fully applied
/// or absent, the kept totals and aggregates recounted, the ledger's invariants, the kept near-cap
/// customers), on a database opened read-only. Exits non-zero when anything does not hold.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database's consistency (read-only).",
        discussion: """
        Recounts what affdesk keeps beside the data (per-affiliate totals, inbox counts, the ledger's \
        totals and pending days, near-cap customers) and checks every invariant that holds whatever \
        was interrupted (a kill -9 during an ingest, a migration or a serve). Prints each problem \
        found, or that the database is consistent; exits non-zero on a problem. Never writes.
        """)
    @OptionGroup var database: DatabaseOptions
    @Option(help: "At most this many problems printed per check.") var limit: String = "20"

    func run() throws {
        let perCheck = Int(try wholeNumber(limit, "--limit", in: 1...1_000_000))
        let store = try database.open(readOnly: true)
        // Which check runs, on stderr: at a million customers the whole check takes minutes.
        let problems = try store.consistencyProblems(limit: perCheck) { stderrPrint("checking \($0)...") }
        guard problems.isEmpty else {
            for p in problems { print("problem: \(p)") }
            print("\(problems.count) problem\(problems.count == 1 ? "" : "s") found in \(database.path)")
            throw ExitCode.failure
        }
        print("consistent: every check holds (\(database.path))")
    }
}
