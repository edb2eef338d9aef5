/// The size rule of every identifier an event or an admin names (external id, customer key, click
/// id): at most 256 bytes, whichever front end sent it. The feeds read payloads by this number
/// (`TrackingFeed.maxIDLength`); a conversion added by hand is held to it by the core.
public enum Identifiers {
    public static let maxBytes = 256

    /// Why `value` cannot be an identifier (its length), or nil.
    public static func problem(_ value: String) -> String? {
        let n = value.utf8.count
        return n > maxBytes ? "is \(n) bytes long; at most \(maxBytes) are allowed" : nil
    }
}
