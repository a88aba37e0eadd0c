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
        // HMAC-SHA256 with constant-time verification for webhook signatures (already resolved through
        // swift-certificates, so it costs no extra checkout; 3.x and 4.x share the API used).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        // TLS trust roots for an https:// ClickHouse (already resolved through async-http-client).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
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

        // Domain, no I/O: the signal schema and validator, bus message and header names, connection settings,
        // JSON and timestamp parsing, hashes, and the concurrency helpers (blocking lanes, shutdown signals).
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
        // rsbench replay: captures to scheduled, loop-rewritten events; a load source behind the LoadSource seam.
        .target(name: "Replay", dependencies: ["Capture", "FeedAdapters", "MarketData", "LoadSource", "RiskSignalCore"]),
        // Run reports: summary.json, report.md/html, junit.xml, compare and capacity plan (plain data, no I/O beyond files).
        .target(name: "Reporting"),
        // ClickHouse over its HTTP interface.
        .target(name: "ClickHouse", dependencies: [
            "Zstd", "RiskSignalCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The production pipeline: stream and consumer catalogues, migrations, consumers.
        .target(name: "Pipeline", dependencies: [
            "RiskSignalCore", "JetStream", "ClickHouse", "Sentiment", "OpenAISentiment", "MarketData", "Alerting",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
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
            "Sentiment", "RiskSignalCore", "Observability",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The process's HTTP endpoint: Prometheus /metrics (with process_* and build info), /healthz, /readyz; /proc readings;
        // and serving an HTTP server until cancelled with a graceful shutdown.
        .target(name: "Observability", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // rsbench's live page (`run --dashboard`): the run second by second over server-sent events.
        .target(name: "LiveView", dependencies: [
            "Observability", "Reporting",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        // Risk alerting: stream detectors, cooldowns and the YAML policy.
        .target(name: "Alerting", dependencies: ["RiskSignalCore", .product(name: "Yams", package: "Yams")]),
        // The workload seam a load source plugs in with: EventGenerator, RateModel (and the rate models), RateSpec,
        // GeneratedEvent, Injection. Generators and Replay are its sources; LoadDriver paces them.
        .target(name: "LoadSource", dependencies: ["RiskSignalCore"]),
        // Seeded synthetic traffic generators (rsbench scenarios, risksignal produce): a load source.
        .target(name: "Generators", dependencies: ["LoadSource", "RiskSignalCore"]),
        // Scenario files: the plain model, YAML parsing with file/line errors, gate expressions.
        .target(name: "Scenario", dependencies: [
            "RiskSignalCore", "Reporting", "LoadSource",
            .product(name: "Yams", package: "Yams"),
        ]),
        // Open-loop load: pacing any load source onto the bus, schedule-lag and ack-latency recording.
        .target(name: "LoadDriver", dependencies: [
            "JetStream", "RiskSignalCore", "LoadSource",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // What a run measured, from ClickHouse, JetStream, the pipeline's /metrics, /proc and the load driver's histograms,
        // as Reporting's types: e2e lag, storage, cross-checks, stored counts, resource series.
        .target(name: "Measurement", dependencies: [
            "ClickHouse", "JetStream", "Pipeline", "Reporting", "RiskSignalCore", "Observability",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        // rsbench run: the run's steps (target, pipeline launcher, load phase, live monitor, drain, measurement, gates) in order.
        .target(name: "ScenarioRun", dependencies: [
            "Scenario", "LoadDriver", "Generators", "LocalStack", "Pipeline", "JetStream", "ClickHouse", "RiskSignalCore", "StandIns", "Replay", "Reporting", "LoadSource", "Observability",
            "Measurement", "Alerting", "LiveView",
        ]),
        // The local stack: nats-server and the chDB-backed ClickHouse endpoint as child processes.
        .target(name: "LocalStack", dependencies: ["RiskSignalCore"]),
        // rsbench micro/limit benchmarks (release build).
        .target(name: "Bench", dependencies: ["RiskSignalCore", "JetStream", "ClickHouse", "Pipeline", "MarketData", "Sentiment", "Generators", "LoadDriver", "LoadSource", "Alerting",
                                             "Measurement", "Reporting", "FeedAdapters", "Zstd"]),

        .executableTarget(name: "risksignal", dependencies: [
            "Pipeline", "RiskSignalCore", "Observability", "Reporting", "JetStream", "ClickHouse", "Alerting", "LoadDriver", "Generators",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "rsbench", dependencies: [
            "LocalStack", "Bench", "RiskSignalCore", "Scenario", "Zstd", "JetStream", "ScenarioRun", "Replay", "Capture", "Reporting", "LoadSource",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "UnitTests", dependencies: ["RiskSignalCore", "ClickHouse", "Zstd", "Pipeline", "Sentiment", "MarketData", "Generators", "Scenario", "Alerting", "ScenarioRun", "JetStream", "CNATS", "Replay", "Capture", "FeedAdapters", "LoadSource", "LoadDriver", "Observability",                                       "Measurement", "Reporting", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Zlib", "Zstd"]),
        .testTarget(name: "FeedAdaptersTests", dependencies: ["FeedAdapters", "MarketData", "Zstd"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"], exclude: ["Fixtures"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "RiskSignalCore", "JetStream", "ClickHouse", "Pipeline", "LocalStack", "StandIns", "Alerting", "LoadSource",
            "Sentiment", "OpenAISentiment", "MarketData", "Replay", "Capture", "ScenarioRun", "Scenario", "LoadDriver", "Generators",
            "Reporting", "Measurement", "Bench",
        ]),
    ]
)
