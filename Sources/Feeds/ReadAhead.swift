import Foundation

/// Reads and parses the input on a thread of its own, a chunk ahead of the ingest that consumes
/// it: `produce` (reading lines and turning them into events) runs there, one call after another,
/// while the consumer's thread decides and writes the chunk before. What comes out, and in what
/// order, is exactly what `produce` gives; at most `depth` chunks wait, so memory stays bounded
/// whatever the input's size. `mark` is read on the producing thread after each chunk (for a
/// progress bar: bytes read so far) and given to the consumer with that chunk, so the consumer
/// never reads the producer's state while it runs. Anything else the producer keeps (a read
/// error) may be read once `next()` returned nil. Dropping the sequence early stops the thread
/// after its current chunk.
public final class ReadAhead<Element>: Sequence, IteratorProtocol {
    private let state: State
    private var current: [Element] = []
    private var index = 0
    private var finished = false
    /// `mark` as it was after the chunk being consumed was read.
    public private(set) var consumedMark: Int64 = 0

    public init(chunk: Int = 4096, depth: Int = 2, mark: @escaping () -> Int64 = { 0 }, produce: @escaping () -> Element?) {
        state = State(depth: Swift.max(1, depth))
        let state = self.state, size = Swift.max(1, chunk)
        let work = Unchecked(value: { state.run(chunk: size, produce: produce, mark: mark) })
        Thread.detachNewThread { work.value() }
    }

    deinit { state.cancel() }

    public func next() -> Element? {
        while index == current.count {
            guard !finished, let (chunk, mark) = state.take() else { finished = true; current = []; index = 0; return nil }
            current = chunk
            index = 0
            consumedMark = mark
        }
        defer { index += 1 }
        return current[index]
    }

    /// What the two threads share, under `condition`.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var ready: [([Element], Int64)] = []
        private var done = false
        private var cancelled = false
        private let depth: Int

        init(depth: Int) { self.depth = depth }

        /// The producing thread: chunk after chunk until `produce` gives nil or the consumer is gone.
        func run(chunk size: Int, produce: () -> Element?, mark: () -> Int64) {
            var end = false
            while !end {
                var chunk: [Element] = []
                chunk.reserveCapacity(size)
                while chunk.count < size {
                    guard let e = produce() else { end = true; break }
                    chunk.append(e)
                }
                let m = mark()
                condition.lock()
                while ready.count >= depth && !cancelled { condition.wait() }
                if cancelled { condition.unlock(); return }
                if !chunk.isEmpty { ready.append((chunk, m)) }
                if end { done = true }
                condition.broadcast()
                condition.unlock()
            }
        }

        /// The next chunk with its mark, waiting for it; nil when the input is over.
        func take() -> ([Element], Int64)? {
            condition.lock()
            defer { condition.unlock() }
            while ready.isEmpty && !done { condition.wait() }
            guard !ready.isEmpty else { return nil }
            let first = ready.removeFirst()
            condition.broadcast()
            return first
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// A value handed to another thread whose use the handing code keeps to one thread at a time.
private struct Unchecked<T>: @unchecked Sendable { let value: T }
