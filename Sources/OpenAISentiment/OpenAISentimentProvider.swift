import AsyncHTTPClient
import Foundation
import Metrics
import NIOCore
import RiskSignalCore
import Sentiment
import Synchronization

/// Tokens used by one bulk request, and what they cost at the configured prices.
public struct TokenUsage: Sendable, Equatable, Codable {
    public var promptTokens: Int = 0
    public var completionTokens: Int = 0
    public var costUSD: Double = 0
    public var requests: Int = 0

    public init() {}

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        var r = a
        r.promptTokens += b.promptTokens
        r.completionTokens += b.completionTokens
        r.costUSD += b.costUSD
        r.requests += b.requests
        return r
    }
}

/// A provider that can say what each batch cost.
public protocol UsageReportingSentimentProvider: SentimentProvider {
    func scoreReportingUsage(_ texts: [String]) async throws -> (results: [SentimentResult], usage: TokenUsage)
}

/// Settings for any OpenAI-compatible chat-completions endpoint.
public struct OpenAISentimentConfig: Sendable {
    /// e.g. `https://api.openai.com/v1`, or a local stand-in.
    public var baseURL: String
    public var apiKey: String
    public var model: String = "gpt-4o-mini"
    public var requestTimeout: Duration = .seconds(30)
    public var maxAttempts: Int = 5
    /// Longest backoff between attempts (Retry-After beyond it is capped too).
    public var maxBackoff: Duration = .seconds(20)
    /// USD per million prompt and completion tokens.
    public var promptPricePerMillion: Double = 0.15
    public var completionPricePerMillion: Double = 0.60

    public init(baseURL: String, apiKey: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
    }
}

/// Why a bulk sentiment request failed, after retries where they made sense.
public enum OpenAISentimentError: Error, Sendable, CustomStringConvertible {
    case http(status: Int, body: String, attempts: Int)
    case malformedResponse(String, attempts: Int)
    case unreachable(String, attempts: Int)

    public var description: String {
        switch self {
        case .http(let s, let b, let a): "sentiment endpoint answered HTTP \(s) after \(a) attempt(s): \(b.prefix(200))"
        case .malformedResponse(let m, let a): "sentiment endpoint's response was unusable after \(a) attempt(s): \(m)"
        case .unreachable(let m, let a): "sentiment endpoint unreachable after \(a) attempt(s): \(m)"
        }
    }
}

/// Scores a batch of posts with one chat-completions request to an OpenAI-compatible endpoint,
/// validating the JSON it returns and retrying 429s and 5xx (honouring Retry-After).
public final class OpenAISentimentProvider: UsageReportingSentimentProvider {
    public let name = "openai"
    public let config: OpenAISentimentConfig
    private let http: HTTPClient
    private let totals = Mutex(TokenUsage())

    public init(_ config: OpenAISentimentConfig) {
        self.config = config
        var c = HTTPClient.Configuration()
        c.timeout = .init(connect: .seconds(5), read: .nanoseconds(config.requestTimeout.totalNanoseconds))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
    }

    public func shutdown() async { let client = http
        // Detached: a cancelled caller must still shut the pool down, or its deinit traps.
        await Task.detached { try? await client.shutdown() }.value }

    /// Tokens and cost of every request so far.
    public var usage: TokenUsage { totals.withLock { $0 } }

    public func score(_ texts: [String]) async throws -> [SentimentResult] {
        try await scoreReportingUsage(texts).results
    }

    public func scoreReportingUsage(_ texts: [String]) async throws -> (results: [SentimentResult], usage: TokenUsage) {
        guard !texts.isEmpty else { return ([], TokenUsage()) }
        let body = try Self.requestBody(texts: texts, model: config.model)
        var attempt = 0
        var backoff = Duration.milliseconds(250)
        while true {
            attempt += 1
            var req = HTTPClientRequest(url: config.baseURL + "/chat/completions")
            req.method = .POST
            req.headers.add(name: "Authorization", value: "Bearer \(config.apiKey)")
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .bytes(ByteBuffer(bytes: body))
            var retryAfter: Duration?
            var failure: OpenAISentimentError
            do {
                let resp = try await http.execute(req, timeout: .nanoseconds(config.requestTimeout.totalNanoseconds))
                var buf = try await resp.body.collect(upTo: 32 << 20)
                let data = Data(buf.readBytes(length: buf.readableBytes) ?? [])
                let status = Int(resp.status.code)
                if status == 200 {
                    do {
                        let (results, usage) = try Self.parse(data, count: texts.count, texts: texts, config: config)
                        totals.withLock { $0 = $0 + usage }
                        Counter(label: "risksignal_llm_tokens_total", dimensions: [("kind", "prompt")]).increment(by: Int64(usage.promptTokens))
                        Counter(label: "risksignal_llm_tokens_total", dimensions: [("kind", "completion")]).increment(by: Int64(usage.completionTokens))
                        return (results, usage)
                    } catch let e as ParseFailure {
                        failure = .malformedResponse(e.message, attempts: attempt)
                    }
                } else {
                    failure = .http(status: status, body: String(decoding: data, as: UTF8.self), attempts: attempt)
                    if status != 429 && status < 500 { throw failure }
                    retryAfter = resp.headers.first(name: "Retry-After").flatMap(Self.parseRetryAfter)
                }
            } catch let e as OpenAISentimentError {
                throw e
            } catch {
                failure = .unreachable("\(error)", attempts: attempt)
            }
            Counter(label: "risksignal_llm_retries_total").increment()
            guard attempt < config.maxAttempts else { throw failure }
            let wait = min(retryAfter ?? backoff, config.maxBackoff)
            try await Task.sleep(for: wait)
            backoff = min(backoff * 2, config.maxBackoff)
        }
    }

    static let instructions = """
        You score the sentiment of crypto-market social posts. Input: a JSON array of {"id": n, "text": "..."}. \
        Reply with only a JSON object {"results": [{"id": n, "score": s, "label": l}, ...]} with one entry per \
        input id, where s is a number from -1 (very negative) to 1 (very positive) and l is "negative", \
        "neutral" or "positive".
        """

    static func requestBody(texts: [String], model: String) throws -> [UInt8] {
        let items = texts.enumerated().map { ["id": $0.offset, "text": $0.element] as [String: Any] }
        let input = String(decoding: try JSONSerialization.data(withJSONObject: items), as: UTF8.self)
        let body: [String: Any] = [
            "model": model,
            "temperature": 0,
            "response_format": ["type": "json_object"],
            "messages": [["role": "system", "content": instructions], ["role": "user", "content": input]],
        ]
        return Array(try JSONSerialization.data(withJSONObject: body))
    }

    struct ParseFailure: Error { var message: String }

    static func parse(_ data: Data, count: Int, texts: [String], config: OpenAISentimentConfig) throws -> ([SentimentResult], TokenUsage) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ParseFailure(message: "the body is not a JSON object")
        }
        guard let choices = root["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any],
              let content = message["content"] as? String else {
            throw ParseFailure(message: "choices[0].message.content is missing")
        }
        guard let inner = try? JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any],
              let results = inner["results"] as? [[String: Any]] else {
            throw ParseFailure(message: "content is not a JSON object with a results array: \(content.prefix(120))")
        }
        guard results.count == count else {
            throw ParseFailure(message: "expected \(count) results, got \(results.count)")
        }
        var out = [SentimentResult?](repeating: nil, count: count)
        for (i, r) in results.enumerated() {
            guard let id = (r["id"] as? NSNumber)?.intValue, (0..<count).contains(id), out[id] == nil else {
                throw ParseFailure(message: "results[\(i)].id: expected a distinct id 0..<\(count)")
            }
            guard let score = (r["score"] as? NSNumber)?.doubleValue, score.isFinite, (-1...1).contains(score) else {
                throw ParseFailure(message: "results[\(i)].score: expected a number in [-1, 1]")
            }
            guard let labelText = r["label"] as? String, let label = SentimentLabel(rawValue: labelText.lowercased()) else {
                throw ParseFailure(message: "results[\(i)].label: expected negative, neutral or positive")
            }
            // The API bills tokens for the whole request; per post we estimate ~4 characters a token.
            out[id] = SentimentResult(score: score, label: label, tokensCount: max(1, texts[id].utf8.count / 4))
        }
        var usage = TokenUsage()
        usage.requests = 1
        if let u = root["usage"] as? [String: Any] {
            usage.promptTokens = (u["prompt_tokens"] as? NSNumber)?.intValue ?? 0
            usage.completionTokens = (u["completion_tokens"] as? NSNumber)?.intValue ?? 0
        }
        usage.costUSD = Double(usage.promptTokens) * config.promptPricePerMillion / 1e6
            + Double(usage.completionTokens) * config.completionPricePerMillion / 1e6
        return (out.map { $0! }, usage)
    }

    /// `Retry-After` as delay-seconds (HTTP-date forms fall back to the backoff).
    static func parseRetryAfter(_ value: String) -> Duration? {
        guard let s = Double(value.trimmingCharacters(in: .whitespaces)), s >= 0 else { return nil }
        // A server's number: clamped to a day before converting (`1e300` must not trap; the caller caps it further).
        return .nanoseconds((try? Checked.nanoseconds(seconds: min(s, 86_400), field: "Retry-After")) ?? 0)
    }
}
