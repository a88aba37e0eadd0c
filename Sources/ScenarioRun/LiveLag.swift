import Measurement
import Reporting
import Synchronization

/// End-to-end lag while a run goes on, for the live page: every `interval`, the p50/p99 of the rows stored in the last
/// two seconds. Only `run --dashboard` starts it: each query costs the ClickHouse endpoint a statement.
final class LiveLag: Sendable {
    private let latest = Mutex<LatencySummary?>(nil)
    let lag: EndToEndLag
    let tables: [String]
    let interval: Duration

    init(lag: EndToEndLag, tables: [String], interval: Duration = .seconds(2)) {
        self.lag = lag
        self.tables = tables
        self.interval = interval
    }

    /// The newest figure (nil before the first rows).
    var current: LatencySummary? { latest.withLock { $0 } }

    /// Polls until cancelled; a failed query keeps the previous figure (the page is a view, never a measurement).
    func run() async {
        while !Task.isCancelled {
            if let s = try? await lag.recent(tables: tables) { latest.withLock { $0 = s } }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
