import ArgumentParser
import Foundation
import JetStream
import Logging
import Observability
import Pipeline
import Reporting
import RiskSignalCore
import ServiceLifecycle
import Alerting

/// Flags shared by `run` and `consume`: per-consumer batching, sentiment provider, market normaliser, metrics port.
struct PipelineFlags: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Most messages per insert (default: each consumer's own; see `risksignal run --help`).")
    var batchSize: Int?
    @Option(help: "Longest wait for a batch to fill, in seconds (default: each consumer's own).")
    var maxWait: Double?
    @Option(help: "Stop after this many empty fetches in a row (default: run until SIGINT/SIGTERM).")
    var exitWhenIdle: Int?
    @Option(help: "Seconds a delivered message may stay unacked before JetStream redelivers it (default: each consumer's own).")
    var ackWait: Double?
    @Option(help: "Sentiment provider for social posts: lexicon (offline) or openai (env OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL).")
    var sentiment: String = ProcessInfo.processInfo.environment["RS_SENTIMENT_PROVIDER"] ?? "lexicon"
    @Option(help: "Levels in the market top-N snapshots.")
    var topN = 10
    @Option(help: "Market window in milliseconds.")
    var windowMs = 100
    @Option(help: "Emit a top-N snapshot when best price or top-N depth moves by at least this fraction (0: on any change).")
    var snapshotThreshold = 0.0
    @Option(help: "Risk policy file (YAML; env RS_POLICY_FILE; default: built-in thresholds, see policies/README.md).")
    var policy: String? = ProcessInfo.processInfo.environment["RS_POLICY_FILE"]
    @Flag(help: "Run the spread_blowout rule on market.quotes too, for feeds that publish quotes but no book (with a book as well, the market normaliser already runs it and this would alert twice).")
    var quoteSpreadAlerts = false
    @Option(name: .customLong("webhook-url"), help: "Alert webhook endpoint (repeatable; env RS_WEBHOOK_URLS, comma-separated).")
    var webhookURLs: [String] = []
    @Option(help: "json or slack body for the webhooks (env RS_WEBHOOK_FORMAT).")
    var webhookFormat: String = ProcessInfo.processInfo.environment["RS_WEBHOOK_FORMAT"] ?? "json"
    @Flag(name: .customLong("unsigned-webhooks"), help: "Send webhooks without a signature (otherwise RS_WEBHOOK_SECRET is required).")
    var unsignedWebhooks = false
    @Option(help: "Users file for enriching user alerts (JSON {\"42\": {\"name\": …, \"tier\": …}}; env RS_USERS_FILE).")
    var usersFile: String? = ProcessInfo.processInfo.environment["RS_USERS_FILE"]
    @Option(help: "Port for /metrics (Prometheus), /healthz (liveness) and /readyz (NATS, ClickHouse and every consumer loop up) on 127.0.0.1 (0: no endpoint; env RS_METRICS_PORT).")
    var metricsPort: Int = Int(ProcessInfo.processInfo.environment["RS_METRICS_PORT"] ?? "") ?? 9464
    @Option(help: "Seconds to keep retrying, with backoff, while ClickHouse is not ready at start-up (0: forever; env RS_STARTUP_TIMEOUT; default 300).")
    var startupTimeout: String?

    func validate() throws {
        if let b = batchSize, !(1...PipelineEnvironment.maxBatchSize).contains(b) {
            throw ValidationError("--batch-size \(b): expected a positive number of messages up to \(PipelineEnvironment.maxBatchSize)")
        }
        if let w = maxWait, !(w > 0 && w.isFinite && w < 86_400) { throw ValidationError("--max-wait \(w): expected a positive number of seconds (under a day)") }
        if let a = ackWait, !(a > 0 && a.isFinite && a <= 86_400) { throw ValidationError("--ack-wait \(a): expected a positive number of seconds (at most a day)") }
        if let n = exitWhenIdle, n < 0 { throw ValidationError("--exit-when-idle \(n): expected 0 or more empty fetches") }
        guard SentimentSettings.Provider(rawValue: sentiment) != nil else {
            throw ValidationError("--sentiment \(sentiment): expected lexicon or openai")
        }
        guard topN > 0, topN <= 100 else { throw ValidationError("--top-n \(topN): expected 1...100") }
        guard (1...3_600_000).contains(windowMs) else { throw ValidationError("--window-ms \(windowMs): expected a positive number of milliseconds up to 3600000 (an hour)") }
        guard snapshotThreshold.isFinite, snapshotThreshold >= 0 else { throw ValidationError("--snapshot-threshold \(snapshotThreshold): expected a fraction of 0 or more") }
        guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port \(metricsPort): expected 0...65535") }
    }

    func options(for names: [String]) throws -> PipelineOptions {
        let env = ProcessInfo.processInfo.environment
        let overrides: ConsumerOverrides
        do {
            overrides = ConsumerOverrides(batchSize: batchSize,
                                          maxWait: try maxWait.map { w throws(NumberRangeError) in try Checked.duration(seconds: w, field: "--max-wait", max: .seconds(86_400)) },
                                          ackWait: try ackWait.map { a throws(NumberRangeError) in try Checked.duration(seconds: a, field: "--ack-wait", max: .seconds(86_400)) })
        } catch { throw ValidationError("\(error)") }
        var o: PipelineOptions
        do {
            o = try PipelineOptions.resolve(consumers: names, environment: env, connection: try connection.resolve(), overrides: overrides,
                                            sentiment: SentimentSettings.Provider(rawValue: sentiment)!)
        } catch let e as PipelineConfigError {
            throw ValidationError(e.description)
        }
        o.stopWhenIdle = exitWhenIdle
        if let (text, source) = startupTimeout.map({ ($0, "--startup-timeout") }) ?? env["RS_STARTUP_TIMEOUT"].flatMap({ $0.isEmpty ? nil : ($0, "RS_STARTUP_TIMEOUT") }) {
            switch StartupWait.timeout(seconds: text, source: source) {
            case .success(let t): o.startupTimeout = t
            case .failure(let e): throw ValidationError(e.description)
            }
        }
        o.market = .init(topN: topN, window: .milliseconds(windowMs), snapshotThreshold: snapshotThreshold)
        o.quoteSpreadAlerts = quoteSpreadAlerts
        if let policy {
            do { o.policy = try YAMLPolicyFile(path: policy).load() } catch { throw ValidationError("\(error)") }
        }
        var urls = webhookURLs
        if urls.isEmpty { urls = (try? PipelineEnvironment(parsing: env, consumers: []))?.webhookURLs ?? [] }
        guard let format = WebhookEndpoint.Format(rawValue: webhookFormat) else { throw ValidationError("--webhook-format \(webhookFormat): expected json or slack") }
        for u in urls {
            guard u.hasPrefix("http://") || u.hasPrefix("https://") else { throw ValidationError("--webhook-url \(u): expected an http:// or https:// URL") }
        }
        o.webhooks.endpoints = urls.map { WebhookEndpoint(url: $0, format: format) }
        o.webhooks.unsigned = unsignedWebhooks
        do { try o.webhooks.validate() } catch { throw ValidationError(error.description) }
        if let usersFile {
            do { o.webhooks.users = try WebhookSettings.loadUsers(path: usersFile) } catch { throw ValidationError("\(error)") }
        }
        return o
    }

    /// Runs the pipeline (and the metrics endpoint) until idle or SIGINT/SIGTERM, then prints the counts.
    func run(_ names: [String], label: String) async throws {
        Bootstrap.logging
        let registry = MetricsEndpoint.bootstrap()
        let options = try options(for: names)
        var logger = connection.logger(label)
        logger.logLevel = connection.logLevel
        let runner = PipelineRunner(options: options, logger: logger)
        let clock = ContinuousClock()
        let start = clock.now
        let pipeline = PipelineService(runner: runner)
        var services: [any Service] = [pipeline]
        if metricsPort > 0 {
            let build = BuildInfo(prefix: "risksignal", version: Release.version, swiftVersion: EnvironmentCollector.swiftVersion,
                                  libnatsVersion: NATSConnection.libraryVersion)
            services.append(MetricsEndpoint.application(port: metricsPort, serverName: "risksignal",
                                                        metrics: { MetricsEndpoint.exposition(registry: registry, build: build) },
                                                        readiness: {
                                                            let r = await runner.readiness()
                                                            return MetricsEndpoint.Readiness(ready: r.isReady, body: r.body)
                                                        }))
            logger.info("metrics on http://127.0.0.1:\(metricsPort)/metrics, liveness /healthz, readiness /readyz")
        }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        let elapsed = (clock.now - start).seconds
        for name in names {
            let c = runner.stats[name]!.snapshot
            print("\(name): received \(c.received), inserted \(c.rowsInserted) rows in \(c.batches) inserts, dead-lettered \(c.deadLettered), insert retries \(c.insertRetries) (\(String(format: "%.1f", elapsed)) s)")
        }
    }
}

/// Runs the pipeline as a lifecycle service: a graceful shutdown cancels it, and each consumer finishes its batch.
struct PipelineService: Service {
    let runner: PipelineRunner
    func run() async throws {
        try await cancelWhenGracefulShutdown {
            do { try await runner.run() } catch is CancellationError {}
        }
    }
}

/// `risksignal consume <name>`: one consumer, from its durable into its table.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Run one consumer: JetStream durable → validation and batching → ClickHouse.",
        discussion: """
            Consumers (stream → table):
              signals   signals.>          → raw_signals          (durable signals-to-clickhouse)
              market    market.l2raw.>     → book_topn, market.l2.<symbol>  (per-window deltas, top-N snapshots),
                                             and the book alert rules on the live books → alerts.<rule>
              trades    market.trades.>    → trades
              quotes    market.quotes.>    → quotes               (best bid/offer from replayed captures)
              social    social.raw.>       → social_buzz, social.processed.<symbol>  (sentiment per batch)
              actions   user.actions.>     → user_orders
              frontend  frontend.events.>  → frontend_actions     (one row per event of each beacon)
              alerts    user.actions.>, social.processed.> → alerts.<rule>, alerts_history
              webhooks  alerts.>           → signed HTTP POSTs with retries, alerts_history, dlq.webhooks

            Messages are acked only after the insert holding them succeeded; invalid ones go to \
            dlq.<consumer> and the dead_letters table with the reason. SIGINT/SIGTERM finish the batch \
            in hand, then exit.

            Examples:
              risksignal consume signals --batch-size 1000 --max-wait 0.5 --exit-when-idle 3
              OPENAI_BASE_URL=https://api.openai.com/v1 OPENAI_API_KEY=… risksignal consume social --sentiment openai
            """
    )

    @Argument(help: "signals, market, trades, social, actions, frontend, alerts or webhooks.")
    var name: String
    @OptionGroup var flags: PipelineFlags

    func run() async throws {
        try await flags.run([name], label: "risksignal.consume.\(name)")
    }
}

/// `risksignal run`: every consumer in one process.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every consumer in one process, with a Prometheus /metrics endpoint.",
        discussion: """
            Runs signals, market, trades, social, actions and frontend together (or --only some), \
            serves /metrics on 127.0.0.1:9464, and shuts down gracefully on SIGTERM/SIGINT: each \
            consumer finishes and acks the batch in hand, then the process exits 0.

            The same port answers /healthz (liveness: 200 while the process answers) and /readyz (200 only \
            when NATS is connected, ClickHouse answers a ping and every consumer loop is running; otherwise 503 \
            with one reason a line). /metrics carries process_* (CPU, RSS, open fds, start time) and \
            risksignal_build_info; see deploy/grafana/risksignal.json for a dashboard.

            Per-consumer batching comes from the environment (flags override it for every consumer):
              RS_<NAME>_BATCH_SIZE, RS_<NAME>_MAX_WAIT (seconds), RS_<NAME>_DURABLE, RS_<NAME>_FILTER
            Defaults: signals 100/1s, market 2000/0.1s, trades 5000/0.2s, social 500/60s,
            actions 2000/0.5s, frontend 500/1s.

            Examples:
              risksignal run
              risksignal run --only trades,market --metrics-port 9465
            """
    )

    @Option(help: "Comma-separated consumers to run (default: all).")
    var only: String?
    @OptionGroup var flags: PipelineFlags

    func run() async throws {
        // Without an endpoint there is nothing to deliver to, so `run` leaves the webhook sender out.
        let hasEndpoints = !flags.webhookURLs.isEmpty || !(ProcessInfo.processInfo.environment[PipelineEnvironment.webhookURLsKey] ?? "").isEmpty
        let names = only.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            ?? ConsumerCatalog.all.map(\.name).filter { $0 != "webhooks" || hasEndpoints }
        try await flags.run(names, label: "risksignal.run")
    }
}
