/// The latency distributions a run measures; nil where the run did not measure one.
public struct LatencySet: Codable, Sendable, Equatable {
    /// Actual send − intended send.
    public var scheduleLag: LatencySummary?
    /// JetStream ack − intended send.
    public var publishAck: LatencySummary?
    /// JetStream ack − actual send (what a closed-loop tool would report).
    public var publishAckUncorrected: LatencySummary?
    /// `ingested_at` − intended send time (corrected for coordinated omission).
    public var e2eCorrected: LatencySummary?
    /// `ingested_at` − actual send time (what a closed-loop tool would report).
    public var e2eUncorrected: LatencySummary?
    /// Webhook received − intended time of the injected anomaly.
    public var alert: LatencySummary?

    public init(scheduleLag: LatencySummary? = nil, publishAck: LatencySummary? = nil, e2eCorrected: LatencySummary? = nil, publishAckUncorrected: LatencySummary? = nil, e2eUncorrected: LatencySummary? = nil, alert: LatencySummary? = nil) {
        self.scheduleLag = scheduleLag
        self.publishAck = publishAck
        self.e2eCorrected = e2eCorrected
        self.publishAckUncorrected = publishAckUncorrected
        self.e2eUncorrected = e2eUncorrected
        self.alert = alert
    }

    /// Named entries in a stable order, with the metric keys `compare` and gates use.
    public var named: [(key: String, title: String, summary: LatencySummary)] {
        var out: [(String, String, LatencySummary)] = []
        if let scheduleLag { out.append(("schedule_lag", "schedule lag", scheduleLag)) }
        if let publishAck { out.append(("publish_latency", "publish ack", publishAck)) }
        if let publishAckUncorrected { out.append(("publish_latency_uncorrected", "publish ack (uncorrected)", publishAckUncorrected)) }
        if let e2eCorrected { out.append(("e2e_lag", "e2e lag (corrected)", e2eCorrected)) }
        if let e2eUncorrected { out.append(("e2e_lag_uncorrected", "e2e lag (uncorrected)", e2eUncorrected)) }
        if let alert { out.append(("alert_latency", "alert latency", alert)) }
        return out.map { (key: $0.0, title: $0.1, summary: $0.2) }
    }
}
