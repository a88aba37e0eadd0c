/// Event totals over the measured window; the denominator for per-event costs in planning.
public struct EventCounts: Codable, Sendable, Equatable {
    /// Events rsbench sent during the measured window.
    public var published: UInt64
    /// Events JetStream acknowledged during the measured window.
    public var acked: UInt64
    /// Events per second offered by the schedule (sum over workloads).
    public var offeredPerSecond: Double
    /// Events per second actually acknowledged (acked ÷ duration).
    public var achievedPerSecond: Double

    public init(published: UInt64 = 0, acked: UInt64 = 0, offeredPerSecond: Double = 0, achievedPerSecond: Double = 0) {
        self.published = published
        self.acked = acked
        self.offeredPerSecond = offeredPerSecond
        self.achievedPerSecond = achievedPerSecond
    }
}
