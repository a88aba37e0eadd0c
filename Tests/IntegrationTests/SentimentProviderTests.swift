import Foundation
import OpenAISentiment
import Pipeline
import RiskSignalCore
import Sentiment
import StandIns
import Synchronization
import XCTest

/// The OpenAI-compatible provider and the social consumer against a local stand-in server (real HTTP).
final class SentimentProviderTests: XCTestCase {
    /// Runs a stand-in on a free loopback port for the duration of `body`.
    func withStandIn<T>(_ behavior: OpenAIStandInBehavior, _ body: (OpenAIStandIn, String) async throws -> T) async throws -> T {
        let standIn = try OpenAIStandIn(behavior: behavior)
        let port = Mutex<Int?>(nil)
        let server = Task { try await standIn.run(onListening: { p in port.withLock { $0 = p } }) }
        defer { server.cancel() }
        try await eventually("the stand-in to listen") { port.withLock { $0 } != nil }
        return try await body(standIn, "http://127.0.0.1:\(port.withLock { $0 }!)/v1")
    }

    func config(_ base: String) -> OpenAISentimentConfig {
        var c = OpenAISentimentConfig(baseURL: base, apiKey: "test-key")
        c.maxAttempts = 4
        c.maxBackoff = .milliseconds(300)
        c.requestTimeout = .seconds(5)
        return c
    }

    func testBulkRequestIsParsedValidatedAndCosted() async throws {
        try await withStandIn(OpenAIStandInBehavior()) { standIn, base in
            let p = OpenAISentimentProvider(config(base))
            let texts = ["BTC to the moon 🚀", "total scam, rug pull", "ok"]
            let (results, usage) = try await p.scoreReportingUsage(texts)
            await p.shutdown()
            XCTAssertEqual(results.count, 3)
            XCTAssertEqual(results[0].label, .positive)
            XCTAssertEqual(results[1].label, .negative)
            XCTAssertEqual(standIn.requestCount, 1, "one bulk request per batch")
            XCTAssertEqual(standIn.received.first?.texts, texts)
            XCTAssertEqual(standIn.received.first?.authorization, "Bearer test-key")
            XCTAssertGreaterThan(usage.promptTokens, 0)
            XCTAssertEqual(usage.completionTokens, 36)
            let expectedCost = Double(usage.promptTokens) * 0.15 / 1e6 + 36 * 0.60 / 1e6
            XCTAssertEqual(usage.costUSD, expectedCost, accuracy: 1e-12)
        }
    }

    func testRetriesRateLimitsAndServerErrorsHonouringRetryAfter() async throws {
        var b = OpenAIStandInBehavior()
        b.rateLimitEvery = 2
        b.retryAfterSeconds = 1
        b.latency = .milliseconds(50)
        try await withStandIn(b) { standIn, base in
            let p = OpenAISentimentProvider(config(base))
            // Request 1 succeeds; request 2 gets 429 with Retry-After: 1 (capped to 300 ms here), request 3 succeeds.
            _ = try await p.score(["first"])
            let clock = ContinuousClock()
            let start = clock.now
            let r = try await p.score(["good news, bullish"])
            let waited = clock.now - start
            await p.shutdown()
            XCTAssertEqual(r.first?.label, .positive)
            XCTAssertEqual(standIn.requestCount, 3)
            XCTAssertGreaterThanOrEqual(waited, .milliseconds(300), "waited out the (capped) Retry-After")
        }
        var e = OpenAIStandInBehavior()
        e.serverErrorEvery = 1
        try await withStandIn(e) { standIn, base in
            let p = OpenAISentimentProvider(config(base))
            do {
                _ = try await p.score(["x"])
                XCTFail("expected failure after retries")
            } catch let err as OpenAISentimentError {
                guard case .http(503, _, let attempts) = err else { return XCTFail("\(err)") }
                XCTAssertEqual(attempts, 4)
            }
            await p.shutdown()
            XCTAssertEqual(standIn.requestCount, 4)
        }
    }

    func testMalformedResponsesAreRejectedThenRetried() async throws {
        var b = OpenAIStandInBehavior()
        b.malformedEvery = 1
        try await withStandIn(b) { _, base in
            let p = OpenAISentimentProvider(config(base))
            do {
                _ = try await p.score(["x", "y"])
                XCTFail("expected a malformed-response error")
            } catch let err as OpenAISentimentError {
                guard case .malformedResponse(let m, 4) = err else { return XCTFail("\(err)") }
                XCTAssertTrue(m.contains("results"), m)
            }
            await p.shutdown()
        }
    }
}

/// The social consumer with the OpenAI provider, against the stand-in and the real stack.
final class SocialOpenAITests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "social-openai") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testSocialConsumerUsesOneBulkRequestPerSymbolScrubsPIIAndRecordsCost() async throws {
        var b = OpenAIStandInBehavior()
        b.latency = .milliseconds(100)
        b.rateLimitEvery = 3
        b.retryAfterSeconds = 0
        let standIn = try OpenAIStandIn(behavior: b)
        let port = Mutex<Int?>(nil)
        let server = Task { try await standIn.run(onListening: { p in port.withLock { $0 = p } }) }
        defer { server.cancel() }
        try await eventually("the stand-in to listen") { port.withLock { $0 } != nil }

        let h = try await PipelineHarness.make(Self.stack, database: "s_openai")
        let now = Timestamp.now().nanosSinceEpoch / 1_000_000
        var messages: [OutgoingMessage] = []
        for i in 0..<60 {
            let symbol = ["AAA-USDT", "BBB-USDT", "CCC-USDT"][i % 3]
            messages.append(OutgoingMessage(subject: "social.raw.reddit", text: #"{"event_id":"q\#(i)","event_time":\#(now),"source":"reddit","symbol":"\#(symbol)","text":"u/whale\#(i) says great pump, mail bob\#(i)@example.org","author":"whale\#(i)"}"#))
        }
        try await h.publish(messages)
        var cfg = OpenAISentimentConfig(baseURL: "http://127.0.0.1:\(port.withLock { $0 }!)/v1", apiKey: "k")
        cfg.maxBackoff = .milliseconds(200)
        let counts = try await h.runUntilIdle([h.definition(ConsumerCatalog.social, filter: "social.raw.reddit", batchSize: 60, maxWait: .seconds(2))]) {
            $0.sentiment.provider = .openai
            $0.sentiment.openAI = cfg
        }
        XCTAssertEqual(counts["social"]?.rowsInserted, 60)
        // One batch of 60 posts over 3 symbols: 3 bulk requests, plus the 429 that was retried.
        let successful = standIn.received.count
        XCTAssertEqual(successful, 3)
        XCTAssertEqual(standIn.requestCount, 4)
        XCTAssertTrue(standIn.received.allSatisfy { $0.texts.count == 20 })
        let sent = standIn.received.flatMap(\.texts)
        XCTAssertFalse(sent.contains { $0.contains("@example.org") || $0.contains("whale") }, "no PII leaves the pipeline: \(sent.prefix(2))")
        let rows = try await h.clickHouse.rows("SELECT provider, metadata FROM social_buzz FINAL")
        XCTAssertEqual(rows.count, 60)
        XCTAssertTrue(rows.allSatisfy { $0["provider"] == .string("openai") })
        guard case .string(let meta)? = rows.first?["metadata"] else { return XCTFail("metadata") }
        XCTAssertTrue(meta.contains("\"provider\":\"openai\""), meta)
        XCTAssertTrue(meta.contains("\"cost_usd\":"), meta)
        XCTAssertFalse(meta.contains("\"prompt_tokens\":0"), meta)
        await h.close()
    }
}
