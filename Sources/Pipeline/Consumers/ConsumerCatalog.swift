import JetStream

/// The pipeline's consumers: which stream each reads, under which durable, with what batching.
public struct ConsumerDefinition: Sendable {
    public var name: String
    public var stream: StreamSpec
    public var durable: String
    public var filterSubject: String
    public var policy: BatchPolicy
    /// Longer than the longest a message may wait in a batch, so waiting is never mistaken for a crash.
    public var ackWait: Duration
    /// Deliveries of one message before JetStream gives up on it; the ingestor dead-letters a message on its last
    /// delivery rather than let the server drop it (`RS_<CONSUMER>_MAX_DELIVER`, `RS_MAX_DELIVER`).
    public var maxDeliver: Int = PipelineEnvironment.defaultMaxDeliver

    public var consumerSpec: ConsumerSpec {
        ConsumerSpec(stream: stream.name, durable: durable, filterSubject: filterSubject, ackWait: ackWait,
                     maxAckPending: max(50_000, policy.batchSize * 4), maxDeliver: maxDeliver)
    }
}

/// Every consumer of DESIGN §3, with its defaults.
public enum ConsumerCatalog {
    public static let signals = ConsumerDefinition(
        name: "signals", stream: StreamCatalog.signals, durable: "signals-to-clickhouse", filterSubject: "signals.>",
        policy: BatchPolicy(batchSize: 100, maxWait: .seconds(1)), ackWait: .seconds(30))
    public static let market = ConsumerDefinition(
        name: "market", stream: StreamCatalog.marketL2Raw, durable: "market-l2-normalizer", filterSubject: "market.l2raw.>",
        policy: BatchPolicy(batchSize: 2000, maxWait: .milliseconds(100), observeEvery: .milliseconds(10)), ackWait: .seconds(30))
    public static let trades = ConsumerDefinition(
        name: "trades", stream: StreamCatalog.marketTrades, durable: "trades-to-clickhouse", filterSubject: "market.trades.>",
        policy: BatchPolicy(batchSize: 5000, maxWait: .milliseconds(200)), ackWait: .seconds(30))
    public static let quotes = ConsumerDefinition(
        name: "quotes", stream: StreamCatalog.marketQuotes, durable: "quotes-to-clickhouse", filterSubject: "market.quotes.>",
        policy: BatchPolicy(batchSize: 5000, maxWait: .milliseconds(200)), ackWait: .seconds(30))
    public static let social = ConsumerDefinition(
        name: "social", stream: StreamCatalog.socialRaw, durable: "social-sentiment", filterSubject: "social.raw.>",
        policy: BatchPolicy(batchSize: 500, maxWait: .seconds(60)), ackWait: .seconds(180))
    public static let actions = ConsumerDefinition(
        name: "actions", stream: StreamCatalog.userActions, durable: "actions-to-clickhouse", filterSubject: "user.actions.>",
        policy: BatchPolicy(batchSize: 2000, maxWait: .milliseconds(500)), ackWait: .seconds(30))
    public static let frontend = ConsumerDefinition(
        name: "frontend", stream: StreamCatalog.frontendEvents, durable: "frontend-to-clickhouse", filterSubject: "frontend.events.>",
        policy: BatchPolicy(batchSize: 500, maxWait: .seconds(1)), ackWait: .seconds(30))

    /// Alert detection on the order and post streams: one durable each, both feeding one engine (see `alertInputs`).
    /// The book rules run in the market normaliser. No batch window: each fetch is handled as it arrives, at most
    /// `alertLinger` after its first message, while an idle fetch waits 100 ms (few requests when nothing happens).
    public static let alerts = ConsumerDefinition(
        name: "alerts", stream: StreamCatalog.userActions, durable: "alerts-orders", filterSubject: "user.actions.>",
        policy: alertPolicy(batchSize: 1000), ackWait: .seconds(30))
    public static let alertInputs: [(ConsumerDefinition, String)] = [
        (alerts, "orders"),
        (ConsumerDefinition(name: "alerts", stream: StreamCatalog.socialProcessed, durable: "alerts-posts", filterSubject: "social.processed.>",
                            policy: alertPolicy(batchSize: 1000), ackWait: .seconds(30)), "posts"),
    ]
    /// Webhook delivery of `alerts.>`, batched like detection; the ack wait covers every retry.
    public static let webhooks = ConsumerDefinition(
        name: "webhooks", stream: StreamCatalog.alerts, durable: "alerts-webhooks", filterSubject: "alerts.>",
        policy: alertPolicy(batchSize: 100), ackWait: .seconds(180))

    static let alertLinger: Duration = .milliseconds(1)
    static func alertPolicy(batchSize: Int) -> BatchPolicy {
        BatchPolicy(batchSize: batchSize, maxWait: .milliseconds(100), linger: alertLinger)
    }

    public static let all: [ConsumerDefinition] = [signals, market, trades, quotes, social, actions, frontend, alerts, webhooks]

    public static func named(_ name: String) -> ConsumerDefinition? { all.first { $0.name == name } }
}
