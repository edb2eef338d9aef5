import Foundation

/// Reads a file (or standard input) line by line in large chunks, without loading it whole.
/// Yields (1-based line number, line text without the newline).
public struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var lineNumber = 0
    /// Bytes consumed so far, for progress.
    public private(set) var bytesRead: Int64 = 0
    /// Why reading stopped before the end of the input (a directory, an I/O error), if it did.
    /// The complete lines read before it were yielded; a partial last line is dropped.
    public private(set) var readError: Error?

    public init(handle: FileHandle) { self.handle = handle }

    public init(path: String) throws {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw FeedError.cannotOpen(path)
        }
        handle = h
    }

    public mutating func next() -> (line: Int, text: String)? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 10) {
                var end = nl
                if end > start, buffer[end - 1] == 13 { end -= 1 }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                bytesRead += Int64(nl + 1 - start)
                start = nl + 1
                lineNumber += 1
                return (lineNumber, text)
            }
            if eof {
                guard start < buffer.count else { return nil }
                // A last line without a newline: strip a CR as for every other line.
                let end = buffer[buffer.count - 1] == 13 ? buffer.count - 1 : buffer.count
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                bytesRead += Int64(buffer.count - start)
                start = buffer.count
                lineNumber += 1
                return (lineNumber, text)
            }
            if start > 0 { buffer.removeSubrange(0..<start); start = 0 }
            // Not readData(ofLength:), which traps on a read error (e.g. EISDIR).
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                readError = error
                eof = true
                start = buffer.count
                return nil
            }
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
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
