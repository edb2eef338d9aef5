#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TerminalText

/// OSC 52: asks the terminal (and tmux, and an SSH client's terminal) to put text on its
/// clipboard. The text is sanitized first, so nothing copied can carry a control sequence.
public enum OSC52 {
    /// The bytes that set the clipboard ("c") to `text`: ESC ] 52 ; c ; base64 BEL.
    public static func sequence(_ text: String) -> [UInt8] {
        let clean = Sanitize.text(text)
        return Array("\u{1B}]52;c;".utf8) + Array(Data(clean.utf8).base64EncodedString().utf8) + [0x07]
    }
}

extension Terminal {
    /// Puts text on the terminal's clipboard, after what ncurses has drawn.
    public func copyToClipboard(_ text: String) {
        guard !stopped else { return }
        let bytes = OSC52.sequence(text)
        fflush(nil)   // what ncurses wrote goes first
        bytes.withUnsafeBufferPointer { b in
            var off = 0
            while off < b.count {
                let n = write(1, b.baseAddress! + off, b.count - off)
                if n <= 0 { if errno == EINTR { continue }; break }
                off += n
            }
        }
    }
}
