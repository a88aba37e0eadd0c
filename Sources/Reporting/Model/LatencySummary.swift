/// Percentiles of one latency distribution, all in milliseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double
    /// Optional finer percentile spectrum for charts, ascending by percentile.
    public var spectrum: [PercentilePoint]?

    public init(count: UInt64, p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double, spectrum: [PercentilePoint]? = nil) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
        self.spectrum = spectrum
    }

    /// A distribution with no samples.
    public static let empty = LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0)

    /// The spectrum to chart: the stored one, or one built from the fixed percentiles
    /// so a chart still has a curve when the run did not export a full spectrum.
    public var chartSpectrum: [PercentilePoint] {
        if let spectrum, !spectrum.isEmpty { return spectrum }
        guard count > 0 else { return [] }
        return [
            PercentilePoint(percentile: 50, valueMs: p50),
            PercentilePoint(percentile: 90, valueMs: p90),
            PercentilePoint(percentile: 99, valueMs: p99),
            PercentilePoint(percentile: 99.9, valueMs: p999),
            PercentilePoint(percentile: 100, valueMs: max),
        ]
    }

    /// Looks up a statistic by the names gates use (`p50`, `p90`, `p99`, `p999`, `max`, `mean`).
    public func value(_ statistic: String) -> Double? {
        switch statistic {
        case "p50": p50
        case "p90": p90
        case "p99": p99
        case "p999", "p99.9": p999
        case "max": max
        case "mean": mean
        default: nil
        }
    }
}
