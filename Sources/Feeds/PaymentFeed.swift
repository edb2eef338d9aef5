import AttributionCore

/// Splits the input of a payment feed (Stripe, WooCommerce) into records, each the text of one
/// JSON value and the line it starts on. The input is either one JSON object per line (JSON
/// Lines), or JSON arrays of objects and pretty-printed objects, one after another (the elements
/// of a top-level array are records of their own). Streams: nothing but the current record is
/// held in memory.
///
/// The mode is decided on the first non-blank line: one that starts an array, or that leaves an
/// object open, selects the JSON reader; a complete value selects JSON Lines, where a malformed
/// line is a record of its own and the next line proceeds. In the JSON reader a line that starts
/// with `{` at its first column while an object is still open ends the broken object (a
/// truncated record), and a string never runs past the end of its line, so one damaged record
/// cannot swallow the rest of the input.
public struct JSONRecordReader: Sequence, IteratorProtocol {
    public private(set) var lines: LineReader
    private enum Mode { case undecided, lines, values }
    private var mode = Mode.undecided
    private var ready: [(line: Int, text: String)] = []
    private var head = 0
    private var finished = false
    // The JSON reader's state.
    private var buffer: [UInt8] = []
    private var bufferLine = 0
    private var inValue = false
    private var scalar = false
    private var nesting = JSONNesting()
    private var inArray = false

    public init(lines: LineReader) { self.lines = lines }

    /// Bytes consumed so far, for progress.
    public var bytesRead: Int64 { lines.bytesRead }
    /// Why reading stopped before the end of the input, if it did.
    public var readError: Error? { lines.readError }

    public mutating func next() -> (line: Int, text: String)? {
        while true {
            if head < ready.count {
                let r = ready[head]
                head += 1
                if head == ready.count { ready.removeAll(keepingCapacity: true); head = 0 }
                return r
            }
            if finished { return nil }
            guard let (n, text) = lines.next() else {
                finished = true
                if inValue { emit() }
                continue
            }
            switch mode {
            case .lines:
                if !JSONRecordReader.isBlank(text) { return (n, text) }
            case .values:
                scan(Array(text.utf8), line: n)
            case .undecided:
                if JSONRecordReader.isBlank(text) { continue }
                let bytes = Array(text.utf8)
                let first = bytes.first { !JSONRecordReader.isSpace($0) }
                if first == UInt8(ascii: "[") || JSONRecordReader.leavesOpen(bytes) {
                    mode = .values
                    scan(bytes, line: n)
                } else {
                    mode = .lines
                    return (n, text)
                }
            }
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 || b == 10 }
    static func isBlank(_ text: String) -> Bool { text.utf8.allSatisfy(isSpace) }

    /// Whether a line opens more objects or arrays than it closes (outside strings).
    static func leavesOpen(_ bytes: [UInt8]) -> Bool {
        var nesting = JSONNesting()
        for b in bytes { _ = nesting.read(b) }
        return nesting.depth > 0
    }

    private mutating func emit() {
        ready.append((bufferLine, String(decoding: buffer, as: UTF8.self)))
        buffer.removeAll(keepingCapacity: true)
        inValue = false
        scalar = false
        nesting = JSONNesting()
    }

    private mutating func scan(_ bytes: [UInt8], line: Int) {
        // A string never spans lines (JSON forbids a raw newline in one).
        nesting.endLine()
        // An object still open when a line starts with "{" at column 0 was cut short.
        if inValue, !scalar, nesting.depth > 0, bytes.first == UInt8(ascii: "{") { emit() }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if !inValue {
                if JSONRecordReader.isSpace(b) { i += 1; continue }
                if !inArray, b == UInt8(ascii: "[") { inArray = true; i += 1; continue }
                if inArray, b == UInt8(ascii: ",") { i += 1; continue }
                if inArray, b == UInt8(ascii: "]") { inArray = false; i += 1; continue }
                inValue = true
                bufferLine = line
                scalar = !(b == UInt8(ascii: "{") || b == UInt8(ascii: "["))
            }
            if scalar {
                if JSONRecordReader.isSpace(b) || b == UInt8(ascii: ",") || (inArray && b == UInt8(ascii: "]")) {
                    emit()
                    continue
                }
                buffer.append(b)
                i += 1
                continue
            }
            buffer.append(b)
            i += 1
            if nesting.read(b), nesting.depth <= 0 { emit() }
        }
        if inValue {
            if scalar { emit() } else { buffer.append(10) }
        }
    }
}

/// How deeply JSON text read byte by byte is nested in objects and arrays; brackets inside
/// strings do not count.
struct JSONNesting {
    private(set) var depth = 0
    private var inString = false
    private var escaped = false

    /// Reads one byte; true when it closed an object or an array.
    mutating func read(_ b: UInt8) -> Bool {
        if inString {
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            return false
        }
        switch b {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; return true
        default: break
        }
        return false
    }

    /// A line ended: a string cannot go on past it.
    mutating func endLine() { inString = false; escaped = false }
}

extension JSON {
    /// The value written with sorted keys and no spaces: the same content formatted differently
    /// gives the same text (and the same idempotency key).
    var canonicalText: String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSON.quote(k, into: &out)
                out += ":"
                o[k]!.write(into: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}

/// Reading identifiers, times and money out of payment payloads, with the field at fault named.
enum PayloadField {
    typealias FieldError = TrackingFeed.FieldError

    /// An identifier: a string or a number's text, not empty, no control characters, at most
    /// `TrackingFeed.maxIDLength` bytes.
    static func id(_ v: JSON, field: String) throws(FieldError) -> String {
        guard let s = v.text else { throw FieldError(field: field, message: "must be a string") }
        if s.isEmpty { throw FieldError(field: field, message: "must not be empty") }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw FieldError(field: field, message: "must not contain control characters")
        }
        if s.utf8.count > TrackingFeed.maxIDLength {
            throw FieldError(field: field, message: "longer than \(TrackingFeed.maxIDLength) bytes")
        }
        return s
    }

    /// An optional identifier: absent, null and "" are nil.
    static func optionalID(_ v: JSON?, field: String) throws(FieldError) -> String? {
        guard let v, !v.isNull, v != .string("") else { return nil }
        return try id(v, field: field)
    }

    static func requiredID(_ o: JSON, _ key: String, prefix: String) throws(FieldError) -> String {
        guard let v = o[key], !v.isNull else { throw FieldError(field: prefix + key, message: "missing") }
        return try id(v, field: prefix + key)
    }

    /// An id given as a string or as an expanded object with an "id".
    static func reference(_ v: JSON?, field: String) throws(FieldError) -> String? {
        if case .object = v { return try optionalID(v?["id"], field: field + ".id") }
        return try optionalID(v, field: field)
    }

    /// "2021-04-19T07:21:00" (WooCommerce's *_gmt fields have no zone: they are UTC), or any
    /// RFC 3339 time; nil when absent or empty.
    /// A time outside `Instant.accepted` is refused.
    static func utcTime(_ v: JSON?, field: String) throws(FieldError) -> Instant? {
        guard let v, !v.isNull, v != .string("") else { return nil }
        func checked(_ i: Instant) throws(FieldError) -> Instant {
            if let problem = Instant.rangeProblem(i.seconds) { throw FieldError(field: field, message: problem) }
            return i
        }
        if case .number(let n) = v, let secs = Int64(n) { return try checked(Instant(seconds: secs)) }
        guard let s = v.string else { throw FieldError(field: field, message: "must be a time like \"2026-01-05T10:00:00\"") }
        if let i = Instant.parse(s) { return try checked(i) }
        if let i = Instant.parse(s + "Z") { return try checked(i) }
        throw FieldError(field: field, message: "\"\(s)\" is not a time like \"2026-01-05T10:00:00\"")
    }
}
