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
        let text: String
        switch TypedBody.fill(body, types: types) {
        case .success(let t): text = t
        case .failure(let e): return Reply.error(.unprocessableContent, "invalid_event", e.message, field: e.field)
        }
        guard let event = try feeds.tracking(route: "/track/" + route).read(line: text, number: 1) else {
            return Reply.error(.unprocessableContent, "invalid_event", "The body is empty: one JSON object was expected.")
        }
        return await record(event, status: { $0.reason == .invalidEvent ? .unprocessableContent : .ok })
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

/// The body of a tracking request with its `type` filled in from the route when it has none.
enum TypedBody {
    struct Refusal: Error { var field: String?; var message: String }

    static func fill(_ body: [UInt8], types: [String]) -> Result<String, Refusal> {
        let text = String(decoding: body, as: UTF8.self)
        // A body that is not a JSON object goes to the feed as it is: recorded as invalid, 422.
        guard let json = try? JSON.parse(text), case .object(let o) = json else { return .success(text) }
        if let t = o["type"] {
            guard let s = t.string, types.contains(s) else {
                return .failure(Refusal(field: "type", message: "this route takes \(types.map { "\"\($0)\"" }.joined(separator: ", ")) (or no type)"))
            }
            return .success(text)
        }
        // Insert the type after the opening brace: the same body always becomes the same line
        // (the inbox's dedupe key is its content).
        guard let brace = text.firstIndex(of: "{") else { return .success(text) }
        let rest = text[text.index(after: brace)...]
        let separator = o.isEmpty ? "" : ","
        return .success("{\"type\":\"\(types[0])\"" + separator + rest)
    }
}
