import JetStream
import Logging
import Metrics
import OpenAISentiment
import RiskSignalCore
import Sentiment

/// `social.raw.>` posts → PII scrubbing → one bulk sentiment request per symbol in the batch →
/// `social_buzz` rows and `social.processed.<symbol>` messages.
///
/// Post: `{"event_id":"…","event_time":<ms|ISO>,"source":"twitter","symbol":"BTC-USDT",
/// "language":"en","text":"…","author":"@someone","engagement":{"likes":3}}`; `symbol` may be
/// empty or absent for posts about no particular token.
public struct SocialHandler: BatchHandler {
    public var provider: any SentimentProvider
    /// Used when the provider fails after its retries, so posts are scored rather than stuck.
    public var fallback: LexiconSentimentProvider?
    public var scrubber: PIIScrubber
    public var maxMessageBytes = 64 * 1024
    public var maxTextBytes = 8 * 1024
    public static let sources = ["twitter", "reddit", "telegram", "news", "discord", "other"]
    let logger = Logger(label: "risksignal.consume.social")

    public init(provider: any SentimentProvider, fallback: LexiconSentimentProvider?, scrubber: PIIScrubber) {
        self.provider = provider
        self.fallback = fallback
        self.scrubber = scrubber
    }

    struct Post {
        var message: JetStreamMessage
        var eventID: String
        var time: Timestamp
        var intended: Timestamp?
        var sent: Timestamp?
        var source: String
        var symbol: String
        var language: String
        var text: String
        var authorToken: String
        var engagement: String
    }

    func parse(_ m: InboundMessage, message: JetStreamMessage) throws(ValidationError) -> Post {
        let f = try FieldReader.parse(m.payload, maxBytes: maxMessageBytes)
        let symbol = f.has("symbol") && (try? f.string("symbol", allowEmpty: true)) != "" ? try f.symbol() : ""
        let author = try f.optionalString("author", maxLength: 256) ?? ""
        let time = try f.timestamp("event_time")
        let intended = m.intendedTime(f), sent = m.sentTime()
        // Checked before scoring, so a post is refused (to the DLQ) before any provider cost and rows cannot fail later.
        do {
            try ColumnLimits.eventTime(time)
            if let i = intended { try ColumnLimits.dateTime64(i, field: "intended time (\(MessageHeader.intendedSendNanos) header or intended_ns)") }
            if let s = sent { try ColumnLimits.dateTime64(s, field: "\(MessageHeader.actualSendNanos) header") }
        } catch { throw ValidationError(error) }
        return Post(message: message,
                    eventID: try f.optionalString("event_id", maxLength: 128) ?? "\(m.subject):\(m.streamSequence)",
                    time: time,
                    intended: intended,
                    sent: sent,
                    source: try f.oneOf("source", Self.sources),
                    symbol: symbol,
                    language: try f.optionalString("language", maxLength: 16) ?? "und",
                    text: try f.string("text", maxLength: maxTextBytes),
                    authorToken: author.isEmpty ? "" : scrubber.userToken(for: author),
                    engagement: try f.jsonText("engagement", maxLength: 4096))
    }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        var bySymbol: [String: [Post]] = [:]
        for m in messages {
            let r = m.withInbound { inbound in Result { () throws(ValidationError) in try parse(inbound, message: m) } }
            switch r {
            case .success(let p): bySymbol[p.symbol, default: []].append(p)
            case .failure(let e): out.invalid.append((m, e))
            }
        }
        for (symbol, posts) in bySymbol.sorted(by: { $0.key < $1.key }) {
            // PII never leaves the process: only scrubbed text goes to the provider or the table.
            let texts = posts.map { scrubber.scrub($0.text) }
            let (results, usage, providerName) = try await score(texts)
            let batchMeta = "\"batch\":{\"provider\":\(JSONText.quoted(providerName)),\"size\":\(posts.count),\"prompt_tokens\":\(usage.promptTokens),\"completion_tokens\":\(usage.completionTokens),\"cost_usd\":\(usage.costUSD)}"
            for (i, p) in posts.enumerated() {
                let r = results[i]
                var meta = "{\"author\":\(JSONText.quoted(p.authorToken)),\"engagement\":\(p.engagement),\(batchMeta)}"
                if meta.utf8.count > 16 * 1024 { meta = "{\(batchMeta)}" }
                var w = RowWriter()
                w.ownTime("event_time", p.time)
                w.string("symbol", symbol)
                w.string("source", p.source)
                w.string("language", p.language)
                w.string("text", texts[i])
                do { try w.float32("sentiment_score", r.score) } catch {
                    // A provider's non-finite score is not the post's fault, but storing 0 would hide it.
                    out.invalid.append((p.message, ValidationError(field: "sentiment_score", message: "provider \(providerName) returned \(r.score): \(error.message)")))
                    continue
                }
                w.string("sentiment_label", r.label.rawValue)
                w.number("tokens_count", UInt64(clamping: r.tokensCount))
                w.string("provider", providerName)
                w.string("metadata", meta)
                w.string("event_id", p.eventID)
                w.ownIntended(p.intended)
                if let s = p.sent { w.raw("sent_at", "\"" + s.clickHouseDateTime64Micro + "\"") }
                // One source per post: a row ClickHouse rejects dead-letters that post alone.
                out.append(row: w.finish(), to: "social_buzz", source: out.addSource([p.message]))
                let processed = "{\"event_id\":\(JSONText.quoted(p.eventID)),\"event_time\":\(p.time.nanosSinceEpoch / 1_000_000),\"source\":\"\(p.source)\",\"symbol\":\(JSONText.quoted(symbol)),\"language\":\(JSONText.quoted(p.language)),\"text\":\(JSONText.quoted(texts[i])),\"sentiment_score\":\(r.score),\"sentiment_label\":\"\(r.label.rawValue)\",\"tokens_count\":\(r.tokensCount),\"provider\":\"\(providerName)\"}"
                var headers: [(name: String, value: String)] = []
                if let t = p.intended { headers.append((MessageHeader.intendedSendNanos, String(t.nanosSinceEpoch))) }
                out.publish.append(OutgoingMessage(subject: "social.processed.\(symbol.isEmpty ? "none" : symbol)", text: processed,
                                                   headers: headers, messageID: "processed:\(p.eventID)"))
                out.done.append(p.message)
            }
        }
        return out
    }

    private func score(_ texts: [String]) async throws -> ([SentimentResult], TokenUsage, String) {
        do {
            if let p = provider as? any UsageReportingSentimentProvider {
                let (r, u) = try await p.scoreReportingUsage(texts)
                return (r, u, provider.name)
            }
            return (try await provider.score(texts), TokenUsage(), provider.name)
        } catch {
            guard let fallback else { throw error }
            logger.error("sentiment provider \(provider.name) failed; scoring this batch with the lexicon", metadata: ["error": "\(error)"])
            Counter(label: "risksignal_sentiment_fallbacks_total").increment()
            return (try await fallback.score(texts), TokenUsage(), "lexicon-fallback")
        }
    }
}
