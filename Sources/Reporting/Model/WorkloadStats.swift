/// What one workload of a run offered, sent and got stored, with its send-side latencies.
public struct WorkloadStats: Codable, Sendable, Equatable {
    public var name: String
    /// The generator kind (`trades`, `l2`, …) or `replay`.
    public var source: String
    /// The table its events land in, when the workload maps 1:1 to one.
    public var table: String?
    /// Events/s the schedule offered.
    public var offeredPerSecond: Double
    /// Events sent over the whole run, warm-up included.
    public var published: UInt64
    /// Events sent inside the measured window.
    public var measuredPublished: UInt64
    public var acked: UInt64
    public var failed: UInt64
    /// Publishes JetStream reported as duplicates of an earlier message id.
    public var duplicates: UInt64
    /// Rows (or, for books, normaliser messages) the pipeline stored for this workload, deduplicated; nil when not 1:1.
    public var stored: UInt64?
    /// Acknowledged events missing downstream, plus failed publishes.
    public var lost: UInt64
    public var scheduleLag: LatencySummary
    public var publishAck: LatencySummary
    /// Publish ack measured from the actual send, not the intended one.
    public var publishAckUncorrected: LatencySummary
    /// Events sent in each second of the run, from the start instant.
    public var publishedPerSecond: [Int]

    public init(name: String, source: String, table: String? = nil, offeredPerSecond: Double, published: UInt64, measuredPublished: UInt64,
                acked: UInt64, failed: UInt64 = 0, duplicates: UInt64 = 0, stored: UInt64? = nil, lost: UInt64 = 0,
                scheduleLag: LatencySummary = .empty, publishAck: LatencySummary = .empty, publishAckUncorrected: LatencySummary = .empty,
                publishedPerSecond: [Int] = []) {
        self.name = name
        self.source = source
        self.table = table
        self.offeredPerSecond = offeredPerSecond
        self.published = published
        self.measuredPublished = measuredPublished
        self.acked = acked
        self.failed = failed
        self.duplicates = duplicates
        self.stored = stored
        self.lost = lost
        self.scheduleLag = scheduleLag
        self.publishAck = publishAck
        self.publishAckUncorrected = publishAckUncorrected
        self.publishedPerSecond = publishedPerSecond
    }
}
