import ClickHouse
import JetStream
import Logging
import MarketData
import OpenAISentiment
import RiskSignalCore
import Sentiment
import Synchronization
import Alerting

/// Which sentiment provider the social consumer uses, and how posts are scrubbed before it.
public struct SentimentSettings: Sendable {
    public enum Provider: String, Sendable, CaseIterable { case lexicon, openai }
    public var provider: Provider = .lexicon
    public var openAI: OpenAISentimentConfig?
    /// Fall back to the lexicon when the remote provider fails after its retries.
    public var fallbackToLexicon = true
    /// Salt for hashing user handles and wallet addresses (`RS_PII_SALT`).
    public var piiSalt = "risksignal"

    public init() {}
}

/// Everything `risksignal run` (or one `consume`) needs: where the servers are and how each consumer behaves.
public struct PipelineOptions: Sendable {
    public var connection: ConnectionConfig
    public var consumers: [ConsumerDefinition]
    public var sentiment = SentimentSettings()
    public var market = NormalizerConfig()
    public var policy = RiskPolicy.defaults
    public var webhooks = WebhookSettings()
    /// Run the spread rule on quotes too (`--quote-spread-alerts`): for feeds with quotes and no book.
    public var quoteSpreadAlerts = false
    /// Stop each consumer after this many empty fetches in a row (nil: run until cancelled).
    public var stopWhenIdle: Int?
    /// How long start-up waits for ClickHouse to answer (nil: forever); `RS_STARTUP_TIMEOUT` / `--startup-timeout`.
    public var startupTimeout: Duration? = StartupWait.defaultTimeout

    public init(connection: ConnectionConfig, consumers: [ConsumerDefinition] = ConsumerCatalog.all) {
        self.connection = connection
        self.consumers = consumers
    }
}

/// Runs the chosen consumers in one process, each in its own task, until cancelled or idle.
public final class PipelineRunner: Sendable {
    public let options: PipelineOptions
    /// Live counts per consumer name, readable while running.
    public let stats: [String: IngestStats]
    /// Each consumer loop's progress, for `/readyz`.
    public let loops = ConsumerLoops()
    /// The connections `run` opened, while it runs: what `readiness()` looks at.
    private let links = Mutex<(nats: NATSConnection?, clickHouse: ClickHouseClient?)>((nil, nil))
    let logger: Logger

    public init(options: PipelineOptions, logger: Logger = Logger(label: "risksignal.run")) {
        self.options = options
        self.logger = logger
        stats = Dictionary(uniqueKeysWithValues: options.consumers.map { ($0.name, IngestStats()) })
    }

    /// Connects, makes sure every stream exists, then runs all consumers; returns their final counts.
    @discardableResult
    public func run() async throws -> [String: IngestCounts] {
        let nats = try await NATSConnection.connect(NATSConnectionOptions(options.connection, name: "risksignal"))
        defer { nats.close() }
        let js = try nats.jetStream()
        for spec in StreamCatalog.all { try await js.ensureStream(spec) }
        let ch = ClickHouseClient(ClickHouseClientConfig(options.connection))
        links.withLock { $0 = (nats, ch) }
        defer { links.withLock { $0 = (nil, nil) } }
        let loops = self.loops
        var openAI: OpenAISentimentProvider?
        var webhookHandlers: [WebhookHandler] = []
        do {
            // ClickHouse may still be starting (a stack coming up with the pipeline): wait with backoff, not give up.
            let logger = self.logger
            let wait = StartupWait(timeout: options.startupTimeout)
            try await wait.run("ClickHouse at \(ConnectionConfig.redacted(options.connection.clickHouseURL))", log: { logger.warning("\($0)") }) {
                try await StartupWait.bounded(wait.attemptTimeout) { try await ch.ping() }
            }
            // The alert path (detectors, webhook senders) and the market normaliser, which detects too, each get a thread
            // of their own: on the shared cooperative pool (one thread per core) a bulk consumer's CPU-heavy batch would
            // hold an alert up for as long as it runs.
            let alertExecutor = DedicatedExecutor(label: "risksignal.alerts")
            let marketExecutor = DedicatedExecutor(label: "risksignal.market")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for def in options.consumers where def.name == "alerts" {
                    // Two input streams, one engine: cooldowns and windows see every input (the book rules run in the market normaliser).
                    let engine = AlertEngineBox(policy: options.policy)
                    for (input, source) in ConsumerCatalog.alertInputs {
                        // The alerts definition is the order input's (its durable and filter can be overridden).
                        var d = source == "orders" ? def : input
                        d.policy = def.policy
                        d.maxDeliver = def.maxDeliver
                        let consumer = try await nats.jetStream().pullConsumer(d.consumerSpec)
                        let ingestor = StreamIngestor(name: "alerts", consumer: consumer, clickHouse: ch,
                                                      handler: AlertDetectionHandler(source: AlertDetectionHandler.Source(rawValue: source)!, engine: engine),
                                                      policy: d.policy, stats: self.stats["alerts"]!, logger: Logger(label: "risksignal.alerts"))
                        let idle = options.stopWhenIdle
                        let beat = loops.start("alerts (\(source))")
                        group.addTask(executorPreference: alertExecutor) { try await ingestor.run(stopWhenIdle: idle, heartbeat: beat) }
                    }
                    let evaluator = RollupAlertEvaluator(clickHouse: ch, context: js)
                    if options.stopWhenIdle == nil {
                        // Runs alongside the stream detectors; it has no "idle", so only in long-running mode.
                        group.addTask { do { try await evaluator.run() } catch is CancellationError {} }
                    }
                    logger.info("detecting alerts on user.actions.>, social.processed.> and, every \(evaluator.interval), the rollups")
                }
                for def in options.consumers where def.name != "alerts" {
                    // A context per consumer: its publish lane and the acks its store waits for are its own, so one
                    // consumer's publications never hold up another's fetch loop or ack.
                    let defaultConsumer = try await nats.jetStream().pullConsumer(def.consumerSpec)
                    let stats = self.stats[def.name]!
                    let log = Logger(label: "risksignal.consume.\(def.name)")
                    let idle = options.stopWhenIdle
                    func start<H: BatchHandler>(_ handler: H, on executor: (any TaskExecutor)? = nil, consumer: PullConsumer? = nil, loop: String? = nil) {
                        let ingestor = StreamIngestor(name: def.name, consumer: consumer ?? defaultConsumer, clickHouse: ch, handler: handler,
                                                      policy: def.policy, stats: stats, logger: log)
                        let beat = loops.start(loop ?? def.name)
                        group.addTask(executorPreference: executor) { try await ingestor.run(stopWhenIdle: idle, heartbeat: beat) }
                    }
                    switch def.name {
                    case "signals": start(EncoderHandler(SignalRowEncoder()))
                    case "trades": start(EncoderHandler(TradeRowEncoder()))
                    case "quotes": start(QuoteHandler(spreadPolicy: options.quoteSpreadAlerts ? options.policy : nil))
                    case "actions": start(EncoderHandler(OrderRowEncoder()))
                    case "frontend": start(EncoderHandler(FrontendBatchEncoder()))
                    case "market": start(try MarketHandler(config: options.market, policy: options.policy), on: marketExecutor)
                    case "webhooks":
                        guard !options.webhooks.endpoints.isEmpty else {
                            throw PipelineError.missingConfig("the webhooks consumer needs at least one endpoint (--webhook-url or RS_WEBHOOK_URLS)")
                        }
                        try options.webhooks.validate()
                        // A durable and a handler per endpoint: a receiver that is slow or down holds up only its own
                        // deliveries. The first keeps the catalogue's durable; the others add a hash of their URL.
                        for (i, endpoint) in options.webhooks.endpoints.enumerated() {
                            let h = WebhookHandler(settings: options.webhooks, endpoints: [endpoint], history: ch)
                            webhookHandlers.append(h)
                            var d = def
                            d.durable = def.durable + "-" + WebhookEndpoint.durableSuffix(endpoint.url)
                            start(h, on: alertExecutor, consumer: i == 0 ? nil : try await nats.jetStream().pullConsumer(d.consumerSpec),
                                  loop: i == 0 ? nil : "webhooks (\(i + 1))")
                        }
                    case "social":
                        let lexicon = try LexiconSentimentProvider.bundled()
                        let provider: any SentimentProvider
                        switch options.sentiment.provider {
                        case .lexicon: provider = lexicon
                        case .openai:
                            guard let cfg = options.sentiment.openAI else { throw PipelineError.missingConfig("the openai sentiment provider needs OPENAI_BASE_URL and OPENAI_API_KEY") }
                            let p = OpenAISentimentProvider(cfg)
                            openAI = p
                            provider = p
                        }
                        start(SocialHandler(provider: provider, fallback: options.sentiment.fallbackToLexicon ? lexicon : nil,
                                            scrubber: PIIScrubber(salt: options.sentiment.piiSalt)))
                    default:
                        throw PipelineError.missingConfig("unknown consumer \(def.name); expected one of \(ConsumerCatalog.all.map(\.name).joined(separator: ", "))")
                    }
                    logger.info("consuming \(def.filterSubject) (durable \(def.durable), batch \(def.policy.batchSize) or \(def.policy.linger.map { "each fetch, \($0) after its first message" } ?? "\(def.policy.maxWait)"))")
                }
                loops.allStarted()
                try await group.waitForAll()
            }
        } catch {
            await openAI?.shutdown()
            for h in webhookHandlers { await h.shutdown() }
            await ch.shutdown()
            throw error
        }
        await openAI?.shutdown()
        for h in webhookHandlers { await h.shutdown() }
        await ch.shutdown()
        return stats.mapValues(\.snapshot)
    }
}

extension PipelineRunner {
    /// Ready or not, and why: NATS connected, ClickHouse answering a ping within `pingTimeout`, every consumer loop alive.
    public func readiness(pingTimeout: Duration = .seconds(2)) async -> PipelineReadiness {
        let (nats, ch) = links.withLock { ($0.nats, $0.clickHouse) }
        var problem: String? = "not reached yet"
        if let ch {
            do {
                try await StartupWait.bounded(pingTimeout) { try await ch.ping() }
                problem = nil
            } catch {
                problem = ConnectionConfig.redacted("\(options.connection.clickHouseURL) did not answer a ping: \(error)")
            }
        }
        return PipelineReadiness(nats: nats?.statusName, clickHouseProblem: problem, loops: loops.snapshot, now: .now)
    }
}

/// A pipeline that cannot start as configured.
public enum PipelineError: Error, CustomStringConvertible {
    case missingConfig(String)
    public var description: String {
        switch self { case .missingConfig(let m): m }
    }
}
