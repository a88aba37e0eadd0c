// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "RiskSignal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "risksignal", targets: ["risksignal"]),
        .executable(name: "rsbench", targets: ["rsbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
    ],
    targets: [
        // C libraries: each is imported by exactly one Swift wrapper module.
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CPcap", providers: [.apt(["libpcap-dev"])]),

        // Domain: event types, validation, configuration and the seams (bus, sink, clock).
        .target(name: "RiskSignalCore"),
        // Wrappers over the C libraries.
        .target(name: "JetStream", dependencies: ["CNATS", "RiskSignalCore"]),
        .target(name: "Zstd", dependencies: ["CZstd"]),
        .target(name: "Pcap", dependencies: ["CPcap"]),
        // ClickHouse over its HTTP interface.
        .target(name: "ClickHouse", dependencies: [
            "Zstd", "RiskSignalCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The production pipeline: migrations, producers, consumers.
        .target(name: "Pipeline", dependencies: [
            "RiskSignalCore", "JetStream", "ClickHouse",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The local stack: nats-server and the chDB-backed ClickHouse endpoint as child processes.
        .target(name: "LocalStack", dependencies: ["RiskSignalCore"]),
        // rsbench micro/limit benchmarks (release build).
        .target(name: "Bench", dependencies: ["RiskSignalCore", "JetStream", "ClickHouse", "Pipeline"]),

        .executableTarget(name: "risksignal", dependencies: [
            "Pipeline", "RiskSignalCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "rsbench", dependencies: [
            "LocalStack", "Bench", "Pipeline", "RiskSignalCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "UnitTests", dependencies: ["RiskSignalCore", "ClickHouse", "Zstd", "Pipeline"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "RiskSignalCore", "JetStream", "ClickHouse", "Pipeline", "LocalStack", "Zstd",
        ]),
    ]
)
