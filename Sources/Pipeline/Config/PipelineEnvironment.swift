import OpenAISentiment
import RiskSignalCore

/// The `RS_*` variables that configure `risksignal run` and `consume`: rsbench writes them, the pipeline reads them.
///
/// The contract lives here, once, so the side that launches a pipeline and the pipeline itself cannot drift apart.
public struct PipelineEnvironment: Sendable, Equatable {
    /// A per-consumer setting, read from `RS_<CONSUMER>_<SETTING>`.
    public enum Setting: String, Sendable, CaseIterable {
        case batchSize = "BATCH_SIZE", maxWait = "MAX_WAIT", durable = "DURABLE", filter = "FILTER", maxDeliver = "MAX_DELIVER"
    }

    /// Deliveries of one message for every consumer (`RS_MAX_DELIVER`), unless `RS_<CONSUMER>_MAX_DELIVER` says otherwise.
    public static let maxDeliverKey = "RS_MAX_DELIVER"
    /// Deliveries (and so insert attempts) a message gets before it is dead-lettered: bounded, never JetStream's "forever".
    public static let defaultMaxDeliver = 5
    /// Above this, a poison message would hold its batch for hours of backoff.
    public static let maxDeliverLimit = 100

    public static let piiSaltKey = "RS_PII_SALT"
    public static let webhookURLsKey = "RS_WEBHOOK_URLS"
    public static let webhookSecretKey = "RS_WEBHOOK_SECRET"

    /// The variable that carries one consumer's setting, e.g. `RS_TRADES_BATCH_SIZE`.
    public static func key(_ consumer: String, _ setting: Setting) -> String {
        "RS_\(consumer.uppercased())_\(setting.rawValue)"
    }

    public var batchSize: [String: Int] = [:]
    public var maxWait: [String: Duration] = [:]
    /// Durable and filter overrides let several pipelines share one NATS account.
    public var durable: [String: String] = [:]
    public var filter: [String: String] = [:]
    /// Per consumer, from `RS_<CONSUMER>_MAX_DELIVER` or else `RS_MAX_DELIVER`.
    public var maxDeliver: [String: Int] = [:]
    public var piiSalt: String?
    public var webhookURLs: [String] = []
    public var webhookSecret: String?

    public init() {}

    /// The largest batch a consumer may be asked for: batches are held in memory and sized from this number.
    public static let maxBatchSize = 100_000

    /// Reads the variables for these consumers; a value that does not parse is an error naming the variable.
    public init(parsing env: [String: String], consumers: [String]) throws(PipelineConfigError) {
        let allDeliver = try Self.parseMaxDeliver(env, Self.maxDeliverKey)
        for c in consumers {
            if let d = try Self.parseMaxDeliver(env, Self.key(c, .maxDeliver)) ?? allDeliver { maxDeliver[c] = d }
            if let v = env[Self.key(c, .batchSize)], !v.isEmpty {
                guard let b = Int(v), b > 0 else { throw .badVariable(Self.key(c, .batchSize), v, expected: "a positive number of messages") }
                guard b <= Self.maxBatchSize else {
                    throw .badVariable(Self.key(c, .batchSize), v, expected: "a positive number of messages up to \(Self.maxBatchSize)")
                }
                batchSize[c] = b
            }
            if let v = env[Self.key(c, .maxWait)], !v.isEmpty {
                guard let w = Double(v), w > 0, w.isFinite, w < 86_400 else {
                    throw .badVariable(Self.key(c, .maxWait), v, expected: "a positive number of seconds (under a day)")
                }
                guard let d = try? Checked.duration(seconds: w, field: Self.key(c, .maxWait), max: .seconds(86_400)) else {
                    throw .badVariable(Self.key(c, .maxWait), v, expected: "a positive number of seconds (under a day)")
                }
                maxWait[c] = d
            }
            if let v = env[Self.key(c, .durable)], !v.isEmpty { durable[c] = v }
            if let v = env[Self.key(c, .filter)], !v.isEmpty { filter[c] = v }
        }
        if let v = env[Self.piiSaltKey], !v.isEmpty { piiSalt = v }
        if let v = env[Self.webhookURLsKey], !v.isEmpty { webhookURLs = v.split(separator: ",").map(String.init) }
        webhookSecret = env[Self.webhookSecretKey]
    }

    static func parseMaxDeliver(_ env: [String: String], _ key: String) throws(PipelineConfigError) -> Int? {
        guard let v = env[key], !v.isEmpty else { return nil }
        guard let d = Int(v), d >= 1, d <= maxDeliverLimit else {
            throw .badVariable(key, v, expected: "a number of deliveries from 1 to \(maxDeliverLimit) (unlimited redelivery is not allowed)")
        }
        return d
    }

    /// The variables this configuration sets, for a child process's environment.
    public var variables: [String: String] {
        var env: [String: String] = [:]
        for (c, b) in batchSize { env[Self.key(c, .batchSize)] = String(b) }
        for (c, w) in maxWait { env[Self.key(c, .maxWait)] = String(w.seconds) }
        for (c, d) in durable { env[Self.key(c, .durable)] = d }
        for (c, f) in filter { env[Self.key(c, .filter)] = f }
        for (c, d) in maxDeliver { env[Self.key(c, .maxDeliver)] = String(d) }
        if let piiSalt { env[Self.piiSaltKey] = piiSalt }
        if !webhookURLs.isEmpty { env[Self.webhookURLsKey] = webhookURLs.joined(separator: ",") }
        if let webhookSecret { env[Self.webhookSecretKey] = webhookSecret }
        return env
    }
}

/// Per-consumer settings given on the command line; they override the environment for every consumer.
public struct ConsumerOverrides: Sendable, Equatable {
    public var batchSize: Int?
    public var maxWait: Duration?
    public var ackWait: Duration?

    public init(batchSize: Int? = nil, maxWait: Duration? = nil, ackWait: Duration? = nil) {
        self.batchSize = batchSize
        self.maxWait = maxWait
        self.ackWait = ackWait
    }
}

/// A pipeline setting that cannot be used, with the variable or name at fault.
public enum PipelineConfigError: Error, Equatable, CustomStringConvertible {
    case badVariable(String, String, expected: String)
    case unknownConsumer(String)
    case missingVariables([String], why: String)

    public var description: String {
        switch self {
        case .badVariable(let k, let v, let expected): "\(k)=\(v): expected \(expected)"
        case .unknownConsumer(let n): "unknown consumer \(n); expected one of \(ConsumerCatalog.all.map(\.name).joined(separator: ", "))"
        case .missingVariables(let keys, let why): "\(why) needs \(keys.joined(separator: " and "))"
        }
    }
}

extension PipelineOptions {
    /// The options that the environment and the command-line overrides describe for these consumers.
    public static func resolve(consumers names: [String], environment env: [String: String], connection: ConnectionConfig,
                               overrides: ConsumerOverrides = ConsumerOverrides(),
                               sentiment: SentimentSettings.Provider = .lexicon) throws(PipelineConfigError) -> PipelineOptions {
        let vars = try PipelineEnvironment(parsing: env, consumers: names)
        var defs: [ConsumerDefinition] = []
        for n in names {
            guard var d = ConsumerCatalog.named(n) else { throw .unknownConsumer(n) }
            if let v = vars.durable[n] { d.durable = v }
            if let v = vars.filter[n] { d.filterSubject = v }
            if let v = vars.maxDeliver[n] { d.maxDeliver = v }
            if let b = overrides.batchSize ?? vars.batchSize[n] { d.policy.batchSize = b }
            if let w = overrides.maxWait ?? vars.maxWait[n] { d.policy.maxWait = w }
            // A batch may wait up to maxWait before its insert: the ack deadline must leave room for both.
            if d.ackWait < d.policy.maxWait * 2 + .seconds(10) { d.ackWait = d.policy.maxWait * 2 + .seconds(30) }
            if let a = overrides.ackWait { d.ackWait = a }
            defs.append(d)
        }
        var o = PipelineOptions(connection: connection, consumers: defs)
        o.sentiment.provider = sentiment
        if let salt = vars.piiSalt { o.sentiment.piiSalt = salt }
        if sentiment == .openai { o.sentiment.openAI = try openAIConfig(env) }
        o.webhooks.secret = vars.webhookSecret ?? ""
        return o
    }

    /// OpenAI-compatible endpoint settings from `OPENAI_*`.
    static func openAIConfig(_ env: [String: String]) throws(PipelineConfigError) -> OpenAISentimentConfig {
        guard let base = env["OPENAI_BASE_URL"], !base.isEmpty, let key = env["OPENAI_API_KEY"], !key.isEmpty else {
            throw .missingVariables(["OPENAI_BASE_URL (e.g. https://api.openai.com/v1)", "OPENAI_API_KEY"], why: "--sentiment openai")
        }
        var c = OpenAISentimentConfig(baseURL: base, apiKey: key)
        if let m = env["OPENAI_MODEL"], !m.isEmpty { c.model = m }
        for (k, path) in [("OPENAI_PROMPT_PRICE_PER_M", \OpenAISentimentConfig.promptPricePerMillion),
                          ("OPENAI_COMPLETION_PRICE_PER_M", \OpenAISentimentConfig.completionPricePerMillion)] {
            guard let v = env[k], !v.isEmpty else { continue }
            guard let p = Double(v), p >= 0, p.isFinite else { throw .badVariable(k, v, expected: "a price per million tokens, like 0.15") }
            c[keyPath: path] = p
        }
        return c
    }
}
