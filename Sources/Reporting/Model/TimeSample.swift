/// One second of the run: rates, per-second e2e lag, consumer backlog and process resources.
public struct TimeSample: Codable, Sendable, Equatable {
    /// Seconds since `RunReport.startedAt`.
    public var t: Double
    /// Events/s the schedule asked for in this second.
    public var offeredRate: Double
    /// Events/s actually published and acked in this second.
    public var achievedRate: Double
    /// Median e2e lag (corrected) of rows ingested in this second, ms.
    public var e2eP50Ms: Double?
    /// 99th percentile e2e lag (corrected) of rows ingested in this second, ms.
    public var e2eP99Ms: Double?
    /// Publish-ack p99 over the run so far, ms: set by the live page only (the report has the whole run's figure).
    public var publishAckP99Ms: Double?
    /// Rows the pipeline inserted in this second (from its own counters).
    public var rowsPerSecond: Double?
    /// JetStream pending messages per durable consumer name.
    public var consumerPending: [String: Double]
    /// CPU and RSS per process name.
    public var processes: [String: ProcessSample]

    public init(t: Double, offeredRate: Double, achievedRate: Double, e2eP50Ms: Double? = nil, e2eP99Ms: Double? = nil, rowsPerSecond: Double? = nil, consumerPending: [String: Double] = [:], processes: [String: ProcessSample] = [:]) {
        self.t = t
        self.offeredRate = offeredRate
        self.achievedRate = achievedRate
        self.e2eP50Ms = e2eP50Ms
        self.e2eP99Ms = e2eP99Ms
        self.rowsPerSecond = rowsPerSecond
        self.consumerPending = consumerPending
        self.processes = processes
    }
}
