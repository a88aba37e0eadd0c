import LoadDriver
import Measurement
import Reporting
import RiskSignalCore
import StandIns

/// Alert latency as rsbench's own webhook receiver saw it: receipt − intended send of the triggering event.
struct AlertCollector: Sendable {
    var receiver: WebhookReceiver
    var say: @Sendable (String) -> Void

    /// Waits (at most 10 s) for alerts raised near the end, then summarises the signed deliveries of the measured window.
    func collect(expected injections: Int, window: MeasuredWindow) async throws -> (latency: LatencySummary?, received: Int, rules: [String]) {
        if injections > 0 {
            let deadline = ContinuousClock.now + .seconds(10)
            while receiver.deliveries.count < injections && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        }
        let recorder = LatencyRecorder()
        let deliveries = receiver.deliveries
        for d in deliveries where d.signatureValid {
            if let t = d.intendedNanos, t >= window.start { recorder.record(nanoseconds: d.receivedAtNanos - t) }
        }
        let rules = deliveries.compactMap { d -> String? in
            guard case .object(let o)? = try? JSONParser.parse(Array(d.body.utf8)), case .object(let a)? = o["alert"], case .string(let r)? = a["rule"] else { return nil }
            return r
        }
        let latency = LatencySummary(histogram: recorder.snapshot)
        if injections > 0 {
            say("[run] alerts received: \(deliveries.count) (\(PipelineCounters(alertRules: rules).alertsByRule)) for \(injections) injections")
        }
        return (latency.count > 0 ? latency : nil, deliveries.count, rules)
    }
}
