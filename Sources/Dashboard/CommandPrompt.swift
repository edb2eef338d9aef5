import AttributionCore
import TerminalText

/// The `:` command line (as in k9s): `:customer KEY`, `:event 123`, `:affiliate CODE`,
/// `:triage ID` jump to a record; Tab completes the command's name, and an affiliate's code
/// (from the list of affiliates read once when the line opens: never a query per key).
public struct Prompt: Hashable, Sendable {
    public var text = ""
    /// What Tab found (several candidates), or why a command cannot run.
    public var hint: String?
    public var isError = false
}

public enum Prompts {
    /// The commands, and what each takes.
    public static let commands: [(name: String, argument: String)] = [
        ("customer", "KEY"), ("event", "ID"), ("affiliate", "CODE"), ("triage", "IDENTIFIER"),
    ]
    /// The longest command line kept: an identifier is at most 256 bytes.
    public static let maxLength = 300

    static var usage: String { commands.map { "\($0.name) \($0.argument)" }.joined(separator: " · ") }

    /// The command a typed name means: itself, or the one command it starts.
    static func command(_ word: String) -> String? {
        let w = word.lowercased()
        if let exact = commands.first(where: { $0.name == w }) { return exact.name }
        let found = commands.filter { $0.name.hasPrefix(w) }
        return found.count == 1 ? found[0].name : nil
    }

    /// Reads a command line into where it goes, or a sentence saying what is wrong.
    public static func parse(_ text: String) -> Result<Destination, PromptError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let word = String(trimmed.prefix { $0 != " " })
        let arg = trimmed.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        guard !word.isEmpty else { return .failure(PromptError("type a command: " + usage)) }
        guard let name = command(word) else {
            return .failure(PromptError("unknown command \"\(Width.truncate(word, to: 24))\"; the commands: " + usage))
        }
        let argument = commands.first { $0.name == name }!.argument
        guard !arg.isEmpty else { return .failure(PromptError("\(name): name the \(argument) to go to")) }
        switch name {
        case "customer": return .success(.customer(key: arg))
        case "event":
            guard let id = Int64(arg.hasPrefix("#") ? String(arg.dropFirst()) : arg), id > 0 else {
                return .failure(PromptError("event: \"\(Width.truncate(arg, to: 24))\" is not an event number (e.g. 123)"))
            }
            return .success(.event(id: id))
        case "affiliate": return .success(.affiliate(code: arg))
        default: return .success(.triage(identifier: arg))
        }
    }

    /// Tab: completes the command's name, or an affiliate's code from `codes`.
    static func complete(_ p: inout Prompt, codes: [String]) {
        let text = p.text
        let candidates: [String]
        let head: String, partial: String
        if let space = text.firstIndex(of: " ") {
            let word = String(text[..<space])
            guard command(word) == "affiliate" else {
                p.hint = "Tab completes command names and affiliate codes; type the whole \(command(word).map { "\($0)'s" } ?? "") identifier"
                p.isError = false
                return
            }
            head = "affiliate "
            partial = text[space...].trimmingCharacters(in: .whitespaces)
            let key = AffiliateCode.key(partial)
            candidates = codes.filter { AffiliateCode.key($0).hasPrefix(key) }.sorted { AffiliateCode.key($0) < AffiliateCode.key($1) }
        } else {
            head = ""
            partial = text
            candidates = commands.map(\.name).filter { $0.hasPrefix(text.lowercased()) }
        }
        p.isError = false
        switch candidates.count {
        case 0:
            p.hint = head.isEmpty ? "no command starts with \"\(Width.truncate(partial, to: 24))\"" : "no affiliate code starts with \"\(Width.truncate(partial, to: 24))\""
            p.isError = true
        case 1:
            p.text = head + candidates[0] + (head.isEmpty ? " " : "")
            p.hint = nil
        default:
            let common = commonPrefix(candidates)
            if common.count > partial.count { p.text = head + common }
            p.hint = candidates.prefix(12).joined(separator: "  ") + (candidates.count > 12 ? "  … \(candidates.count) in all" : "")
        }
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for w in words.dropFirst() {
            while !w.lowercased().hasPrefix(prefix.lowercased()) { prefix.removeLast() }
        }
        return prefix
    }
}

public struct PromptError: Error, Hashable, Sendable {
    public var message: String
    init(_ m: String) { message = m }
}

/// `:` opens the command line; the affiliates' codes are read once for completion.
func openPrompt(_ s: inout State) -> [Effect] {
    s.prompt = Prompt()
    return s.affiliateCodes.isEmpty ? [.loadPicker] : []
}

/// A key while the command line is open.
func handlePromptKey(_ s: inout State, _ key: Key) -> [Effect] {
    guard var p = s.prompt else { return [] }
    switch key {
    case .escape: s.prompt = nil; return []
    case .ctrl("c"): s.quit = true; return [.quit]
    case .backspace:
        if p.text.isEmpty { s.prompt = nil; return [] }
        p.text.removeLast(); p.hint = nil
    case .ctrl("u"): p.text = ""; p.hint = nil
    case .tab: Prompts.complete(&p, codes: s.affiliateCodes)
    case .char(let c):
        guard p.text.utf8.count < Prompts.maxLength else { return [] }
        p.text.append(c); p.hint = nil
    case .enter:
        switch Prompts.parse(p.text) {
        case .success(let d):
            s.prompt = nil
            return Navigation.go(&s, to: d)
        case .failure(let e):
            p.hint = e.message; p.isError = true
        }
    default: return []
    }
    s.prompt = p
    return []
}

enum PromptView {
    /// The command line over the status bar, and what Tab found (or the error) on the row above.
    static func draw(_ f: inout Frame, _ s: State, _ layout: Layout) {
        guard let p = s.prompt else { return }
        let y = layout.statusY
        f.fill(Rect(x: 0, y: y, width: f.width, height: 1), style: Style(.input))
        var x = f.put(" :", x: 0, y: y, style: Style(.key, bold: true))
        let keys = "  Tab completes · Enter goes · Esc cancels"
        let room = max(1, f.width - x - 2)
        // The end of a long line stays in view.
        var shown = p.text
        while Width.of(shown) + 2 > room, !shown.isEmpty { shown.removeFirst() }
        if shown.count < p.text.count { shown = "…" + shown }
        x = f.put(shown, x: x, y: y, style: Style(.input))
        x = f.put("█", x: x, y: y, style: Style(.input))
        if x + Width.of(keys) < f.width { f.put(keys, x: x, y: y, style: Style(.dim)) }
        if let hint = p.hint {
            f.fill(Rect(x: 0, y: y - 1, width: f.width, height: 1), style: Style(.normal))
            f.put(" " + Width.truncate(hint, to: max(1, f.width - 2)), x: 0, y: y - 1, style: Style(p.isError ? .error : .info, bold: p.isError))
        }
    }
}
