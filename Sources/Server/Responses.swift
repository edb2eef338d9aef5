import AttributionCore
import AttributionStore
import HTTPTypes
import Hummingbird

/// A value in a JSON answer.
enum Reply: Sendable {
    case str(String), int(Int64), bool(Bool), null, arr([Reply]), obj([(String, Reply)])

    static func s(_ v: String?) -> Reply { v.map(Reply.str) ?? .null }

    /// The JSON text, as UTF-8 bytes (the answers are small: no encoder, no Foundation).
    func write(into out: inout [UInt8]) {
        switch self {
        case .str(let s): Reply.quote(s, into: &out)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .arr(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() { if i > 0 { out.append(UInt8(ascii: ",")) }; v.write(into: &out) }
            out.append(UInt8(ascii: "]"))
        case .obj(let o):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Reply.quote(k, into: &out); out.append(UInt8(ascii: ":")); v.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// JSON string escaping; every control character (C0, DEL, C1) as a \u escape.
    static func quote(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        func escape(_ v: UInt32) {
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                    hex[Int(v >> 4)], hex[Int(v & 15)]])
        }
        out.append(UInt8(ascii: "\""))
        var c1Lead = false   // the previous byte was 0xC2, the lead byte of U+0080...U+00BF
        for b in s.utf8 {
            if c1Lead {
                c1Lead = false
                if (0x80...0x9f).contains(b) { escape(UInt32(b)); continue }
                out.append(0xc2)
            }
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0..<0x20, 0x7f: escape(UInt32(b))
            case 0xc2: c1Lead = true
            default: out.append(b)
            }
        }
        if c1Lead { out.append(0xc2) }
        out.append(UInt8(ascii: "\""))
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    func response(_ status: HTTPResponse.Status, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        var body = bytes
        body.append(UInt8(ascii: "\n"))
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A refusal before any event was read: `{"error": code, "message": ...}`.
    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil,
                      headers: HTTPFields = [:]) -> Response {
        var o: [(String, Reply)] = [("error", .str(code)), ("message", .str(message))]
        if let field { o.append(("field", .str(field))) }
        return Reply.obj(o).response(status, headers: headers)
    }

    /// The decision recorded for an event: outcome, reason, message, hint (and the field at
    /// fault for an invalid event, the inbox id, the notes, whether it was a repeat).
    static func decision(_ d: RecordedDecision) -> Reply {
        let code = d.reason ?? d.notes.first
        var message: String
        if d.repeated {
            message = "Already recorded (inbox event #\(d.eventID)): nothing changed."
        } else if let r = d.reason {
            message = r.sentence
        } else {
            message = "Recorded."
        }
        if let detail = d.detail, !d.repeated { message += " " + detail }
        return .obj([
            ("outcome", .str(d.outcome.rawValue)), ("reason", .s(d.reason?.rawValue)), ("message", .str(message)),
            ("hint", .s(d.reason?.hint ?? (d.outcome == .accepted ? nil : code?.hint))), ("field", .s(d.field)),
            ("event_id", .int(d.eventID)), ("repeated", .bool(d.repeated)),
            ("notes", .arr(d.notes.map { .obj([("code", .str($0.rawValue)), ("sentence", .str($0.sentence))]) })),
        ])
    }

    /// The answer to a refused commit: 503 with Retry-After (the sender retries; the retry is
    /// recorded once).
    static func refusal(_ r: CommitRefusal) -> Response {
        let retry: HTTPFields = [.retryAfter: "1"]
        switch r {
        case .queueFull: return error(.serviceUnavailable, "overloaded", "The server's queue is full; retry shortly.", headers: retry)
        case .timedOut: return error(.serviceUnavailable, "timeout", "The event waited too long to be written and was not recorded; retry.", headers: retry)
        case .shuttingDown: return error(.serviceUnavailable, "shutting_down", "The server is stopping; retry shortly.", headers: retry)
        case .storeFailed(let why): return error(.serviceUnavailable, "not_recorded", "The event was not recorded: \(why)", headers: retry)
        case .notOnDisk(let why):
            return error(.serviceUnavailable, "not_confirmed", "The event may not have reached the disk: \(why); retry (a retry is recorded once).", headers: retry)
        }
    }
}
