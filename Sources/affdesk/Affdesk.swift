import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation

@main
struct Affdesk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "affdesk",
        abstract: "The customers side of an affiliate program: attribution, caps, statuses, triage.",
        discussion: "Run without a command to open the dashboard on the database.",
        subcommands: [Dash.self, Init.self, ProgramCommand.self, Affiliates.self, Ingest.self, Customers.self,
                      Conversions.self, Events.self, Triage.self, Audit.self, View.self, SSH.self, DemoCommand.self, Bench.self,
                      Commissions.self, PayoutsCommand.self, Serve.self, APIKeys.self, WebhookSecrets.self, Check.self],
        defaultSubcommand: Dash.self)

    /// ArgumentParser's own `main`, with its messages (help, and errors that quote what was
    /// typed) printed through `Console` like everything else. Called by `main` (CrashReports.swift)
    /// once crash reports are sent away from the terminal.
    static func parseAndRun() {
        do {
            // `--db` before the subcommand, and unknown commands (GlobalArguments.swift).
            let arguments: [String]
            switch GlobalArguments.prepare(Array(CommandLine.arguments.dropFirst())) {
            case .arguments(let a): arguments = a
            case .unknownCommand(let message): throw Failure(message)
            }
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = Store.explainDatabaseFailure(error).map { "Error: " + $0 } ?? fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { print(message) } else { stderrPrint(message) }
            }
            fflush(nil)
            Foundation.exit(code.rawValue)
        }
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a program in a new database.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Business model: saas, leads or generic (sets the status names).") var model: String = "saas"
    @Option(help: "The program's name.") var name: String = "My program"
    @Option(help: "The program's currency (ISO 4217).") var currency: String = "USD"

    func run() throws {
        guard let m = BusinessModel(rawValue: model) else { throw Failure("--model: \"\(model)\" is not saas, leads or generic") }
        let cur: Currency
        do { cur = try Currency(currency) } catch { throw Failure("--currency: \(error)") }
        let path = database.path
        // A database that is someone else's is left alone (an empty file, or affdesk's schema without a program, is fine).
        if FileManager.default.fileExists(atPath: path), try Store.contents(of: path) == .foreign {
            throw StoreError.notAffdesk(path: path)
        }
        let parent = (path as NSString).deletingLastPathComponent
        let newDirectory = !FileManager.default.fileExists(atPath: parent)
        let store = try Store(path: path)
        if newDirectory { print("created directory \(parent) (it did not exist)") }
        try store.initialize(ProgramSettings(name: name, model: m, currency: cur), who: currentUser())
        print("created program \"\(name)\" (\(m.displayName)) in \(store.path)")
    }
}

struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "program", abstract: "Show or change the program's settings.",
                                                    subcommands: [Show.self, Set.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the settings.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            let s = try store.settings()
            let a = try store.adapterSettings()
            let ledger = try store.ledgerSettings()
            if json {
                var commission: [(String, Out)] = []
                switch s.commission {
                case .percent(let bp): commission = [("kind", .str("percent")), ("basis_points", .i(bp))]
                case .fixed(let m): commission = [("kind", .str("fixed")), ("amount_minor", .int(m.minor)), ("currency", .str(m.currency.code))]
                }
                print(Out.obj([
                    ("name", .str(s.name)), ("model", .str(s.model.rawValue)), ("recurring", .bool(s.recurring)),
                    ("commission", .obj(commission)), ("cap_count", .i(s.caps.count.map(Int64.init))),
                    ("cap_months", .i(s.caps.months.map(Int64.init))), ("cap_amount_minor", .i(s.caps.amount?.minor)),
                    ("cap_amount_currency", .s(s.caps.amount?.currency.code)), ("window_days", .i(s.windowDays)),
                    ("currency", .str(s.currency.code)), ("metadata_key", .str(a.metadataKey)), ("tax_excluded", .bool(a.taxExcluded)),
                    ("holding_days", .i(ledger.holdingDays)), ("approval_above_minor", .i(ledger.approvalAbove?.minor)),
                    ("statuses", .obj(CustomerStatus.allCases.map { ($0.rawValue, .str(s.label($0))) })),
                ]).text)
                return
            }
            print("""
            program          \(s.name)
            model            \(s.model.displayName) (\(CustomerStatus.allCases.map { s.label($0) }.joined(separator: " / ")))
            recurring        \(s.recurring ? "on" : "off")  (Recurring/Lifetime commissions)
            commission       \(s.commission)
            caps             \(Wording.capsSummary(s.caps))
            window           \(s.windowDays) days (last click wins)
            currency         \(s.currency.code)
            metadata key     \(a.metadataKey)  (Stripe metadata holding the customer key)
            tax              \(a.taxExcluded ? "excluded from" : "included in") the commission basis
            holding          \(ledger.holdingDays) days (then approved)
            approval above   \(ledger.approvalAbove.map { "\($0) (waits for an admin)" } ?? "none")
            """)
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change settings; each change is audited.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The program's name.") var name: String?
        @Option(help: "saas, leads or generic.") var model: String?
        @Option(help: "Recurring/Lifetime commissions: on or off.") var recurring: String?
        @Option(parsing: .unconditional, help: "\"20%\" or a fixed amount per conversion like \"15.00 USD\".") var commission: String?
        @Option(name: .customLong("cap-count"), parsing: .unconditional, help: "Pay the first N commissions per customer (\"none\" to remove).") var capCount: String?
        @Option(name: .customLong("cap-months"), parsing: .unconditional, help: "Pay within M months of the first commission (\"none\").") var capMonths: String?
        @Option(name: .customLong("cap-amount"), parsing: .unconditional, help: "Total commission per customer, e.g. \"500.00\" (\"none\").") var capAmount: String?
        @Option(help: "Recurring strategy: first_order_only, all_renewals or first_n_renewals:N (sets the count cap).") var strategy: String?
        @Option(parsing: .unconditional, help: "Attribution window in days.") var window: String?
        @Option(help: "The program's currency.") var currency: String?
        @Option(name: .customLong("metadata-key"), help: "Stripe metadata key holding the customer key.") var metadataKey: String?
        @Option(help: "Commission basis: \"included\" or \"excluded\" tax.") var tax: String?
        @Option(name: .customLong("holding-days"), parsing: .unconditional, help: "Days a commission stays pending (0: approved at once).") var holdingDays: String?
        @Option(name: .customLong("approval-above"), parsing: .unconditional, help: "Commissions above this amount wait for an admin's approval (\"none\").") var approvalAbove: String?

        func run() throws {
            let store = try database.open()
            var s = try store.settings()
            var a = try store.adapterSettings()
            // Every value is read by the core's parser for its setting, as in the Settings form.
            do {
                if let n = name { s.name = try SettingRules.parseName(n) }
                if let m = model { s.model = try SettingRules.parseModel(m) }
                if let r = recurring { s.recurring = try SettingRules.parseOnOff(r, field: "recurring") }
                if let c = currency { s.currency = try SettingRules.parseCurrency(c) }
                if let c = commission { s.commission = try SettingRules.parseCommission(c) }
                if let st = strategy { s.caps.count = Caps.strategy(try SettingRules.parseStrategy(st)).count }
                if let c = capCount { s.caps.count = try SettingRules.parseCapCount(c) }
                if let m = capMonths { s.caps.months = try SettingRules.parseCapMonths(m) }
                if let amt = capAmount { s.caps.amount = try SettingRules.parseCapAmount(amt, currency: s.currency) }
                if let w = window { s.windowDays = try SettingRules.parseWindow(w) }
                if let t = tax { a.taxExcluded = try SettingRules.parseTaxExcluded(t) }
                if let k = metadataKey { a.metadataKey = try SettingRules.parseMetadataKey(k) }
            } catch { throw Failure("--\(error)") }
            var ledger = try store.ledgerSettings()
            do {
                if let h = holdingDays { ledger.holdingDays = try SettingRules.parseHoldingDays(h) }
                if let amt = approvalAbove { ledger.approvalAbove = try SettingRules.parseApprovalAbove(amt, currency: s.currency) }
            } catch { throw Failure("--\(error)") }
            do {
                try store.updateSettings(s, adapters: a, who: currentUser())
                try store.updateLedgerSettings(ledger, who: currentUser())
            } catch let e as StoreError { throw Failure("\(e)") }
            print("saved: \(s.summary)" + (holdingDays != nil || approvalAbove != nil ? " \(ledger.summary)" : ""))
        }
    }
}

struct Affiliates: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage affiliates.",
                                                    subcommands: [Add.self, Set.self, List.self, Disable.self, Enable.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an affiliate.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Display name.") var name: String
        @Option(help: "The code in links (?aff=CODE).") var code: String
        @Option(help: "Contact email.") var email: String?
        @Option(help: "Commission override: \"30%\" or \"15.00 USD\".") var commission: String?

        func run() throws {
            let store = try database.open()
            var c: Commission?
            if let s = commission {
                guard let v = Commission.parse(s) else { throw Failure("--commission: \"\(s)\" is not like \"20%\" or \"15.00 USD\"") }
                c = v
            }
            let a = try store.addAffiliate(code: code, name: name, email: email, commission: c, who: currentUser())
            print("added affiliate \(a.code) (id \(a.id))")
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an affiliate's commission override, payout email or name (audited).",
            discussion: "--no-commission: the program's commission applies again; --no-email removes the payout email.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Affiliate code.") var code: String
        @Option(parsing: .unconditional, help: "Commission override: \"30%\" or \"15.00 USD\".") var commission: String?
        @Flag(name: .customLong("no-commission"), help: "Remove the override: the program's commission applies.") var noCommission = false
        @Option(parsing: .unconditional, help: "Payout email (PayPal and Wise pay to it).") var email: String?
        @Flag(name: .customLong("no-email"), help: "Remove the payout email.") var noEmail = false
        @Option(parsing: .unconditional, help: "Display name.") var name: String?

        func run() throws {
            if commission != nil && noCommission { throw Failure("--commission and --no-commission: give one of them") }
            if email != nil && noEmail { throw Failure("--email and --no-email: give one of them") }
            var change = AffiliateChange(name: name)
            do {
                if let c = commission { change.commission = .set(try SettingRules.parseCommission(c)) }
            } catch { throw Failure("--\(error)") }
            if noCommission { change.commission = .remove }
            if let e = email { change.email = .set(e) }
            if noEmail { change.email = .remove }
            if change.isEmpty { throw Failure("nothing to change: give --commission, --no-commission, --email, --no-email or --name") }
            let store = try database.open()
            let r: (before: AffiliateRow, after: AffiliateRow)
            do { r = try store.updateAffiliate(code: code, change, who: currentUser()) } catch let e as StoreError {
                if case .invalid = e { throw Failure("--\(e)") }
                throw Failure("\(e)")
            }
            let program = try store.settings().commission
            let changed = r.after.values.differences(from: r.before.values, program: program)
            guard !changed.isEmpty else { print("affiliate \(r.after.code): nothing changed"); return }
            print("affiliate \(r.after.code): " + changed.map { "\($0.field) \($0.before) → \($0.after)" }.joined(separator: "; "))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List affiliates with their totals.")
        @OptionGroup var database: DatabaseOptions
        @Option(parsing: .unconditional, help: "At most this many rows.") var limit: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open(readOnly: true)
            let cur = try store.settings().currency
            let all = try store.affiliateSummaries(), max = try rowLimit(limit)
            let rows = max.map { Array(all.prefix($0)) } ?? all
            if json {
                print(Out.arr(rows.map { r in
                    .obj([("code", .str(r.affiliate.code)), ("name", .str(r.affiliate.name)), ("email", .s(r.affiliate.email)),
                          ("disabled", .bool(r.affiliate.disabled)), ("commission", .s(r.affiliate.commission?.description)),
                          ("customers", .i(r.customers)), ("conversions", .i(r.conversions)),
                          ("earnings_minor", .int(r.earnings)), ("currency", .str(cur.code))])
                }).text)
                return
            }
            var t = Table(headers: ["CODE", "NAME", "CUSTOMERS", "CONVERSIONS", "EARNINGS", "COMMISSION", "STATE"],
                          rightAligned: [2, 3, 4])
            for r in rows {
                t.add([r.affiliate.code, r.affiliate.name, String(r.customers), String(r.conversions),
                       Money(minor: r.earnings, currency: cur).description, r.affiliate.commission?.description ?? "program",
                       r.affiliate.disabled ? "disabled" : "active"])
            }
            print(t.render())
            print(countLine(rows.count, limit: max, "affiliate", "affiliates") { all.count })
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an affiliate: nothing new is credited to them.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Affiliate code.") var code: String
        func run() throws {
            try database.open().setAffiliateDisabled(code: code, disabled: true, who: currentUser())
            print("disabled \(code)")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled affiliate.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "Affiliate code.") var code: String
        func run() throws {
            try database.open().setAffiliateDisabled(code: code, disabled: false, who: currentUser())
            print("enabled \(code)")
        }
    }
}
