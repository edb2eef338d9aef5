import AttributionCore

/// Reads a stored raw payload again, as the feed it came from would: for triage ("what would
/// today's settings decide?") and replays.
public enum Reparse {
    public static func event(source: String, raw: String, defaultCurrency: Currency?) -> Event? {
        switch source {
        case "jsonl":
            guard let e = TrackingFeed(defaultCurrency: defaultCurrency).read(line: raw, number: 0),
                  case .event(let ev) = e.payload else { return nil }
            return ev
        default:
            return nil
        }
    }
}
