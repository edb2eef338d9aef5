import AttributionCore
import Feeds
import Foundation
@testable import Server
import XCTest

/// `affdesk api-keys add|list|revoke` and `affdesk webhook-secrets add|list|remove`, run as the
/// real binary against a real `affdesk serve` on the same database: a key or a secret is shown
/// once (the key) or never (the secret), and never in a list, in `--json` or in the audit log;
/// a revoked key gets 401 and a removed secret's signature 400 from the running server.
final class CredentialCommandsTests: XCTestCase {
    var dir = ""
    var db = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-creds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        db = dir + "/affdesk.sqlite"
        XCTAssertEqual(try cli("init", "--name", "Keys").status, 0)
        XCTAssertEqual(try cli("affiliates", "add", "--name", "Alice", "--code", "alice").status, 0)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testAnAPIKeyIsShownOnceNeverListedOrAuditedAndARevokedKeyGets401() async throws {
        let added = try cli("api-keys", "add", "website")
        XCTAssertEqual(added.status, 0, added.err)
        let key = try XCTUnwrap(added.out.split(separator: "\n").map(String.init).first { $0.hasPrefix("afk_") }, added.out)
        XCTAssertTrue(ServeCredentials.isAPIKeyShaped(Substring(key)), key)
        let hash = APIKeyMaker.sha256Hex(key)
        let other = try cli("api-keys", "add", "checkout", "--json")
        let otherKey = try XCTUnwrap(JSON.parse(other.out)["key"]?.string, other.out)
        XCTAssertEqual(try cli("api-keys", "revoke", "checkout").status, 0)
        for args in [["api-keys", "list"], ["api-keys", "list", "--json"], ["api-keys", "list", "--all", "--json"],
                     ["audit", "list"], ["audit", "list", "--json"]] {
            let r = try cli(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            for secret in [key, hash, otherKey, APIKeyMaker.sha256Hex(otherKey), String(key.dropFirst(8))] {
                XCTAssertFalse(r.out.contains(secret) || r.err.contains(secret), "\(args) shows a key or its hash:\n\(r.out)")
            }
        }
        let listed = try cli("api-keys", "list", "--all")
        XCTAssertTrue(listed.out.contains("website") && listed.out.contains(String(key.prefix(8)) + "…"), listed.out)
        XCTAssertTrue(listed.out.contains("revoked"), listed.out)

        let server = try ServerProcess(binary: try CrashTests.binary(), database: db)
        defer { _ = server.stop() }
        let click = { (n: Int, key: String) in
            EventMix.Request(path: "/track/click", headers: [("Authorization", "Bearer " + key)],
                             body: #"{"click_id":"c\#(n)","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#)
        }
        let ok = await LoadRunner.post(port: server.port, click(1, key))
        XCTAssertEqual(ok?.status, 200, ok?.body ?? "no answer")
        let revokedEarlier = await LoadRunner.post(port: server.port, click(2, otherKey))
        XCTAssertEqual(revokedEarlier?.status, 401, revokedEarlier?.body ?? "no answer")

        // Revoked by another process: refused within the documented second (the server's copy
        // of the keys is at most `credentialsMaxAge` old), and from then on.
        XCTAssertEqual(try cli("api-keys", "revoke", "website").status, 0)
        let revokedAt = Date()
        var n = 3, status = 200
        while status == 200 && Date().timeIntervalSince(revokedAt) < 10 {
            status = await LoadRunner.post(port: server.port, click(n, key))?.status ?? 0
            n += 1
        }
        let refusedAfter = Date().timeIntervalSince(revokedAt)
        XCTAssertEqual(status, 401)
        XCTAssertLessThan(refusedAfter, ServeConfiguration().credentialsMaxAge + 0.5, "a revoked key still worked after \(refusedAfter) s")
        let again = await LoadRunner.post(port: server.port, click(1000, key))
        XCTAssertEqual(again?.status, 401)
        XCTAssertTrue(again?.body.contains("invalid_api_key") ?? false, again?.body ?? "")
    }

    func testAWebhookSecretIsNeverShownAndARemovedOneIsRefused() async throws {
        let secret = "whsec_cli_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let added = try cli(["webhook-secrets", "add", "--source", "stripe", "--label", "main"], stdin: secret + "\n")
        XCTAssertEqual(added.status, 0, added.err)
        let fingerprint = APIKeyMaker.fingerprint(secret)
        XCTAssertTrue(added.out.contains(fingerprint), added.out)
        for args in [["webhook-secrets", "list"], ["webhook-secrets", "list", "--json"], ["webhook-secrets", "list", "--all", "--json"],
                     ["audit", "list"], ["audit", "list", "--json"], ["program", "show", "--json"]] {
            let r = try cli(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            XCTAssertFalse(r.out.contains(secret) || r.err.contains(secret) || r.out.contains(String(secret.suffix(16))),
                           "\(args) shows the secret:\n\(r.out)")
        }
        XCTAssertFalse(added.out.contains(secret) || added.err.contains(secret))
        let list = try cli("webhook-secrets", "list", "--json")
        guard case .array(let rows) = try JSON.parse(list.out), let row = rows.first, rows.count == 1 else { return XCTFail(list.out) }
        XCTAssertEqual(row["sha256_prefix"]?.string, fingerprint, list.out)
        let id = try XCTUnwrap(row["id"]?.int)

        let server = try ServerProcess(binary: try CrashTests.binary(), database: db)
        defer { _ = server.stop() }
        let event = { (n: Int) -> EventMix.Request in
            let body = StripeEvents.basil(event: "evt_cli_\(n)", invoice: "in_cli_\(n)", amount: 4900, key: "cust\(n)")
            return EventMix.Request(path: "/webhooks/stripe", headers: StripeEvents.headers(body, secrets: [secret],
                                                                                            t: Int64(Date().timeIntervalSince1970)), body: body)
        }
        let ok = await LoadRunner.post(port: server.port, event(1))
        XCTAssertEqual(ok?.status, 200, ok?.body ?? "no answer")

        XCTAssertEqual(try cli("webhook-secrets", "remove", String(id)).status, 0)
        let removedAt = Date()
        var n = 2, status = 200
        while status == 200 && Date().timeIntervalSince(removedAt) < 10 {
            status = await LoadRunner.post(port: server.port, event(n))?.status ?? 0
            n += 1
        }
        XCTAssertEqual(status, 503, "no secret left: the server says none is configured")
        XCTAssertLessThan(Date().timeIntervalSince(removedAt), ServeConfiguration().credentialsMaxAge + 0.5)
    }

    // MARK: Running the command line

    struct Run { var status: Int32; var out: String; var err: String }

    func cli(_ args: String..., stdin: String? = nil) throws -> Run { try cli(args, stdin: stdin) }

    /// The real binary with `--db` this test's database; output through files (never a full pipe).
    func cli(_ args: [String], stdin: String? = nil) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try CrashTests.binary())
        p.arguments = args + ["--db", db]
        var env = ProcessInfo.processInfo.environment
        env["AFFDESK_DB"] = nil
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        let tag = UUID().uuidString
        let outPath = dir + "/out-\(tag)", errPath = dir + "/err-\(tag)", inPath = dir + "/in-\(tag)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        defer { for f in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: f) } }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        try p.run()
        p.waitUntilExit()
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Run(status: p.terminationStatus, out: read(outPath), err: read(errPath))
    }
}
