import ArgumentParser
import Foundation
import JetStream
import Logging
import Observability
import OpenAISentiment
import Pipeline
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
    @Option(name: .customLong("webhook-url"), help: "Alert webhook endpoint (repeatable; env RS_WEBHOOK_URLS, comma-separated).")
    var webhookURLs: [String] = []
    @Option(help: "json or slack body for the webhooks (env RS_WEBHOOK_FORMAT).")
    var webhookFormat: String = ProcessInfo.processInfo.environment["RS_WEBHOOK_FORMAT"] ?? "json"
    @Option(help: "Users file for enriching user alerts (JSON {\"42\": {\"name\": …, \"tier\": …}}; env RS_USERS_FILE).")
    var usersFile: String? = ProcessInfo.processInfo.environment["RS_USERS_FILE"]
    @Option(help: "Port for the Prometheus /metrics endpoint on 127.0.0.1 (0: no endpoint; env RS_METRICS_PORT).")
    var metricsPort: Int = Int(ProcessInfo.processInfo.environment["RS_METRICS_PORT"] ?? "") ?? 9464

    func validate() throws {
        if let b = batchSize, b <= 0 { throw ValidationError("--batch-size \(b): expected a positive number of messages") }
        if let w = maxWait, !(w > 0 && w.isFinite) { throw ValidationError("--max-wait \(w): expected a positive number of seconds") }
        guard SentimentSettings.Provider(rawValue: sentiment) != nil else {
            throw ValidationError("--sentiment \(sentiment): expected lexicon or openai")
        }
        guard topN > 0, topN <= 100 else { throw ValidationError("--top-n \(topN): expected 1...100") }
        guard windowMs > 0 else { throw ValidationError("--window-ms \(windowMs): expected a positive number of milliseconds") }
        guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port \(metricsPort): expected 0...65535") }
    }

    func options(for names: [String]) throws -> PipelineOptions {
        let env = ProcessInfo.processInfo.environment
        var defs: [ConsumerDefinition] = []
        for n in names {
            guard var d = ConsumerCatalog.named(n) else {
                throw ValidationError("unknown consumer \(n); expected one of \(ConsumerCatalog.all.map(\.name).joined(separator: ", "))")
            }
            // Durable and filter overrides let several pipelines share one NATS account.
            if let v = env["RS_\(n.uppercased())_DURABLE"], !v.isEmpty { d.durable = v }
            if let v = env["RS_\(n.uppercased())_FILTER"], !v.isEmpty { d.filterSubject = v }
            let key = "RS_\(n.uppercased())"
            if let v = env["\(key)_BATCH_SIZE"], !v.isEmpty {
                guard let b = Int(v), b > 0 else { throw ValidationError("\(key)_BATCH_SIZE=\(v): expected a positive number of messages") }
                d.policy.batchSize = b
            }
            if let v = env["\(key)_MAX_WAIT"], !v.isEmpty {
                guard let w = Double(v), w > 0, w.isFinite else { throw ValidationError("\(key)_MAX_WAIT=\(v): expected a positive number of seconds") }
                d.policy.maxWait = .nanoseconds(Int64(w * 1e9))
            }
            if let b = batchSize { d.policy.batchSize = b }
            if let w = maxWait { d.policy.maxWait = .nanoseconds(Int64(w * 1e9)) }
            if d.ackWait < d.policy.maxWait * 2 + .seconds(10) { d.ackWait = d.policy.maxWait * 2 + .seconds(30) }
            if let a = ackWait {
                guard a > 0, a.isFinite else { throw ValidationError("--ack-wait \(a): expected a positive number of seconds") }
                d.ackWait = .nanoseconds(Int64(a * 1e9))
            }
            defs.append(d)
        }
        var o = PipelineOptions(connection: try connection.resolve(), consumers: defs)
        o.stopWhenIdle = exitWhenIdle
        o.sentiment.provider = SentimentSettings.Provider(rawValue: sentiment)!
        if let salt = env["RS_PII_SALT"], !salt.isEmpty { o.sentiment.piiSalt = salt }
        if o.sentiment.provider == .openai {
            guard let base = env["OPENAI_BASE_URL"], !base.isEmpty, let key = env["OPENAI_API_KEY"], !key.isEmpty else {
                throw ValidationError("--sentiment openai needs OPENAI_BASE_URL (e.g. https://api.openai.com/v1) and OPENAI_API_KEY")
            }
            var c = OpenAISentimentConfig(baseURL: base, apiKey: key)
            if let m = env["OPENAI_MODEL"], !m.isEmpty { c.model = m }
            if let p = env["OPENAI_PROMPT_PRICE_PER_M"].flatMap(Double.init) { c.promptPricePerMillion = p }
            if let p = env["OPENAI_COMPLETION_PRICE_PER_M"].flatMap(Double.init) { c.completionPricePerMillion = p }
            o.sentiment.openAI = c
        }
        o.market = .init(topN: topN, window: .milliseconds(windowMs), snapshotThreshold: snapshotThreshold)
        if let policy {
            do { o.policy = try YAMLPolicyFile(path: policy).load() } catch { throw ValidationError("\(error)") }
        }
        var urls = webhookURLs
        if urls.isEmpty, let v = env["RS_WEBHOOK_URLS"], !v.isEmpty { urls = v.split(separator: ",").map(String.init) }
        guard let format = WebhookEndpoint.Format(rawValue: webhookFormat) else { throw ValidationError("--webhook-format \(webhookFormat): expected json or slack") }
        for u in urls {
            guard u.hasPrefix("http://") || u.hasPrefix("https://") else { throw ValidationError("--webhook-url \(u): expected an http:// or https:// URL") }
        }
        o.webhooks.endpoints = urls.map { WebhookEndpoint(url: $0, format: format) }
        o.webhooks.secret = env["RS_WEBHOOK_SECRET"] ?? ""
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
            services.append(MetricsEndpoint.application(registry: registry, port: metricsPort))
            logger.info("metrics on http://127.0.0.1:\(metricsPort)/metrics")
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
              market    market.l2raw.>     → book_topn, market.l2.<symbol>  (per-window deltas, top-N snapshots)
              trades    market.trades.>    → trades
              social    social.raw.>       → social_buzz, social.processed.<symbol>  (sentiment per batch)
              actions   user.actions.>     → user_orders
              frontend  frontend.events.>  → frontend_actions     (one row per event of each beacon)
              alerts    market.l2.>, user.actions.>, social.processed.> → alerts.<rule>, alerts_history
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
        let hasEndpoints = !flags.webhookURLs.isEmpty || !(ProcessInfo.processInfo.environment["RS_WEBHOOK_URLS"] ?? "").isEmpty
        let names = only.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            ?? ConsumerCatalog.all.map(\.name).filter { $0 != "webhooks" || hasEndpoints }
        try await flags.run(names, label: "risksignal.run")
    }
}
