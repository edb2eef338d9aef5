import TerminalText

/// Where things go on the screen for a state: shared by `view` (to draw) and `update` (to
/// turn mouse positions and page sizes into rows).
public struct Layout {
    public static let minWidth = 60
    public static let minHeight = 16

    public let width: Int
    public let height: Int
    public let extraLine: Bool
    /// Rows above the status bar for the message and the filter line: a message too long for
    /// one row takes two (a refusal's reason is a whole sentence), and the filter line its own.
    public let messageLines: Int

    public init(_ s: State) {
        width = s.width
        height = s.height
        extraLine = s.screen?.hasContextLine(s) ?? false
        let text = s.shownNote.map { Layout.messageText($0.text, width: s.width).count } ?? 0
        messageLines = max(1, text + (Layout.showsFilterLine(s) ? 1 : 0))
    }

    /// The filter line shows while the filter is edited or set (on lists, without a pane).
    static func showsFilterLine(_ s: State) -> Bool {
        (s.filtering || !s.list.filter.isEmpty) && s.detail == nil && s.onList
    }

    /// A message wrapped to at most two rows, with an ellipsis when even that is too short.
    static func messageText(_ text: String, width: Int) -> [String] {
        let room = max(1, width - 2)
        let lines = DetailView.wrap(text, width: room)
        guard lines.count > 2 else { return lines }
        return [lines[0], Width.truncate(lines[1...].joined(separator: " "), to: room)]
    }

    public var tooSmall: Bool { width < Layout.minWidth || height < Layout.minHeight }
    public let titleY = 0
    public let tabsY = 1
    public var contentTop: Int { 2 }
    public var headerY: Int { contentTop + (extraLine ? 1 : 0) }
    public var firstRowY: Int { headerY + 1 }
    /// The first row of the message area (the message, then the filter line).
    public var messageY: Int { height - 1 - messageLines }
    public var statusY: Int { height - 1 }
    public var visibleRows: Int { max(1, messageY - firstRowY) }
    public var content: Rect { Rect(x: 0, y: contentTop, width: width, height: max(0, messageY - contentTop)) }

    /// Tab labels and the columns they occupy: "1 Affiliates", or just the number when narrow.
    public func tabRanges(_ s: State) -> [(Tab, Range<Int>)] {
        var x = 0
        return zip(s.tabs, tabLabels(s)).map { tab, label in
            let w = Width.of(label)
            defer { x += w }
            return (tab, x..<(x + w))
        }
    }

    /// The label drawn for each tab, matching `tabRanges`: the widest style that fits.
    public func tabLabels(_ s: State) -> [String] {
        let tabs = s.tabs
        // Widest first: " 1 Title ", then "1 Title ", then the current tab's whole title with the
        // others' " 1 Titl" (nine tabs at 80 columns), then " 1 Titl", then " 1 Tit" (at 60 columns).
        let styles: [(Int, Tab) -> String] = [
            { " \($0) \(Layout.tabTitle($1, s)) " },
            { "\($0) \(Layout.tabTitle($1, s)) " },
            { $1 == s.tab ? " \($0) \(Layout.tabTitle($1, s)) " : " \($0) \(Layout.shortTitle($1, s))" },
            { " \($0) \(Layout.shortTitle($1, s))" },
            { " \($0) \(String(Layout.shortTitle($1, s).prefix(3)))" },
        ]
        var labels: [String] = []
        for style in styles {
            labels = tabs.enumerated().map { style($0.offset + 1, $0.element) }
            if labels.reduce(0, { $0 + Width.of($1) }) <= width { break }
        }
        return labels
    }

    static func tabTitle(_ t: Tab, _ s: State) -> String { Screens.screen(t, s.mode)?.title ?? "" }

    static func shortTitle(_ t: Tab, _ s: State) -> String {
        String(tabTitle(t, s).replacingOccurrences(of: "My ", with: "").prefix(4))
    }

    public struct ColumnRect: Hashable { public var index: Int; public var x: Int; public var width: Int }

    /// Fits the screen's columns to the width, by priority and by what the rows on screen
    /// hold (`ColumnFit`), without the columns chosen away.
    public func columnRects(_ s: State) -> [ColumnRect] {
        let cols = Screens.columns(s.tab, s)
        return ColumnFit.fit(cols, width: width, content: ColumnFit.contentWidths(s, cols, visible: visibleRows),
                             hidden: s.hiddenColumns[s.tab] ?? [])
    }
}
