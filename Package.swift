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
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
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
        // `affdesk serve`: live webhooks and the tracking API over HTTP (Hummingbird).
        .target(name: "Server", dependencies: [
            "AttributionCore", "AttributionStore", "Feeds",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .executableTarget(name: "affdesk", dependencies: [
            "AttributionCore", "AttributionStore", "Feeds", "Demo", "Bench", "TerminalText", "Dashboard", "TerminalUI", "Server",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "AttributionCoreTests", dependencies: ["AttributionCore"]),
        .testTarget(name: "AttributionStoreTests", dependencies: ["AttributionStore", "AttributionCore", "Feeds", "Demo", "Bench"]),
        .testTarget(name: "FeedsTests", dependencies: ["Feeds", "AttributionCore"], resources: [.copy("Corpus")]),
        .testTarget(name: "TerminalTextTests", dependencies: ["TerminalText"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TerminalText", "AttributionCore"]),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "AttributionStore", "AttributionCore", "Demo", "TerminalText"],
                    resources: [.copy("Expected")]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "AttributionStore", "AttributionCore", "Feeds",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], resources: [.copy("Corpus")]),
        .testTarget(name: "EndToEndTests", dependencies: ["AttributionStore", "AttributionCore", "Demo"]),
    ],
    swiftLanguageModes: [.v6]
)
