import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The bench's clients on one thread: the same load as `runLean` (each client its own
/// keep-alive HTTP/1.1 connection over TCP, its customers' signed requests in order, each answer
/// read whole by its `Content-Length` before the next request; the latency from the request's
/// first byte written to the answer's last byte read), but every connection non-blocking and
/// served by one `poll` loop instead of a thread that sleeps in `recv`. Under load one wake-up
/// reads many answers: the clients cost the 2 cores they share with the server less CPU and
/// fewer context switches per request.
extension LoadRunner {
    public static func runEvented(port: Int, mix: EventMix, clients: Int, duration: Double, firstCustomer: Int = 0,
                                  path: String? = nil) -> Report {
        let started = Date()
        let loop = EventedLoop(port: port, mix: mix, clients: clients, deadline: started.addingTimeInterval(duration),
                               firstCustomer: firstCustomer, path: path)
        let sent = loop.run()
        return Report(sent: sent, seconds: Date().timeIntervalSince(started))
    }
}

/// One client of `runEvented`: its connection, the request being sent or waited for, its answers.
private final class EventedClient {
    let index: Int
    var fd: Int32 = -1
    var customer = 0
    var k = 0
    var requests: [EventMix.Request] = []
    var next = 0
    var pending: [UInt8] = []
    var written = 0
    var input: [UInt8] = []
    var sentAt = ContinuousClock.now
    var done = false
    var sent: [LoadRunner.Sent] = []
    init(index: Int) { self.index = index }
}

/// The `poll` loop of `runEvented`.
private final class EventedLoop {
    let port: Int, mix: EventMix, clients: [EventedClient], deadline: Date, firstCustomer: Int, path: String?
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    /// A request with no answer after this long ends its client (as `runLean`'s read timeout).
    let answerTimeout: Duration = .seconds(30)

    init(port: Int, mix: EventMix, clients: Int, deadline: Date, firstCustomer: Int, path: String?) {
        self.port = port; self.mix = mix; self.deadline = deadline; self.firstCustomer = firstCustomer; self.path = path
        self.clients = (0..<clients).map(EventedClient.init(index:))
    }

    func run() -> [LoadRunner.Sent] {
        for c in clients { startCustomer(c) }
        var fds: [pollfd] = [], owners: [EventedClient] = []
        while clients.contains(where: { !$0.done }) {
            fds.removeAll(keepingCapacity: true); owners.removeAll(keepingCapacity: true)
            for c in clients where !c.done && c.fd >= 0 {
                fds.append(pollfd(fd: c.fd, events: Int16(POLLIN) | (c.written < c.pending.count ? Int16(POLLOUT) : 0), revents: 0))
                owners.append(c)
            }
            let n = poll(&fds, nfds_t(fds.count), 100)
            for (f, c) in zip(fds, owners) where n > 0 && f.revents != 0 && !c.done {
                if f.revents & Int16(POLLOUT) != 0 { write(c) }
                if !c.done && f.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { read(c) }
            }
            let now = ContinuousClock.now
            for c in clients where !c.done && c.fd >= 0 && now - c.sentAt > answerTimeout { fail(c) }
        }
        return clients.flatMap(\.sent)
    }

    /// The client's next customer (or its end, past the deadline).
    private func startCustomer(_ c: EventedClient) {
        guard Date() < deadline else { finish(c); return }
        c.customer = firstCustomer + c.index + c.k * clients.count
        c.k += 1
        c.requests = mix.customer(c.customer)
        c.next = 0
        send(c)
    }

    /// Writes the client's next request (opening its connection when it has none).
    private func send(_ c: EventedClient) {
        if c.fd < 0 && !open(c) { fail(c); return }
        var r = c.requests[c.next]
        if let path { r.path = path }
        c.pending = LoopbackConnection.request(r, port: port)
        c.written = 0
        c.sentAt = ContinuousClock.now
        write(c)
    }

    private func write(_ c: EventedClient) {
        while c.written < c.pending.count {
            let n = c.pending.withUnsafeBytes { Glibc.send(c.fd, $0.baseAddress! + c.written, $0.count - c.written, Int32(MSG_NOSIGNAL)) }
            if n > 0 { c.written += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }   // the rest when the socket takes it
            fail(c); return
        }
    }

    private func read(_ c: EventedClient) {
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { c.input.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            // The end of the stream or an error: an answer cut short is no answer.
            if case .complete = LoopbackAnswer.parse(c.input) { break }
            fail(c); return
        }
        switch LoopbackAnswer.parse(c.input) {
        case .incomplete: return
        case .malformed: fail(c)
        case .complete(let status, let keepAlive, let length):
            let d = ContinuousClock.now - c.sentAt
            c.input.removeFirst(length)
            c.sent.append(LoadRunner.Sent(customer: c.customer, index: c.next, status: status,
                                          seconds: Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
            if !keepAlive { close(c) }
            c.next += 1
            if c.next < c.requests.count { send(c) } else { startCustomer(c) }
        }
    }

    private func open(_ c: EventedClient) -> Bool {
        let fd = LoopbackConnection.connect(port: port, readTimeoutSeconds: 30)
        guard fd >= 0 else { return false }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else { Glibc.close(fd); return false }
        c.fd = fd
        c.input.removeAll(keepingCapacity: true)
        return true
    }

    private func close(_ c: EventedClient) {
        if c.fd >= 0 { Glibc.close(c.fd) }
        c.fd = -1
        c.input.removeAll(keepingCapacity: true)
    }

    /// The request got no answer: recorded so, and the client stops (as `runLean`'s do).
    private func fail(_ c: EventedClient) {
        if c.next < c.requests.count { c.sent.append(LoadRunner.Sent(customer: c.customer, index: c.next, status: nil, seconds: 0)) }
        finish(c)
    }

    private func finish(_ c: EventedClient) {
        close(c)
        c.done = true
    }
}
