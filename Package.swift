// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// What every service library imports.
let serviceDependencies: [Target.Dependency] = [
    "WaterlineKit", "WaterlineBus", "WaterlineProto", "Mongo", "ZeroMQ",
    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
]

let package = Package(
    name: "Waterline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "waterline-ingest", targets: ["waterline-ingest"]),
        .executable(name: "waterline-preprocess", targets: ["waterline-preprocess"]),
        .executable(name: "waterline-model", targets: ["waterline-model"]),
        .executable(name: "waterline-insight", targets: ["waterline-insight"]),
        .executable(name: "waterline-gateway", targets: ["waterline-gateway"]),
        .executable(name: "waterline", targets: ["waterline"]),
        .executable(name: "waterline-bench", targets: ["waterline-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(
            name: "CMongoC", pkgConfig: "libmongoc-1.0",
            providers: [.apt(["libmongoc-dev"])]),

        // Line-buffered stdout for every executable (LineBufferedOutput).
        .target(name: "CStdio"),

        // MARK: I/O wrappers
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: strict),
        .target(name: "Mongo", dependencies: ["CMongoC"], swiftSettings: strict),
        .target(
            name: "WaterlineProto",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: strict),
        .target(
            name: "WaterlineBus",
            dependencies: [
                "ZeroMQ", "WaterlineProto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // MARK: Pure algorithms (no I/O)
        .target(name: "Cleaning", swiftSettings: strict),
        .target(name: "CleaningEvaluation", dependencies: ["Cleaning"], swiftSettings: strict),
        .target(name: "Forecasting", swiftSettings: strict),
        .target(name: "Detection", swiftSettings: strict),
        .target(name: "Simulation", swiftSettings: strict),
        .target(name: "Hydraulics", swiftSettings: strict),

        // MARK: Shared service runtime
        .target(
            name: "WaterlineKit",
            dependencies: [
                "WaterlineBus", "Mongo", "CStdio", "WaterlineProto", "Cleaning", "Simulation", "Detection",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // MARK: Accounts (users in MongoDB, bcrypt, signed tokens): the gateway and `waterline users`
        .target(
            name: "Accounts",
            dependencies: [
                "Mongo", "WaterlineKit", "WaterlineBus",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: strict),
        .target(
            name: "AccountsCommand",
            dependencies: ["Accounts", "Mongo", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // MARK: Services
        .target(name: "Ingest", dependencies: serviceDependencies, swiftSettings: strict),
        .target(name: "Preprocess", dependencies: serviceDependencies + ["Cleaning"], swiftSettings: strict),
        .target(name: "Model", dependencies: serviceDependencies + ["Forecasting"], swiftSettings: strict),
        .target(name: "Insight", dependencies: serviceDependencies + ["Detection", "Hydraulics"], swiftSettings: strict),
        .target(
            name: "Gateway",
            dependencies: serviceDependencies + [
                "Accounts", "Detection", "Simulation", "HistoryImport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        .target(name: "HistoryImport", dependencies: serviceDependencies + ["Simulation"], swiftSettings: strict),
        .target(
            name: "WaterlineCLI",
            dependencies: serviceDependencies + [
                "HistoryImport", "Simulation", "Cleaning", "CleaningEvaluation", "Forecasting", "Detection", "Hydraulics", "Accounts", "AccountsCommand",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        // MARK: Executables (thin mains)
        .executableTarget(name: "waterline-ingest", dependencies: ["Ingest"], path: "Sources/Executables/waterline-ingest", swiftSettings: strict),
        .executableTarget(name: "waterline-preprocess", dependencies: ["Preprocess"], path: "Sources/Executables/waterline-preprocess", swiftSettings: strict),
        .executableTarget(name: "waterline-model", dependencies: ["Model"], path: "Sources/Executables/waterline-model", swiftSettings: strict),
        .executableTarget(name: "waterline-insight", dependencies: ["Insight"], path: "Sources/Executables/waterline-insight", swiftSettings: strict),
        .executableTarget(name: "waterline-gateway", dependencies: ["Gateway", "Mongo", "AccountsCommand"], path: "Sources/Executables/waterline-gateway", swiftSettings: strict),
        .executableTarget(name: "waterline", dependencies: ["WaterlineCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")], path: "Sources/Executables/waterline", swiftSettings: strict),
        .executableTarget(
            name: "waterline-bench",
            dependencies: serviceDependencies + ["Ingest", "WaterlineCLI", "HistoryImport", "Simulation", "Cleaning", "Forecasting", "Detection", "Hydraulics"],
            path: "Sources/Executables/waterline-bench", swiftSettings: strict),

        // MARK: Tests
        .target(
            name: "WaterlineTestSupport", dependencies: ["Mongo", "WaterlineBus", "WaterlineCLI", "HistoryImport", "Hydraulics", "Simulation"], path: "Tests/Support",
            swiftSettings: strict),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "Mongo", "WaterlineTestSupport"], swiftSettings: strict),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "MongoTests", dependencies: ["Mongo", "WaterlineTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "WaterlineBusTests",
            dependencies: [
                "WaterlineBus", "WaterlineKit", "WaterlineProto", "Mongo", "WaterlineTestSupport", "Cleaning",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CleaningTests",
            dependencies: ["Cleaning", "Simulation", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict),
        .testTarget(name: "CleaningEvaluationTests", dependencies: ["CleaningEvaluation", "Cleaning"], swiftSettings: strict),
        .testTarget(name: "ForecastingTests", dependencies: ["Forecasting"], swiftSettings: strict),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Forecasting", "Mongo", "WaterlineTestSupport"], swiftSettings: strict),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "WaterlineBus", "WaterlineKit", "WaterlineProto"], swiftSettings: strict),
        .testTarget(name: "DetectionTests", dependencies: ["Detection", "Simulation"], swiftSettings: strict),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"], swiftSettings: strict),
        .testTarget(
            name: "EvaluationTests", dependencies: ["WaterlineCLI", "Hydraulics", "Simulation", "WaterlineTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "HydraulicsTests", dependencies: ["Hydraulics", "WaterlineTestSupport"], resources: [.copy("Fixtures")],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: serviceDependencies + ["WaterlineCLI", "HistoryImport", "Simulation", "Cleaning", "Forecasting", "Hydraulics", "Gateway", "Accounts", "WaterlineTestSupport", "Detection"],
            swiftSettings: strict),
    ]
)
