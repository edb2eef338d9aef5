import Foundation

/// Reads a file (or standard input, or bytes in memory) line by line in large chunks, without
/// loading it whole. Yields each line with its 1-based number, without the newline (nor a CR
/// before it).
///
/// A line longer than `maxLineBytes` (`FeedLimits.recordBytes`, 1 MiB) is not held in memory:
/// its first bytes are kept, the rest is read past to the next newline only to be counted and
/// hashed, and the line comes out marked as truncated. Memory stays within about two chunks
/// plus the limit, whatever the input. Every byte is looked at once (reading is linear).
public struct LineReader: Sequence, IteratorProtocol {
    private enum Input { case handle(FileHandle), memory([UInt8]) }
    private let input: Input
    private let chunkBytes: Int
    /// The longest line read whole.
    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var memoryOffset = 0
    private var eof = false
    private var failed = false
    /// A line was begun (pieces of it handed out) and not ended.
    private var midLine = false
    private var lineNumber = 0
    /// Bytes consumed so far, for progress.
    public private(set) var bytesRead: Int64 = 0
    /// Why reading stopped before the end of the input (a directory, an I/O error), if it did.
    /// The complete lines read before it were yielded; a partial last line is dropped.
    public private(set) var readError: Error?

    public init(handle: FileHandle, maxLineBytes: Int = FeedLimits.recordBytes) {
        input = .handle(handle); chunkBytes = 1 << 20; self.maxLineBytes = maxLineBytes
    }

    public init(path: String, maxLineBytes: Int = FeedLimits.recordBytes) throws {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw FeedError.cannotOpen(path)
        }
        self.init(handle: h, maxLineBytes: maxLineBytes)
    }

    /// Reads bytes in memory, `chunkBytes` at a time (tests and fuzzing use small chunks to put
    /// chunk ends everywhere).
    public init(bytes: [UInt8], chunkBytes: Int = 1 << 20, maxLineBytes: Int = FeedLimits.recordBytes) {
        input = .memory(bytes); self.chunkBytes = Swift.max(1, chunkBytes); self.maxLineBytes = maxLineBytes
    }

    /// The next line; an over-long one is truncated (the record says so).
    public mutating func nextRecord() -> InputRecord? {
        var line = BoundedRecord(limit: maxLineBytes)
        var number = 0
        while let p = nextPiece() {
            if p.startsLine, p.endsLine, p.bytes.count <= maxLineBytes {
                return InputRecord(line: p.line, text: String(decoding: p.bytes, as: UTF8.self))
            }
            number = p.line
            line.append(p.bytes)
            if p.endsLine { return line.take(line: number) }
        }
        return nil
    }

    /// The next line as its number and text (an over-long line's text is its truncated start).
    public mutating func next() -> (line: Int, text: String)? {
        nextRecord().map { ($0.line, $0.text) }
    }

    /// A piece of a line: the whole line, or a part of it when the line runs past what was read.
    /// A piece never ends with the CR of a CRLF (that CR is held back until the next byte is known).
    public struct Piece {
        public var line: Int
        public var bytes: ArraySlice<UInt8>
        public var startsLine: Bool
        public var endsLine: Bool
    }

    /// The next piece of the input. Each byte is handed out once.
    public mutating func nextPiece() -> Piece? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                let end = nl > start && buffer[nl - 1] == 13 ? nl - 1 : nl
                return hand(end: end, consumed: nl + 1, endsLine: true)
            }
            if eof {
                guard !failed, start < buffer.count || midLine else { return nil }
                let end = buffer.count > start && buffer[buffer.count - 1] == 13 ? buffer.count - 1 : buffer.count
                return hand(end: end, consumed: buffer.count, endsLine: true)
            }
            // No newline in what is buffered: hand it out (all but a final CR) before reading on.
            let end = buffer.count > start && buffer[buffer.count - 1] == 13 ? buffer.count - 1 : buffer.count
            if end > start { return hand(end: end, consumed: end, endsLine: false) }
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            readChunk()
        }
    }

    private mutating func hand(end: Int, consumed: Int, endsLine: Bool) -> Piece {
        let p = Piece(line: lineNumber + 1, bytes: buffer[start..<end], startsLine: !midLine, endsLine: endsLine)
        bytesRead += Int64(consumed - start)
        start = consumed
        midLine = !endsLine
        if endsLine { lineNumber += 1 }
        return p
    }

    private mutating func readChunk() {
        switch input {
        case .memory(let bytes):
            let n = Swift.min(chunkBytes, bytes.count - memoryOffset)
            if n == 0 { eof = true; return }
            buffer.append(contentsOf: bytes[memoryOffset..<memoryOffset + n])
            memoryOffset += n
        case .handle(let handle):
            // Not readData(ofLength:), which traps on a read error (e.g. EISDIR).
            do {
                let chunk = try handle.read(upToCount: chunkBytes) ?? Data()
                if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
            } catch {
                readError = error
                eof = true
                failed = true
                start = buffer.count
            }
        }
    }
}

public enum FeedError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(String)
    case unknownFormat(String)
    public var description: String {
        switch self {
        case .cannotOpen(let p): return "\(p): cannot open the file"
        case .unknownFormat(let f): return "unknown format \"\(f)\"; expected jsonl, stripe or woocommerce"
        }
    }
}
