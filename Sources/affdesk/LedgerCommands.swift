import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation

/// `affdesk commissions ...`: the commission ledger and the admin's actions on it.
struct Commissions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The commission ledger: list, approve, hold, release, void.",
        subcommands: [List.self, Approve.self, Hold.self, Release.self, VoidCommand.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List commissions and clawbacks, oldest first, as they stand now.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "pending, approved, paid, voided or on_hold.") var state: String?
        @Option(help: "Only this affiliate's (its code).") var affiliate: String?
        @Option(parsing: .unconditional, help: "At most this many rows.") var limit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            // Oldest first, a keyset page at a time (`commissionPage`), "2 of 5 entries" when --limit cut it.
            var q = CommissionListQuery(sort: .id, descending: false)
            let max = try rowLimit(limit)
            if let s = state {
                guard let st = CommissionState(rawValue: s) else {
                    throw Failure("--state: \"\(s)\" is not one of \(CommissionState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                q.selection = .state(st)
            }
            if let a = affiliate { q.affiliateID = try affiliateOption(a, in: store).id }
            let rows = try allPages(max, { try store.commissionPage(q, page: $0) }, cursor: { $0.cursor(.id) })
            if json {
                print(Out.arr(rows.map(LedgerJSON.commission)).text)
                return
            }
            var t = Table(headers: ["ID", "EARNED", "EXTERNAL ID", "AFFILIATE", "AMOUNT", "STATE", "REASON", "PAYOUT", "APPROVES"],
                          rightAligned: [0, 4, 7])
            for r in rows {
                t.add([String(r.id), r.earnedAt.shortDisplay, r.externalID + (r.kind == .clawback ? " (clawback)" : ""), r.affiliate,
                       r.amount.description, r.state.rawValue, r.reason?.rawValue ?? "", r.payoutID.map { "#\($0)" } ?? "",
                       r.state == .pending ? r.approvesAt.dateDisplay : ""])
            }
            print(t.render())
            var totals: [String: Int64] = [:]
            for r in rows where r.state != .voided { totals["\(r.state.rawValue) \(r.amount.currency.code)", default: 0] += r.amount.minor }
            print(try countLine(rows.count, limit: max, "entry", "entries") { try store.commissionCount(q) } + (totals.isEmpty ? "" : ": ")
                  + totals.keys.sorted().map { k in
                      let parts = k.split(separator: " ")
                      return "\(parts[0]) \(Money(minor: totals[k]!, currency: Currency(validated: String(parts[1]))))"
                  }.joined(separator: ", "))
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve commissions (pending or on hold): payable in the next payout.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Commission ids.", valueName: "id")) var ids: [String] = []
        func run() throws { try ledgerAction(.approve, ids, database) }
    }

    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put commissions on hold: they do not move on by themselves.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Commission ids.", valueName: "id")) var ids: [String] = []
        func run() throws { try ledgerAction(.hold, ids, database) }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release held commissions: their dates decide again.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Commission ids.", valueName: "id")) var ids: [String] = []
        func run() throws { try ledgerAction(.release, ids, database) }
    }

    struct VoidCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "void", abstract: "Void commissions: they are never paid.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "canceled_by_admin (default), self_referral or duplicate.") var reason: String = "canceled_by_admin"
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Commission ids.", valueName: "id")) var ids: [String] = []
        func run() throws {
            let r: LedgerReason
            do { r = try Ledger.parseVoidReason(reason) } catch { throw Failure("--reason: \(error.reason.hint) (got \"\(reason)\")") }
            try ledgerAction(.void(r), ids, database)
        }
    }
}

/// Applies an action to each id; prints each outcome; fails when any was refused.
func ledgerAction(_ action: LedgerAction, _ texts: [String], _ database: DatabaseOptions) throws {
    if texts.isEmpty { throw Failure("give the commission ids") }
    let ids = try texts.map { try wholeNumber($0, "a commission id", in: Bounds.id) }
    let results = try database.open().commissionAction(action, ids: ids, who: currentUser())
    var refused = 0
    for r in results {
        switch r.outcome {
        case .success(let s): print("commission #\(r.id): \(r.before?.rawValue ?? "?") → \(s.rawValue)")
        case .failure(let f):
            refused += 1
            print("commission #\(r.id): refused \(f.reason.rawValue): \(f.reason.sentence)\(f.detail.map { " (\($0))" } ?? "")\n  fix: \(f.reason.hint)")
        }
    }
    if refused == results.count { throw Failure(refused == 1 ? "refused; nothing was changed" : "all \(refused) refused; nothing was changed") }
    if refused > 0 { throw Failure("\(refused) of \(results.count) refused; the other \(results.count - refused) were applied") }
}

enum LedgerJSON {
    static func commission(_ r: CommissionRow) -> Out {
        .obj([("id", .int(r.id)), ("kind", .str(r.kind.rawValue)), ("external_id", .str(r.externalID)), ("affiliate", .str(r.affiliate)),
              ("customer_key", .s(r.customerKey)), ("amount_minor", .int(r.amount.minor)), ("currency", .str(r.amount.currency.code)),
              ("state", .str(r.state.rawValue)), ("reason", .s(r.reason?.rawValue)), ("payout_id", .i(r.payoutID)),
              ("approves_at", .str(r.approvesAt.iso8601)), ("earned_at", .str(r.earnedAt.iso8601))])
    }

    static func payout(_ p: PayoutRow) -> Out {
        .obj([("id", .int(p.id)), ("affiliate", .str(p.affiliate)), ("email", .s(p.email)), ("amount_minor", .int(p.amount.minor)),
              ("currency", .str(p.amount.currency.code)), ("state", .str(p.state.rawValue)), ("commissions", .i(p.commissions)),
              ("through", .str(p.through.iso8601)), ("created_at", .str(p.createdAt.iso8601)), ("paid_at", .s(p.paidAt?.iso8601)),
              ("reference", .s(p.reference))])
    }
}
