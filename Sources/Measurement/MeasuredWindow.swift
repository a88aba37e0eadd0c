import RiskSignalCore

/// The measured window of a run, in wall-clock nanoseconds of intended send time (warm-up excluded).
public struct MeasuredWindow: Sendable, Equatable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    public var seconds: Double { Double(end - start) / 1e9 }

    /// The SQL condition that keeps a table's rows whose intended send time falls in the window.
    var sqlCondition: String {
        let from = Timestamp(nanosSinceEpoch: start).clickHouseDateTime64Micro
        let to = Timestamp(nanosSinceEpoch: end).clickHouseDateTime64Micro
        return "intended_at >= toDateTime64('\(from)', 6) AND intended_at < toDateTime64('\(to)', 6)"
    }
}
