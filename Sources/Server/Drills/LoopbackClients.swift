import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bench's clients, lean: one thread and one keep-alive HTTP/1.1 connection per client, each
/// request written whole and its answer read by its `Content-Length`, with blocking calls. The
/// same load as `LoadRunner.run` (each client sends its customers' requests in order and waits
/// for each answer; the latency is from the first byte written to the last byte of the answer
/// read), at a fraction of a general HTTP client's CPU per request: on a 2-core machine the
/// clients share the cores with the server they measure.
extension LoadRunner {
    public static func runLean(port: Int, mix: EventMix, clients: Int, duration: Double, firstCustomer: Int = 0,
                               path: String? = nil) -> Report {
        let started = Date()
        let deadline = started.addingTimeInterval(duration)
        let collected = Collected()
        let finished = DispatchGroup()
        for c in 0..<clients {
            finished.enter()
            let t = Thread {
                collected.add(clientLoop(port: port, mix: mix, client: c, clients: clients, deadline: deadline,
                                         firstCustomer: firstCustomer, path: path))
                finished.leave()
            }
            t.stackSize = 1 << 20
            t.start()
        }
        finished.wait()
        return Report(sent: collected.all, seconds: Date().timeIntervalSince(started))
    }

    /// The clients' requests, gathered as each client ends.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var all: [Sent] = []
        func add(_ s: [Sent]) { lock.lock(); all += s; lock.unlock() }
    }

    /// Client `c`: customers first + c, first + c + clients, ... until the deadline, or until a
    /// request gets no answer.
    private static func clientLoop(port: Int, mix: EventMix, client c: Int, clients: Int, deadline: Date, firstCustomer: Int,
                                   path: String?) -> [Sent] {
        let connection = LoopbackConnection(port: port)
        var out: [Sent] = []
        var k = 0
        while Date() < deadline {
            let n = firstCustomer + c + k * clients
            for (i, var r) in mix.customer(n).enumerated() {
                if let path { r.path = path }
                let bytes = LoopbackConnection.request(r, port: port)
                let t = ContinuousClock.now
                let status = connection.exchange(bytes)
                let d = ContinuousClock.now - t
                let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
                out.append(Sent(customer: n, index: i, status: status, seconds: status == nil ? 0 : seconds))
                if status == nil { return out }
            }
            k += 1
        }
        return out
    }
}

/// One keep-alive HTTP/1.1 connection to 127.0.0.1, one request at a time, blocking.
final class LoopbackConnection {
    private let port: Int
    private var fd: Int32 = -1
    /// Bytes read and not yet consumed by an answer.
    private var input: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    init(port: Int) { self.port = port }
    deinit { close() }

    /// A request's bytes: the head (Host, the request's headers, Content-Length) and the body.
    static func request(_ r: EventMix.Request, port: Int) -> [UInt8] {
        var head = "POST \(r.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (k, v) in r.headers { head += "\(k): \(v)\r\n" }
        head += "Content-Length: \(r.body.utf8.count)\r\n\r\n"
        return Array(head.utf8) + Array(r.body.utf8)
    }

    /// Sends `request` and reads its answer: the status, or nil when there was none (the
    /// connection is then closed; the next exchange opens a new one).
    func exchange(_ request: [UInt8]) -> Int? {
        if fd < 0 && !open() { return nil }
        guard sendAll(request), let (status, keepAlive) = readAnswer() else { close(); return nil }
        if !keepAlive { close() }
        return status
    }

    private func open() -> Bool {
        fd = LoopbackConnection.connect(port: port, readTimeoutSeconds: 30)   // as LoadRunner's read timeout
        guard fd >= 0 else { return false }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        input.removeAll(keepingCapacity: true)
        return true
    }

    /// A TCP socket connected to 127.0.0.1:`port`, whose reads give up after the timeout; -1 when
    /// it cannot connect.
    static func connect(port: Int, readTimeoutSeconds: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); return -1 }
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        input.removeAll(keepingCapacity: true)
    }

    private func sendAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var sent = 0
            while sent < buf.count {
                let n = send(fd, buf.baseAddress! + sent, buf.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// Reads more bytes into `input`; false at the end of the stream, an error or the timeout.
    private func fill() -> Bool {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        input.append(contentsOf: chunk[0..<n])
        return true
    }

    /// The answer's status and whether the connection stays open; its bytes are consumed.
    private func readAnswer() -> (status: Int, keepAlive: Bool)? {
        while true {
            switch LoopbackAnswer.parse(input) {
            case .incomplete: guard fill() else { return nil }
            case .malformed: return nil
            case .complete(let status, let keepAlive, let length):
                input.removeFirst(length)
                return (status, keepAlive)
            }
        }
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard bytes.count >= needle.count + start else { return nil }
        var i = start
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

/// An HTTP/1.1 answer read from the front of a connection's bytes: its status, whether the
/// connection stays open, and its length (head and body). Answers carry a Content-Length (or
/// are chunked), as Hummingbird sends them. Byte-level, no Foundation: the clients share the
/// cores with the server they measure.
enum LoopbackAnswer: Equatable {
    case incomplete, malformed
    case complete(status: Int, keepAlive: Bool, length: Int)

    static func parse(_ input: [UInt8]) -> LoopbackAnswer {
        guard let headEnd = LoopbackConnection.find([13, 10, 13, 10], in: input) else { return .incomplete }
        let head = input[0..<headEnd]
        // "HTTP/1.1 200 ..."
        guard head.count >= 12, head.starts(with: Array("HTTP/1.1 ".utf8)),
              let status = number(head[(head.startIndex + 9)..<(head.startIndex + 12)]) else { return .malformed }
        var length: Int?, chunked = false, close = false
        for line in head.split(separator: 10).dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let value = trimmed(line[(colon + 1)...])
            switch lowercased(line[..<colon]) {
            case "content-length": length = number(value)
            case "transfer-encoding": chunked = lowercased(value) == "chunked"
            case "connection": close = lowercased(value) == "close"
            default: break
            }
        }
        let bodyStart = headEnd + 4
        if let length {
            return input.count >= bodyStart + length ? .complete(status: status, keepAlive: !close, length: bodyStart + length) : .incomplete
        }
        if chunked {
            guard let e = LoopbackConnection.find(Array("0\r\n\r\n".utf8), in: input, from: bodyStart) else { return .incomplete }
            return .complete(status: status, keepAlive: !close, length: e + 5)
        }
        return .complete(status: status, keepAlive: !close, length: bodyStart)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for b in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        return n
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let space: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 13 }
        guard let first = bytes.firstIndex(where: { !space($0) }), let last = bytes.lastIndex(where: { !space($0) }) else { return [] }
        return bytes[first...last]
    }

    private static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
