import Foundation
import Hummingbird
import NIOCore

/// The body timeout of every request, kept by one timer for the whole server instead of a task
/// group with a sleeping task per request (whose timer, set and cancelled for every request,
/// cost more than reading the body). A request's body is read by a task of its own; the timer
/// cancels the reads whose deadline has passed, every `tick`.
final class BodyDeadlines: @unchecked Sendable {
    private struct Watched {
        var deadline: UInt64
        var cancel: @Sendable () -> Void
    }

    private let lock = NSLock()
    private var watched: [UInt64: Watched] = [:]
    private var expired: Set<UInt64> = []
    private var nextID: UInt64 = 0
    private let timer: DispatchSourceTimer

    init(tick: TimeInterval = 0.1) {
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "affdesk.body-deadlines"))
        timer.schedule(deadline: .now() + tick, repeating: tick, leeway: .milliseconds(20))
        timer.setEventHandler { [weak self] in self?.cancelExpired() }
        timer.resume()
    }

    deinit { timer.cancel() }

    enum Outcome { case body(ByteBuffer), timedOut }

    /// The body, up to `limit` bytes (else `NIOTooManyBytesError`), or `.timedOut` when it had not
    /// all arrived `seconds` from now.
    func collect(_ body: RequestBody, upTo limit: Int, within seconds: TimeInterval) async throws -> Outcome {
        let read = Task { try await body.collect(upTo: limit) }
        let id = watch(read, deadline: DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, seconds) * 1e9))
        let result = await read.result
        if unwatch(id) { return .timedOut }
        return .body(try result.get())
    }

    private func watch(_ task: Task<ByteBuffer, any Error>, deadline: UInt64) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        nextID &+= 1
        watched[nextID] = Watched(deadline: deadline, cancel: { task.cancel() })
        return nextID
    }

    /// Stops watching; true when the deadline had passed (the read was cancelled).
    private func unwatch(_ id: UInt64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        watched[id] = nil
        return expired.remove(id) != nil
    }

    private func cancelExpired() {
        let now = DispatchTime.now().uptimeNanoseconds
        var cancel: [@Sendable () -> Void] = []
        lock.lock()
        for (id, w) in watched where w.deadline <= now {
            cancel.append(w.cancel)
            expired.insert(id)
            watched[id] = nil
        }
        lock.unlock()
        for c in cancel { c() }
    }
}
