/// Text widgets: each renders to a plain string of an exact width, which a view then `put`s
/// in whatever style it likes.

/// A horizontal bar with eighth-cell resolution: "████▌·····".
public enum ProgressBar {
    /// Partial blocks, 1/8 to 7/8 of a cell.
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// `fraction` (clamped to 0...1; NaN is 0) of `width` cells filled, the rest `empty`.
    /// Rounds down, so the bar is full only at 1.0. Exactly `width` cells.
    public static func render(fraction: Double, width: Int, empty: Character = "·") -> String {
        let width = max(0, width)
        let f = fraction.isNaN ? 0 : min(1, max(0, fraction))
        let total = Int(f * Double(width * 8))   // f >= 0: truncation is floor
        return bar(eighths: total, width: width, empty: empty)
    }

    /// `value` out of `max` (exact integer arithmetic; values outside 0...max are clamped,
    /// `max <= 0` draws an empty bar). Exactly `width` cells.
    public static func render(value: Int64, max: Int64, width: Int, empty: Character = "·") -> String {
        let width = Swift.max(0, width)
        guard max > 0 else { return bar(eighths: 0, width: width, empty: empty) }
        let v = Swift.min(Swift.max(0, value), max)
        let (product, overflow) = v.multipliedReportingOverflow(by: Int64(width * 8))
        let total = overflow ? Int(Double(v) / Double(max) * Double(width * 8)) : Int(product / max)
        return bar(eighths: total, width: width, empty: empty)
    }

    static func bar(eighths total: Int, width: Int, empty: Character) -> String {
        let full = total / 8
        let part = total % 8
        var s = String(repeating: "█", count: full)
        var used = full
        if part > 0 && used < width {
            s.append(eighths[part - 1])
            used += 1
        }
        if used < width { s += String(repeating: empty, count: width - used) }
        return s
    }
}

/// A one-line chart of a series with ▁▂▃▄▅▆▇█.
public enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values, oldest on the left, scaled from 0 to the largest shown value:
    /// zero (and negative values) is ▁, the maximum is █, any positive value at least ▂.
    /// Fewer values than `width` give a shorter string (pad it where it is drawn).
    public static func render(_ values: [Int64], width: Int) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let top = shown.max() ?? 0
        var s = ""
        for v in shown {
            guard top > 0, v > 0 else {
                s.append(levels[0])
                continue
            }
            // ceil(v * 7 / top)
            let (p, overflow) = v.multipliedReportingOverflow(by: 7)
            let level: Int
            if overflow {
                let q = Double(v) * 7 / Double(top)
                level = Double(Int(q)) < q ? Int(q) + 1 : Int(q)
            } else {
                level = Int((p + top - 1) / top)
            }
            s.append(levels[min(7, max(1, level))])
        }
        return s
    }
}

/// Horizontal bars with labels and values, one line per item:
/// "alice  ████████▌    12".
public enum BarChart {
    public struct Item: Hashable, Sendable {
        public var label: String
        public var value: Int64
        /// Shown after the bar; the value itself when nil.
        public var valueText: String?

        public init(label: String, value: Int64, valueText: String? = nil) {
            self.label = label
            self.value = value
            self.valueText = valueText
        }
    }

    /// Lines exactly `width` cells wide: the label (left-aligned, at most `maxLabelWidth`
    /// cells), a space, the bar scaled to the largest value, a space, the value right-aligned.
    public static func render(_ items: [Item], width: Int, maxLabelWidth: Int = 20) -> [String] {
        let width = max(0, width)
        let labelWidth = min(maxLabelWidth, items.map { Width.of($0.label) }.max() ?? 0)
        let texts = items.map { $0.valueText ?? String($0.value) }
        let valueWidth = texts.map { Width.of($0) }.max() ?? 0
        let barWidth = width - labelWidth - valueWidth - 2
        let top = items.map(\.value).max() ?? 0
        return zip(items, texts).map { item, text in
            guard barWidth > 0 else { return Width.fit(item.label, to: width) }
            return Width.fit(item.label, to: labelWidth) + " "
                + ProgressBar.render(value: item.value, max: top, width: barWidth, empty: " ") + " "
                + Width.pad(text, to: valueWidth, align: .right)
        }
    }
}
