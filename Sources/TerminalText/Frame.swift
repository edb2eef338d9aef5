/// One terminal cell.
public struct Cell: Hashable, Sendable {
    /// One grapheme cluster, or "" for the right half of a wide character (the cell to its left
    /// holds the character).
    public var text: String
    public var style: Style

    public init(text: String, style: Style = .normal) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell(text: " ")

    /// True for the right half of a wide character.
    public var isContinuation: Bool { text.isEmpty }
}

/// A rectangle of cells. Width and height are never negative.
public struct Rect: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public var description: String { "(\(x),\(y) \(width)x\(height))" }

    public func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < maxX && py >= y && py < maxY
    }

    public func intersection(_ r: Rect) -> Rect {
        let x0 = max(x, r.x), y0 = max(y, r.y)
        let x1 = min(maxX, r.maxX), y1 = min(maxY, r.maxY)
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// The rectangle shrunk by `dx` on the left and right and `dy` on the top and bottom.
    public func inset(dx: Int, dy: Int) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }

    /// The inside of a box drawn on this rectangle.
    public var interior: Rect { inset(dx: 1, dy: 1) }

    /// The first `n` rows, and the rest.
    public func top(_ n: Int) -> Rect { Rect(x: x, y: y, width: width, height: min(max(0, n), height)) }
    public func dropTop(_ n: Int) -> Rect {
        let k = min(max(0, n), height)
        return Rect(x: x, y: y + k, width: width, height: height - k)
    }
    /// The last `n` rows, and the rest.
    public func bottom(_ n: Int) -> Rect {
        let k = min(max(0, n), height)
        return Rect(x: x, y: maxY - k, width: width, height: k)
    }
    public func dropBottom(_ n: Int) -> Rect { Rect(x: x, y: y, width: width, height: height - min(max(0, n), height)) }
    /// The first `n` columns, and the rest.
    public func left(_ n: Int) -> Rect { Rect(x: x, y: y, width: min(max(0, n), width), height: height) }
    public func dropLeft(_ n: Int) -> Rect {
        let k = min(max(0, n), width)
        return Rect(x: x + k, y: y, width: width - k, height: height)
    }
    /// The last `n` columns, and the rest.
    public func right(_ n: Int) -> Rect {
        let k = min(max(0, n), width)
        return Rect(x: maxX - k, y: y, width: k, height: height)
    }
    public func dropRight(_ n: Int) -> Rect { Rect(x: x, y: y, width: width - min(max(0, n), width), height: height) }

    /// A rectangle of at most `w` x `h` centred in this one.
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(w, width), ch = min(h, height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }
}

/// Box-drawing character sets for `Frame.box`.
public enum BoxKind: Sendable, Hashable {
    case light, rounded, heavy, double

    var corners: (tl: String, tr: String, bl: String, br: String) {
        switch self {
        case .light: ("┌", "┐", "└", "┘")
        case .rounded: ("╭", "╮", "╰", "╯")
        case .heavy: ("┏", "┓", "┗", "┛")
        case .double: ("╔", "╗", "╚", "╝")
        }
    }
    var horizontal: String {
        switch self {
        case .light, .rounded: "─"
        case .heavy: "━"
        case .double: "═"
        }
    }
    var vertical: String {
        switch self {
        case .light, .rounded: "│"
        case .heavy: "┃"
        case .double: "║"
        }
    }
}

/// A screen's worth of cells: what a view draws and the terminal layer copies to the screen.
///
/// Every write sanitizes its text, clips to the frame and keeps wide characters whole: a wide
/// character that does not fit in the last column becomes a space, and overwriting half of a
/// wide character turns its other half into a space. Coordinates are 0-based, (0, 0) top left;
/// writes outside the frame are ignored.
public struct Frame: Hashable, Sendable, CustomStringConvertible {
    public let width: Int
    public let height: Int
    /// Row-major: the cell at (x, y) is `cells[y * width + x]`.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, style: Style = .normal) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(text: " ", style: style), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Blanks every cell.
    public mutating func clear(style: Style = .normal) {
        let blank = Cell(text: " ", style: style)
        for i in cells.indices { cells[i] = blank }
    }

    // MARK: - Writing

    /// Writes `s` from (x, y), clipped to the frame and to `maxWidth` cells. Returns the column
    /// after the last cell the text took (or would have taken, up to the clip), for chaining:
    /// `let x1 = f.put("Name: ", x: 0, y: 0); f.put(name, x: x1, y: 0, style: Style(.accent))`.
    @discardableResult
    public mutating func put(_ s: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int? = nil) -> Int {
        var limit = width
        if let m = maxWidth, m < width - x { limit = x + max(0, m) }
        let rowOK = y >= 0 && y < height
        if Sanitize.isPlainASCII(s) {
            let n = s.utf8.count
            let end = min(x + n, limit)
            if rowOK && max(x, 0) < end {
                var s = s
                s.withUTF8 { buf in
                    for cx in max(x, 0)..<end {
                        set(cx, y, Frame.ascii[Int(buf[cx - x])], style, 1)
                    }
                }
            }
            return max(x, end)
        }
        var cx = x
        var last = -1
        Width.forEachCluster(Sanitize.text(s)) { c, w in
            if w == 0 {
                // A lone combining mark joins the cell before it; at the start it has nothing to join.
                if last >= 0 { cells[last].text += c }
                return true
            }
            if cx >= limit { return false }
            if cx + w > limit {
                // A wide character straddling the limit: blank the half that fits.
                if rowOK && cx >= 0 { set(cx, y, " ", style, 1) }
                cx = limit
                return false
            }
            if cx < 0 {
                if cx + w > 0 && rowOK { set(0, y, " ", style, 1) }
                cx += w
                last = -1
                return true
            }
            if rowOK {
                set(cx, y, c, style, w)
                last = y * width + cx
            }
            cx += w
            return true
        }
        return max(x, min(cx, limit))
    }

    /// Writes one cell of width `w` (1 or 2) at (x, y), which must be inside the frame (and x+1
    /// too when w == 2), repairing any wide character it cuts in half.
    @inline(__always)
    private mutating func set(_ x: Int, _ y: Int, _ text: String, _ style: Style, _ w: Int) {
        let i = y * width + x
        if x > 0 && cells[i].text.isEmpty { cells[i - 1].text = " " }
        if x + w < width && cells[i + w].text.isEmpty { cells[i + w].text = " " }
        cells[i] = Cell(text: text, style: style)
        if w == 2 { cells[i + 1] = Cell(text: "", style: style) }
    }

    /// Fills `rect` (clipped to the frame) with `char` in `style`.
    public mutating func fill(_ rect: Rect, style: Style = .normal, with char: Character = " ") {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        let text = Sanitize.text(String(char))
        let w = Width.of(text)
        guard w > 0 else { return }
        for y in r.y..<r.maxY {
            var x = r.x
            while x < r.maxX {
                if x + w > r.maxX { set(x, y, " ", style, 1) } else { set(x, y, text, style, w) }
                x += w
            }
        }
    }

    /// Changes the style of the cells in `rect` and leaves their text (highlighting a row
    /// after drawing it).
    public mutating func paint(_ rect: Rect, style: Style) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x].style = style }
        }
    }

    /// A horizontal line of `char` from (x, y), `length` cells long.
    public mutating func hline(x: Int, y: Int, length: Int, style: Style = Style(.border), char: Character = "─") {
        fill(Rect(x: x, y: y, width: length, height: 1), style: style, with: char)
    }

    /// A vertical line of `char` from (x, y), `length` cells high.
    public mutating func vline(x: Int, y: Int, length: Int, style: Style = Style(.border), char: Character = "│") {
        fill(Rect(x: x, y: y, width: 1, height: length), style: style, with: char)
    }

    /// Draws a box on the edge of `rect` (the inside is left as it is; see `Rect.interior`),
    /// with an optional title in the top line: "┌ Title ──┐". A title too long is truncated with
    /// an ellipsis. Rectangles smaller than 2x2 draw nothing.
    public mutating func box(_ rect: Rect, title: String? = nil, style: Style = Style(.border),
                             titleStyle: Style = Style(.title, bold: true), kind: BoxKind = .light) {
        guard rect.width >= 2 && rect.height >= 2 else { return }
        let c = kind.corners
        let h = Character(kind.horizontal), v = Character(kind.vertical)
        hline(x: rect.x + 1, y: rect.y, length: rect.width - 2, style: style, char: h)
        hline(x: rect.x + 1, y: rect.maxY - 1, length: rect.width - 2, style: style, char: h)
        vline(x: rect.x, y: rect.y + 1, length: rect.height - 2, style: style, char: v)
        vline(x: rect.maxX - 1, y: rect.y + 1, length: rect.height - 2, style: style, char: v)
        put(c.tl, x: rect.x, y: rect.y, style: style)
        put(c.tr, x: rect.maxX - 1, y: rect.y, style: style)
        put(c.bl, x: rect.x, y: rect.maxY - 1, style: style)
        put(c.br, x: rect.maxX - 1, y: rect.maxY - 1, style: style)
        if let title, rect.width >= 5, !Sanitize.text(title).isEmpty {
            let t = Width.truncate(title, to: rect.width - 4)
            guard !t.isEmpty else { return }
            let end = put(" ", x: rect.x + 1, y: rect.y, style: style)
            let after = put(t, x: end, y: rect.y, style: titleStyle)
            put(" ", x: after, y: rect.y, style: style)
        }
    }

    /// Copies `other` onto this frame with its top left at (x, y), clipped; wide characters cut
    /// by the clip become spaces.
    public mutating func draw(_ other: Frame, x ox: Int, y oy: Int) {
        let r = Rect(x: ox, y: oy, width: other.width, height: other.height).intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            var x = r.x
            while x < r.maxX {
                let cell = other.cells[(y - oy) * other.width + (x - ox)]
                if cell.text.isEmpty {
                    // Right half whose left half is clipped away.
                    set(x, y, " ", cell.style, 1)
                    x += 1
                    continue
                }
                let w = Width.of(cell.text)
                if w == 2 && x + 1 >= r.maxX {
                    set(x, y, " ", cell.style, 1)
                } else if w == 2 {
                    set(x, y, cell.text, cell.style, 2)
                } else {
                    set(x, y, cell.text, cell.style, 1)
                }
                x += max(1, w)
            }
        }
    }

    // MARK: - Reading (for tests and plain-text output)

    /// Row `y` as text, `width` cells wide (wide characters take their two cells).
    public func row(_ y: Int, trimTrailing: Bool = false) -> String {
        var line = ""
        line.reserveCapacity(width)
        let base = y * width
        for i in base..<(base + width) { line += cells[i].text }
        if trimTrailing {
            while line.last == " " { line.removeLast() }
        }
        return line
    }

    /// Every row as text.
    public func lines(trimTrailing: Bool = false) -> [String] {
        (0..<height).map { row($0, trimTrailing: trimTrailing) }
    }

    /// The rows joined with newlines, trailing spaces trimmed.
    public var description: String { lines(trimTrailing: true).joined(separator: "\n") }

    /// One character per cell giving its style (`Style.code`: "." normal, "s" selected, "H"
    /// bold header, ...), so tests can assert highlighting as text.
    public func styleMap() -> [String] {
        (0..<height).map { y in
            String((0..<width).map { cells[y * width + $0].style.code })
        }
    }

    /// The text rows, an empty line, then the style map: a golden-file friendly dump.
    public func styledDump() -> String {
        (lines() + [""] + styleMap()).joined(separator: "\n")
    }

    static let ascii: [String] = (0..<128).map { String(Character(Unicode.Scalar(UInt8($0)))) }
}
