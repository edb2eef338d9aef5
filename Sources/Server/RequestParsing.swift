import AttributionCore
import Feeds

// The pure parts of reading a request to `affdesk serve` (no I/O, no Hummingbird): the Bearer
// key of the tracking API and a tracking body with its route's type. With the signatures
// (`Signatures.swift`) they are what the fuzz target `serve` reads (Tests/Fuzz/ServeFuzz.swift).

/// `Authorization: Bearer afk_…`: the scheme is matched without regard to case, then one space
/// and a key of the API key's shape (`ServeCredentials.isAPIKeyShaped`); anything else is no key.
enum BearerToken {
    static func apiKey(_ header: String) -> Substring? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", ServeCredentials.isAPIKeyShaped(parts[1]) else { return nil }
        return parts[1]
    }
}

/// The tracking API's routes and the event types each takes (the first is the one filled in when
/// the body names none).
enum TrackingRouteTypes {
    static let all: [(route: String, types: [String])] = [
        ("click", ["click"]), ("lead", ["lead", "trial", "signup"]), ("sale", ["conversion"]),
        // Refunds are read by the ledger's feed when it lands; until then the tracking feed's
        // own answer (an unknown type, recorded as invalid) is returned.
        ("refund", ["refund"]), ("cancel", ["cancel"]),
    ]
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
