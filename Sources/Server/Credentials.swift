import AttributionCore
import AttributionStore
import Crypto
import Foundation

/// Making and checking the tracking API's keys: a key is `afk_` and 32 random bytes in hex,
/// shown once; the store keeps its SHA-256.
public enum APIKeyMaker {
    public struct NewKey: Sendable {
        public var key: String
        public var sha256Hex: String
        public var hint: String
    }

    public static func make() -> NewKey {
        var rng = SystemRandomNumberGenerator()   // getrandom(2) on Linux: cryptographically secure
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let key = ServeCredentials.apiKeyPrefix + hex(bytes)
        return NewKey(key: key, sha256Hex: sha256Hex(key), hint: String(key.prefix(ServeCredentials.keyHintCharacters)))
    }

    public static func sha256Hex(_ s: String) -> String { hex(Array(SHA256.hash(data: Array(s.utf8)))) }

    /// What identifies a secret in lists and the audit log: the first 12 hex digits of its SHA-256.
    public static func fingerprint(_ secret: String) -> String { String(sha256Hex(secret).prefix(12)) }
}

/// Webhook secrets from outside the database, for deployments that keep secrets in the
/// environment or in files (systemd's `LoadCredential=`): per source, the variable
/// `AFFDESK_<SOURCE>_WEBHOOK_SECRET` (one or more, separated by commas) and the file named by
/// `AFFDESK_<SOURCE>_WEBHOOK_SECRET_FILE` (one or more, one a line). Both add to the database's.
public enum SecretSources {
    public static func variable(_ source: ServeCredentials.Source) -> String {
        "AFFDESK_\(source.rawValue.uppercased())_WEBHOOK_SECRET"
    }

    /// The secrets the environment names, checked by the core's rule. The error names the
    /// variable or file, never the secret.
    public static func load(environment: [String: String]) throws -> [ServeCredentials.Source: [String]] {
        var out: [ServeCredentials.Source: [String]] = [:]
        for source in ServeCredentials.Source.allCases {
            let name = variable(source)
            var list: [String] = []
            if let v = environment[name] {
                do { list += try ServeCredentials.parseSecretList(v, source: source) } catch { throw ServeSetupError("$\(name): \(error.message)") }
            }
            if let path = environment[name + "_FILE"] {
                guard let data = FileManager.default.contents(atPath: path), data.count <= 64 * 1024 else {
                    throw ServeSetupError("$\(name)_FILE: cannot read \(path) (or it is over 64 KiB)")
                }
                do { list += try ServeCredentials.parseSecretList(String(decoding: data, as: UTF8.self), source: source) } catch {
                    throw ServeSetupError("\(path) ($\(name)_FILE): \(error.message)")
                }
            }
            if !list.isEmpty { out[source] = list }
        }
        return out
    }
}

/// A setting of `affdesk serve` that cannot be used, said in one sentence.
public struct ServeSetupError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
