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
    static let trackingRoutes = TrackingRouteTypes.all

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
        guard let key = BearerToken.apiKey(header),
              try credentials.isActiveKey(sha256Hex: APIKeyMaker.sha256Hex(String(key))) else {
            metrics.authFailure(route: route)
            return Reply.error(.unauthorized, "invalid_api_key", "The API key is unknown or revoked (see `affdesk api-keys list`).",
                               headers: challenge)
        }
        return nil
    }
}
