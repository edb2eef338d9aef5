import ArgumentParser
import Foundation

/// The command line before ArgumentParser reads it: `--db PATH` is a global option, accepted
/// before the subcommand as well as after it (`affdesk --db FILE customers show KEY`), and a
/// word that is no command is named as such, with the nearest command, instead of being taken
/// for an argument of the default command (the dashboard).
enum GlobalArguments {
    /// What to run with: the arguments for ArgumentParser, or the error for an unknown command.
    enum Prepared: Equatable {
        case arguments([String])
        case unknownCommand(String)
    }

    /// The commands affdesk has (and ArgumentParser's `help`).
    static var commandNames: [String] {
        Affdesk.configuration.subcommands.map { $0._commandName } + ["help"]
    }

    /// Moves leading `--db PATH` / `--db=PATH` to the end of the arguments (before a `--`), where
    /// the subcommand's own `--db` reads it; then checks the first word is a command.
    static func prepare(_ arguments: [String], commands: [String] = commandNames) -> Prepared {
        var rest = arguments
        var moved: [String] = []
        while let first = rest.first {
            if first == "--db", rest.count >= 2 {
                moved += Array(rest.prefix(2)); rest.removeFirst(2)
            } else if first.hasPrefix("--db=") {
                moved.append(first); rest.removeFirst()
            } else { break }
        }
        if let word = rest.first, !word.hasPrefix("-"), !commands.contains(word) {
            return .unknownCommand(unknownCommandMessage(word, commands: commands))
        }
        guard !moved.isEmpty else { return .arguments(rest) }
        if let end = rest.firstIndex(of: "--") { rest.insert(contentsOf: moved, at: end) } else { rest += moved }
        return .arguments(rest)
    }

    /// "unknown command 'custmers', did you mean 'customers'?"
    static func unknownCommandMessage(_ word: String, commands: [String]) -> String {
        let shown = commands.filter { $0 != "help" }
        let near = shown.map { (name: $0, distance: editDistance(word.lowercased(), $0)) }.min { ($0.distance, $0.name) < ($1.distance, $1.name) }
        if let near, near.distance <= max(2, near.name.count / 3) || near.name.hasPrefix(word.lowercased()) {
            return "unknown command '\(word)', did you mean '\(near.name)'? (affdesk --help lists the commands)"
        }
        return "unknown command '\(word)'; the commands are \(shown.joined(separator: ", ")) (affdesk --help)"
    }

    /// Levenshtein distance, on characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in stride(from: 1, through: y.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[y.count]
    }
}
