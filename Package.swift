// swift-tools-version:6.0
// sevad — the dispatch daemon. Module boundaries follow ../shared/DESIGN.md §1.
import PackageDescription

let optimize: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "sevad",
    products: [
        .executable(name: "sevad", targets: ["sevad"]),
        .executable(name: "sevactl", targets: ["sevactl"]),
        .executable(name: "sevasim", targets: ["sevasim"]),
        .executable(name: "sevabench", targets: ["sevabench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // System libraries from Debian (libsqlite3-dev, libsystemd-dev, libpq-dev), through module maps.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),

        // Libraries, innermost first.
        // India's places and post offices, compiled in from data/gazetteer (C23 #embed).
        .target(name: "CGazetteer"),
        .target(name: "CGazetteerOffices"),
        .target(name: "SevaCore", dependencies: ["CGazetteer"], swiftSettings: optimize),
        .target(name: "SevaWire", dependencies: ["SevaCore"], swiftSettings: optimize),
        .target(name: "SevaStore", dependencies: ["SevaCore", "SevaWire", "CSQLite", "CLibPQ"], swiftSettings: optimize),
        .target(name: "SevaSystemd", dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]),
        .target(name: "SevaClient"),
        .target(name: "SevaServer", dependencies: [
            "SevaCore", "SevaWire", "SevaStore", "SevaSystemd", .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: optimize),

        // Executables: thin mains over the libraries.
        .executableTarget(name: "sevad", dependencies: ["SevaServer", "SevaSystemd", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "sevactl", dependencies: ["SevaWire", "SevaClient",
                                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "sevasim", dependencies: ["SevaCore", "SevaWire", "SevaClient", "CGazetteerOffices",
                                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "sevabench", dependencies: [
            "SevaCore", "SevaWire", "SevaStore", "SevaServer", "SevaClient", "PostgresTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: optimize),
        // The parser's libFuzzer target (`make fuzz`); plainly built it replays inputs.
        .executableTarget(name: "FuzzParser", dependencies: ["SevaWire"]),

        // Tests mirror the modules.
        .testTarget(name: "SevaCoreTests", dependencies: ["SevaCore"]),
        .testTarget(name: "SevaWireTests", dependencies: ["SevaWire"]),
        .testTarget(name: "SevaStoreTests", dependencies: ["SevaStore", "SevaCore", "StoreCrashChild", "PostgresTestSupport"]),
        // A PostgreSQL server of the tests' own (initdb and pg_ctl on a temporary directory).
        .target(name: "PostgresTestSupport", dependencies: ["SevaStore"], path: "Tests/PostgresTestSupport"),
        // A process for the store's crash test to kill (built with the tests, never installed).
        .executableTarget(name: "StoreCrashChild", dependencies: ["SevaCore", "SevaStore"], path: "Tests/StoreCrashChild"),
        .testTarget(name: "SevaSystemdTests", dependencies: ["SevaSystemd", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SevaServerTests", dependencies: ["SevaServer", "SevaClient", "sevad", "sevactl", "sevasim", "PostgresTestSupport",
                                                         .product(name: "NIOSSL", package: "swift-nio-ssl")]),
    ]
)
