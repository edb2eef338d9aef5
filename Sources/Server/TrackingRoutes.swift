import AttributionCore
import AttributionStore
import Feeds
import HTTPTypes
import Hummingbird
import Logging

/// `POST /track/{click,lead,sale,refund,cancel}`: a program API key (`Authorization: Bearer`),
/// then one event in the JSON Lines format whose `type` may be left out (the route names it),
/// then the group commit. 200 with the decision, 422 (recorded as invalid) for a body the feed
/// cannot read, with the field at fault; 422 (recorded nowhere) for a `type` the route does not take.
extension AffdeskServer {
    /// Route -> the types it takes (the first is the one filled in when the body names none).
    static let trackingRoutes: [(route: String, types: [String])] = [
        ("click", ["click"]), ("lead", ["lead", "trial", "signup"]), ("sale", ["conversion"]),
        // Refunds are read by the ledger's feed when it lands; until then the tracking feed's
        // own answer (an unknown type, recorded as invalid) is returned.
        ("refund", ["refund"]), ("cancel", ["cancel"]),
    ]

    func track(_ request: Request, _ context: some RequestContext, route: String, types: [String]) async throws -> Response {
        if let refused = try authenticate(request, route: route) { return refused }
        let body: [UInt8]
        switch await readBody(request) { case .body(let b): body = b; case .answer(let r): return r }
        switch TypedBody.read(body, types: types, feed: try feeds.tracking(route: "/track/" + route)) {
        case .success(let event?): return await record(event, status: { $0.reason == .invalidEvent ? .unprocessableContent : .ok })
        case .success(nil): return Reply.error(.unprocessableContent, "invalid_event", "The body is empty: one JSON object was expected.")
        case .failure(let e): return Reply.error(.unprocessableContent, "invalid_event", e.message, field: e.field)
        }
    }

    /// nil when the request carries an active API key; else the 401 answer.
    func authenticate(_ request: Request, route: String) throws -> Response? {
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer realm=\"affdesk\""]
        guard let header = request.headers[.authorization] else {
            metrics.authFailure(route: route)
            return Reply.error(.unauthorized, "missing_api_key", "Send the program's API key as \"Authorization: Bearer afk_...\".",
                               headers: challenge)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", ServeCredentials.isAPIKeyShaped(parts[1]),
              try credentials.isActiveKey(sha256Hex: APIKeyMaker.sha256Hex(String(parts[1]))) else {
            metrics.authFailure(route: route)
            return Reply.error(.unauthorized, "invalid_api_key", "The API key is unknown or revoked (see `affdesk api-keys list`).",
                               headers: challenge)
        }
        return nil
    }
}

/// The body of a tracking request read by the tracking feed, with its `type` filled in from the
/// route when it has none. The feed parses the body once; only a body without a type is parsed
/// again, with the type put in.
enum TypedBody {
    struct Refusal: Error { var field: String?; var message: String }

    /// The event (nil for an empty body), or the refusal of a `type` the route does not take.
    static func read(_ body: [UInt8], types: [String], feed: TrackingFeed) -> Result<InboundEvent?, Refusal> {
        let text = String(decoding: body, as: UTF8.self)
        guard let event = feed.read(line: text, number: 1) else { return .success(nil) }
        // A type the route takes (the feed names the event by its `type`; "unknown" is none's).
        if types.contains(event.type) { return .success(event) }
        switch event.payload {
        case .invalid(field: "type", message: "missing"):
            // An object without a type: the route's, put after the opening brace (the same body
            // always becomes the same line: the inbox's dedupe key is its content).
            return .success(feed.read(line: withType(text, types[0]), number: 1))
        case .invalid(field: nil, _) where event.type == "unknown":
            // Not a JSON object: recorded as the feed reads it (invalid, 422).
            return .success(event)
        default:
            return .failure(Refusal(field: "type", message: "this route takes \(types.map { "\"\($0)\"" }.joined(separator: ", ")) (or no type)"))
        }
    }

    /// `text`, a JSON object, with `"type":"<type>"` as its first member.
    static func withType(_ text: String, _ type: String) -> String {
        guard let brace = text.firstIndex(of: "{") else { return text }
        let rest = text[text.index(after: brace)...]
        let empty = rest.first { !" \t\r\n".contains($0) } == "}"
        return "{\"type\":\"\(type)\"" + (empty ? "" : ",") + rest
    }
}
