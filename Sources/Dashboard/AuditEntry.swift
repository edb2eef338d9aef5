import AttributionCore
import AttributionStore
import TerminalText

/// Enter on an audit entry: who changed what and when, and only the fields that changed,
/// before → after. A settings entry keeps its whole summary ("model=saas recurring=on ..."),
/// so its fields are compared one by one.
enum AuditEntry {
    static func open(_ a: AuditRow, _ s: inout State) -> [Effect] {
        s.overlays.append(.notice(Notice(title: "Audit #\(a.id) · \(a.action)", lines: lines(a, s.zone))))
        return []
    }

    static func lines(_ a: AuditRow, _ zone: DisplayZone) -> [String] {
        var out = ["When    \(zone.short(a.at)) \(zone.label)", "Who     \(a.who)"]
        if let t = a.target, !t.isEmpty { out.append("Target  \(t)") }
        out.append("")
        let changes = changed(before: a.before, after: a.after)
        if changes.isEmpty {
            out.append("Nothing changed.")
        } else {
            out.append("Changed")
            out += changes.map { "  " + ($0.field.isEmpty ? "" : $0.field + ": ") + "\($0.before) → \($0.after)" }
        }
        if let d = a.detail, !d.isEmpty { out += ["", d] }
        return out
    }

    struct Change: Hashable { var field: String; var before: String; var after: String }

    /// The fields that differ. Texts of `key=value` words are compared key by key; any other
    /// text is one value.
    static func changed(before: String?, after: String?) -> [Change] {
        let b = before ?? "—", a = after ?? "—"
        guard let bf = fields(b), let af = fields(a) else { return b == a ? [] : [Change(field: "", before: b, after: a)] }
        var keys = bf.map(\.0)
        for (k, _) in af where !keys.contains(k) { keys.append(k) }
        let bd = Dictionary(bf, uniquingKeysWith: { x, _ in x }), ad = Dictionary(af, uniquingKeysWith: { x, _ in x })
        return keys.compactMap { k in bd[k] == ad[k] ? nil : Change(field: k, before: bd[k] ?? "—", after: ad[k] ?? "—") }
    }

    /// "k=v k2=v two" as pairs (a word without "=" continues the value before it); nil when
    /// the text does not start with `key=`.
    static func fields(_ text: String) -> [(String, String)]? {
        var out: [(String, String)] = []
        for w in text.split(separator: " ") {
            if let eq = w.firstIndex(of: "="), eq != w.startIndex {
                out.append((String(w[..<eq]), String(w[w.index(after: eq)...])))
            } else if !out.isEmpty {
                out[out.count - 1].1 += " " + w
            } else {
                return nil
            }
        }
        return out.isEmpty ? nil : out
    }
}
