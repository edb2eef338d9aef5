/// Splits the input of a payment feed (Stripe, WooCommerce) into records, each the text of one
/// JSON value and the line it starts on. The input is either one JSON object per line (JSON
/// Lines), or JSON arrays of objects and pretty-printed objects, one after another (the elements
/// of a top-level array are records of their own). Streams: nothing but the current record is
/// held in memory, and a record longer than the limit (`FeedLimits.recordBytes`) is kept only by
/// its first bytes while the rest is read past (`InputRecord.truncation`).
///
/// The mode is decided on the first non-blank line: one that starts an array, that leaves an
/// object open, or that is longer than the limit selects the JSON reader; a complete value
/// selects JSON Lines, where a malformed line is a record of its own and the next line proceeds.
/// In the JSON reader a line that starts with `{` at its first column while an object is still
/// open ends the broken object (a truncated record), a string never runs past the end of its
/// line, and stray text between values (a `,` after a value outside an array, a `}`) is a record
/// of its own, so one damaged record cannot swallow the rest of the input. Every step reads at
/// least one byte or ends a record: the reader always makes progress, in time linear in the input.
public struct JSONRecordReader: Sequence, IteratorProtocol {
    public private(set) var lines: LineReader
    private enum Mode { case undecided, lines, values }
    private var mode = Mode.undecided
    private var finished = false
    // The JSON reader's state: the piece of a line being scanned, and the value being collected.
    private var piece: ArraySlice<UInt8> = []
    private var pieceLine = 0
    /// The rules of a line's start are still to apply to `piece`.
    private var pieceStarts = false
    /// `piece` ends its line: the line's end applies once its bytes are scanned.
    private var pieceEnds = false
    private var record: BoundedRecord
    private var recordLine = 0
    private var inValue = false
    private var scalar = false
    private var nesting = JSONNesting()
    private var inArray = false

    public init(lines: LineReader) {
        self.lines = lines
        record = BoundedRecord(limit: lines.maxLineBytes)
    }

    /// Bytes consumed so far, for progress.
    public var bytesRead: Int64 { lines.bytesRead }
    /// Why reading stopped before the end of the input, if it did.
    public var readError: Error? { lines.readError }

    /// The next record as its line and text (an over-long record's text is its truncated start).
    public mutating func next() -> (line: Int, text: String)? {
        nextRecord().map { ($0.line, $0.text) }
    }

    public mutating func nextRecord() -> InputRecord? {
        while !finished {
            switch mode {
            case .lines:
                guard let r = lines.nextRecord() else { finished = true; return nil }
                if r.truncation != nil || !JSONRecordReader.isBlank(r.text) { return r }
            case .undecided:
                if let r = decide() { return r }
            case .values:
                if let r = scanValues() { return r }
            }
        }
        return nil
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 || b == 10 }
    static func isBlank(_ text: String) -> Bool { text.utf8.allSatisfy(isSpace) }

    /// Whether a line opens more objects or arrays than it closes (outside strings).
    static func leavesOpen<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var nesting = JSONNesting()
        for b in bytes { _ = nesting.read(b) }
        return nesting.depth > 0
    }

    /// Reads up to the first non-blank line and picks the mode. A line that selects JSON Lines is
    /// the first record; one that selects the JSON reader is handed to it as its first piece.
    private mutating func decide() -> InputRecord? {
        var head: [UInt8] = []
        var first: UInt8?
        var line = 0
        while let p = lines.nextPiece() {
            if p.startsLine { head.removeAll(keepingCapacity: true); first = nil; line = p.line }
            head.append(contentsOf: p.bytes)
            if first == nil { first = p.bytes.first { !JSONRecordReader.isSpace($0) } }
            let values = first == UInt8(ascii: "[") || head.count > lines.maxLineBytes
                || (p.endsLine && first != nil && JSONRecordReader.leavesOpen(head))
            if values {
                mode = .values
                (piece, pieceLine, pieceStarts, pieceEnds) = (head[...], line, true, p.endsLine)
                return nil
            }
            if p.endsLine, first != nil {
                mode = .lines
                return InputRecord(line: line, text: String(decoding: head, as: UTF8.self))
            }
        }
        finished = true
        return nil
    }

    /// The JSON reader: the next value, piece by piece.
    private mutating func scanValues() -> InputRecord? {
        while true {
            if piece.isEmpty, !pieceStarts, !pieceEnds {
                guard let p = lines.nextPiece() else {
                    finished = true
                    return inValue ? emit() : nil
                }
                (piece, pieceLine, pieceStarts, pieceEnds) = (p.bytes, p.line, p.startsLine, p.endsLine)
            }
            if pieceStarts {
                pieceStarts = false
                // A string never spans lines (JSON forbids a raw newline in one).
                nesting.endLine()
                // An object still open when a line starts with "{" at column 0 was cut short.
                if inValue, !scalar, nesting.depth > 0, piece.first == UInt8(ascii: "{") { return emit() }
            }
            if let r = scanPiece() { return r }
            if pieceEnds {
                pieceEnds = false
                if inValue {
                    if scalar { return emit() }
                    record.append(10)
                }
            }
        }
    }

    /// Scans `piece` until a value ends (returned) or the piece is used up (nil).
    private mutating func scanPiece() -> InputRecord? {
        while let b = piece.first {
            if !inValue {
                if JSONRecordReader.isSpace(b) { piece.removeFirst(); continue }
                if !inArray, b == UInt8(ascii: "[") { inArray = true; piece.removeFirst(); continue }
                if inArray, b == UInt8(ascii: ",") { piece.removeFirst(); continue }
                if inArray, b == UInt8(ascii: "]") { inArray = false; piece.removeFirst(); continue }
                inValue = true
                recordLine = pieceLine
                scalar = !(b == UInt8(ascii: "{") || b == UInt8(ascii: "["))
            }
            if scalar {
                // A delimiter ends a scalar and is read again outside it; one that starts a
                // "scalar" (a stray ',' outside an array) is that record's only byte.
                let delimiter = JSONRecordReader.isSpace(b) || b == UInt8(ascii: ",") || (inArray && b == UInt8(ascii: "]"))
                if delimiter, !record.isEmpty { return emit() }
                record.append(b)
                piece.removeFirst()
                if delimiter { return emit() }
                continue
            }
            record.append(b)
            piece.removeFirst()
            if nesting.read(b), nesting.depth <= 0 { return emit() }
        }
        return nil
    }

    private mutating func emit() -> InputRecord {
        inValue = false
        scalar = false
        nesting = JSONNesting()
        return record.take(line: recordLine)
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
