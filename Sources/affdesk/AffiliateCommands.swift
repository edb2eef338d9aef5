import ArgumentParser
import AttributionCore
import AttributionStore
import Dashboard
import Foundation
import TerminalText

/// `affdesk view`: the read-only affiliate view. Identity comes only from the arguments (the
/// forced command in authorized_keys); SSH_ORIGINAL_COMMAND and the client's environment are
/// never read for it.
struct View: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the read-only affiliate view (each customer shown as \"Customer #X\").",
        discussion: "Over SSH this is the forced command of each affiliate key (see `affdesk ssh authorized-keys`).")
    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("key-id"), parsing: .unconditional, help: "The SSH key id the session logged in with.") var keyID: String?
    @Option(help: "The affiliate's code (local use).") var affiliate: String?
    @OptionGroup var ui: UIOptions

    func validate() throws {
        if (keyID == nil) == (affiliate == nil) { throw ValidationError("give exactly one of --key-id or --affiliate") }
    }

    func run() throws {
        let keyID = try self.keyID.map { try wholeNumber($0, "--key-id", in: Bounds.id) }
        let store: Store
        let me: AffiliateIdentity
        do {
            store = try Store.affiliateView(path: database.path)
            me = try keyID.map { try store.identity(keyID: $0) } ?? store.identity(code: affiliate!)
        } catch let e as StoreError {
            stderrPrint("affdesk: \(e)")
            throw ExitCode(1)
        }
        if let requested = ProcessInfo.processInfo.environment["SSH_ORIGINAL_COMMAND"], !requested.isEmpty {
            stderrPrint("affdesk: remote commands are not available; opening your read-only view.")
        }
        let mode = Mode.affiliate(id: me.id, code: me.code, name: me.name)
        if ui.snapshot != nil {
            try printSnapshot(store: store, ui: ui, clock: SystemClock(), mode: mode)
            return
        }
        try runDashboard(store: store, mode: mode, ui: ui) { try affiliateSummary(store, me) }
    }
}

/// The affiliate's figures as plain text: for `ssh -T` and terminals that cannot draw.
func affiliateSummary(_ store: Store, _ me: AffiliateIdentity) throws -> String {
    let s = try store.settings()
    var counts: [CustomerStatus: Int] = [:]
    var page = PageRequest.first(500)
    while true {
        let rows = try store.affiliateCustomers(me.id, sort: .key, descending: false, page: page)
        for r in rows { counts[r.status, default: 0] += 1 }
        guard rows.count == page.limit, let last = rows.last else { break }
        page = PageRequest(after: last.cursor(.key), limit: 500)
    }
    let months = try store.affiliateEarnings(me.id)
    let earned = months.map(\.commission).saturatingSum()
    let total = counts.values.reduce(0, +)
    var out = ["\(Sanitize.text(me.name)) (\(Sanitize.text(me.code))) — \(Sanitize.text(s.name)) affiliate program",
               "customers: \(total) — " + CustomerStatus.allCases.map { "\(counts[$0] ?? 0) \(s.label($0))" }.joined(separator: ", "),
               "conversions: \(months.map { Int64($0.conversions) }.saturatingSum()), earned \(Money(minor: earned, currency: s.currency))",
               "", "earnings per month (latest 12):"]
    let best = max(1, months.map(\.commission).max() ?? 1)
    for m in months.suffix(12) {
        out.append("  \(m.month)  \(Width.pad(String(m.conversions), to: 5, align: .right))  \(Width.pad(Money(minor: m.commission, currency: s.currency).description, to: 16, align: .right))  "
                   + ProgressBar.render(value: m.commission, max: best, width: 20, empty: " "))
    }
    out.append("\nCustomers are shown as numbers; their ids and emails are never shared.")
    return out.joined(separator: "\n")
}

struct SSH: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh", abstract: "Affiliates' SSH keys for the read-only view.",
        subcommands: [AddKey.self, RemoveKey.self, ListKeys.self, AuthorizedKeys.self])

    struct AddKey: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-key", abstract: "Register an affiliate's public key.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The affiliate's code.") var affiliate: String
        @Argument(help: "The public key file (e.g. id_ed25519.pub).") var file: String

        func run() throws {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw Failure("\(file): cannot read the file") }
            guard let line = text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { !$0.isEmpty && !$0.hasPrefix("#") }) else { throw Failure("\(file): no public key in the file") }
            let store = try database.open()
            let k: SSHKeyRow
            do { k = try store.addSSHKey(affiliateCode: affiliate, publicKey: line, who: currentUser()) } catch let e as StoreError {
                throw Failure("\(file): \(e)")
            }
            print("added key \(k.id) (\(k.keyType)) for \(k.affiliateCode)")
        }
    }

    struct RemoveKey: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-key", abstract: "Remove a key: refused from the next login on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The key id.", valueName: "id")) var ids: [String] = []

        func run() throws {
            let id = try wholeNumber(try single(ids, "key id"), "the key id", in: Bounds.id)
            try database.open().removeSSHKey(id: id, who: currentUser())
            print("removed key \(id)")
        }
    }

    struct ListKeys: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list-keys", abstract: "List the registered keys.")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Include removed keys and keys of disabled affiliates.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let keys = try database.open(readOnly: true).sshKeys(includeRemoved: all)
            if json {
                print(Out.arr(keys.map { k in
                    .obj([("id", .int(k.id)), ("affiliate", .str(k.affiliateCode)), ("type", .str(k.keyType)),
                          ("comment", .s(k.comment)), ("added_at", .str(k.addedAt.iso8601)), ("removed_at", .s(k.removedAt?.iso8601))])
                }).text)
                return
            }
            var t = Table(headers: ["ID", "AFFILIATE", "TYPE", "KEY", "COMMENT", "ADDED", "STATE"], rightAligned: [0])
            for k in keys {
                t.add([String(k.id), k.affiliateCode, k.keyType, String(k.keyData.suffix(12)), k.comment ?? "", k.addedAt.dateDisplay,
                       k.removedAt == nil ? "active" : "removed"])
            }
            print(t.render())
        }
    }

    struct AuthorizedKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "authorized-keys",
            abstract: "Print an authorized_keys line per active key (also usable as sshd's AuthorizedKeysCommand).",
            discussion: "Each line forces `affdesk view --key-id N`; the key id is looked up at login, so a removal takes effect at once. Keys of disabled affiliates are listed: their view says the account is disabled and exits.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The affdesk binary the forced command runs (default: this one).") var binary: String?
        @Argument(help: "Ignored: sshd's AuthorizedKeysCommand arguments (%u %t %k …).") var sshdArguments: [String] = []

        func run() throws {
            let bin = binary.map(absolute) ?? executablePath()
            let db = database.path
            for p in [bin, db] where p.contains("\"") || p.contains("\n") || p.contains("\\") {
                throw Failure("\(p): a path for a forced command must not contain quotes, backslashes or newlines")
            }
            let store = try Store.open(existing: db, readOnly: true)
            // Keys of disabled affiliates stay in: their login reaches the view, which says the
            // account is disabled and exits, instead of a bare "Permission denied".
            for k in try store.sshKeys(includeRemoved: true) where k.removedAt == nil {
                // The subcommand first: `affdesk --db X view` would parse --db as the default
                // (dashboard) command's and refuse `view`.
                print("restrict,pty,command=\"\(shellQuote(bin)) view --key-id \(k.id) --db \(shellQuote(db))\" \(k.publicKey) affdesk-\(k.affiliateCode)")
            }
        }
    }
}

/// The running binary's absolute path.
func executablePath() -> String {
    if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
    return absolute(CommandLine.arguments[0])
}

func shellQuote(_ s: String) -> String {
    s.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
