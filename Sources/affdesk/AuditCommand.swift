import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import TerminalText

/// `affdesk audit list [--filter T] [--limit N] [--json]`: every admin change, newest first.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The audit log: every admin change with who, when, before and after.",
                                                    subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the audit log, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only entries whose user, action or target matches.") var filter: String = ""
        @Option(parsing: .unconditional, help: "At most this many rows.") var limit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            let max = try rowLimit(limit)
            let rows = try allPages(max, { try store.audit(filter: filter, page: $0) }, cursor: { $0.cursor })
            if json { print(Out.arr(rows.map(auditJSON)).text); return }
            var t = Table(headers: ["ID", "DATE", "WHO", "ACTION", "TARGET", "BEFORE", "AFTER"], rightAligned: [0])
            for a in rows {
                t.add([String(a.id), a.at.shortDisplay, a.who, a.action, a.target ?? "", a.before ?? "—", a.after ?? "—"])
            }
            print(t.render())
            print(try countLine(rows.count, limit: max, "audit entry", "audit entries") { try store.auditCount(filter: filter) })
        }
    }
}

func auditJSON(_ a: AuditRow) -> Out {
    .obj([("id", .int(a.id)), ("at", .str(a.at.iso8601)), ("who", .str(a.who)), ("action", .str(a.action)), ("target", .s(a.target)),
          ("before", .s(a.before)), ("after", .s(a.after)), ("detail", .s(a.detail))])
}
