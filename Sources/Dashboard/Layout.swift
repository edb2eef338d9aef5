import TerminalText

/// Where things go on the screen for a state: shared by `view` (to draw) and `update` (to
/// turn mouse positions and page sizes into rows).
public struct Layout {
    public static let minWidth = 60
    public static let minHeight = 16

    public let width: Int
    public let height: Int
    public let extraLine: Bool

    public init(_ s: State) {
        width = s.width
        height = s.height
        extraLine = (s.tab == .triage && s.isAdmin) || (s.tab == .customers && s.affiliateFilter != nil)
    }

    public var tooSmall: Bool { width < Layout.minWidth || height < Layout.minHeight }
    public let titleY = 0
    public let tabsY = 1
    public var contentTop: Int { 2 }
    public var headerY: Int { contentTop + (extraLine ? 1 : 0) }
    public var firstRowY: Int { headerY + 1 }
    public var messageY: Int { height - 2 }
    public var statusY: Int { height - 1 }
    public var visibleRows: Int { max(1, messageY - firstRowY) }
    public var content: Rect { Rect(x: 0, y: contentTop, width: width, height: max(0, messageY - contentTop)) }

    /// Tab labels and the columns they occupy: "1 Affiliates", or just the number when narrow.
    public func tabRanges(_ s: State) -> [(Tab, Range<Int>)] {
        let tabs = s.tabs
        // Widest first: " 1 Title ", then "1 Title ", then " 1 Titl".
        let styles: [(Int, Tab) -> String] = [
            { " \($0) \(Layout.tabTitle($1, s)) " },
            { "\($0) \(Layout.tabTitle($1, s)) " },
            { " \($0) \(Layout.shortTitle($1, s))" },
        ]
        var labels: [String] = []
        for style in styles {
            labels = tabs.enumerated().map { style($0.offset + 1, $0.element) }
            if labels.reduce(0, { $0 + Width.of($1) }) <= width { break }
        }
        var x = 0
        var out: [(Tab, Range<Int>)] = []
        for (t, l) in zip(tabs, labels) {
            let w = Width.of(l)
            out.append((t, x..<(x + w)))
            x += w
        }
        return out
    }

    /// The label drawn for each tab, matching `tabRanges`.
    public func tabLabels(_ s: State) -> [String] {
        let ranges = tabRanges(s)
        return ranges.enumerated().map { i, r in
            let n = i + 1, t = r.0
            for l in [" \(n) \(Layout.tabTitle(t, s)) ", "\(n) \(Layout.tabTitle(t, s)) ", " \(n) \(Layout.shortTitle(t, s))"]
                where Width.of(l) == r.1.count { return l }
            return ""
        }
    }

    static func tabTitle(_ t: Tab, _ s: State) -> String {
        if !s.isAdmin {
            switch t {
            case .customers: return "My customers"
            case .conversions: return "My conversions"
            case .affiliates: return "Earnings"
            default: break
            }
        }
        return t.title
    }

    static func shortTitle(_ t: Tab, _ s: State) -> String {
        String(tabTitle(t, s).replacingOccurrences(of: "My ", with: "").prefix(4))
    }

    public struct ColumnRect: Hashable { public var index: Int; public var x: Int; public var width: Int }

    /// Fits the screen's columns to the width: low-priority columns go first, flexible ones
    /// share what is left.
    public func columnRects(_ s: State) -> [ColumnRect] {
        Layout.fit(Screens.columns(s.tab, s), width: width)
    }

    static func fit(_ cols: [Column], width: Int) -> [ColumnRect] {
        guard !cols.isEmpty else { return [] }
        var keep = Set(cols.indices)
        func needed() -> Int { keep.reduce(0) { $0 + cols[$1].width } + max(0, keep.count - 1) + 2 }
        while needed() > width, keep.count > 1 {
            let drop = keep.min { (cols[$0].priority, -$0) < (cols[$1].priority, -$1) }!
            keep.remove(drop)
        }
        let order = cols.indices.filter { keep.contains($0) }
        var widths = Dictionary(uniqueKeysWithValues: order.map { ($0, cols[$0].width) })
        var spare = max(0, width - needed())
        let flex = order.filter { cols[$0].flex }
        let growers = flex.isEmpty ? [order.last!] : flex
        var i = 0
        while spare > 0 {
            widths[growers[i % growers.count]]! += 1
            spare -= 1; i += 1
        }
        if needed() > width, let only = order.first { widths[only] = max(1, width - 2) }
        var x = 1
        return order.map { idx in
            defer { x += widths[idx]! + 1 }
            return ColumnRect(index: idx, x: x, width: widths[idx]!)
        }
    }
}
