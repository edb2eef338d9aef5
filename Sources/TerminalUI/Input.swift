import TerminalText

/// What `Terminal.nextInput` returns.
public enum Input: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    /// The terminal changed size; draw a frame of this size.
    case resize(width: Int, height: Int)
    /// The timeout passed with no input.
    case tick
    /// The terminal is gone (SSH connection closed, pty hung up): stop drawing and exit.
    case hangup
}
