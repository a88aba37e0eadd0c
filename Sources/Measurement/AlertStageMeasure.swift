import ClickHouse
import Histogram
import Reporting
import RiskSignalCore

/// The instants of one delivered alert (ns since epoch), in the order they happen; nil where not known.
public struct AlertInstants: Sendable, Equatable {
    public var rule: String
    public var intended: Int64?
    /// Its triggering input reached the detecting consumer.
    public var received: Int64?
    public var detected: Int64?
    /// JetStream stored the alert (the stream's timestamp of the `alerts.<rule>` message).
    public var stored: Int64?
    /// The webhook request that got through was sent.
    public var sent: Int64?
    /// rsbench's receiver got it.
    public var receipt: Int64?
    /// The sender got the receiver's answer.
    public var answered: Int64?

    public init(rule: String, intended: Int64? = nil, received: Int64? = nil, detected: Int64? = nil, stored: Int64? = nil,
                sent: Int64? = nil, receipt: Int64? = nil, answered: Int64? = nil) {
        self.rule = rule
        self.intended = intended
        self.received = received
        self.detected = detected
        self.stored = stored
        self.sent = sent
        self.receipt = receipt
        self.answered = answered
    }

    /// Each stage of `AlertStages.names` that both of its instants bound, in ns.
    public var stages: [String: Int64] {
        let bounds: [(String, Int64?, Int64?)] = [
            ("to_detector", intended, received), ("detect", received, detected), ("publish", detected, stored),
            ("dispatch", stored, sent), ("webhook", sent, receipt), ("answer", receipt, answered),
        ]
        var out: [String: Int64] = [:]
        for (name, from, to) in bounds { if let from, let to { out[name] = to - from } }
        return out
    }

    /// Whether the pipeline stamped it at all (an older pipeline's alerts carry none of the instants).
    public var isStamped: Bool { received != nil || detected != nil || stored != nil || sent != nil }
}

/// Alert stages from delivered alerts: HdrHistograms (µs, 3 significant digits) per stage, per rule and over all.
/// A negative stage (instants from two clocks a little apart) counts as 0.
public enum AlertStagesBuilder {
    public static func build(_ alerts: [AlertInstants]) -> AlertStages? {
        let stamped = alerts.filter(\.isStamped)
        guard !stamped.isEmpty else { return nil }
        func summaries(_ of: [AlertInstants]) -> [String: LatencySummary] {
            var hist: [String: Histogram<UInt64>] = [:]
            for a in of {
                for (name, ns) in a.stages {
                    let us = UInt64(max(0, ns) / 1000)
                    hist[name, default: Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)]
                        .record(min(us, 3_600_000_000))
                }
            }
            return hist.mapValues { LatencySummary(histogram: $0) }
        }
        let rules = Set(stamped.map(\.rule)).sorted().map { rule in
            let of = stamped.filter { $0.rule == rule }
            return RuleStages(rule: rule, alerts: of.count, stages: summaries(of))
        }
        return AlertStages(rules: rules, overall: summaries(stamped), unstamped: alerts.count - stamped.count)
    }
}

/// Reads the pipeline-side delivery instants (stored, sent, answered) of alerts from `alerts_history` (migration 7).
public struct AlertHistoryStages: Sendable {
    public var ch: ClickHouseClient

    public init(ch: ClickHouseClient) { self.ch = ch }

    /// By alert id: the delivered rows' instants (the earliest of each, should one alert be delivered twice), for
    /// alerts answered at or after `since` (ns since epoch). Rows of an older pipeline have none and are absent.
    public func delivered(since: Int64) async throws -> [String: (stored: Int64?, sent: Int64?, answered: Int64?)] {
        // Aliases differ from the column names: ClickHouse would otherwise read `answered_at` in WHERE as the aggregate.
        let cols = ["stored_at", "webhook_sent_at", "answered_at"].map { "toString(min(toUnixTimestamp64Nano(\($0)))) AS first_\($0)" }.joined(separator: ", ")
        let rows = try await ch.rows("""
            SELECT alert_id, \(cols) FROM alerts_history
            WHERE status = 'delivered' AND answered_at >= fromUnixTimestamp64Nano(toInt64(\(since))) GROUP BY alert_id
            """)
        var out: [String: (stored: Int64?, sent: Int64?, answered: Int64?)] = [:]
        for r in rows {
            guard case .string(let id)? = r["alert_id"] else { continue }
            func ns(_ k: String) -> Int64? { if case .string(let s)? = r[k] { Int64(s) } else { nil } }
            out[id] = (ns("first_stored_at"), ns("first_webhook_sent_at"), ns("first_answered_at"))
        }
        return out
    }
}
