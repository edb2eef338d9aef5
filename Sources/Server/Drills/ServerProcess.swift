import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `affdesk serve` process on loopback (any free port), for the crash drill: started,
/// killed with SIGKILL or stopped with SIGTERM.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var port = 0

    /// Starts `binary serve --db path --listen 127.0.0.1:0` and waits (up to `timeout` s) for
    /// the line that names its port.
    public init(binary: String, database: String, arguments: [String] = [], environment: [String: String] = [:],
                timeout: Double = 30) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var text = ""
        let fd = out.fileHandleForReading.fileDescriptor
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            text += String(decoding: buffer[0..<n], as: UTF8.self)
            if let r = text.range(of: "listening on http://127.0.0.1:"),
               let end = text[r.upperBound...].firstIndex(where: { !$0.isNumber }), let p = Int(text[r.upperBound..<end]) {
                port = p
                return
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw ServeSetupError("affdesk serve did not report its port within \(timeout) s (output: \(text.prefix(300)))")
    }

    /// SIGKILL: no chance to finish anything.
    public func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    public func stop() -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
