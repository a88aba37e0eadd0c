import Histogram
import Synchronization

/// A thread-safe HdrHistogram of latencies in microseconds (1 µs … 1 h, 3 significant digits).
public final class LatencyRecorder: Sendable {
    private let state = Mutex(Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))

    public init() {}

    /// Records one latency; negative values (clock noise) count as zero.
    public func record(nanoseconds: Int64) {
        let us = UInt64(max(0, nanoseconds) / 1000)
        state.withLock { _ = $0.record(min(us, 3_600_000_000)) }
    }

    public var snapshot: Histogram<UInt64> { state.withLock { $0 } }

    public func reset() { state.withLock { $0.reset() } }
}

/// The usual latency summary of a histogram, in seconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var count: UInt64
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double

    public init(_ h: Histogram<UInt64>) {
        count = h.totalCount
        func s(_ us: UInt64) -> Double { Double(us) / 1e6 }
        if h.totalCount == 0 {
            p50 = 0; p90 = 0; p99 = 0; p999 = 0; max = 0; mean = 0
        } else {
            p50 = s(h.valueAtPercentile(50)); p90 = s(h.valueAtPercentile(90)); p99 = s(h.valueAtPercentile(99))
            p999 = s(h.valueAtPercentile(99.9)); max = s(h.max); mean = h.mean / 1e6
        }
    }

    public init(count: UInt64, p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        self.count = count; self.p50 = p50; self.p90 = p90; self.p99 = p99; self.p999 = p999; self.max = max; self.mean = mean
    }

    /// The statistic a gate names (`p50`, `p99`, `max`, …).
    public func value(_ statistic: String) -> Double? {
        switch statistic {
        case "p50": p50
        case "p90": p90
        case "p99": p99
        case "p999": p999
        case "max": max
        case "mean": mean
        default: nil
        }
    }
}
