import Foundation
import Hummingbird
import Observability
import Sentiment
import Synchronization

/// How the OpenAI stand-in misbehaves: latency and every-Nth-request failures (0 = never).
public struct OpenAIStandInBehavior: Sendable {
    public var latency: Duration = .zero
    /// Every Nth request answers 429 with `Retry-After: retryAfterSeconds`.
    public var rateLimitEvery = 0
    public var retryAfterSeconds = 1
    /// Every Nth request answers 503.
    public var serverErrorEvery = 0
    /// Every Nth request answers 200 with content that is not the requested JSON.
    public var malformedEvery = 0

    public init() {}
}

/// A local, real HTTP server speaking the OpenAI chat-completions API for sentiment requests, with
/// configurable latency and failures; it scores posts with the lexicon so answers are plausible.
public final class OpenAIStandIn: Sendable {
    /// What the stand-in received, for tests (e.g. that PII never left the pipeline).
    public struct Received: Sendable {
        public var texts: [String]
        public var authorization: String?
    }

    private let behavior: OpenAIStandInBehavior
    private let scorer: LexiconSentimentProvider
    private let state = Mutex<(count: Int, received: [Received])>((0, []))

    public init(behavior: OpenAIStandInBehavior = .init()) throws {
        self.behavior = behavior
        scorer = try LexiconSentimentProvider.bundled()
    }

    public var requestCount: Int { state.withLock { $0.count } }
    public var received: [Received] { state.withLock { $0.received } }

    /// Serves on 127.0.0.1 until the task running it is cancelled; `onListening` gets the bound port.
    public func run(port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let router = Router()
        router.post("chat/completions") { request, context -> Response in
            try await self.handle(request, context: context)
        }
        router.post("v1/chat/completions") { request, context -> Response in
            try await self.handle(request, context: context)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) })
        try await serveUntilCancelled(app, label: "standin.openai")
    }

    private func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let n = state.withLock { s -> Int in s.count += 1; return s.count }
        let body = try await request.body.collect(upTo: 16 << 20)
        if behavior.latency > .zero { try await Task.sleep(for: behavior.latency) }
        if behavior.rateLimitEvery > 0, n % behavior.rateLimitEvery == 0 {
            return Self.json(status: .tooManyRequests, #"{"error":{"message":"rate limited by the stand-in","type":"rate_limit"}}"#,
                             extra: [.retryAfter: String(behavior.retryAfterSeconds)])
        }
        if behavior.serverErrorEvery > 0, n % behavior.serverErrorEvery == 0 {
            return Self.json(status: .serviceUnavailable, #"{"error":{"message":"overloaded"}}"#)
        }
        guard let root = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let messages = root["messages"] as? [[String: Any]],
              let user = messages.last(where: { $0["role"] as? String == "user" })?["content"] as? String,
              let items = try? JSONSerialization.jsonObject(with: Data(user.utf8)) as? [[String: Any]] else {
            return Self.json(status: .badRequest, #"{"error":{"message":"expected messages with a JSON array of {id, text} in the user message"}}"#)
        }
        let texts = items.map { $0["text"] as? String ?? "" }
        state.withLock { $0.received.append(Received(texts: texts, authorization: request.headers[.authorization])) }
        let content: String
        if behavior.malformedEvery > 0, n % behavior.malformedEvery == 0 {
            content = "Sure! Here are the sentiments: positive, negative"
        } else {
            let results = items.enumerated().map { i, item -> [String: Any] in
                let r = scorer.score(text: item["text"] as? String ?? "")
                return ["id": item["id"] ?? i, "score": r.score, "label": r.label.rawValue]
            }
            content = String(decoding: try JSONSerialization.data(withJSONObject: ["results": results]), as: UTF8.self)
        }
        let reply: [String: Any] = [
            "id": "chatcmpl-standin-\(n)", "object": "chat.completion", "model": root["model"] ?? "stand-in",
            "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
            "usage": ["prompt_tokens": 60 + user.utf8.count / 4, "completion_tokens": 12 * items.count, "total_tokens": 60 + user.utf8.count / 4 + 12 * items.count],
        ]
        return Self.json(status: .ok, String(decoding: try JSONSerialization.data(withJSONObject: reply), as: UTF8.self))
    }

    static func json(status: HTTPResponse.Status, _ body: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
