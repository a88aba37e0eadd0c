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
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // C libraries: each is imported by exactly one Swift wrapper module.
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CPcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Domain: event types, validation, configuration and the seams (bus, sink, clock).
        .target(name: "RiskSignalCore"),
        // Wrappers over the C libraries.
        .target(name: "JetStream", dependencies: ["CNATS", "RiskSignalCore"]),
        .target(name: "Zstd", dependencies: ["CZstd"]),
        .target(name: "Pcap", dependencies: ["CPcap"]),
        .target(name: "Zlib", dependencies: ["CZlib"]),
        // Reading captures: pcap/pcapng (UDP, TCP reassembly, WebSocket), line recordings, access logs.
        .target(name: "Capture", dependencies: ["Pcap", "Zstd", "Zlib", "RiskSignalCore"]),
        // Exchange feeds (Binance, Coinbase, BitMEX, Bybit, IEX DEEP/TOPS) to our normalised market events.
        .target(name: "FeedAdapters", dependencies: ["MarketData", "RiskSignalCore"]),
        // rsbench replay: captures to scheduled, loop-rewritten events for the load driver.
        .target(name: "Replay", dependencies: ["Capture", "FeedAdapters", "MarketData", "Generators", "RiskSignalCore"]),
        // Run reports: summary.json, report.md/html, junit.xml, compare and capacity plan (plain data, no I/O beyond files).
        .target(name: "Reporting"),
        // ClickHouse over its HTTP interface.
        .target(name: "ClickHouse", dependencies: [
            "Zstd", "RiskSignalCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The production pipeline: migrations, producers, consumers.
        .target(name: "Pipeline", dependencies: [
            "RiskSignalCore", "JetStream", "ClickHouse", "Sentiment", "OpenAISentiment", "MarketData", "Alerting",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Sentiment scoring: the provider protocol, the offline lexicon scorer, PII scrubbing.
        .target(name: "Sentiment", dependencies: ["RiskSignalCore"], resources: [.copy("Resources/lexicon.tsv")]),
        // Bulk sentiment from any OpenAI-compatible endpoint.
        .target(name: "OpenAISentiment", dependencies: [
            "Sentiment", "RiskSignalCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Order-book normalisation: sequence tracking, resync, 100 ms windows, top-N.
        .target(name: "MarketData", dependencies: ["RiskSignalCore"]),
        // Real HTTP stand-ins for third parties we cannot run here (an OpenAI-compatible API).
        .target(name: "StandIns", dependencies: [
            "Sentiment", "RiskSignalCore",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // Prometheus /metrics over HTTP.
        .target(name: "Observability", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Risk alerting: stream detectors, cooldowns and the YAML policy.
        .target(name: "Alerting", dependencies: ["RiskSignalCore", .product(name: "Yams", package: "Yams")]),
        // Seeded traffic generators and rate models (rsbench).
        .target(name: "Generators", dependencies: ["RiskSignalCore"]),
        // Scenario files: the plain model, YAML parsing with file/line errors, gate expressions.
        .target(name: "Scenario", dependencies: [
            "RiskSignalCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Open-loop load: schedules, pacing, publishing, schedule-lag and ack-latency recording.
        .target(name: "LoadDriver", dependencies: [
            "Generators", "Scenario", "JetStream", "RiskSignalCore",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // rsbench run: orchestration of stack, pipeline process, workloads, drain and measurement.
        .target(name: "ScenarioRun", dependencies: [
            "Scenario", "LoadDriver", "Generators", "LocalStack", "Pipeline", "JetStream", "ClickHouse", "RiskSignalCore", "StandIns", "Replay", "Reporting",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // The local stack: nats-server and the chDB-backed ClickHouse endpoint as child processes.
        .target(name: "LocalStack", dependencies: ["RiskSignalCore"]),
        // rsbench micro/limit benchmarks (release build).
        .target(name: "Bench", dependencies: ["RiskSignalCore", "JetStream", "ClickHouse", "Pipeline", "MarketData", "Sentiment", "Generators", "LoadDriver", "FeedAdapters", "Zstd"]),

        .executableTarget(name: "risksignal", dependencies: [
            "Pipeline", "RiskSignalCore", "Observability", "JetStream", "ClickHouse", "Alerting",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "rsbench", dependencies: [
            "LocalStack", "Bench", "Pipeline", "RiskSignalCore", "Scenario", "LoadDriver", "Generators", "Zstd", "JetStream", "ClickHouse", "ScenarioRun", "Replay", "Capture", "FeedAdapters", "Reporting",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "UnitTests", dependencies: ["RiskSignalCore", "ClickHouse", "Zstd", "Pipeline", "Sentiment", "MarketData", "Generators", "Scenario", "LoadDriver", "Alerting", "ScenarioRun", "JetStream", "Replay", "Capture", "FeedAdapters"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Zlib", "Zstd"]),
        .testTarget(name: "FeedAdaptersTests", dependencies: ["FeedAdapters", "MarketData", "Zstd"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "RiskSignalCore", "JetStream", "ClickHouse", "Pipeline", "LocalStack", "Zstd", "StandIns",
            "Sentiment", "OpenAISentiment", "MarketData", "Replay", "Capture", "FeedAdapters", "ScenarioRun", "Scenario", "Reporting", "LoadDriver",
        ]),
    ]
)
