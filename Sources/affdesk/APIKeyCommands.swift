import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import Server

/// `affdesk api-keys add|list|revoke`: the tracking API's keys. A key is shown once, when made;
/// the database keeps its SHA-256 and its first characters.
struct APIKeys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-keys", abstract: "Keys for the tracking API of `affdesk serve` (POST /track/...).",
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key: printed once, stored hashed.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "What the key is for (letters, digits, . _ -), e.g. website.") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let store = try database.open()
            let k = APIKeyMaker.make()
            let row: APIKeyRow
            do { row = try store.addAPIKey(name: name, sha256Hex: k.sha256Hex, hint: k.hint, who: currentUser()) } catch let e as StoreError {
                throw Failure("\(e)")
            }
            if json {
                print(Out.obj([("id", .int(row.id)), ("name", .str(row.name)), ("key", .str(k.key))]).text)
            } else {
                print("""
                made API key \(row.id) "\(row.name)"; it is shown this once, keep it now:
                \(k.key)
                Send it as "Authorization: Bearer <key>" to POST /track/click|lead|sale|refund|cancel.
                """)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys (never the keys themselves).")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Include revoked keys.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let rows = try database.open(readOnly: true).apiKeys(includeRevoked: all)
            if json {
                print(Out.arr(rows.map { r in
                    .obj([("id", .int(r.id)), ("name", .str(r.name)), ("starts_with", .str(r.hint)),
                          ("created_at", .str(r.createdAt.iso8601)), ("revoked_at", .s(r.revokedAt?.iso8601))])
                }).text)
                return
            }
            var t = Table(headers: ["ID", "NAME", "KEY", "CREATED", "STATE"], rightAligned: [0])
            for r in rows {
                t.add([String(r.id), r.name, r.hint + "…", r.createdAt.iso8601, r.revokedAt.map { "revoked \($0.iso8601)" } ?? "active"])
            }
            print(t.render())
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key (by name or id): refused from the next request on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key's name or id.") var key: String

        func run() throws {
            do {
                let r = try database.open().revokeAPIKey(key, who: currentUser())
                print("revoked API key \(r.id) \"\(r.name)\"")
            } catch let e as StoreError { throw Failure("\(e)") }
        }
    }
}

/// `affdesk webhook-secrets add|list|remove`: the signing secrets of the Stripe and WooCommerce
/// webhooks. A secret is read from a file or standard input (never the command line, where
/// other users and the shell history would see it) and never printed: lists show a fingerprint.
struct WebhookSecrets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook-secrets", abstract: "Signing secrets of the webhooks `affdesk serve` receives.",
        discussion: """
        Several secrets of one source may be active at once, so a secret can be rolled: add the new
        one, switch the sender to it, remove the old one. `affdesk serve` also takes secrets from
        $AFFDESK_STRIPE_WEBHOOK_SECRET / $AFFDESK_WOOCOMMERCE_WEBHOOK_SECRET (comma-separated) and
        from the files named by $AFFDESK_STRIPE_WEBHOOK_SECRET_FILE / $AFFDESK_WOOCOMMERCE_WEBHOOK_SECRET_FILE.
        """,
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a secret, read from --file or standard input.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "stripe or woocommerce.") var source: String
        @Option(help: "The file holding the secret (default: standard input).") var file: String = "-"
        @Option(help: "A label (letters, digits, . _ -).") var label: String?

        func run() throws {
            let data: Data?
            if file == "-" { data = try? FileHandle.standardInput.read(upToCount: 4096) } else { data = FileManager.default.contents(atPath: file) }
            guard let data else { throw Failure("\(file == "-" ? "standard input" : file): cannot read the secret") }
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let store = try database.open()
            do {
                let r = try store.addWebhookSecret(source: source, secret: secret, fingerprint: APIKeyMaker.fingerprint(secret),
                                                   label: label, who: currentUser())
                print("added \(r.source) webhook secret \(r.id) (sha256 \(r.fingerprint)…)")
            } catch let e as StoreError { throw Failure("\(e)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the secrets by fingerprint (never the secrets).")
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Include removed secrets.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let rows = try database.open(readOnly: true).webhookSecrets(includeRemoved: all)
            if json {
                print(Out.arr(rows.map { r in
                    .obj([("id", .int(r.id)), ("source", .str(r.source)), ("sha256_prefix", .str(r.fingerprint)), ("label", .s(r.label)),
                          ("added_at", .str(r.addedAt.iso8601)), ("removed_at", .s(r.removedAt?.iso8601))])
                }).text)
                return
            }
            var t = Table(headers: ["ID", "SOURCE", "SHA256", "LABEL", "ADDED", "STATE"], rightAligned: [0])
            for r in rows {
                t.add([String(r.id), r.source, r.fingerprint + "…", r.label ?? "", r.addedAt.iso8601,
                       r.removedAt.map { "removed \($0.iso8601)" } ?? "active"])
            }
            print(t.render())
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a secret by id: its signatures are refused from then on.")
        @OptionGroup var database: DatabaseOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The secret's id.", valueName: "id")) var ids: [String] = []

        func run() throws {
            let id = try wholeNumber(try single(ids, "secret id"), "the secret id", in: Bounds.id)
            do { try database.open().removeWebhookSecret(id: id, who: currentUser()) } catch let e as StoreError { throw Failure("\(e)") }
            print("removed webhook secret \(id)")
        }
    }
}
