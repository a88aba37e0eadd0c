import ClickHouse
import LoadDriver
import Measurement
import Reporting
import RiskSignalCore
import StandIns

/// Alert latency as rsbench's own webhook receiver saw it (receipt − intended send of the triggering event), and the
/// same deliveries split into stages with the instants the alert carries and `alerts_history` keeps.
struct AlertCollector: Sendable {
    var receiver: WebhookReceiver
    var ch: ClickHouseClient
    var say: @Sendable (String) -> Void

    struct Result: Sendable {
        var latency: LatencySummary?
        var received: Int
        var rules: [String]
        var stages: AlertStages?
        var notes: [String] = []
    }

    /// Waits (at most 10 s) for alerts raised near the end, then summarises the signed deliveries of the measured window.
    func collect(expected injections: Int, window: MeasuredWindow) async throws -> Result {
        if injections > 0 {
            let deadline = ContinuousClock.now + .seconds(10)
            while receiver.deliveries.count < injections && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        }
        let recorder = LatencyRecorder()
        let deliveries = receiver.deliveries
        var timed: [(WebhookReceiver.Delivery, [String: JSONValue])] = []
        var seen: Set<String> = []
        for d in deliveries where d.signatureValid {
            guard let t = d.intendedNanos, t >= window.start else { continue }
            // A repeat of one alert (a retry that reached the receiver, a redelivery) is timed once, from its first receipt.
            if let id = d.alertID, !seen.insert(id).inserted { continue }
            recorder.record(nanoseconds: d.receivedAtNanos - t)
            timed.append((d, Self.alertObject(d.body) ?? [:]))
        }
        let rules = deliveries.compactMap { d -> String? in
            guard case .string(let r)? = Self.alertObject(d.body)?["rule"] else { return nil }
            return r
        }
        let latency = LatencySummary(histogram: recorder.snapshot)
        if injections > 0 {
            say("[run] alerts received: \(deliveries.count) (\(PipelineCounters(alertRules: rules).alertsByRule)) for \(injections) injections")
        }
        var result = Result(latency: latency.count > 0 ? latency : nil, received: deliveries.count, rules: rules)
        guard !timed.isEmpty else { return result }
        do {
            // The sender stores its `delivered` rows with its next batch: wait (at most 10 s) until every timed alert has one.
            let wanted = Set(timed.compactMap(\.0.alertID))
            var history = try await AlertHistoryStages(ch: ch).delivered(since: window.start)
            let deadline = ContinuousClock.now + .seconds(10)
            while !wanted.isSubset(of: history.keys) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
                history = try await AlertHistoryStages(ch: ch).delivered(since: window.start)
            }
            let instants = timed.map { d, alert -> AlertInstants in
                func ns(_ k: String) -> Int64? { if case .int(let v)? = alert[k] { v } else { nil } }
                let h = d.alertID.flatMap { history[$0] }
                var rule = "unknown"
                if case .string(let r)? = alert["rule"] { rule = r }
                return AlertInstants(rule: rule, intended: d.intendedNanos, received: ns("received_at"), detected: ns("detected_at"),
                                     stored: h?.stored, sent: h?.sent, receipt: d.receivedAtNanos, answered: h?.answered)
            }
            result.stages = AlertStagesBuilder.build(instants)
            if let s = result.stages, s.unstamped > 0 {
                result.notes.append("alert stages: \(s.unstamped) delivered alert(s) without stage instants (raised by an older pipeline) are left out")
            }
        } catch {
            result.notes.append("alert stages not measured (does alerts_history have migration 7?): \(error)")
        }
        return result
    }

    /// The `alert` object of a webhook body (`{"alert": {…}}`), nil when the body is not one.
    static func alertObject(_ body: String) -> [String: JSONValue]? {
        guard case .object(let o)? = try? JSONParser.parse(Array(body.utf8)), case .object(let a)? = o["alert"] else { return nil }
        return a
    }
}
