import Crypto
import Foundation
import Hummingbird
import Observability
import RiskSignalCore
import Synchronization

/// A local HTTP receiver for alert webhooks: checks each signature, records receipt times, and can
/// refuse deliveries for a while (to exercise retries).
public final class WebhookReceiver: Sendable {
    /// One delivery as it arrived.
    public struct Delivery: Sendable {
        public var body: String
        public var receivedAtNanos: Int64
        public var signatureValid: Bool
        /// The `X-RiskSignal-Signature` header as sent (nil when the delivery was unsigned).
        public var signatureHeader: String?
        public var alertID: String?
        /// The alert's intended send time (ns), parsed from the body, for latency.
        public var intendedNanos: Int64?
    }

    /// The shared secret; nil accepts every delivery (signed or not) and records it.
    public let secret: String?
    private let state = Mutex<(deliveries: [Delivery], refused: Int, refuseUntil: ContinuousClock.Instant?)>(([], 0, nil))

    public init(secret: String?) { self.secret = secret }

    public var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    public var refusedCount: Int { state.withLock { $0.refused } }

    /// Answers 503 to every delivery for `duration` from now.
    public func refuse(for duration: Duration) {
        state.withLock { $0.refuseUntil = ContinuousClock.now + duration }
    }

    /// Whether it is answering 503 right now.
    public var refusing: Bool { state.withLock { s in s.refuseUntil.map { ContinuousClock.now < $0 } ?? false } }

    /// Serves on 127.0.0.1 until the task is cancelled; `onListening` gets the bound port.
    public func run(port: Int = 0, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        let router = Router()
        router.post("alerts") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 4 << 20))
            let now = Timestamp.now().nanosSinceEpoch
            let refused = self.state.withLock { s -> Bool in
                if let until = s.refuseUntil, ContinuousClock.now < until { s.refused += 1; return true }
                return false
            }
            if refused { return Response(status: .serviceUnavailable) }
            func header(_ name: String) -> String? {
                request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
            }
            let ts = header("X-RiskSignal-Timestamp") ?? ""
            let sig = header("X-RiskSignal-Signature")
            let valid = sig.map { Self.verify(signature: $0, secret: self.secret ?? "", timestamp: ts, body: body) } ?? false
            var intended: Int64?
            if case .object(let o)? = try? JSONParser.parse(Array(body.utf8)), case .object(let a)? = o["alert"] {
                if case .int(let t)? = a["intended_time"] { intended = t }
            }
            let d = Delivery(body: body, receivedAtNanos: now, signatureValid: valid, signatureHeader: sig,
                             alertID: header("X-RiskSignal-Alert-Id"), intendedNanos: intended)
            self.state.withLock { $0.deliveries.append(d) }
            return Response(status: valid || self.secret == nil ? .ok : .unauthorized)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) })
        try await serveUntilCancelled(app, label: "rsbench.webhook-receiver")
    }

    /// Checks `sha256=<hex>` the way a third-party receiver would: HMAC-SHA256 of `<timestamp>.<body>`, compared in constant time.
    public static func verify(signature: String, secret: String, timestamp: String, body: String) -> Bool {
        guard signature.hasPrefix("sha256=") else { return false }
        let hex = Array(signature.utf8.dropFirst(7))
        guard hex.count == 64 else { return false }
        var mac: [UInt8] = []
        mac.reserveCapacity(32)
        var i = 0
        while i < hex.count {
            guard let byte = UInt8(String(decoding: hex[i...(i + 1)], as: UTF8.self), radix: 16) else { return false }
            mac.append(byte)
            i += 2
        }
        return HMAC<Crypto.SHA256>.isValidAuthenticationCode(mac, authenticating: Array((timestamp + "." + body).utf8),
                                                             using: SymmetricKey(data: Array(secret.utf8)))
    }
}
