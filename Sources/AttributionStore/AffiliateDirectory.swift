import AttributionCore
import GRDB

/// The affiliates one transaction asks about, each read on first use: by id, or by code as
/// spelled (the code's unique index). A program may have tens of thousands of affiliates, and a
/// group commit of a few events, or Triage's explanation of one, must not read them all (at
/// 10,000 affiliates that read took 34 ms per group in `bench serve --affiliates 10000`).
///
/// A code not found as spelled reads every affiliate once, to find one differing only in case
/// (`AffiliateCode.key`, lowest id first: codes differing only in case are one code), and from
/// then on every answer comes from memory. The rows read are the truth for the transaction: the
/// ingest never writes the affiliate table, except the customer-number counters, which
/// `CustomerNumbers` keeps from its first read of each.
final class AffiliateDirectory {
    struct Stored {
        let fact: AffiliateFact
        let lastCustomerNumber: Int64
        let email: String?
    }

    private let db: Database
    private let pending: PendingRows
    /// A present id is known: `nil` inside means known absent.
    private var byID: [Int64: Stored?] = [:]
    private var byCode: [String: Stored] = [:]
    /// Filled once every affiliate was read (`readAll`); then nothing is read again.
    private var byKey: [String: Stored]?

    private static let columns = "id, code, disabled, commission, last_customer_number, email"

    init(_ db: Database, pending: PendingRows) {
        self.db = db
        self.pending = pending
    }

    /// The affiliate with this exact code, else the one whose code differs only in case.
    func byCode(_ code: String) throws -> Stored? {
        if let a = byCode[code] { return a }
        if let byKey { return byKey[AffiliateCode.key(code)] }
        if let a = try readOne("SELECT \(Self.columns) FROM affiliate WHERE code = ?", .text(code)) { return a }
        return try readAll()[AffiliateCode.key(code)]
    }

    func byID(_ id: Int64) throws -> Stored? {
        if let known = byID[id] { return known }
        if byKey != nil { return nil }
        let a = try readOne("SELECT \(Self.columns) FROM affiliate WHERE id = ?", .int(id))
        if a == nil { byID[id] = .some(nil) }
        return a
    }

    /// Reads one affiliate by the connection's cached statement, after the write-behind thread
    /// is done with the connection.
    private func readOne(_ sql: String, _ value: RawValue) throws -> Stored? {
        try pending.drainWrites()
        let s = try RawStatement(cached: db, sql).bind(all: [value])
        defer { s.done() }
        guard try s.step() else { return nil }
        return keep(Self.stored(s))
    }

    /// Every affiliate, by `AffiliateCode.key`, lowest id first.
    private func readAll() throws -> [String: Stored] {
        try pending.drainWrites()
        var keys: [String: Stored] = [:]
        let s = try RawStatement(cached: db, "SELECT \(Self.columns) FROM affiliate ORDER BY id")
        defer { s.done() }
        while try s.step() {
            let a = keep(Self.stored(s))
            let key = AffiliateCode.key(a.fact.code)
            if keys[key] == nil { keys[key] = a }
        }
        byKey = keys
        return keys
    }

    /// The first read of an affiliate is kept: a later read returns that one.
    private func keep(_ a: Stored) -> Stored {
        if let known = byID[a.fact.id], let k = known { return k }
        byID[a.fact.id] = a
        byCode[a.fact.code] = a
        return a
    }

    private static func stored(_ s: RawStatement) -> Stored {
        Stored(fact: AffiliateFact(id: s.int(0), code: s.text(1), disabled: s.int(2) != 0, commission: Commission(stored: s.optionalText(3))),
               lastCustomerNumber: s.int(4), email: s.optionalText(5))
    }
}
