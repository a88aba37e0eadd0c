import Histogram
import Reporting

extension LatencySummary {
    /// The summary of a latency histogram recorded in microseconds, in the report's unit (ms).
    public init(histogram h: Histogram<UInt64>) {
        guard h.totalCount > 0 else {
            self = .empty
            return
        }
        func ms(_ us: UInt64) -> Double { Double(us) / 1000 }
        self.init(count: h.totalCount, p50: ms(h.valueAtPercentile(50)), p90: ms(h.valueAtPercentile(90)), p99: ms(h.valueAtPercentile(99)),
                  p999: ms(h.valueAtPercentile(99.9)), max: ms(h.max), mean: h.mean / 1000)
    }
}

/// Merges per-workload latency histograms into one distribution.
public struct HistogramMerge: Sendable {
    var merged: Histogram<UInt64>?

    public init() {}

    public mutating func add(_ h: Histogram<UInt64>) {
        if merged == nil { merged = h } else { merged!.add(h) }
    }

    /// The merged distribution in ms, or nil when nothing was added.
    public var summary: LatencySummary? { merged.map { LatencySummary(histogram: $0) } }
}
