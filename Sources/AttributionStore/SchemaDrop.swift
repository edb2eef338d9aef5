import GRDB

/// Drops indexes and triggers by name, for experiments that measure what each costs
/// (`bench ingest --drop`): never on a user's database.
public enum SchemaDrop {
    public static func drop(_ names: [String], _ db: Database) throws {
        for name in names {
            guard let type = try String.fetchOne(db, sql: "SELECT type FROM sqlite_master WHERE name = ?", arguments: [name]),
                  type == "index" || type == "trigger" else { throw SchemaDropError(name: name) }
            try db.execute(sql: "DROP \(type.uppercased()) \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
        }
    }
}

public struct SchemaDropError: Error, CustomStringConvertible {
    public var name: String
    public var description: String { "--drop: \(name) is not an index or a trigger of the schema" }
}

extension Store {
    /// `SchemaDrop` on this store's writer (`bench ingest --drop`).
    public func dropForExperiment(_ names: [String]) throws {
        try pool.writeWithoutTransaction { db in try SchemaDrop.drop(names, db) }
    }
}
