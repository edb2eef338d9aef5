// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "affdesk",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "affdesk", targets: ["affdesk"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // Layer 1: the rules. Pure Swift, no I/O.
        .target(name: "AttributionCore"),
        // Layer 2: SQLite through GRDB. The only SQL in the package.
        .target(name: "AttributionStore", dependencies: [
            "AttributionCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // Layer 3: front ends.
        .target(name: "Feeds", dependencies: ["AttributionCore"]),
        // The deterministic demo program (events generated and ingested through the real feed).
        .target(name: "Demo", dependencies: ["AttributionCore", "AttributionStore", "Feeds"]),
        // Benchmark yardsticks (raw SQLite baselines), kept out of the store library.
        .target(name: "Bench", dependencies: [
            "AttributionStore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "TerminalText"),
        .target(name: "Dashboard", dependencies: ["AttributionCore", "AttributionStore", "Feeds", "TerminalText"]),
        .systemLibrary(name: "CNcursesW", path: "Sources/CNcursesW"),
        .target(name: "TerminalUI", dependencies: ["CNcursesW", "Dashboard", "TerminalText"]),
        .executableTarget(name: "affdesk", dependencies: [
            "AttributionCore", "AttributionStore", "Feeds", "Demo", "Bench", "TerminalText", "Dashboard", "TerminalUI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "AttributionCoreTests", dependencies: ["AttributionCore"]),
        .testTarget(name: "AttributionStoreTests", dependencies: ["AttributionStore", "AttributionCore", "Feeds", "Demo"]),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds", "AttributionCore"], resources: [.copy("Corpus")]),
        .testTarget(name: "TerminalTextTests", dependencies: ["TerminalText"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TerminalText", "AttributionCore"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "AttributionStore", "AttributionCore", "Demo", "TerminalText"],
                    resources: [.copy("Expected")]),
        .testTarget(name: "EndToEndTests", dependencies: ["AttributionStore", "AttributionCore", "Demo"]),
    ],
    swiftLanguageModes: [.v6]
)
