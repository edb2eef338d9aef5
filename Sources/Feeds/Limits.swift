import AttributionCore

/// The limits on what a feed reads, documented in the README ("Guarantees"). Past a limit an
/// input is recorded as rejected (invalid_event) with the limit named, and the rest proceeds.
public enum FeedLimits {
    /// A line of JSON Lines, or one record (JSON value) of a payment feed, in bytes: 1 MiB.
    public static let recordBytes = 1 << 20
    /// How much of an over-long record is kept as its raw payload, for triage.
    public static let keptBytes = 4096
    /// An identifier (click id, customer key, external id, ...), in bytes.
    public static let idBytes = TrackingFeed.maxIDLength
    /// How deeply a JSON value may nest objects and arrays.
    public static let nestingDepth = 64
}

/// One record of the input: a line of JSON Lines, or a JSON value of a payment feed, with the
/// line it starts on. A record longer than the limit is cut short: its text is the first
/// `FeedLimits.keptBytes` bytes followed by a note saying so, and `truncation` says how long it was.
public struct InputRecord: Hashable, Sendable {
    public var line: Int
    public var text: String
    public var truncation: Truncation?

    public init(line: Int, text: String, truncation: Truncation? = nil) {
        self.line = line; self.text = text; self.truncation = truncation
    }
}

/// A record that passed the size limit and was skipped unread past it.
public struct Truncation: Hashable, Sendable {
    /// The whole record's length in bytes.
    public var bytes: Int64
    /// The limit it passed.
    public var limit: Int
    /// `StableHash` of every byte of the record: its idempotency key, as for any unreadable record.
    public var digest: String

    /// "line 7 is 209715200 bytes, ..." — the rejection's message.
    public func message(_ what: String) -> String {
        "too long: the \(what) is \(bytes) bytes, over the limit of \(limit) bytes\(limit == 1 << 20 ? " (1 MiB)" : ""); "
            + "skipped unread after the first \(FeedLimits.keptBytes) bytes"
    }

    /// The first bytes of a record (cut at a character boundary) and a note that it was cut.
    static func keptText(_ head: ArraySlice<UInt8>, bytes: Int64) -> String {
        var end = head.startIndex + min(head.count, FeedLimits.keptBytes)
        // Do not split a UTF-8 sequence: a cut before a continuation byte moves back to its lead byte.
        if end < head.endIndex, head[end] & 0xC0 == 0x80 {
            var back = end - 1
            while back > head.startIndex, end - back < 3, head[back] & 0xC0 == 0x80 { back -= 1 }
            end = back
        }
        return String(decoding: head[head.startIndex..<end], as: UTF8.self) + " … [truncated by affdesk: \(bytes) bytes in all]"
    }
}

/// Collects a record that may pass the limit: keeps it whole up to the limit, then only its
/// first bytes, its length and its digest. Memory stays under the limit whatever arrives.
struct BoundedRecord {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private var total: Int64 = 0
    private var hash: StableHash.Stream?

    init(limit: Int) { self.limit = limit }

    var isEmpty: Bool { total == 0 }
    var isTruncated: Bool { hash != nil }

    mutating func append(_ b: UInt8) {
        total += 1
        if hash != nil { hash!.add(b); return }
        if bytes.count < limit { bytes.append(b); return }
        overflow()
        hash!.add(b)
    }

    mutating func append(_ s: ArraySlice<UInt8>) {
        total += Int64(s.count)
        if hash != nil { hash!.add(s); return }
        if bytes.count + s.count <= limit { bytes.append(contentsOf: s); return }
        let room = limit - bytes.count
        bytes.append(contentsOf: s.prefix(room))
        overflow()
        hash!.add(s.dropFirst(room))
    }

    /// Passing the limit: hash what was kept, then keep only the first bytes.
    private mutating func overflow() {
        var h = StableHash.Stream()
        h.add(bytes[...])
        hash = h
        if bytes.count > FeedLimits.keptBytes + 4 { bytes.removeSubrange((FeedLimits.keptBytes + 4)...) }
    }

    /// The record so far, and starts again empty.
    mutating func take(line: Int) -> InputRecord {
        let r: InputRecord
        if let h = hash {
            let t = Truncation(bytes: total, limit: limit, digest: h.hex)
            r = InputRecord(line: line, text: Truncation.keptText(bytes[...], bytes: total), truncation: t)
        } else {
            r = InputRecord(line: line, text: String(decoding: bytes, as: UTF8.self))
        }
        bytes.removeAll(keepingCapacity: bytes.count <= 1 << 16)
        total = 0
        hash = nil
        return r
    }
}

extension InputRecord {
    /// The rejection of an over-long record: invalid, the limit named, its first bytes as the raw
    /// payload, and the digest of all of it as the idempotency key (a rerun records it once).
    func overLong(source: String, file: String?, what: String) -> InboundEvent? {
        guard let t = truncation else { return nil }
        return InboundEvent(source: source, type: "unknown", raw: text, dedupeKey: source + ":" + t.digest, file: file, line: line,
                            payload: .invalid(field: nil, message: t.message(what)))
    }
}
