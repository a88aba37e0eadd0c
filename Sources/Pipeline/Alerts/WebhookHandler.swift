import Alerting
import AsyncHTTPClient
import Foundation
import JetStream
import Logging
import Metrics
import NIOCore
import RiskSignalCore

/// One webhook endpoint and the body shape it expects.
public struct WebhookEndpoint: Sendable, Equatable {
    public enum Format: String, Sendable { case json, slack }
    public var url: String
    public var format: Format

    public init(url: String, format: Format = .json) {
        self.url = url
        self.format = format
    }
}

/// How alerts are delivered: endpoints, signing secret, deadlines and retries.
public struct WebhookSettings: Sendable {
    public var endpoints: [WebhookEndpoint] = []
    /// HMAC-SHA256 key; the signature covers `<timestamp>.<body>`.
    public var secret = ""
    /// Send without a signature (`--unsigned-webhooks`); otherwise an empty secret is refused at start.
    public var unsigned = false
    public var timeout: Duration = .seconds(5)
    public var maxAttempts = 8
    public var initialBackoff: Duration = .milliseconds(250)
    public var maxBackoff: Duration = .seconds(5)
    /// Users file (JSON `{"42": {"name": "…", "tier": "vip"}}`) for enriching user alerts.
    public var users: [String: (name: String, tier: String)] = [:]

    public init() {}

    /// Refuses endpoints without a secret to sign with, unless unsigned delivery was asked for explicitly.
    public func validate() throws(PipelineError) {
        guard !endpoints.isEmpty, !unsigned, secret.isEmpty else { return }
        throw PipelineError.missingConfig("""
            the webhooks consumer has no signing secret: set RS_WEBHOOK_SECRET (for example             `export RS_WEBHOOK_SECRET=$(openssl rand -hex 32)`, the same value in the receiver),             or pass --unsigned-webhooks to send them unsigned
            """)
    }

    /// Reads a users file; errors name the file and the entry.
    public static func loadUsers(path: String) throws(ValidationError) -> [String: (name: String, tier: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError(field: path, message: "cannot read the users file")
        }
        let root: JSONValue
        do { root = try JSONParser.parse(Array(data)) } catch { throw ValidationError(field: path, message: "not valid JSON (\(error))") }
        guard case .object(let o) = root else { throw ValidationError(field: path, message: "expected an object of user id → {name, tier}") }
        var out: [String: (name: String, tier: String)] = [:]
        for (id, v) in o {
            guard case .object(let u) = v, case .string(let name)? = u["name"] else {
                throw ValidationError(field: "\(path): \(id)", message: "expected {\"name\": \"…\", \"tier\": \"…\"}")
            }
            var tier = ""
            if case .string(let t)? = u["tier"] { tier = t }
            out[id] = (name, tier)
        }
        return out
    }
}

/// Consumes `alerts.>` and POSTs each alert to every endpoint, signed, with timeouts and capped
/// exponential backoff with jitter; after the last attempt it goes to `dlq.webhooks`. Every attempt
/// lands in `alerts_history`.
///
/// Signature headers: `X-RiskSignal-Timestamp` (ms since the epoch) and `X-RiskSignal-Signature`
/// (`sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`); a receiver recomputes it and rejects
/// timestamps that are too old.
public final class WebhookHandler: BatchHandler {
    public let settings: WebhookSettings
    private let http: HTTPClient
    private let logger = Logger(label: "risksignal.webhooks")

    public init(settings: WebhookSettings) {
        self.settings = settings
        var c = HTTPClient.Configuration()
        c.timeout = .init(connect: .seconds(2), read: .nanoseconds(settings.timeout.totalNanoseconds))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
    }

    public func shutdown() async { let client = http
        // Detached: a cancelled caller must still shut the pool down, or its deinit traps.
        await Task.detached { try? await client.shutdown() }.value }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        var alerts: [(JetStreamMessage, RiskAlert)] = []
        for m in messages {
            do {
                let a = try JSONDecoder().decode(RiskAlert.self, from: Data(m.payload))
                alerts.append((m, a))
            } catch {
                out.invalid.append((m, ValidationError(field: "$", message: "not an alert: \(error)")))
            }
        }
        // Alerts are delivered concurrently, so one slow endpoint does not hold back the rest.
        let results = await withTaskGroup(of: [DeliveryResult].self) { group in
            for (_, a) in alerts {
                group.addTask { await self.deliver(a) }
            }
            var all: [DeliveryResult] = []
            for await r in group { all += r }
            return all
        }
        for r in results {
            for row in r.rows { out.append(row: row, to: "alerts_history") }
            if !r.delivered {
                out.publish.append(OutgoingMessage(subject: "dlq.webhooks", text: r.alert.jsonText(),
                                                   headers: [(MessageHeader.dlqReason, "webhook \(r.endpoint): \(r.lastError)")],
                                                   messageID: "webhook:\(r.alert.id):\(r.endpoint)"))
            }
        }
        out.done = alerts.map(\.0)
        return out
    }

    struct DeliveryResult: Sendable {
        var alert: RiskAlert
        var endpoint: String
        var delivered: Bool
        var lastError: String
        var rows: [String]
    }

    func deliver(_ alert: RiskAlert) async -> [DeliveryResult] {
        var results: [DeliveryResult] = []
        for endpoint in settings.endpoints {
            results.append(await deliver(alert, to: endpoint))
        }
        return results
    }

    func deliver(_ alert: RiskAlert, to endpoint: WebhookEndpoint) async -> DeliveryResult {
        let body = Self.body(alert, format: endpoint.format, users: settings.users)
        var rows: [String] = []
        var backoff = settings.initialBackoff
        var lastError = ""
        for attempt in 1...max(1, settings.maxAttempts) {
            let started = Timestamp.now()
            let ts = String(started.nanosSinceEpoch / 1_000_000)
            var req = HTTPClientRequest(url: endpoint.url)
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/json")
            req.headers.add(name: "User-Agent", value: "risksignal-webhooks")
            req.headers.add(name: "X-RiskSignal-Timestamp", value: ts)
            if !settings.unsigned {
                req.headers.add(name: "X-RiskSignal-Signature", value: WebhookSignature.header(secret: settings.secret, timestamp: ts, body: body))
            }
            req.headers.add(name: "X-RiskSignal-Alert-Id", value: alert.id)
            req.body = .bytes(ByteBuffer(string: body))
            do {
                let resp = try await http.execute(req, timeout: .nanoseconds(settings.timeout.totalNanoseconds))
                _ = try? await resp.body.collect(upTo: 1 << 20)
                if (200..<300).contains(Int(resp.status.code)) {
                    let now = Timestamp.now()
                    let from = alert.intendedTime ?? alert.eventTime
                    let latency = (Double(now.nanosSinceEpoch) - Double(from)) / 1e6  // in Double: `from` comes from a message
                    rows.append(AlertHistoryRow(alert: alert, status: "delivered", attempts: attempt, endpoint: endpoint.url, deliveredAt: now,
                                                latencyMs: latency, detail: "", at: now).json)
                    Counter(label: "risksignal_webhooks_delivered_total").increment()
                    return DeliveryResult(alert: alert, endpoint: endpoint.url, delivered: true, lastError: "", rows: rows)
                }
                lastError = "HTTP \(resp.status.code)"
            } catch {
                lastError = "\(error)"
            }
            Counter(label: "risksignal_webhook_retries_total").increment()
            rows.append(AlertHistoryRow(alert: alert, status: "attempt_failed_\(attempt)", attempts: attempt, endpoint: endpoint.url,
                                        deliveredAt: nil, latencyMs: 0, detail: lastError, at: Timestamp.now()).json)
            logger.warning("webhook delivery failed", metadata: ["endpoint": .string(endpoint.url), "attempt": .stringConvertible(attempt), "error": .string(lastError)])
            if attempt < settings.maxAttempts {
                let jitter = Double(UInt64.random(in: 500...1000)) / 1000
                // Clamped in Double before converting: a huge configured backoff must not trap the conversion.
                let wait = min(Double(backoff.totalNanoseconds) * jitter, 9.0e18)
                try? await Task.sleep(for: .nanoseconds(Int64(wait)))
                let doubled = backoff.totalNanoseconds.multipliedReportingOverflow(by: 2)
                backoff = doubled.overflow ? settings.maxBackoff : min(.nanoseconds(doubled.partialValue), settings.maxBackoff)
            }
        }
        rows.append(AlertHistoryRow(alert: alert, status: "failed", attempts: max(1, settings.maxAttempts), endpoint: endpoint.url, deliveredAt: nil,
                                    latencyMs: 0, detail: lastError, at: Timestamp.now()).json)
        return DeliveryResult(alert: alert, endpoint: endpoint.url, delivered: false, lastError: lastError, rows: rows)
    }

    /// The JSON body: the alert (plus the user's name and tier for user alerts), or a Slack message.
    static func body(_ a: RiskAlert, format: WebhookEndpoint.Format, users: [String: (name: String, tier: String)]) -> String {
        var user = ""
        if a.key.hasPrefix("user:"), let u = users[String(a.key.dropFirst(5))] {
            user = ",\"user\":{\"name\":\(JSONText.quoted(u.name)),\"tier\":\(JSONText.quoted(u.tier))}"
        }
        switch format {
        case .json:
            return "{\"alert\":\(a.jsonText())\(user)}"
        case .slack:
            let who = a.key.hasPrefix("user:") ? users[String(a.key.dropFirst(5))].map { " (\($0.name), \($0.tier))" } ?? "" : ""
            let text = ":rotating_light: *\(a.severity.uppercased())* \(a.rule) on \(a.key)\(who): observed \(a.observed) vs threshold \(a.threshold) over \(a.windowSeconds)s"
            return "{\"text\":\(JSONText.quoted(text))}"
        }
    }
}
