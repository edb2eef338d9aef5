import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import TerminalText

/// `affdesk payouts ...`: batches of approved commissions, net of clawbacks, per affiliate.
struct PayoutsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payouts",
        abstract: "Payouts: create, list, show, export (CSV, PayPal, Wise), mark paid, cancel.",
        subcommands: [Create.self, List.self, Show.self, Export.self, MarkPaid.self, Cancel.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One payout per affiliate of every approved commission through DATE, net of open clawbacks.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The last day included (YYYY-MM-DD, or an ISO 8601 time).") var through: String
        @Option(parsing: .unconditional, help: "The least net amount paid, e.g. 50.00 (in the program's currency); less carries over.")
        var min: String?

        func run() throws {
            // The core's rule, as the Payouts tab reads it: a bare date runs through the end of that day.
            let t: Instant
            do { t = try AttributionCore.Payouts.parseThrough(through) } catch { throw Failure("--\(error)") }
            let store = try database.open()
            let minimum: Money?
            do { minimum = try min.map { try AttributionCore.Payouts.parseMinimum($0, currency: try store.settings().currency) } } catch let e as SettingError {
                throw Failure("--\(e)")
            }
            let run = try store.createPayouts(through: t, minimum: minimum, who: currentUser())
            for p in run.created {
                if p.state == .paid {
                    print("payout #\(p.id): \(p.affiliate) \(p.amount) (\(p.commissions) line\(p.commissions == 1 ? "" : "s")): netted to zero, settled; nothing to send")
                    continue
                }
                print("payout #\(p.id): \(p.affiliate) \(p.amount) (\(p.commissions) line\(p.commissions == 1 ? "" : "s"))\(p.email == nil ? "  no email: cannot be exported to PayPal or Wise" : "")")
            }
            for c in run.carried { print("carried over: \(c.affiliate) \(c.net): \(c.reason.rawValue): \(c.reason.sentence)") }
            print("\(run.created.count) payout\(run.created.count == 1 ? "" : "s") created through \(t.dateDisplay)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List payouts, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this affiliate's (its code).") var affiliate: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let rows = try database.open(readOnly: true).payouts(affiliateCode: affiliate)
            if json { print(Out.arr(rows.map(LedgerJSON.payout)).text); return }
            var t = Table(headers: ["ID", "AFFILIATE", "EMAIL", "AMOUNT", "LINES", "STATE", "THROUGH", "CREATED", "PAID", "REFERENCE"],
                          rightAligned: [0, 3, 4])
            for p in rows {
                t.add([String(p.id), p.affiliate, p.email ?? "—", p.amount.description, String(p.commissions), p.state.rawValue,
                       p.through.dateDisplay, p.createdAt.shortDisplay, p.paidAt?.shortDisplay ?? "", p.reference ?? ""])
            }
            print(t.render())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One payout and its lines.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The payout id.", valueName: "id")) var ids: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let id = try wholeNumber(try single(ids.filter { $0 != "--json" }, "payout id"), "the payout id", in: Bounds.id)
            guard let (p, lines) = try database.open(readOnly: true).payout(id: id) else { throw Failure("no payout #\(id)") }
            if json || ids.contains("--json") {
                guard case .obj(var fields) = LedgerJSON.payout(p) else { return }
                fields.append(("lines", .arr(lines.map { l in
                    .obj([("commission_id", .int(l.commissionID)), ("kind", .str(l.kind.rawValue)), ("external_id", .str(l.externalID)),
                          ("amount_minor", .int(l.amount.minor)), ("currency", .str(l.amount.currency.code)), ("earned_at", .str(l.earnedAt.iso8601))])
                })))
                print(Out.obj(fields).text)
                return
            }
            print("""
            payout     #\(p.id) \(p.state.rawValue)
            affiliate  \(p.affiliate) (\(Sanitize.text(p.affiliateName))) \(Sanitize.text(p.email ?? "no email"))
            amount     \(p.amount), \(p.commissions) line\(p.commissions == 1 ? "" : "s"), through \(p.through.dateDisplay)
            created    \(p.createdAt.shortDisplay)\(p.paidAt.map { "\npaid       \($0.shortDisplay)" } ?? "")\(p.reference.map { "\nreference  \(Sanitize.text($0))" } ?? "")
            """)
            var t = Table(headers: ["COMMISSION", "EARNED", "EXTERNAL ID", "KIND", "AMOUNT"], rightAligned: [0, 4])
            for l in lines { t.add(["#\(l.commissionID)", l.earnedAt.shortDisplay, l.externalID, l.kind.rawValue, l.amount.description]) }
            print(t.render())
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write payouts as CSV, a PayPal Payouts file or a Wise batch file (all open payouts when no id is given).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "csv, paypal or wise.") var format: String = "csv"
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Payout ids.", valueName: "id")) var ids: [String] = []

        func run() throws {
            guard let f = PayoutExport.Format(rawValue: format) else { throw Failure("--format: \"\(format)\" is not csv, paypal or wise") }
            let store = try database.open(readOnly: true)
            var rows: [PayoutRow]
            if ids.isEmpty {
                rows = try store.payouts().filter { $0.state == .open }.reversed()
            } else {
                rows = try ids.map { text in
                    let id = try wholeNumber(text, "a payout id", in: Bounds.id)
                    guard let p = try store.payout(id: id)?.payout else { throw Failure("no payout #\(id)") }
                    return p
                }
            }
            let (text, errors) = PayoutExport.render(rows.map { p in
                PayoutExport.Line(payoutID: p.id, affiliate: p.affiliate, name: p.affiliateName, email: p.email, amount: p.amount,
                                  commissions: p.commissions, state: p.state, through: p.through, createdAt: p.createdAt, paidAt: p.paidAt,
                                  reference: p.reference)
            }, format: f)
            if let out = output {
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: absolute(out))) } catch { throw exportWriteFailure(out, error) }
                print("wrote \(rows.count - errors.count) payout\(rows.count - errors.count == 1 ? "" : "s") to \(out)")
            } else {
                print(text.replacingOccurrences(of: "\r\n", with: "\n"), terminator: "")
            }
            for e in errors { stderrPrint("error: \(e)") }
            if !errors.isEmpty { throw ExitCode(1) }
        }
    }

    struct MarkPaid: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mark-paid", abstract: "Mark an open payout paid: its commissions are paid.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The payment's reference (a PayPal batch id, a bank reference).") var reference: String?
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The payout id.", valueName: "id")) var ids: [String] = []

        func run() throws {
            let id = try wholeNumber(try single(ids, "payout id"), "the payout id", in: Bounds.id)
            do {
                let p = try database.open().markPayoutPaid(id: id, reference: reference, who: currentUser())
                print("payout #\(p.id): paid \(p.amount) to \(p.affiliate)\(p.reference.map { " (reference \($0))" } ?? "")")
            } catch let f as LedgerRefusal { throw Failure("refused: \(f.reason.rawValue): \(f.reason.sentence)\n  fix: \(f.reason.hint)") }
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an open payout: its commissions are approved again.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The payout id.", valueName: "id")) var ids: [String] = []

        func run() throws {
            let id = try wholeNumber(try single(ids, "payout id"), "the payout id", in: Bounds.id)
            do {
                let p = try database.open().cancelPayout(id: id, who: currentUser())
                print("payout #\(p.id): canceled; its \(p.commissions) line\(p.commissions == 1 ? "" : "s") are payable again")
            } catch let f as LedgerRefusal { throw Failure("refused: \(f.reason.rawValue): \(f.reason.sentence)\n  fix: \(f.reason.hint)") }
        }
    }
}

/// Why the export file could not be written, in words (Foundation's own sentence can be
/// "The operation could not be completed. (NSCocoaErrorDomain error 512.)").
func exportWriteFailure(_ path: String, _ error: any Error) -> Failure {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
        return Failure("--output: \(path) is a directory: give a file's path (e.g. --output \(path)/payouts.csv)")
    }
    let dir = (absolute(path) as NSString).deletingLastPathComponent
    if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
        return Failure("--output: \(path): the directory \(dir) does not exist; the export was not written")
    }
    if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
        return Failure("--output: \(path): \(String(cString: strerror(Int32(posix.code)))); the export was not written")
    }
    return Failure("--output: \(path): \(error.localizedDescription); the export was not written")
}
