import AttributionCore
import AttributionStore
import HTTPTypes
import Hummingbird

/// A value in a JSON answer.
enum Reply: Sendable {
    case str(String), int(Int64), bool(Bool), null, arr([Reply]), obj([(String, Reply)])

    static func s(_ v: String?) -> Reply { v.map(Reply.str) ?? .null }

    func write(into out: inout String) {
        switch self {
        case .str(let s): Reply.quote(s, into: &out)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .arr(let a):
            out += "["
            for (i, v) in a.enumerated() { if i > 0 { out += "," }; v.write(into: &out) }
            out += "]"
        case .obj(let o):
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                Reply.quote(k, into: &out); out += ":"; v.write(into: &out)
            }
            out += "}"
        }
    }

    /// JSON string escaping; every control character and DEL as \u escapes.
    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where u.value < 0x20 || u.value == 0x7f || (0x80...0x9f).contains(u.value):
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    var text: String { var s = ""; write(into: &s); return s }

    func response(_ status: HTTPResponse.Status, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
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
