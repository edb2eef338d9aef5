import GRDB

extension Store {
    /// Frees SQLite's own page caches: the writer's is emptied and the idle readers are closed, so
    /// the next read opens a connection with an empty cache (`bench dashboard --cold`).
    public func releaseMemory() { pool.releaseMemory() }
}
