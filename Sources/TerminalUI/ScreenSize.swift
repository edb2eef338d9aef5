/// The size of screen the program works with, whatever size the terminal reports.
///
/// A terminal (or an SSH client) can report any size from 0x0 to 65535x65535. ncurses keeps
/// three full-screen buffers and the dashboard a frame of the same size, so a 65535x65535
/// report would ask for hundreds of gigabytes. The size used is capped at `maxWidth` x
/// `maxHeight` cells: a larger terminal shows the screen in its top-left corner. A report of
/// 0 rows or columns means "unknown" and changes nothing.
public enum ScreenSize {
    /// The widest screen drawn, in columns.
    public static let maxWidth = 1000
    /// The tallest screen drawn, in rows.
    public static let maxHeight = 500

    /// The size to use for a reported `width` x `height`: each capped to 1...max; nil when
    /// either is 0 or negative (unknown: keep the current size).
    public static func usable(width: Int, height: Int) -> (width: Int, height: Int)? {
        guard width > 0, height > 0 else { return nil }
        return (min(width, maxWidth), min(height, maxHeight))
    }
}
