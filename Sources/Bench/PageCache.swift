import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The operating system's page cache of a database file: drop it, count what of it is resident.
/// `bench dashboard --cold` uses both, so that a measured action reads the file from the disk.
public enum PageCache {
    /// The database and its write-ahead log (the -shm index is shared memory, never evicted).
    public static func files(_ path: String) -> [String] { [path, path + "-wal"] }

    /// Asks the kernel to drop the cached pages of `path` and its -wal
    /// (`posix_fadvise(POSIX_FADV_DONTNEED)` on the whole file; clean pages only, and a file
    /// opened read-only has none dirty). False when a file that exists could not be advised.
    @discardableResult
    public static func evict(_ path: String) -> Bool {
        var ok = true
        for f in files(path) where FileManager.default.fileExists(atPath: f) {
            let fd = open(f, O_RDONLY | O_CLOEXEC)
            if fd < 0 { ok = false; continue }
            #if os(Linux)
            if posix_fadvise(fd, 0, 0, 4 /* POSIX_FADV_DONTNEED */) != 0 { ok = false }
            #else
            ok = false
            #endif
            close(fd)
        }
        return ok
    }

    /// How many of the file's pages are in the page cache, and its pages in all (`mincore` on a
    /// read-only mapping; nil when the file cannot be mapped).
    public static func resident(_ path: String) -> (resident: Int, pages: Int)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (size + pageSize - 1) / pageSize
        guard let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, size) }
        var vec = [UInt8](repeating: 0, count: pages)
        guard mincore(map, size, &vec) == 0 else { return nil }
        return (vec.reduce(0) { $0 + Int($1 & 1) }, pages)
    }
}
