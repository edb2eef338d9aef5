import AttributionCore
import AttributionStore
import TerminalText

/// Text for the terminal's clipboard (`y`): the terminal front end writes it after the next
/// frame as an OSC 52 sequence (which works over SSH). `serial` tells one copy from the next.
public struct Clipboard: Hashable, Sendable {
    public var text: String
    public var serial: Int
    public init(text: String, serial: Int) { self.text = text; self.serial = serial }
}

public enum Copy {
    /// The most copied at once: identifiers are at most 256 bytes.
    public static let maxBytes = 1024

    /// The identifier `y` copies here: the open pane's record, else the selected row's. In
    /// the affiliate view only what its screens show ("#12", a month), never a customer key.
    public static func selected(_ s: State) -> String? {
        if !s.isAdmin { return affiliateViewText(s) }
        switch s.detail {
        case .customer(let d)?: return d.customer.key
        case .event(let d)?: return String(d.event.id)
        case .mine?, .myPayout?: return nil
        case nil: break
        }
        guard s.onList, let row = s.list.selectedRow else { return nil }
        switch row.item {
        case .conversion(let v): return v.externalID
        case .audit(let a): return a.target.flatMap { $0.isEmpty ? nil : $0 }
        default: return row.ref.isEmpty ? nil : row.ref
        }
    }

    /// The affiliate view copies only its own screens' names of things: "Customer #12"'s
    /// number, a month.
    static func affiliateViewText(_ s: State) -> String? {
        if case .mine(let d)? = s.detail { return "#\(d.customer.number)" }
        if case .myPayout(let d)? = s.detail { return "#\(d.payout.id)" }
        guard s.detail == nil, s.onList, let row = s.list.selectedRow else { return nil }
        switch row.item {
        case .myCustomer(let c): return "#\(c.number)"
        case .myConversion(let v): return v.customerNumber.map { "#\($0)" }
        case .earnings(let m, _): return m.month
        case .myPayout(let p): return "#\(p.id)"
        default: return nil
        }
    }

    /// `y`: puts the identifier on the clipboard, sanitized, and says so.
    static func copy(_ s: inout State) -> [Effect] {
        guard let raw = selected(s) else {
            s.message = Note("Nothing to copy here.", isError: true)
            return []
        }
        var text = Sanitize.text(raw)
        while text.utf8.count > maxBytes { text.removeLast() }
        s.clipboard = Clipboard(text: text, serial: (s.clipboard?.serial ?? 0) + 1)
        s.message = Note("Copied \(text) to the clipboard.")
        return []
    }
}
