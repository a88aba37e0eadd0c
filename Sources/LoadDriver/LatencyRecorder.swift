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
