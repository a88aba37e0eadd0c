import Alerting
import ClickHouse
import Foundation
import Generators
import JetStream
import LoadDriver
import MarketData
import Pipeline
import RiskSignalCore
import Sentiment

/// Measures each consumer's sustained rows/s from a pre-filled stream into ClickHouse, next to the
/// direct-insert limit measured in the same run.
public struct PipelineBenchmark: Sendable {
    public var connection: ConnectionConfig
    public var messages: Int
    public var consumers: [String]
    public var batchSize: Int
    public var repeats: Int

    public init(connection: ConnectionConfig, messages: Int = 100_000, consumers: [String] = [FeedKind.signals, .trades, .orders, .frontend, .l2, .social].map(\.consumerName),
                batchSize: Int = 10_000, repeats: Int = 3) {
        self.connection = connection
        self.messages = messages
        self.consumers = consumers
        self.batchSize = batchSize
        self.repeats = repeats
    }

    public func run(progress: @Sendable (String) -> Void) async throws -> [ThroughputResult] {
        var results: [ThroughputResult] = []
        let limits = LimitsBenchmark(connection: connection, batchRows: batchSize, batches: max(5, messages / batchSize), repeats: 1)
        var limitRuns: [Double] = []
        var cfg = ClickHouseClientConfig(connection)
        cfg.database = "rsbench_limits"
        let limitClient = ClickHouseClient(cfg)
        try await limitClient.execute("CREATE DATABASE IF NOT EXISTS rsbench_limits", useDatabase: false)
        for name in consumers {
            var runs: [Double] = []
            var detail = ""
            for i in 1...repeats {
                // The limit is re-measured between consumer runs, so both see the same machine state.
                let limit = try await limits.measureInsert(limitClient)
                limitRuns.append(limit)
                let (rowsPerSecond, rows, msgs, msgsPerSecond) = try await measure(name, run: i)
                runs.append(rowsPerSecond)
                detail = String(format: "%d msgs → %llu rows, batch %d; input %.0f msgs/s", msgs, rows, batchSize, msgsPerSecond)
                progress(String(format: "%@ run %d: %.0f rows/s (direct insert limit %.0f rows/s, ratio %.0f%%)", name, i, rowsPerSecond, limit, 100 * rowsPerSecond / limit))
            }
            results.append(ThroughputResult(name: "consumer \(name)", unit: "rows", runs: runs, detail: detail))
        }
        try await limitClient.execute("DROP TABLE IF EXISTS rsbench_limits.raw_signals_bench")
        await limitClient.shutdown()
        results.insert(ThroughputResult(name: "direct insert limit (same run)", unit: "rows", runs: limitRuns,
                                        detail: "\(batchSize)-row JSONEachRow batches into raw_signals"), at: 0)
        return results
    }

    /// Fills a fresh stream with `messages` events, then times one consumer draining it.
    func measure(_ name: String, run: Int) async throws -> (rowsPerSecond: Double, rows: UInt64, messages: Int, messagesPerSecond: Double) {
        guard var def = ConsumerCatalog.named(name) else { throw BenchError.lost("unknown consumer \(name)") }
        let db = "rsbench_pipeline"
        var conn = connection
        conn.clickHouseDatabase = db
        let ch = ClickHouseClient(ClickHouseClientConfig(conn))
        try await ch.execute("DROP DATABASE IF EXISTS \(db)", useDatabase: false)
        try await Migrator(client: ch, database: db).migrate()
        let nats = try await NATSConnection.connect(NATSConnectionOptions(conn, name: "rsbench-pipeline"))
        defer { nats.close() }
        let js = try nats.jetStream()
        try? await js.deleteStream(def.stream.name)
        for s in StreamCatalog.all { try await js.ensureStream(s) }
        guard let feed = FeedKind(consumerName: name), let spec = GeneratorSpec.defaults(kind: feed) else { throw BenchError.lost("no generator for \(name)") }
        // The scenario generators at their defaults, as fast as the pacer goes.
        let generator = try spec.make(seed: UInt64(run))
        let counts = try await CountedWorkload(name: name, generator: generator, rate: 1e9, count: messages).run(connection: nats)
        guard counts.acked == UInt64(messages) else { throw BenchError.lost("published \(messages), acked \(counts.acked)") }
        def.durable = "bench-\(name)-\(run)"
        def.policy = BatchPolicy(batchSize: feed == .social ? 1000 : batchSize, maxWait: .milliseconds(500))
        def.ackWait = .seconds(60)
        let consumer = try await js.pullConsumer(def.consumerSpec)
        let stats = IngestStats()
        let clock = ContinuousClock()
        let start = clock.now
        func drain<H: BatchHandler>(_ h: H) async throws {
            try await StreamIngestor(name: name, consumer: consumer, clickHouse: ch, handler: h, policy: def.policy, stats: stats).run(stopWhenIdle: 2)
        }
        switch feed {
        case .signals: try await drain(EncoderHandler(SignalRowEncoder()))
        case .trades: try await drain(EncoderHandler(TradeRowEncoder()))
        case .orders: try await drain(EncoderHandler(OrderRowEncoder()))
        case .frontend: try await drain(EncoderHandler(FrontendBatchEncoder()))
        case .quotes: try await drain(EncoderHandler(QuoteRowEncoder()))
        // With the book rules, as `risksignal run` has them.
        case .l2: try await drain(try MarketHandler(policy: .defaults))
        case .social: try await drain(SocialHandler(provider: try LexiconSentimentProvider.bundled(), fallback: nil, scrubber: PIIScrubber(salt: "bench")))
        }
        // The idle fetches that end the drain are not part of the work.
        let elapsed = (clock.now - start).seconds - 2 * def.policy.maxWait.seconds
        let c = stats.snapshot
        guard c.received == UInt64(messages) else { throw BenchError.lost("consumer \(name) received \(c.received) of \(messages)") }
        let table = feed.tableName
        let stored = try await ch.scalarInt("SELECT count() FROM \(table)")
        guard UInt64(stored) >= c.rowsInserted * 99 / 100 else { throw BenchError.lost("\(table) holds \(stored) rows, consumer inserted \(c.rowsInserted)") }
        await ch.shutdown()
        return (Double(c.rowsInserted) / max(elapsed, 1e-3), c.rowsInserted, messages, Double(messages) / max(elapsed, 1e-3))
    }
}
