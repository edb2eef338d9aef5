import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import TerminalText

/// Streams every page of a keyset query.
func allPages<T>(_ limit: Int?, _ fetch: (PageRequest) throws -> [T], cursor: (T) -> Cursor) throws -> [T] {
    if let l = limit, l < 0 { throw Failure("--limit: \(l) is negative; give 0 or more rows") }
    var out: [T] = []
    var page = PageRequest.first(500)
    while true {
        let rows = try fetch(page)
        out += rows
        if let l = limit, out.count >= l { return Array(out.prefix(l)) }
        guard rows.count == page.limit, let last = rows.last else { return out }
        page = PageRequest(after: cursor(last), limit: 500)
    }
}

/// The line under a list: "2,341 customers", or "2 of 2,341 customers" when `--limit` cut it.
func countLine(_ shown: Int, limit: Int?, _ singular: String, _ plural: String, total: () throws -> Int) rethrows -> String {
    let noun = shown == 1 ? singular : plural
    func g(_ n: Int) -> String { Money.grouped(String(n)) }
    if let limit, shown >= limit {
        let all = try total()
        if all > shown { return "\(g(shown)) of \(g(all)) \(all == 1 ? singular : plural)" }
    }
    return "\(g(shown)) \(noun)"
}

struct Customers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List, show and manage customers.",
                                                    subcommands: [List.self, Show.self, SetStatus.self, Reassign.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List customers.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Sort by: key, affiliate, status, conversions, commission, activity.") var sort: String = "activity"
        @Flag(help: "Ascending order (default: descending).") var ascending = false
        @Option(help: "Only customers whose key, email or affiliate matches.") var filter: String = ""
        @Option(help: "Only this status (alias or lifecycle name).") var status: String?
        @Option(help: "Only this affiliate's customers (code).") var affiliate: String?
        @Option(parsing: .unconditional, help: "At most this many rows.") var limit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            let settings = try store.settings()
            let s: CustomerSort = try parseSort(sort)
            var q = CustomerQuery(sort: s, descending: !ascending, filter: filter)
            if let st = status { q.status = try parseStatus(st, settings) }
            if let code = affiliate { q.affiliateID = try affiliateOption(code, in: store).id }
            let max = try rowLimit(limit)
            let rows = try allPages(max, { try store.customers(q, page: $0) }, cursor: { $0.cursor(s) })
            if json {
                print(Out.arr(rows.map { customerJSON($0, settings) }).text)
                return
            }
            var t = Table(headers: ["CUSTOMER", "AFFILIATE", "STATUS", "CONVERSIONS", "COMMISSION", "LAST ACTIVITY"], rightAligned: [3, 4])
            for c in rows {
                t.add([c.key, c.affiliateCode, settings.label(c.status), String(c.conversions),
                       c.commission?.description ?? "-", c.lastActivityAt.shortDisplay])
            }
            print(t.render())
            print(try countLine(rows.count, limit: max, "customer", "customers") { try store.customerCount(q) })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one customer with its conversions and events.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The customer key.") var key: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            let settings = try store.settings()
            guard let c = try store.customer(key: key) else { throw Failure("no customer \"\(key)\"") }
            let convs = try allPages(nil, { try store.conversions(ConversionQuery(descending: false, customerID: c.id), page: $0) },
                                     cursor: { $0.cursor(.date) })
            let events = try allPages(200, { try store.events(EventQuery(customerID: c.id), page: $0) }, cursor: { $0.cursor })
            if json {
                var o = customerJSON(c, settings)
                if case .obj(var kv) = o {
                    kv.append(("conversion_list", .arr(convs.map(conversionJSON))))
                    kv.append(("events", .arr(events.map(eventJSON))))
                    o = .obj(kv)
                }
                print(o.text)
                return
            }
            let caps = settings.caps
            var lines = [
                "customer     \(Sanitize.text(c.key))",
                "email        \(Sanitize.text(c.email ?? "-"))",
                "affiliate    \(Sanitize.text(c.affiliateCode)) (\(Sanitize.text(c.affiliateName)))",
                "status       \(settings.label(c.status)) (\(c.status.rawValue))",
                "tracked      \(c.createdAt.shortDisplay)",
                "conversions  \(c.conversions)\(caps.count.map { " of \($0)" } ?? "")",
                "commission   \(c.commission?.description ?? "-")\(caps.amount.map { " of \($0)" } ?? "")",
            ]
            if let m = caps.months, let f = c.firstCommissionAt {
                lines.append("months cap   \(m) months from \(f.dateDisplay) (until \(f.adding(months: m).dateDisplay))")
            }
            print(lines.joined(separator: "\n"))
            var t = Table(headers: ["DATE", "EXTERNAL ID", "AFFILIATE", "AMOUNT", "COMMISSION"], rightAligned: [3, 4])
            for v in convs { t.add([v.at.shortDisplay, v.externalID, v.affiliateCode, v.amount.description, v.commission.description]) }
            print("\nconversions\n" + t.render())
            var e = Table(headers: ["ID", "DATE", "TYPE", "OUTCOME", "REASON / NOTE"], rightAligned: [0])
            for ev in events.reversed() {
                e.add([String(ev.id), ev.at?.shortDisplay ?? "-", ev.type, ev.outcome.rawValue, ev.reasonCode ?? ev.note ?? ""])
            }
            print("\nevents\n" + e.render())
        }
    }

    struct SetStatus: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-status", abstract: "Change a customer's status by hand.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The customer key.") var key: String
        @Argument(help: "The new status, by alias (e.g. Canceled) or lifecycle name (ended).") var status: String

        func run() throws {
            let store = try database.open()
            let settings = try store.settings()
            let target = try parseStatus(status, settings)
            let d = try store.setStatus(customerKey: key, to: target, who: currentUser())
            try report(d, success: "\(key): status set")
        }
    }

    struct Reassign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a customer to another affiliate (credited conversions stay).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The customer key.") var key: String
        @Argument(help: "The new affiliate's code.") var affiliate: String

        func run() throws {
            let store = try database.open()
            let d = try store.reassign(customerKey: key, toAffiliate: affiliate, who: currentUser())
            try report(d, success: "\(key): reassigned to \(affiliate)")
        }
    }
}

func customerJSON(_ c: CustomerRow, _ s: ProgramSettings) -> Out {
    .obj([("customer_key", .str(c.key)), ("email", .s(c.email)), ("affiliate", .str(c.affiliateCode)),
          ("status", .str(c.status.rawValue)), ("status_label", .str(s.label(c.status))), ("conversions", .i(c.conversions)),
          ("commission_minor", .int(c.commission?.minor ?? 0)), ("commission_currency", .s(c.commission?.currency.code)),
          ("tracked_at", .str(c.createdAt.iso8601)), ("last_activity_at", .str(c.lastActivityAt.iso8601))])
}

func conversionJSON(_ v: ConversionRow) -> Out {
    .obj([("external_id", .str(v.externalID)), ("customer_key", .s(v.customerKey)), ("affiliate", .str(v.affiliateCode)),
          ("amount_minor", .int(v.amount.minor)), ("currency", .str(v.amount.currency.code)),
          ("commission_minor", .int(v.commission.minor)), ("commission_currency", .str(v.commission.currency.code)),
          ("at", .str(v.at.iso8601)), ("manual", .bool(v.manual)), ("subscription_id", .s(v.subscriptionID)),
          ("renewal_index", .i(v.renewalIndex.map(Int64.init)))])
}

func eventJSON(_ e: EventRow) -> Out {
    .obj([("id", .int(e.id)), ("type", .str(e.type)), ("source", .str(e.source)), ("outcome", .str(e.outcome.rawValue)),
          ("reason", .s(e.reasonCode)), ("note", .s(e.note)), ("message", .str(e.message)),
          ("hint", .s(e.reason?.hint ?? e.notes.first?.hint)), ("detail", .s(e.detail)), ("at", .s(e.at?.iso8601)),
          ("file", .s(e.file)), ("line", .i(e.line.map(Int64.init))), ("field", .s(e.field)),
          ("customer_key", .s(e.customerKey)), ("external_id", .s(e.externalID)), ("click_id", .s(e.clickRef))])
}

struct Conversions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List conversions or add one by hand.", subcommands: [List.self, Add.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List conversions, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Sort by: date, external_id, affiliate, amount, commission.") var sort: String = "date"
        @Flag(help: "Ascending order.") var ascending = false
        @Option(help: "Only conversions whose external id, customer key or affiliate matches.") var filter: String = ""
        @Option(help: "Only this customer's conversions.") var customer: String?
        @Option(help: "Only this affiliate's conversions (code).") var affiliate: String?
        @Option(parsing: .unconditional, help: "At most this many rows.") var limit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            let s: ConversionSort = try parseSort(sort)
            var q = ConversionQuery(sort: s, descending: !ascending, filter: filter)
            if let k = customer {
                guard let c = try store.customer(key: k) else { throw Failure("--customer: no customer \"\(k)\"") }
                q.customerID = c.id
            }
            if let code = affiliate { q.affiliateID = try affiliateOption(code, in: store).id }
            let max = try rowLimit(limit)
            let rows = try allPages(max, { try store.conversions(q, page: $0) }, cursor: { $0.cursor(s) })
            if json { print(Out.arr(rows.map(conversionJSON)).text); return }
            var t = Table(headers: ["DATE", "EXTERNAL ID", "CUSTOMER", "AFFILIATE", "AMOUNT", "COMMISSION"], rightAligned: [4, 5])
            for v in rows {
                t.add([v.at.shortDisplay, v.externalID + (v.manual ? " (manual)" : ""), v.customerKey ?? "one-off", v.affiliateCode,
                       v.amount.description, v.commission.description])
            }
            print(t.render())
            print(try countLine(rows.count, limit: max, "conversion", "conversions") { try store.conversionCount(q) })
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a conversion by hand (an admin override, audited).")
        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("external-id"), help: "A unique id for the payment.") var externalID: String?
        @Option(parsing: .unconditional, help: "Amount in major units, e.g. 29.00 (with --from-event: instead of the event's).") var amount: String?
        @Option(help: "Currency (default: the program's).") var currency: String?
        @Option(help: "The customer to credit (their affiliate earns).") var customer: String?
        @Option(help: "The affiliate to credit (code); overrides the customer's.") var affiliate: String?
        @Option(help: "When it was paid (ISO 8601; default now).") var at: String?
        @Option(name: .customLong("from-event"), parsing: .unconditional, help: ArgumentHelp("Add a stored conversion event by hand (its external id, amount, time and customer).",
                                                                   valueName: "EVENT_ID")) var fromEvent: String?

        func run() throws {
            if let e = fromEvent { return try addFromEvent(try wholeNumber(e, "--from-event", in: Bounds.id)) }
            guard let externalID else { throw Failure("--external-id: required (or --from-event EVENT_ID)") }
            guard let amount else { throw Failure("--amount: required (or --from-event EVENT_ID)") }
            let store = try database.open()
            let settings = try store.settings()
            let money = try parseMoney(amount, currency: currency, field: "--amount", default: settings.currency)
            var when: Instant?
            if let a = at {
                guard let i = Instant.parse(a) else { throw Failure("--at: \"\(a)\" is not an ISO 8601 time") }
                when = i
            }
            let d = try store.addManualConversion(externalID: externalID, amount: money, customerKey: customer,
                                                  affiliateCode: affiliate, at: when, who: currentUser())
            try report(d, success: "added conversion \(externalID): \(money), commission \(d.conversion?.commission.description ?? "-")")
        }
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The event inbox: every event received, with its outcome.",
                                                    subcommands: [List.self, Replay.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List events, newest first.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Only rejected events (not the ones resolved since by a replay or by hand).") var rejected = false
        @Flag(name: .customLong("include-resolved"), help: "With --rejected: the resolved ones too.") var includeResolved = false
        @Option(help: "Only events with this reason or note code.") var reason: String?
        @Option(help: "Only events mentioning this identifier.") var filter: String = ""
        @Option(parsing: .unconditional, help: "At most this many rows.") var limit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            if let code = reason, !isEventReasonCode(code) {
                throw Failure("--reason: \"\(code)\" is not a reason or note code (the codes are in the README's Reason codes table)")
            }
            let store = try database.open(readOnly: true)
            let q = EventQuery(rejectedOnly: rejected, reason: reason, filter: filter, includeResolved: includeResolved)
            let max = try rowLimit(limit)
            let rows = try allPages(max, { try store.events(q, page: $0) }, cursor: { $0.cursor })
            let resolved = try store.resolutions(eventIDs: rows.filter { $0.outcome == .rejected }.map(\.id))
            if json {
                print(Out.arr(rows.map { e in
                    guard case .obj(var kv) = eventJSON(e) else { return eventJSON(e) }
                    kv.append(("resolved_by", resolutionJSON(resolved[e.id])))
                    return .obj(kv)
                }).text)
                return
            }
            var t = Table(headers: ["ID", "DATE", "TYPE", "OUTCOME", "REASON", "WHERE", "DETAIL"], rightAligned: [0])
            t.maxWidth = 60
            for e in rows {
                let place = e.file.map { "\($0)\(e.line.map { ":\($0)" } ?? "")" } ?? e.source
                t.add([String(e.id), e.at?.shortDisplay ?? "-", e.type, resolved[e.id].map { _ in "resolved" } ?? e.outcome.rawValue,
                       e.reasonCode ?? e.note ?? "",
                       place, e.detail ?? ""])
            }
            print(t.render())
            print(try countLine(rows.count, limit: max, "event", "events") { try store.eventCount(q) })
        }
    }
}
