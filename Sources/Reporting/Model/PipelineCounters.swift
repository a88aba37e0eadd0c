/// What the pipeline itself reported during a run: dead letters, book gaps, backlog, drain and alerts.
public struct PipelineCounters: Codable, Sendable, Equatable {
    /// Messages the consumers dead-lettered.
    public var deadLettered: Double
    /// Book sequence gaps the market normaliser saw (a replayed feed with a hole in it, or lost messages).
    public var sequenceGaps: Double
    /// Highest total consumer backlog seen in any second.
    public var maxConsumerPending: Double
    /// Whether every consumer caught up before the drain timeout.
    public var drained: Bool
    /// Alerts that reached rsbench's webhook receiver.
    public var alertsReceived: Int
    /// The rule of each received alert, in arrival order.
    public var alertRules: [String]

    public init(deadLettered: Double = 0, sequenceGaps: Double = 0, maxConsumerPending: Double = 0, drained: Bool = false,
                alertsReceived: Int = 0, alertRules: [String] = []) {
        self.deadLettered = deadLettered
        self.sequenceGaps = sequenceGaps
        self.maxConsumerPending = maxConsumerPending
        self.drained = drained
        self.alertsReceived = alertsReceived
        self.alertRules = alertRules
    }

    /// Received alerts counted by rule, like `liquidity_drop 2, order_velocity 1`.
    public var alertsByRule: String {
        Dictionary(grouping: alertRules, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted().joined(separator: ", ")
    }
}
