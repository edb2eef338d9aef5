import Crypto
import Foundation

/// Why a webhook's signature was refused: a short code for the 400 answer, the log and the
/// metrics. Never carries a secret or a signature.
public enum SignatureFailure: String, Error, Sendable {
    case missingHeader = "missing_signature"
    case malformedHeader = "malformed_signature_header"
    case staleTimestamp = "timestamp_outside_tolerance"
    case mismatch = "signature_mismatch"
    case noSecret = "no_secret_configured"
}

/// Stripe's webhook signature, as Stripe documents it: the `Stripe-Signature` header holds
/// `t=<unix time>` and one or more `v1=<hex>`, each an HMAC-SHA256 of `"{t}.{raw body}"` with
/// the endpoint's signing secret (the whole `whsec_...` string as the key). A signature matches
/// if any `v1` matches under any of the secrets (compared in constant time), and the timestamp
/// is within `tolerance` seconds of now (either way).
public enum StripeSignature {
    public static let defaultTolerance: Int64 = 300
    /// At most this many `v1` entries are looked at (Stripe sends one per active secret).
    static let maxSignatures = 16

    public static func verify(header: String?, body: [UInt8], secrets: [String], now: Int64,
                              tolerance: Int64 = defaultTolerance) -> SignatureFailure? {
        guard !secrets.isEmpty else { return .noSecret }
        guard let header, !header.isEmpty else { return .missingHeader }
        guard header.utf8.count <= 4096 else { return .malformedHeader }
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let key = kv[0].trimmingCharacters(in: .whitespaces), value = kv[1].trimmingCharacters(in: .whitespaces)
            if key == "t", timestamp == nil {
                guard value.utf8.count <= 12, value.utf8.allSatisfy({ (48...57).contains($0) }), let t = Int64(value) else {
                    return .malformedHeader
                }
                timestamp = t
            } else if key == "v1", signatures.count < maxSignatures, let bytes = hexBytes(value), bytes.count == 32 {
                signatures.append(bytes)
            }
        }
        guard let t = timestamp, !signatures.isEmpty else { return .malformedHeader }
        // Both are bounded (t has at most 12 digits; now is a clock reading): no overflow.
        guard abs(now - t) <= tolerance else { return .staleTimestamp }
        var signed = Array("\(t).".utf8)
        signed.append(contentsOf: body)
        for secret in secrets {
            let key = SymmetricKey(data: Array(secret.utf8))
            for s in signatures where HMAC<SHA256>.isValidAuthenticationCode(s, authenticating: signed, using: key) {
                return nil
            }
        }
        return .mismatch
    }

    /// The header Stripe would send for `body` at `t` under `secrets` (for tests and the bench).
    public static func header(body: [UInt8], secrets: [String], t: Int64) -> String {
        var signed = Array("\(t).".utf8)
        signed.append(contentsOf: body)
        let sigs = secrets.map { s in
            "v1=" + hex(Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(s.utf8)))))
        }
        return (["t=\(t)"] + sigs).joined(separator: ",")
    }

    static func hexBytes(_ s: String) -> [UInt8]? {
        guard s.utf8.count % 2 == 0, s.utf8.count <= 128 else { return nil }
        var out: [UInt8] = []
        var high: UInt8?
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            case 65...70: v = c - 55
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}

/// WooCommerce's webhook signature: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the
/// raw body with the webhook's secret.
public enum WooCommerceSignature {
    public static func verify(header: String?, body: [UInt8], secrets: [String]) -> SignatureFailure? {
        guard !secrets.isEmpty else { return .noSecret }
        guard let header, !header.isEmpty else { return .missingHeader }
        guard header.utf8.count <= 128, let mac = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)),
              mac.count == 32 else { return .malformedHeader }
        for secret in secrets where HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body,
                                                                            using: SymmetricKey(data: Array(secret.utf8))) {
            return nil
        }
        return .mismatch
    }

    /// The header WooCommerce would send for `body` under `secret` (for tests and the bench).
    public static func header(body: [UInt8], secret: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))).base64EncodedString()
    }

    /// WooCommerce's creation ping: a form body `webhook_id=N`, sent unsigned when a webhook is
    /// saved; answered 200 and recorded nowhere.
    public static func isPing(_ body: [UInt8]) -> Bool {
        let prefix = Array("webhook_id=".utf8)
        guard body.count > prefix.count, body.count <= prefix.count + 20, body.starts(with: prefix) else { return false }
        return body.dropFirst(prefix.count).allSatisfy { (48...57).contains($0) }
    }
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
}
