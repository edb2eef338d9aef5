import AttributionCore
import AttributionStore
import TerminalText

/// How the screens write money and statuses.
enum Fmt {
    /// "1,234.50" without the currency when it is the program's, else "1,234.50 EUR".
    static func money(_ m: Money?, _ s: ProgramSettings) -> String {
        guard let m else { return "—" }
        return m.currency == s.currency ? Money.grouped(m.decimalString) : m.description
    }
    static func money(minor: Int64, _ s: ProgramSettings) -> String { money(Money(minor: minor, currency: s.currency), s) }

    static func statusRole(_ st: CustomerStatus) -> Role {
        switch st {
        case .initial: return .info
        case .active: return .ok
        case .capped: return .warning
        case .ended: return .dim
        }
    }

    /// The caps pane section: a line per cap, "Count  ████···  3 of 5 commissions" or "no cap".
    static func capBars(_ p: CapProgress, _ s: ProgramSettings, width: Int) -> [(String, Style)] {
        let barW = max(10, min(30, width - 40))
        return Wording.capLines(p) { money(minor: $0, s) }.map { line in
            let name = Width.pad(line.name.prefix(1).uppercased() + line.name.dropFirst(), to: 13)
            guard let dim = line.dimension, let text = line.text else { return (name + "no cap", Style(.dim)) }
            return (name + ProgressBar.render(fraction: dim.fraction, width: barW) + "  " + text, Style(dim.reached ? .warning : .chart))
        }
    }

    /// The tightest cap as a small bar, "█████░ 83%", or "—" without caps.
    static func capCell(_ h: CapHistory, _ s: ProgramSettings, now: Instant) -> String {
        guard let t = s.caps.progress(h, now: now).tightest else { return "—" }
        return ProgressBar.render(fraction: t.fraction, width: 5) + " " + "\(Int((t.fraction * 100).rounded(.down)))%"
    }
}
